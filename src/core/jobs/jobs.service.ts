import { randomInt } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { backoffDelayMs, isValidJobKey } from './backoff.rules.js';
import { OutboxJobEntity } from './entities/outbox-job.entity.js';
import { returnedRows } from '../database/sql.js';

export interface JobContext {
  jobKey: string;
  attempt: number;
}

export type JobHandler = (payload: Record<string, unknown>, context: JobContext) => Promise<void>;

export interface JobDefinition {
  name: string;
  handler: JobHandler;
  maxAttempts?: number;
  backoff?: { baseMs: number; maxMs: number };
  /** How long a claimed run may take before another dispatcher may take it over (the process is presumed dead). */
  leaseMs?: number;
}

/** Thrown by a handler when retrying cannot help (bad credentials, rejected metadata): the job goes `dead` at once. */
export class PermanentJobError extends Error {}

/** A handler asks to run again later without counting a failure (e.g. DataCite's `registered` is still null). */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
  }
}

export interface EnqueueOptions {
  delayMs?: number;
}

const DEFAULT_BACKOFF = { baseMs: 1000, maxMs: 5 * 60_000 };
const DEFAULT_LEASE_MS = 5 * 60_000;

/**
 * The outbox: `enqueue` writes a row in the caller's transaction; `claimDue` and `run` are used by the dispatchers.
 * Handlers are registered by feature modules at init; enqueuing an unregistered job name fails at once.
 */
