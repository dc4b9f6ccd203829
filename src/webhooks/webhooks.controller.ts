import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/auth.decorators.js';
import { UuidPipe } from '../core/http/uuid.pipe.js';
import { CreateWebhookDto } from './dto/create-webhook.dto.js';
import { ListDeliveriesQuery } from './dto/list-deliveries.query.js';
import {
  CreatedWebhookDto,
  DeletedWebhookDto,
  toDeliveryDto,
  toWebhookDto,
  WebhookDeliveryPageDto,
  WebhookListDto,
} from './dto/webhook.dto.js';
import { WebhooksService } from './webhooks.service.js';

/**
 * Webhook subscriptions, for any authenticated agent. Deliveries are POSTs of JSON signed with
 * `Ledger-Webhook-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>` and `Ledger-Webhook-Timestamp`;
 * `Ledger-Webhook-Id` stays the same across retries so receivers can drop duplicates.
 */
@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  /** Subscribes a URL to events; the signing secret is in this response only. */
  @Post()
  async create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateWebhookDto): Promise<CreatedWebhookDto> {
    const { subscription, secret, receipt } = await this.webhooks.subscribe(principal, dto);
    return { ...toWebhookDto(subscription), secret, receipt };
  }

  /** The caller's subscriptions (all of them for an admin). */
  @Get()
  async list(@CurrentPrincipal() principal: Principal): Promise<WebhookListDto> {
    return { items: (await this.webhooks.list(principal)).map(toWebhookDto) };
  }

  /** Delivery log, newest first (owner or admin). */
  @Get(':id/deliveries')
  async deliveries(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidPipe) id: string,
    @Query() query: ListDeliveriesQuery,
  ): Promise<WebhookDeliveryPageDto> {
    const page = await this.webhooks.deliveries(principal, id, query);
    return { items: page.items.map(toDeliveryDto), nextCursor: page.nextCursor };
  }

  /** Stops deliveries (owner or admin); undelivered events are cancelled, the log stays readable. */
  @Delete(':id')
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidPipe) id: string,
  ): Promise<DeletedWebhookDto> {
    const { subscription, receipt } = await this.webhooks.unsubscribe(principal, id);
    return { ...toWebhookDto(subscription), receipt };
  }
}
