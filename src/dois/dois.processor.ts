import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/env.schema.js';
import { JobsService, PermanentJobError, RetryLaterError } from '../core/jobs/jobs.service.js';
import type { JobContext } from '../core/jobs/jobs.service.js';
import { DatasetsService } from '../datasets/datasets.service.js';
import { GraphService } from '../graph/graph.service.js';
import type { GraphChange } from '../graph/graph.service.js';
import { RELATIONS, isRelation } from '../graph/graph.vocabulary.js';
import { WebhooksService } from '../webhooks/webhooks.service.js';
import { DataCiteError } from './datacite.client.js';
import { checkPostCondition, decideAfterFailure, isSuspectedOverwrite, nextDoiAction } from './datacite.rules.js';
import type { DataCiteDoiRecord } from './datacite.rules.js';
import { describeDataCiteFailure, HANDLE_RECHECK_LIMIT_MS, recheckDelayMs } from './doi-metadata.rules.js';
import { DOI_PROVIDER } from './doi-provider.js';
import type { DoiProvider, KnownRemote } from './doi-provider.js';
import { DOI_SYNC_JOB, DoisService } from './dois.service.js';
import type { DesiredRecord } from './dois.service.js';
import type { DoiRegistrationEntity } from './entities/doi-registration.entity.js';

/** §11: retry for about 12 attempts or 24 h (decideAfterFailure); the outbox allows more runs so that budget decides. */
const MAX_JOB_RUNS = 20;
const BACKOFF_CAP_MS = 15 * 60_000;

/**
 * The `doi-sync` job: brings one DOI to the state and metadata the ledger wants, through the configured provider.
 * Idempotent: it re-reads everything, sends the full record with PUT (never a prefix-only POST, §9.4), and does
 * nothing when the provider already holds this exact record.
 */
