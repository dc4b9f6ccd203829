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
import type { DispatchMode } from '../../src/core/jobs/jobs.queue.js';
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
  /** Stops the app but keeps its database (a process that died; start another with `reuse`). */
  stop(): Promise<void>;
  /** Stops the app and drops its database (unless it reused another app's). */
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** 'auto' (default): BullMQ when REDIS_URL is set for the run, in-process otherwise. */
  redis?: 'auto' | 'required' | 'off';
  /**
   * Reuse another test app's database (a "restarted process"); the data dir (and so the signing key) is shared too.
   * `close()` then leaves the database alone.
   */
  reuse?: TestApp;
  /** Which job roles this process plays (default: relay and work). */
  dispatch?: DispatchMode;
  /** Runs after the module graph exists and before lifecycle hooks (e.g. to register a test job handler). */
  beforeInit?: (app: NestFastifyApplication) => void;
}

/** The whole app on its own cloned database, exactly as `npm start` builds it, listening on an ephemeral port. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const db = options.reuse?.db ?? (await createTestDatabase());
  const dataDir = options.reuse?.config.LEDGER_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'ledger-test-'));
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
    ...(redisUrl
      ? {
          REDIS_URL: redisUrl,
          REDIS_QUEUE_PREFIX: options.reuse?.config.REDIS_QUEUE_PREFIX ?? `t${randomBytes(4).toString('hex')}`,
        }
      : {}),
    ...options.env,
  });
  const app = await createHttpApp(
    {
      config,
      databaseUrl: db.url,
      dispatch: options.dispatch ?? { relay: true, workers: true },
      applicationName: 'ledger-test',
    },
    { logger: Boolean(process.env.TEST_LOG) },
  );
  options.beforeInit?.(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const dispatcher = app.get(OutboxDispatcher);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.close();
  };
  return {
    app,
    http: request(app.getHttpServer()),
    config,
    db,
    usesRedis: Boolean(config.REDIS_URL),
    drainJobs: (timeoutMs) => dispatcher.waitForIdle(timeoutMs),
    stop,
    async close() {
      await stop();
      if (options.reuse) return;
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };

export function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}
