// A fresh database and the whole service, in this process, listening on 127.0.0.1: HTTP workloads cross real sockets
// and service-level workloads call the same providers the routes call.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { createHttpApp } from '../src/app.factory.js';
import { parseEnv } from '../src/core/config/env.schema.js';
import type { AppConfig } from '../src/core/config/env.schema.js';
import { runMigrations } from '../src/core/database/bootstrap.js';
import { serverVersion, startEmbeddedPostgres } from '../src/core/database/embedded.js';

export interface BenchDatabase {
  url: string;
  version: string;
  source: 'embedded' | 'BENCH_DATABASE_URL';
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * BENCH_DATABASE_URL names a server on which a throw-away database is created (and dropped afterwards); without it an
 * embedded PostgreSQL is initialised in a new temporary directory.
 */
export async function startDatabase(log: (line: string) => void): Promise<BenchDatabase> {
  const external = process.env.BENCH_DATABASE_URL;
  if (external) {
    const name = `ledger_bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: external });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}"`);
    } finally {
      await admin.end();
    }
    const url = new URL(external);
    url.pathname = `/${name}`;
    log(`database ${name} on ${url.host} (BENCH_DATABASE_URL)`);
    return {
      url: url.toString(),
      version: await serverVersion(url.toString()),
      source: 'BENCH_DATABASE_URL',
      async stop() {
        const client = new pg.Client({ connectionString: external });
        await client.connect();
        try {
          await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        } finally {
          await client.end();
        }
      },
    };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-bench-pg-'));
  const port = await freePort();
  const embedded = await startEmbeddedPostgres({ dataDir, port, database: 'ledger_bench', log });
  const version = await serverVersion(embedded.url);
  log(`embedded PostgreSQL ${version} on 127.0.0.1:${port}, cluster in ${dataDir}`);
  return {
    url: embedded.url,
    version,
    source: 'embedded',
    async stop() {
      await embedded.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function migrate(url: string): Promise<string[]> {
  return runMigrations(url);
}

export interface BenchApp {
  app: NestFastifyApplication;
  config: AppConfig;
  origin: string;
  adminHeaders: Record<string, string>;
  close(): Promise<void>;
}

/** The service as `npm start` builds it, jobs in-process (no REDIS_URL), logs off. */
export async function startApp(
  databaseUrl: string,
  env: Record<string, string> = {},
  /** Off for a workload that runs the job handlers itself (nothing else then competes with what it times). */
  dispatch: { relay: boolean; workers: boolean } = { relay: true, workers: true },
): Promise<BenchApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-bench-app-'));
  const adminToken = randomBytes(24).toString('base64url');
  const config = parseEnv({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    LEDGER_DATA_DIR: dataDir,
    LEDGER_ADMIN_TOKEN: adminToken,
    DATABASE_URL: databaseUrl,
    PUBLIC_BASE_URL: 'http://ledger.bench',
    LEDGER_ORIGIN: 'ledger.bench/cell-images',
    JOBS_IN_PROCESS_POLL_MS: '50',
    ...env,
  });
  const app = await createHttpApp(
    { config, databaseUrl, dispatch, applicationName: 'ledger-bench' },
    { logger: false },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    config,
    origin: `http://127.0.0.1:${port}`,
    adminHeaders: { authorization: `Bearer ${adminToken}` },
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ApiResponse {
  status: number;
  body: unknown;
  ms: number;
}

/** One request through fetch (keep-alive); for arranging state and for sequential latency samples. */
export async function call(
  origin: string,
  method: string,
  path: string,
  opts: { body?: unknown; headers?: Record<string, string>; contentType?: string } = {},
): Promise<ApiResponse> {
  const started = performance.now();
  const res = await fetch(`${origin}${path}`, {
    method,
    headers: {
      accept: 'application/json',
      ...(opts.body === undefined ? {} : { 'content-type': opts.contentType ?? 'application/json' }),
      ...opts.headers,
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  const ms = performance.now() - started;
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body, ms };
}

/** A route the running build does not have yet answers 404 ROUTE_NOT_FOUND (the foundation's problem filter). */
export function isRouteMissing(res: ApiResponse): boolean {
  return res.status === 404 && (res.body as { code?: unknown } | null)?.code === 'ROUTE_NOT_FOUND';
}

export class RouteMissingError extends Error {
  constructor(readonly route: string) {
    super(`${route} answers 404 ROUTE_NOT_FOUND in this build`);
    this.name = 'RouteMissingError';
  }
}

/** `call`, requiring one of the expected statuses; a missing route raises RouteMissingError. */
export async function expectStatus(
  origin: string,
  method: string,
  path: string,
  expected: number[],
  opts: Parameters<typeof call>[3] = {},
): Promise<ApiResponse> {
  const res = await call(origin, method, path, opts);
  if (isRouteMissing(res))
    throw new RouteMissingError(`${method} ${path.replace(/[0-9a-f-]{36}/g, ':id').split('?')[0]}`);
  if (!expected.includes(res.status)) {
    throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
  }
  return res;
}

/** Runs `task` over `items` with at most `concurrency` in flight, keeping order in the results. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next;
      next += 1;
      results[i] = await task(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
