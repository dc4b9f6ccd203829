import { Logger } from '@nestjs/common';
import type { BeforeApplicationShutdown } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { OUTBOX_QUEUE } from './jobs.queue.js';
import type { OutboxQueueData } from './jobs.queue.js';
import { JobsService } from './jobs.service.js';

/** Consumes the BullMQ queue: loads the outbox row, runs its handler, records the outcome in PostgreSQL. */
@Processor(OUTBOX_QUEUE, { concurrency: 20 })
export class OutboxProcessor extends WorkerHost implements BeforeApplicationShutdown {
  private readonly logger = new Logger('jobs');

  constructor(private readonly jobs: JobsService) {
    super();
  }

  /** Lets active jobs finish while the database pool is still open (it closes on application shutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  async process(job: Job<OutboxQueueData>): Promise<string> {
    const row = await this.jobs.startQueued(job.data.outboxId);
    if (!row) {
      this.logger.debug({ outboxId: job.data.outboxId }, 'outbox row already taken; skipping');
      return 'skipped';
    }
    return this.jobs.run(row);
  }
}
