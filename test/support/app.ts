import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { createHttpApp } from '../../src/app.factory.js';
import { parseEnv } from '../../src/core/config/env.schema.js';
import type { AppConfig } from '../../src/core/config/env.schema.js';
import { OutboxDispatcher } from '../../src/core/jobs/outbox.dispatcher.js';
import { createTestDatabase } from './db.js';
import type { TestDatabase } from './db.js';
import { redisUrlForTests } from './redis.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export interface TestApp {
  app: NestFastifyApplication;
  http: TestAgent;
  config: AppConfig;
  db: TestDatabase;
  usesRedis: boolean;
  /** Runs every due outbox job to completion (in-process or through BullMQ). */
  drainJobs(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** 'auto' (default): BullMQ when REDIS_URL is set for the run, in-process otherwise. */
  redis?: 'auto' | 'required' | 'off';
}

/** The whole app on its own cloned database, exactly as `npm start` builds it, listening on an ephemeral port. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-test-'));
  const redisUrl = options.redis === 'off' ? undefined : await redisUrlForTests(options.redis === 'required');
  const config = parseEnv({
    // TEST_LOG=debug (or info, error …) shows the service's logs while debugging a test.
    LOG_LEVEL: process.env.TEST_LOG ?? 'silent',
    LEDGER_DATA_DIR: dataDir,
    LEDGER_ADMIN_TOKEN: ADMIN_TOKEN,
    DATABASE_URL: db.url,
    PUBLIC_BASE_URL: 'http://ledger.test',
    LEDGER_ORIGIN: 'ledger.test/cell-images',
    JOBS_IN_PROCESS_POLL_MS: '50',
    ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_QUEUE_PREFIX: `t${randomBytes(4).toString('hex')}` } : {}),
    ...options.env,
  });
  const app = await createHttpApp(
    { config, databaseUrl: db.url, dispatch: { relay: true, workers: true }, applicationName: 'ledger-test' },
    { logger: Boolean(process.env.TEST_LOG) },
  );
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const dispatcher = app.get(OutboxDispatcher);
  return {
    app,
    http: request(app.getHttpServer()),
    config,
    db,
    usesRedis: Boolean(config.REDIS_URL),
    drainJobs: (timeoutMs) => dispatcher.waitForIdle(timeoutMs),
    async close() {
      await app.close();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };

export function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}
