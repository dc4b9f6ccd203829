import { Controller, Get, HttpCode, Inject, Optional } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators.js';
import { DomainError } from '../core/http/problem.js';
import { OUTBOX_QUEUE } from '../core/jobs/jobs.queue.js';

export class HealthDto {
  status: 'ok';
  checks?: Record<string, 'up' | 'not-configured'>;
}

class NotReadyError extends DomainError {
  constructor(checks: Record<string, string>) {
    super(
      'unavailable',
      'NOT_READY',
      `not ready: ${Object.entries(checks)
        .filter(([, v]) => v === 'down')
        .map(([k]) => k)
        .join(', ')}`,
      { checks },
    );
  }
}

@ApiTags('service')
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Optional() @Inject(getQueueToken(OUTBOX_QUEUE)) private readonly queue?: Queue,
  ) {}

  /** The process is up. */
  @Get('live')
  @Public()
  @HttpCode(200)
  live(): HealthDto {
    return { status: 'ok' };
  }

  /** The database answers (and Redis, when configured). 503 problem+json otherwise. */
  @Get('ready')
  @Public()
  async ready(): Promise<HealthDto> {
    const checks: Record<string, 'up' | 'down' | 'not-configured'> = { database: 'down', queue: 'not-configured' };
    try {
      await this.dataSource.query('SELECT 1');
      checks.database = 'up';
    } catch {
      checks.database = 'down';
    }
    if (this.queue) {
      try {
        await Promise.race([
          this.queue.getJobCounts('waiting'),
          new Promise((_, reject) => setTimeout(() => reject(new Error('redis timeout')), 2000).unref()),
        ]);
        checks.queue = 'up';
      } catch {
        checks.queue = 'down';
      }
    }
    if (Object.values(checks).includes('down')) throw new NotReadyError(checks);
    return { status: 'ok', checks: checks as Record<string, 'up' | 'not-configured'> };
  }
}