@Injectable()
export class DoiSyncProcessor implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('dois');

  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobsService,
    private readonly graph: GraphService,
    private readonly datasets: DatasetsService,
    private readonly dois: DoisService,
    private readonly webhooks: WebhooksService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DOI_PROVIDER) private readonly provider: DoiProvider,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: DOI_SYNC_JOB,
      handler: (payload, context) => this.handle(payload, context),
      maxAttempts: MAX_JOB_RUNS,
      backoff: { baseMs: this.config.DATACITE_RETRY_BASE_MS, maxMs: BACKOFF_CAP_MS },
      // One run makes at most a GET and a PUT, each bounded by the request deadline; past this the run is presumed dead.
      leaseMs: 2 * this.config.DATACITE_TIMEOUT_MS + 5_000,
    });
    this.graph.subscribe((manager, change) => this.onGraphChange(manager, change));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.provider.close();
  }

  /** New links around a dataset with a DOI (a derived dataset, a reuse, a version) reach DataCite's citation graph. */
  private async onGraphChange(manager: EntityManager, change: GraphChange): Promise<void> {
    const touched = change.edges
      .filter((e) => e.relation === 'funding' || (isRelation(e.relation) && RELATIONS[e.relation].datacite !== null))
      .flatMap((e) => [e.sourceId, e.targetId]);
    await this.dois.enqueueSync(manager, touched);
  }

  private async handle(payload: Record<string, unknown>, context: JobContext): Promise<void> {
    const datasetId = String(payload['datasetId']);
    try {
      await this.sync(datasetId);
    } catch (error) {
      if (error instanceof PermanentJobError || error instanceof RetryLaterError) throw error;
      if (context.attempt >= MAX_JOB_RUNS) {
        // The outbox stops here: park the DOI so that it never sits `pending` unnoticed.
        const reg = await this.dois.findRegistration(datasetId);
        const reason = `gave up after ${context.attempt} runs: ${error instanceof Error ? error.message : String(error)}`;
        if (reg) await this.dois.park(reg, { code: 'JOB_FAILED', status: null, reason, errors: [] });
        throw new PermanentJobError(reason);
      }
      throw error;
    }
  }

  private async sync(datasetId: string): Promise<void> {
    let reg = await this.dois.findRegistration(datasetId);
    // No DOI, or parked until someone retries it.
    if (!reg || reg.state === 'failed') return;
    const dataset = await this.datasets.get(datasetId);
    const desired = await this.dois.desiredRecord(this.dataSource.manager, dataset, reg.doi);
    if (desired.issues.length > 0) {
      const reason = `local validation failed (datacite.md §5): ${desired.issues.map((i) => `${i.field} ${i.message}`).join('; ')}`;
      await this.dois.park(reg, {
        code: 'METADATA_INVALID',
        status: null,
        reason,
        errors: desired.issues.map((i) => ({ source: i.field, title: i.message })),
      });
      throw new PermanentJobError(reason);
    }
    if (reg.appliedHash === desired.hash && reg.state === desired.target) return;
    const known: KnownRemote = { state: reg.remoteState, registered: reg.registeredAt?.toISOString() ?? null };

    try {
      if (reg.appliedHash === desired.hash && reg.remoteState === desired.target) {
        // §10.3: this exact record was accepted but the Handle was not live yet; read again instead of re-sending.
        reg = await this.dois.countAttempt(reg, false);
        const record = await this.provider.get(reg.doi, known);
        if (record && record.state === desired.target) {
          await this.settle(reg, desired, record, false);
          return;
        }
      }
      let action = nextDoiAction(reg.state, desired.target, { kind: 'not-checked' });
      if (action.kind === 'observe') {
        reg = await this.dois.countAttempt(reg, false);
        const record = await this.provider.get(reg.doi, known);
        action = nextDoiAction(
          reg.state,
          desired.target,
          record ? { kind: 'present', state: record.state, registered: record.registered } : { kind: 'absent' },
        );
      }
      switch (action.kind) {
        case 'skip':
          return;
        case 'observe':
          throw new Error(`cannot decide the event for ${reg.doi} even after reading it`);
        case 'park':
          await this.dois.park(reg, { code: 'STATE_CONFLICT', status: null, reason: action.reason, errors: [] });
          throw new PermanentJobError(action.reason);
        case 'put':
          break;
      }
      const firstPut = reg.putSentAt === null;
      reg = await this.dois.countAttempt(reg, true);
      const attributes = action.event ? { ...desired.attributes, event: action.event } : desired.attributes;
      const result = await this.provider.put(reg.doi, attributes, known);
      if (isSuspectedOverwrite(firstPut, result.status)) {
        const reason = `DataCite already held ${reg.doi} before our first PUT (200, not 201): another record was overwritten; an operator must check (§9.5)`;
        this.logger.error({ doi: reg.doi, datasetId }, reason);
        await this.dois.park(reg, { code: 'DOI_ALREADY_EXISTED', status: result.status, reason, errors: [] });
        throw new PermanentJobError(reason);
      }
      await this.settle(reg, desired, result.record, true);
    } catch (error) {
      if (error instanceof DataCiteError) await this.onDataCiteFailure(reg, error);
      throw error;
    }
  }

  /** §10: the post-conditions decide the new state; `registered` null keeps the DOI pending and re-checks later. */
  private async settle(
    reg: DoiRegistrationEntity,
    desired: DesiredRecord,
    record: DataCiteDoiRecord,
    written: boolean,
  ): Promise<void> {
    const post = checkPostCondition(
      { state: desired.target, ...(written ? { sent: desired.attributes } : {}) },
      record,
    );
    const now = new Date();
    const remote = { remoteState: record.state, registeredAt: record.registered ? new Date(record.registered) : null };
    const appliedAt = written ? now : (reg.appliedAt ?? now);
    switch (post.outcome) {
      case 'ok': {
        const reason =
          this.provider.name === 'fake'
            ? `fake provider: ${desired.target}, recorded locally and not registered anywhere`
            : `DataCite reports ${record.state}, registered ${record.registered ?? 'n/a'}`;
        await this.dois.transition(
          reg,
          desired.target,
          {
            ...remote,
            appliedHash: desired.hash,
            appliedAt,
            failures: 0,
            failingSince: null,
            lastError: null,
            findableAt: desired.target === 'findable' ? (reg.findableAt ?? now) : reg.findableAt,
          },
          reason,
          (manager, r) => this.emitFindable(manager, r),
        );
        return;
      }
      case 'not-live': {
        const waited = now.getTime() - appliedAt.getTime();
        await this.dois.patch(reg, {
          ...remote,
          appliedHash: desired.hash,
          appliedAt,
          failures: 0,
          failingSince: null,
          lastError: {
            code: 'HANDLE_NOT_REGISTERED',
            status: null,
            reason: post.reason,
            errors: [],
            at: now.toISOString(),
          },
        });
        if (waited >= HANDLE_RECHECK_LIMIT_MS) {
          const reason = `the Handle of ${reg.doi} was still not registered after ${Math.round(waited / 3_600_000)} h (§10.3)`;
          await this.dois.park(reg, { code: 'HANDLE_NEVER_REGISTERED', status: null, reason, errors: [] });
          throw new PermanentJobError(reason);
        }
        throw new RetryLaterError(
          post.reason,
          recheckDelayMs(waited, this.config.DATACITE_RETRY_BASE_MS, BACKOFF_CAP_MS),
        );
      }
      case 'mismatch':
        // §10.1–2: an ignored event or a dropped key; retrying blindly would not help.
        await this.dois.park(reg, {
          code: 'POST_CONDITION_FAILED',
          status: null,
          reason: post.reason,
          errors: post.mismatches.map((m) => ({
            source: m.field,
            title: `sent ${m.expected}, DataCite returned ${m.actual.length > 0 ? m.actual.join(', ') : 'nothing'}`,
          })),
        });
        throw new PermanentJobError(post.reason);
    }
  }

  /** §7, §11: retry transient failures with backoff (at least Retry-After); park the rest with DataCite's words. */
  private async onDataCiteFailure(reg: DoiRegistrationEntity, error: DataCiteError): Promise<never> {
    const failure = error.failure;
    const now = Date.now();
    const failures = reg.failures + 1;
    const failingSince = reg.failingSince ?? new Date(now);
    const decision = decideAfterFailure(failure, {
      attempts: failures,
      firstAttemptAtMs: failingSince.getTime(),
      nowMs: now,
      rng: Math.random,
      backoff: { baseMs: this.config.DATACITE_RETRY_BASE_MS, capMs: BACKOFF_CAP_MS },
    });
    const described = describeDataCiteFailure(failure, {
      repositoryId: this.config.DATACITE_REPOSITORY_ID ?? '',
      prefix: this.config.DATACITE_PREFIX,
      ...(decision.kind === 'park' && failure.kind === 'retry' ? { reason: decision.reason } : {}),
    });
    const lastError = { ...described, at: new Date(now).toISOString() };
    if (decision.kind === 'park') {
      if (decision.alertOps)
        this.logger.error(
          { doi: reg.doi, code: failure.code, reason: lastError.reason },
          'DOI registration parked: operators must act',
        );
      await this.dois.park(reg, described, { failures, failingSince });
      throw new PermanentJobError(lastError.reason);
    }
    await this.dois.patch(reg, { failures, failingSince, lastError });
    if (failure.retryAfterMs !== undefined) throw new RetryLaterError(lastError.reason, decision.delayMs);
    // The outbox backs off exponentially with jitter (the job definition's backoff).
    throw new Error(lastError.reason);
  }

  /** The `doi.findable` webhook, in the same transaction as the state change (its delivery is an outbox job). */
  private async emitFindable(manager: EntityManager, reg: DoiRegistrationEntity): Promise<void> {
    await this.webhooks.emit(manager, 'doi.findable', {
      datasetIds: [reg.datasetId],
      doi: reg.doi,
      provider: reg.provider,
    });
  }
}
