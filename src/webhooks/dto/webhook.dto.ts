import { ReceiptDto } from '../../core/http/receipt.dto.js';
import type { DeliveryAttempt, WebhookDeliveryEntity } from '../entities/webhook-delivery.entity.js';
import type { WebhookScope, WebhookSubscriptionEntity } from '../entities/webhook-subscription.entity.js';
import type { DeliveryStatus } from '../webhooks.rules.js';

export class WebhookDto {
  id: string;
  url: string;
  events: string[];
  /** `all` (subscribed by a curator or admin) or `own` (events about datasets the owner created or owns). */
  scope: WebhookScope;
  owner: string | null;
  active: boolean;
  createdAt: string;
}

export class CreatedWebhookDto extends WebhookDto {
  /** HMAC-SHA256 key for `Ledger-Webhook-Signature`, shown only in this response. */
  secret: string;
  receipt: ReceiptDto;
}

export class DeletedWebhookDto extends WebhookDto {
  receipt: ReceiptDto;
}

export class WebhookListDto {
  items: WebhookDto[];
}

export class DeliveryAttemptDto {
  attempt: number;
  at: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export class WebhookDeliveryDto {
  /** Also sent as `Ledger-Webhook-Id`, the same on every retry. */
  id: string;
  event: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
  history: DeliveryAttemptDto[];
}

export class WebhookDeliveryPageDto {
  items: WebhookDeliveryDto[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export function toWebhookDto(s: WebhookSubscriptionEntity): WebhookDto {
  return {
    id: s.id,
    url: s.url,
    events: s.events,
    scope: s.scope,
    owner: s.ownerId,
    active: s.active,
    createdAt: s.createdAt.toISOString(),
  };
}

export function toDeliveryDto(d: WebhookDeliveryEntity): WebhookDeliveryDto {
  return {
    id: d.id,
    event: d.event,
    status: d.status,
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    lastAttemptAt: d.lastAttemptAt ? d.lastAttemptAt.toISOString() : null,
    deliveredAt: d.deliveredAt ? d.deliveredAt.toISOString() : null,
    createdAt: d.createdAt.toISOString(),
    history: d.history.map((a: DeliveryAttempt) => ({ ...a })),
  };
}
