import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import type { DeliveryStatus } from '../webhooks.rules.js';

export class ListDeliveriesQuery {
  @IsOptional()
  @IsIn(['pending', 'retrying', 'delivered', 'failed', 'cancelled'])
  status?: DeliveryStatus;

  /** Opaque cursor from the previous page's nextCursor. */
  @IsOptional()
  @IsString()
  cursor?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}
