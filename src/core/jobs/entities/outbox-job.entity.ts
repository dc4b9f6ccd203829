import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type OutboxStatus = 'pending' | 'queued' | 'running' | 'done' | 'dead';

/**
 * A job recorded in the same transaction as the change it belongs to. Redis (when configured) only carries it; this
 * row is the record, so a lost Redis or a killed process loses nothing.
 */
@Entity({ name: 'outbox' })
@Index('outbox_due_idx', ['status', 'availableAt'])
export class OutboxJobEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  /** Deterministic per intent (e.g. `doi-publish-<dataset>-<version>`): enqueuing the same intent twice is a no-op. */
  @Column({ name: 'job_key', type: 'text', unique: true })
  jobKey: string;

  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Column({ type: 'text', default: 'pending' })
  status: OutboxStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'max_attempts', type: 'integer', default: 10 })
  maxAttempts: number;

  @Column({ name: 'available_at', type: 'timestamptz', default: () => 'now()' })
  availableAt: Date;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  /** Bumped by every enqueue of the same key; a run completes the row only if no newer request arrived meanwhile. */
  @Column({ type: 'integer', default: 1 })
  generation: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'done_at', type: 'timestamptz', nullable: true })
  doneAt: Date | null;
}
