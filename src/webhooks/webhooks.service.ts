import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../auth/auth.decorators.js';
import { hasRole } from '../auth/auth.decorators.js';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/env.schema.js';
import type { Receipt } from '../core/database/receipt.js';
import { insertEntities } from '../core/database/sql.js';
import { ConflictError } from '../core/http/problem.js';
import { decodeCursor, encodeCursor } from '../core/http/cursor.js';
import { JobsService, PermanentJobError } from '../core/jobs/jobs.service.js';
import type { JobContext } from '../core/jobs/jobs.service.js';
import { LedgerService } from '../ledger/ledger.service.js';
import type { ListDeliveriesQuery } from './dto/list-deliveries.query.js';
import { WebhookDeliveryEntity } from './entities/webhook-delivery.entity.js';
import type { DeliveryAttempt } from './entities/webhook-delivery.entity.js';
import { WebhookSubscriptionEntity } from './entities/webhook-subscription.entity.js';
import { postWebhook, vetWebhookUrl } from './webhook.client.js';
import { WebhookNotFoundError, WebhookUrlForbiddenError } from './webhooks.errors.js';
import {
  buildDeliveryBody,
  DELIVERY_ID_HEADER,
  EVENT_HEADER,
  MAX_DELIVERY_ATTEMPTS,
  nextDeliveryStatus,
  selectRecipients,
  SIGNATURE_HEADER,
  signWebhookBody,
  TIMESTAMP_HEADER,
  WEBHOOK_EVENTS,
} from './webhooks.rules.js';
import type { DeliveryStatus, SubscriptionScope, WebhookEvent } from './webhooks.rules.js';

export const DELIVER_JOB = 'webhook.deliver';

/** What an emitter sends: the ids of the datasets the event is about (they choose who hears it) and any details. */
export interface WebhookPayload {
  datasetIds: readonly string[];
  [detail: string]: unknown;
}

export interface EmittedEvent {
  event: WebhookEvent;
  payload: WebhookPayload;
}

const FINAL_STATUSES: ReadonlySet<DeliveryStatus> = new Set(['delivered', 'failed', 'cancelled']);
const USER_AGENT = 'cell-image-credit-ledger-webhooks/1';

/**
 * Subscriptions and signed deliveries. Other features call `emit` inside their own write transaction; the delivery
 * rows and their outbox jobs commit with the fact they report, and a job carries each one out later.
 */