@Injectable()
export class JobsService {
  private readonly logger = new Logger('jobs');
  private readonly definitions = new Map<string, JobDefinition>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly dataSource: DataSource) {}

  register(definition: JobDefinition): void {
    if (this.definitions.has(definition.name)) throw new Error(`job ${definition.name} is registered twice`);
    this.definitions.set(definition.name, definition);
  }

  registeredNames(): string[] {
    return [...this.definitions.keys()];
  }

  definition(name: string): JobDefinition | undefined {
    return this.definitions.get(name);
  }

  /** Called after a commit that enqueued work, so the in-process dispatcher does not wait for its next poll. */
  onEnqueued(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(): void {
    for (const listener of this.listeners) listener();
  }

  /**
   * Records a job in the caller's transaction. The same key enqueued again while pending is coalesced; enqueued
   * again while running or after it finished, it runs once more after the current run (its generation moves on).
   */
  async enqueue(
    manager: EntityManager,
    name: string,
    jobKey: string,
    payload: Record<string, unknown>,
    options: EnqueueOptions = {},
  ): Promise<void> {
    const definition = this.definitions.get(name);
    if (!definition) throw new Error(`no handler is registered for job ${name}`);
    if (!isValidJobKey(jobKey)) throw new Error(`invalid job key ${jobKey}`);
    await manager.query(
      `INSERT INTO outbox (name, job_key, payload, max_attempts, available_at)
       VALUES ($1, $2, $3, $4, now() + $5::bigint * interval '1 millisecond')
       ON CONFLICT (job_key) DO UPDATE SET
         payload = EXCLUDED.payload,
         generation = outbox.generation + 1,
         status = CASE WHEN outbox.status IN ('done', 'dead') THEN 'pending' ELSE outbox.status END,
         attempts = CASE WHEN outbox.status IN ('done', 'dead') THEN 0 ELSE outbox.attempts END,
         available_at = CASE WHEN outbox.status IN ('done', 'dead') THEN EXCLUDED.available_at ELSE outbox.available_at END,
         done_at = NULL`,
      [name, jobKey, JSON.stringify(payload), definition.maxAttempts ?? 10, String(options.delayMs ?? 0)],
    );
  }

  /**
   * Claims due rows for this process: pending ones whose time has come, and claimed ones whose lease ran out (their
   * process died). `SKIP LOCKED` lets several dispatchers share the table without taking the same row.
   */
  async claimDue(limit: number, claimAs: 'running' | 'queued'): Promise<OutboxJobEntity[]> {
    const rows = returnedRows<Record<string, unknown>>(
      await this.dataSource.query(
        `UPDATE outbox SET status = $2, locked_until = now() + due.lease_ms * interval '1 millisecond',
              attempts = CASE WHEN $2 = 'running' THEN attempts + 1 ELSE attempts END
       FROM (SELECT o.id, d.lease_ms FROM outbox o
             JOIN unnest($3::text[], $4::int[]) AS d(name, lease_ms) ON d.name = o.name
             WHERE (o.status = 'pending' AND o.available_at <= now())
                OR (o.status IN ('running', 'queued') AND o.locked_until < now())
             ORDER BY o.available_at LIMIT $1 FOR UPDATE OF o SKIP LOCKED) due
       WHERE outbox.id = due.id
       RETURNING outbox.*`,
        [limit, claimAs, ...this.leaseTable()],
      ),
    );
    return rows.map(toOutboxRow);
  }

  /** Moves a queued row to running for a BullMQ worker; null when another run already took it. */
  async startQueued(id: string): Promise<OutboxJobEntity | null> {
    // The job definition's lease, as in claimDue: a short-lease job must be taken over just as fast through BullMQ.
    const rows = returnedRows<Record<string, unknown>>(
      await this.dataSource.query(
        `UPDATE outbox SET status = 'running', attempts = attempts + 1,
              locked_until = now() + COALESCE(
                (SELECT d.lease_ms FROM unnest($3::text[], $4::int[]) AS d(name, lease_ms) WHERE d.name = outbox.name),
                $2::bigint) * interval '1 millisecond'
       WHERE id = $1 AND status = 'queued' RETURNING *`,
        [id, String(DEFAULT_LEASE_MS), ...this.leaseTable()],
      ),
    );
    return rows.length > 0 ? toOutboxRow(rows[0]) : null;
  }

  /** Runs one claimed row's handler and records the outcome. Never throws. */
  async run(row: OutboxJobEntity): Promise<'done' | 'retry' | 'dead'> {
    const definition = this.definitions.get(row.name);
    if (!definition) {
      await this.finish(row, 'dead', `no handler registered for ${row.name}`);
      return 'dead';
    }
    try {
      await definition.handler(row.payload, { jobKey: row.jobKey, attempt: row.attempts });
      await this.finish(row, 'done', null);
      return 'done';
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof RetryLaterError) {
        await this.finish(row, 'pending', message, error.delayMs, true);
        return 'retry';
      }
      if (error instanceof PermanentJobError || row.attempts >= row.maxAttempts) {
        this.logger.warn(
          { job: row.name, jobKey: row.jobKey, attempt: row.attempts, error: message },
          'job failed for good',
        );
        await this.finish(row, 'dead', message);
        return 'dead';
      }
      const delay = backoffDelayMs(
        row.attempts,
        randomInt(0, 1_000_000) / 1_000_000,
        definition.backoff ?? DEFAULT_BACKOFF,
      );
      this.logger.warn(
        { job: row.name, jobKey: row.jobKey, attempt: row.attempts, delayMs: delay, error: message },
        'job will retry',
      );
      await this.finish(row, 'pending', message, delay);
      return 'retry';
    }
  }

  private async finish(
    row: OutboxJobEntity,
    status: 'done' | 'pending' | 'dead',
    lastError: string | null,
    delayMs = 0,
    refundAttempt = false,
  ): Promise<void> {
    // A newer enqueue of the same key (higher generation) arrived while this run was going: run it again instead.
    await this.dataSource.query(
      `UPDATE outbox SET
         status = CASE WHEN generation <> $3 AND $2 <> 'pending' THEN 'pending' ELSE $2 END,
         attempts = CASE WHEN generation <> $3 THEN 0 WHEN $6 THEN GREATEST(attempts - 1, 0) ELSE attempts END,
         last_error = $4, locked_until = NULL,
         available_at = now() + $5::bigint * interval '1 millisecond',
         done_at = CASE WHEN $2 = 'done' AND generation = $3 THEN now() ELSE NULL END
       WHERE id = $1`,
      [row.id, status, row.generation, lastError, String(delayMs), refundAttempt],
    );
  }

  private leaseTable(): [string[], number[]] {
    const names = [...this.definitions.keys()];
    return [names, names.map((n) => this.definitions.get(n)?.leaseMs ?? DEFAULT_LEASE_MS)];
  }

  /** Job names found in the outbox that this process cannot run: a deploy that forgot a handler fails at boot. */
  async unknownPendingJobNames(): Promise<string[]> {
    const rows: Array<{ name: string }> = await this.dataSource.query(
      `SELECT DISTINCT name FROM outbox WHERE status IN ('pending', 'queued', 'running') AND NOT (name = ANY($1::text[]))`,
      [this.registeredNames()],
    );
    return rows.map((r) => r.name);
  }
}

function toOutboxRow(raw: Record<string, unknown>): OutboxJobEntity {
  const row = new OutboxJobEntity();
  row.id = raw.id as string;
  row.name = raw.name as string;
  row.jobKey = raw.job_key as string;
  row.payload = raw.payload as Record<string, unknown>;
  row.status = raw.status as OutboxJobEntity['status'];
  row.attempts = Number(raw.attempts);
  row.maxAttempts = Number(raw.max_attempts);
  row.generation = Number(raw.generation);
  row.availableAt = raw.available_at as Date;
  row.lockedUntil = raw.locked_until as Date | null;
  row.lastError = raw.last_error as string | null;
  row.createdAt = raw.created_at as Date;
  row.doneAt = raw.done_at as Date | null;
  return row;
}
