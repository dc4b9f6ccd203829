import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsString, MaxLength } from 'class-validator';
import { WEBHOOK_EVENTS } from '../webhooks.rules.js';
import type { WebhookEvent } from '../webhooks.rules.js';

export class CreateWebhookDto {
  /**
   * http(s) URL the events are POSTed to. Refused (400 WEBHOOK_URL_FORBIDDEN) when its host resolves to a loopback,
   * private, link-local, unspecified or cloud-metadata address.
   */
  @IsString()
  @MaxLength(2048)
  url: string;

  /** Events to receive: reuse.created, reuse.disputed, reuse.resolved, doi.findable, doi.failed, citation.created, award.granted. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENTS.length)
  @IsIn(WEBHOOK_EVENTS, { each: true })
  events: WebhookEvent[];
}
