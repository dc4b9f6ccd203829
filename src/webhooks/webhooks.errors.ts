import { DomainError, NotFoundError } from '../core/http/problem.js';

/** The URL fails the SSRF guard; `reason` says why (scheme, credentials, loopback, private, metadata …). */
export class WebhookUrlForbiddenError extends DomainError {
  constructor(reason: string, detail: string) {
    super('bad-request', 'WEBHOOK_URL_FORBIDDEN', detail, { reason });
  }
}

/** Also answered to agents that are not the owner: a subscription's existence is nobody else's business. */
export class WebhookNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('webhook', id, 'WEBHOOK_NOT_FOUND');
  }
}
