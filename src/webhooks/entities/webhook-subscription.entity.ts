import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '../../core/database/bigint.transformer.js';

export type WebhookScope = 'own' | 'all';

/** A receiver URL and the events it wants. Deactivated, never deleted: its delivery log stays readable. */
@Entity({ name: 'webhook_subscriptions' })
@Index('webhook_subscriptions_owner_idx', ['ownerId'])
export class WebhookSubscriptionEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  /** The agent that subscribed; null for the boot admin token. */
  @Column({ name: 'owner_id', type: 'uuid', nullable: true })
  ownerId: string | null;

  @Column({ type: 'text' })
  url: string;

  @Column({ type: 'text', array: true })
  events: string[];

  /** `all` for curators and admins; `own` = events about datasets the owner created or owns. */
  @Column({ type: 'text' })
  scope: WebhookScope;

  /** The HMAC key, shown once at creation. Stored as is so deliveries can be signed (encryption at rest: not yet). */
  @Column({ type: 'text' })
  secret: string;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'deactivated_at', type: 'timestamptz', nullable: true })
  deactivatedAt: Date | null;

  @Column({ name: 'ledger_seq', type: 'bigint', transformer: bigintTransformer })
  ledgerSeq: bigint;
}
