import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/env.schema.js';
import { DISPATCH_MODE, OUTBOX_QUEUE } from './jobs.queue.js';
import type { DispatchMode, OutboxQueueData } from './jobs.queue.js';
import { JobsService } from './jobs.service.js';

const BATCH = 50;

/**
 * Drains the outbox. Without Redis it runs handlers in this process; with Redis it relays due rows to BullMQ, where
 * workers (this process or `npm run start:worker`) run them. Either way the outbox row is the record: it is marked
 * done only after its handler succeeded, and a row whose process died is taken over when its lease runs out.
 */
@Injectable()
export class OutboxDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('jobs');
  private running = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private readonly inFlight = new Set<Promise<unknown>>();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly jobs: JobsService,
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DISPATCH_MODE) private readonly mode: DispatchMode,
    @Optional() @Inject(getQueueToken(OUTBOX_QUEUE)) private readonly queue?: Queue<OutboxQueueData>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const unknown = await this.jobs.unknownPendingJobNames();
    if (unknown.length > 0) throw new Error(`the outbox holds jobs with no registered handler: ${unknown.join(', ')}`);
    if (!this.mode.relay) return;
    this.running = true;
    this.unsubscribe = this.jobs.onEnqueued(() => this.wake?.());
    this.loop = this.runLoop();
  }

  /**
   * Stops claiming and waits for the handlers already running. Before, not on, application shutdown: that is when
   * the database pool closes, and a handler still running then lost its writes and its `done`.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.wake?.();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  private async runLoop(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      try {
        claimed = this.queue ? await this.relayOnce() : await this.runOnce();
      } catch (error) {
        if (this.running) this.logger.error({ err: error }, 'outbox dispatch failed; retrying');
      }
      if (claimed === 0 && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.config.JOBS_IN_PROCESS_POLL_MS);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = null;
      }
    }
  }

  private async runOnce(): Promise<number> {
    const capacity = BATCH - this.inFlight.size;
    if (capacity <= 0) {
      await Promise.race(this.inFlight);
      return 1;
    }
    const rows = await this.jobs.claimDue(capacity, 'running');
    for (const row of rows) {
      const run = this.jobs.run(row).finally(() => this.inFlight.delete(run));
      this.inFlight.add(run);
    }
    return rows.length;
  }

  private async relayOnce(): Promise<number> {
    const queue = this.queue;
    if (!queue) return 0;
    const rows = await this.jobs.claimDue(BATCH, 'queued');
    if (rows.length === 0) return 0;
    try {
      await queue.addBulk(
        rows.map((row) => ({
          name: row.name,
          data: { outboxId: row.id },
          // Unique per hand-off, so a re-relay after a lost Redis is a new BullMQ job, not a duplicate id.
          opts: {
            jobId: `${row.id}-${row.generation}-${row.attempts}-${Date.now()}`,
            removeOnComplete: 1000,
            removeOnFail: 1000,
          },
        })),
      );
    } catch (error) {
      // Redis is gone: hand the rows back so the next relay (or a restart) picks them up.
      await this.dataSource.query(
        `UPDATE outbox SET status = 'pending', locked_until = NULL WHERE id = ANY($1) AND status = 'queued'`,
        [rows.map((r) => r.id)],
      );
      throw error;
    }
    return rows.length;
  }

  /**
   * Waits until no job is due within `horizonMs` (retries after a short backoff count as due): tests and CLI
   * commands use it.
   */
  async waitForIdle(timeoutMs = 30_000, horizonMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.wake?.();
      const [{ busy }] = await this.dataSource.query<Array<{ busy: number }>>(
        `SELECT count(*)::int AS busy FROM outbox
         WHERE (status = 'pending' AND available_at <= now() + $1::int * interval '1 millisecond')
            OR status IN ('queued', 'running')`,
        [horizonMs],
      );
      if (busy === 0 && this.inFlight.size === 0) return;
      if (Date.now() > deadline) throw new Error(`outbox still has ${busy} busy jobs after ${timeoutMs} ms`);
      await sleep(25);
    }
  }
}