@Injectable()
export class WebhooksService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: DELIVER_JOB,
      handler: (payload, context) => this.deliver(payload, context),
      maxAttempts: MAX_DELIVERY_ATTEMPTS,
      backoff: {
        baseMs: this.config.WEBHOOK_RETRY_BASE_MS,
        maxMs: Math.max(this.config.WEBHOOK_RETRY_BASE_MS, 3_600_000),
      },
      leaseMs: this.config.WEBHOOK_TIMEOUT_MS + 60_000,
    });
  }

  async subscribe(
    principal: Principal,
    input: { url: string; events: readonly WebhookEvent[] },
    now = new Date(),
  ): Promise<{ subscription: WebhookSubscriptionEntity; secret: string; receipt: Receipt }> {
    // DNS is looked up before the transaction opens: no network wait while holding the ledger lock.
    const vetted = await vetWebhookUrl(input.url, this.config.WEBHOOK_ALLOW_PRIVATE);
    if (!vetted.ok) throw new WebhookUrlForbiddenError(vetted.reason, vetted.detail);
    const events = WEBHOOK_EVENTS.filter((e) => input.events.includes(e));
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const subscription = this.dataSource.manager.create(WebhookSubscriptionEntity, {
      id: randomUUID(),
      ownerId: principal.agentId,
      url: vetted.url.href,
      events,
      scope: hasRole(principal, 'curator') ? 'all' : 'own',
      secret,
      active: true,
      createdAt: now,
      deactivatedAt: null,
    });
    return this.dataSource.transaction(async (manager) => {
      // The ledger is public and receiver URLs often carry a token: record the origin and a hash, never the secret.
      const receipt = await this.ledger.append(manager, {
        kind: 'webhook.subscribed',
        actor: principal.agentId,
        payload: {
          id: subscription.id,
          owner: subscription.ownerId,
          events,
          scope: subscription.scope,
          urlOrigin: vetted.url.origin,
          urlSha256: createHash('sha256').update(subscription.url).digest('hex'),
        },
      });
      subscription.ledgerSeq = BigInt(receipt.seq);
      await insertEntities(manager, WebhookSubscriptionEntity, subscription);
      return { subscription, secret, receipt };
    });
  }

  async list(principal: Principal): Promise<WebhookSubscriptionEntity[]> {
    const qb = this.dataSource.manager.createQueryBuilder(WebhookSubscriptionEntity, 's');
    if (!hasRole(principal, 'admin')) {
      if (principal.agentId === null) return [];
      qb.where('s.owner_id = :owner', { owner: principal.agentId });
    }
    return qb.orderBy('s.created_at', 'DESC').addOrderBy('s.id', 'DESC').limit(500).getMany();
  }

  async deliveries(
    principal: Principal,
    id: string,
    query: ListDeliveriesQuery,
  ): Promise<{ items: WebhookDeliveryEntity[]; nextCursor: string | null }> {
    await this.getOwned(principal, id);
    const limit = query.limit ?? 50;
    const cursor = decodeCursor(query.cursor);
    const qb = this.dataSource.manager
      .createQueryBuilder(WebhookDeliveryEntity, 'd')
      .where('d.subscription_id = :id', { id });
    if (query.status) qb.andWhere('d.status = :status', { status: query.status });
    if (cursor) qb.andWhere('(d.created_at, d.id) < (:at, :cid)', { at: cursor.at, cid: cursor.id });
    const rows = await qb
      .orderBy('d.created_at', 'DESC')
      .addOrderBy('d.id', 'DESC')
      .limit(limit + 1)
      .getMany();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page,
      nextCursor: rows.length > limit && last ? encodeCursor({ at: last.createdAt.toISOString(), id: last.id }) : null,
    };
  }

  /** Deactivates a subscription (its log stays readable) and cancels its undelivered events. */
  async unsubscribe(
    principal: Principal,
    id: string,
    now = new Date(),
  ): Promise<{ subscription: WebhookSubscriptionEntity; receipt: Receipt }> {
    const subscription = await this.getOwned(principal, id);
    if (!subscription.active) throw new ConflictError(`webhook ${id} is already deleted`, 'WEBHOOK_ALREADY_DELETED');
    return this.dataSource.transaction(async (manager) => {
      const receipt = await this.ledger.append(manager, {
        kind: 'webhook.unsubscribed',
        actor: principal.agentId,
        payload: { id },
      });
      await manager.update(WebhookSubscriptionEntity, { id }, { active: false, deactivatedAt: now });
      await manager.query(
        `UPDATE webhook_deliveries SET status = 'cancelled' WHERE subscription_id = $1 AND status IN ('pending', 'retrying')`,
        [id],
      );
      return { subscription: await manager.findOneByOrFail(WebhookSubscriptionEntity, { id }), receipt };
    });
  }

  /**
   * Queues one event for every subscription that should hear it, inside the caller's transaction. Returns how many
   * deliveries were queued. Nothing goes to the ledger: the caller's own entry is the fact.
   */
  async emit(manager: EntityManager, event: WebhookEvent, payload: WebhookPayload): Promise<number> {
    return this.emitMany(manager, [{ event, payload }]);
  }

  async emitMany(manager: EntityManager, events: readonly EmittedEvent[], now = new Date()): Promise<number> {
    if (events.length === 0) return 0;
    const names = [...new Set(events.map((e) => e.event))];
    const subscriptions = (
      await manager.query<Array<{ id: string; owner_id: string | null; scope: 'own' | 'all'; events: string[] }>>(
        `SELECT id, owner_id, scope, to_jsonb(events) AS events FROM webhook_subscriptions
         WHERE active AND events && $1::text[]`,
        [names],
      )
    ).map((r): SubscriptionScope => ({ id: r.id, ownerId: r.owner_id, scope: r.scope, events: r.events }));
    if (subscriptions.length === 0) return 0;
    const audiences = await this.datasetAudiences(
      manager,
      events.flatMap((e) => e.payload.datasetIds),
    );
    const deliveries: WebhookDeliveryEntity[] = [];
    for (const { event, payload } of events) {
      const audience = new Set(payload.datasetIds.flatMap((id) => audiences.get(id) ?? []));
      for (const subscriptionId of selectRecipients(subscriptions, event, audience)) {
        const id = randomUUID();
        deliveries.push(
          manager.create(WebhookDeliveryEntity, {
            id,
            subscriptionId,
            event,
            body: buildDeliveryBody({
              deliveryId: id,
              event,
              createdAt: now,
              data: { ...payload, datasetIds: [...payload.datasetIds] },
            }),
            status: 'pending',
            attempts: 0,
            lastStatusCode: null,
            lastError: null,
            lastAttemptAt: null,
            deliveredAt: null,
            history: [],
            createdAt: now,
          }),
        );
      }
    }
    if (deliveries.length === 0) return 0;
    await insertEntities(manager, WebhookDeliveryEntity, deliveries);
    for (const delivery of deliveries) {
      await this.jobs.enqueue(manager, DELIVER_JOB, `webhook-delivery-${delivery.id}`, { deliveryId: delivery.id });
    }
    return deliveries.length;
  }

  /**
   * The agents concerned by each dataset: its creators and its owner. Read straight from the datasets table because
   * this module sits below datasets in the dependency order (datasets and everything above call `emit`).
   */
  private async datasetAudiences(manager: EntityManager, ids: readonly string[]): Promise<Map<string, string[]>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const rows = await manager.query<Array<{ id: string; owner_id: string | null; creators: string[] }>>(
      `SELECT id, owner_id, to_jsonb(creators) AS creators FROM datasets WHERE id = ANY($1::uuid[])`,
      [unique],
    );
    return new Map(rows.map((r) => [r.id, r.owner_id ? [...r.creators, r.owner_id] : r.creators]));
  }

  private async getOwned(principal: Principal, id: string): Promise<WebhookSubscriptionEntity> {
    const subscription = await this.dataSource.manager.findOneBy(WebhookSubscriptionEntity, { id });
    const mine = subscription !== null && principal.agentId !== null && subscription.ownerId === principal.agentId;
    if (!subscription || !(mine || hasRole(principal, 'admin'))) throw new WebhookNotFoundError(id);
    return subscription;
  }

  /** The delivery job: idempotent (a delivered, failed or cancelled delivery is left alone), one attempt per run. */
  private async deliver(payload: Record<string, unknown>, context: JobContext): Promise<void> {
    const manager = this.dataSource.manager;
    const delivery = await manager.findOneBy(WebhookDeliveryEntity, { id: String(payload.deliveryId) });
    if (!delivery || FINAL_STATUSES.has(delivery.status)) return;
    const subscription = await manager.findOneBy(WebhookSubscriptionEntity, { id: delivery.subscriptionId });
    if (!subscription || !subscription.active) {
      await manager.update(WebhookDeliveryEntity, { id: delivery.id }, { status: 'cancelled' });
      return;
    }

    const startedAt = new Date();
    let statusCode: number | null = null;
    let error: string | null = null;
    let refused = false;
    // Checked again at every attempt: the host may resolve elsewhere than when the subscription was made.
    const vetted = await vetWebhookUrl(subscription.url, this.config.WEBHOOK_ALLOW_PRIVATE);
    if (!vetted.ok) {
      error = `refused by the SSRF guard: ${vetted.detail}`;
      refused = vetted.reason !== 'unresolvable';
    } else {
      const timestamp = Math.floor(Date.now() / 1000);
      try {
        const response = await postWebhook(
          vetted,
          {
            'content-type': 'application/json',
            'user-agent': USER_AGENT,
            [TIMESTAMP_HEADER]: String(timestamp),
            [SIGNATURE_HEADER]: signWebhookBody(subscription.secret, timestamp, delivery.body),
            [DELIVERY_ID_HEADER]: delivery.id,
            [EVENT_HEADER]: delivery.event,
          },
          delivery.body,
          this.config.WEBHOOK_TIMEOUT_MS,
        );
        statusCode = response.statusCode;
        if (statusCode < 200 || statusCode >= 300) error = `the receiver answered HTTP ${statusCode}`;
      } catch (caught) {
        error = caught instanceof Error ? caught.message : String(caught);
      }
    }

    const status: DeliveryStatus = refused
      ? 'failed'
      : nextDeliveryStatus(statusCode, context.attempt, MAX_DELIVERY_ATTEMPTS);
    const attempt: DeliveryAttempt = {
      attempt: delivery.attempts + 1,
      at: startedAt.toISOString(),
      statusCode,
      error,
      durationMs: Date.now() - startedAt.getTime(),
    };
    await manager.query(
      `UPDATE webhook_deliveries SET status = $2, attempts = attempts + 1, last_status_code = $3, last_error = $4,
         last_attempt_at = $5, delivered_at = CASE WHEN $2 = 'delivered' THEN now() ELSE delivered_at END,
         history = history || $6::jsonb
       WHERE id = $1`,
      [delivery.id, status, statusCode, error, startedAt, JSON.stringify([attempt])],
    );
    if (status === 'delivered') return;
    if (status === 'failed') throw new PermanentJobError(error ?? 'delivery failed');
    // Retried by the outbox with this job's backoff.
    throw new Error(error ?? 'delivery failed');
  }
}
