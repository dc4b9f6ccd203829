import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { PermanentJobError } from '../../src/core/jobs/jobs.service.js';
import { JobsService } from '../../src/core/jobs/jobs.service.js';
import { LedgerService } from '../../src/ledger/ledger.service.js';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';
import { connect } from '../support/db.js';
import { ping } from '../support/redis.js';

/** Registers a job that records each run in a table, so tests count runs across processes. */
function registerProbe(
  t: TestApp,
  name: string,
  behaviour: (attempt: number) => void = () => undefined,
  leaseMs?: number,
) {
  t.app.get(JobsService).register({
    name,
    leaseMs,
    backoff: { baseMs: 20, maxMs: 50 },
    maxAttempts: 5,
    handler: async (payload, ctx) => {
      behaviour(ctx.attempt);
      await t.app
        .get(DataSource)
        .query('INSERT INTO probe_runs (job_key, attempt, note) VALUES ($1, $2, $3)', [
          ctx.jobKey,
          ctx.attempt,
          typeof payload.note === 'string' ? payload.note : '',
        ]);
    },
  });
}

async function runs(t: TestApp, key: string): Promise<number> {
  const rows: Array<{ n: number }> = await t.app
    .get(DataSource)
    .query('SELECT count(*)::int AS n FROM probe_runs WHERE job_key = $1', [key]);
  return rows[0].n;
}

async function enqueueWithWrite(t: TestApp, name: string, key: string, fail = false): Promise<void> {
  const dataSource = t.app.get(DataSource);
  await dataSource.transaction(async (m) => {
    await t.app.get(LedgerService).append(m, { kind: 'test.intent', actor: null, payload: { key } });
    await t.app.get(JobsService).enqueue(m, name, key, { note: key });
    if (fail) throw new Error('rolled back');
  });
  t.app.get(JobsService).notify();
}

async function outboxRow(
  t: TestApp,
  key: string,
): Promise<{ status: string; attempts: number; last_error: string | null }> {
  const rows = await t.app
    .get(DataSource)
    .query('SELECT status, attempts, last_error FROM outbox WHERE job_key = $1', [key]);
  return rows[0];
}

describe.each(['in-process', 'bullmq'] as const)('outbox jobs (%s)', (mode) => {
  let t: TestApp;
  let skip = false;

  beforeAll(async () => {
    if (mode === 'bullmq' && !(await ping(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'))) {
      if (process.env.REQUIRE_REDIS === '1') throw new Error('Redis is required for the BullMQ tests');
      skip = true;
      process.stderr.write('outbox.int-spec: Redis is not reachable; BullMQ tests skipped\n');
      return;
    }
    t = await createTestApp({ redis: mode === 'bullmq' ? 'required' : 'off' });
    const client = await connect(t.db.url);
    await client.query('CREATE TABLE probe_runs (job_key text, attempt int, note text)');
    await client.end();
    registerProbe(t, 'probe');
  });

  afterAll(async () => {
    if (!skip) await t.close();
  });

  it('runs a job committed with its write exactly once and marks it done', async () => {
    if (skip) return;
    expect(t.usesRedis).toBe(mode === 'bullmq');
    await enqueueWithWrite(t, 'probe', `once-${mode}`);
    await t.drainJobs();
    expect(await runs(t, `once-${mode}`)).toBe(1);
    expect(await outboxRow(t, `once-${mode}`)).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('never runs a job whose transaction rolled back', async () => {
    if (skip) return;
    await expect(enqueueWithWrite(t, 'probe', `rollback-${mode}`, true)).rejects.toThrow('rolled back');
    await t.drainJobs();
    expect(await runs(t, `rollback-${mode}`)).toBe(0);
    expect(await outboxRow(t, `rollback-${mode}`)).toBeUndefined();
  });

  it('retries a failing handler with backoff until it succeeds', async () => {
    if (skip) return;
    registerProbe(t, `flaky-${mode}`, (attempt) => {
      if (attempt < 3) throw new Error(`transient failure ${attempt}`);
    });
    await enqueueWithWrite(t, `flaky-${mode}`, `flaky-${mode}`);
    await t.drainJobs();
    expect(await runs(t, `flaky-${mode}`)).toBe(1);
    expect(await outboxRow(t, `flaky-${mode}`)).toMatchObject({ status: 'done', attempts: 3 });
  });

  it('stops at once on a permanent error', async () => {
    if (skip) return;
    registerProbe(t, `permanent-${mode}`, () => {
      throw new PermanentJobError('bad credentials');
    });
    await enqueueWithWrite(t, `permanent-${mode}`, `permanent-${mode}`);
    await t.drainJobs();
    expect(await outboxRow(t, `permanent-${mode}`)).toMatchObject({
      status: 'dead',
      attempts: 1,
      last_error: 'bad credentials',
    });
  });

  it('coalesces a pending key and refuses unregistered job names', async () => {
    if (skip) return;
    const jobs = t.app.get(JobsService);
    await t.app.get(DataSource).transaction(async (m) => {
      await jobs.enqueue(m, 'probe', `coalesce-${mode}`, { note: 'a' });
      await jobs.enqueue(m, 'probe', `coalesce-${mode}`, { note: 'b' });
    });
    await t.drainJobs();
    expect(await runs(t, `coalesce-${mode}`)).toBe(1);
    await expect(
      t.app.get(DataSource).transaction((m) => jobs.enqueue(m, 'nobody-handles-this', 'x', {})),
    ).rejects.toThrow(/no handler/);
  });
});

describe('outbox jobs survive a process that dies', () => {
  it('lets a job that is running when the service closes finish and be marked done', async () => {
    const t = await createTestApp({ redis: 'off' });
    const client = await connect(t.db.url);
    try {
      await client.query('CREATE TABLE probe_runs (job_key text, attempt int, note text)');
      let started: () => void = () => undefined;
      const running = new Promise<void>((resolve) => (started = resolve));
      t.app.get(JobsService).register({
        name: 'slow-probe',
        maxAttempts: 5,
        backoff: { baseMs: 20, maxMs: 50 },
        handler: async (_payload, ctx) => {
          started();
          await sleep(300);
          await t.app
            .get(DataSource)
            .query('INSERT INTO probe_runs (job_key, attempt) VALUES ($1, $2)', [ctx.jobKey, ctx.attempt]);
        },
      });
      await enqueueWithWrite(t, 'slow-probe', 'closing');
      await running;
      // Before the fix the connection pool closed under the running handler: its write and `done` were lost.
      await t.stop();
      const row = await client.query(`SELECT status, attempts FROM outbox WHERE job_key = 'closing'`);
      expect(row.rows[0]).toMatchObject({ status: 'done', attempts: 1 });
      expect(
        (await client.query(`SELECT count(*)::int AS n FROM probe_runs WHERE job_key = 'closing'`)).rows[0].n,
      ).toBe(1);
    } finally {
      await client.end();
      await t.close();
    }
  });

  it('runs a job committed by a process that died before dispatching it, once, in the next process', async () => {
    const first = await createTestApp({ redis: 'off', dispatch: { relay: false, workers: false } });
    const client = await connect(first.db.url);
    await client.query('CREATE TABLE probe_runs (job_key text, attempt int, note text)');
    registerProbe(first, 'probe');
    await enqueueWithWrite(first, 'probe', 'orphan');
    await sleep(200);
    expect((await client.query(`SELECT status FROM outbox WHERE job_key = 'orphan'`)).rows[0].status).toBe('pending');
    await first.stop();

    const second = await createTestApp({
      redis: 'off',
      reuse: first,
      beforeInit: (app) => registerProbe({ app } as TestApp, 'probe'),
    });
    try {
      second.app.get(JobsService).notify();
      await second.drainJobs();
      expect(await runs(second, 'orphan')).toBe(1);
    } finally {
      await second.close();
      await client.end();
      await first.close();
    }
  });

  it('takes over a job whose process died mid-run once its lease expires', async () => {
    const first = await createTestApp({ redis: 'off', dispatch: { relay: false, workers: false } });
    const client = await connect(first.db.url);
    await client.query('CREATE TABLE probe_runs (job_key text, attempt int, note text)');
    registerProbe(first, 'probe', undefined, 300);
    await enqueueWithWrite(first, 'probe', 'half-done');
    // The first process claims the row (as its dispatcher would) and dies before finishing.
    const claimed = await first.app.get(JobsService).claimDue(10, 'running');
    expect(claimed.map((r) => r.jobKey)).toContain('half-done');
    await first.stop();

    const second = await createTestApp({
      redis: 'off',
      reuse: first,
      beforeInit: (app) => registerProbe({ app } as TestApp, 'probe', undefined, 300),
    });
    try {
      await sleep(400);
      second.app.get(JobsService).notify();
      await second.drainJobs();
      expect(await runs(second, 'half-done')).toBe(1);
      expect((await client.query(`SELECT status, attempts FROM outbox WHERE job_key = 'half-done'`)).rows[0]).toEqual({
        status: 'done',
        attempts: 2,
      });
    } finally {
      await second.close();
      await client.end();
      await first.close();
    }
  });

  it('re-dispatches jobs whose BullMQ copies were lost with Redis', async () => {
    if (!(await ping(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'))) {
      if (process.env.REQUIRE_REDIS === '1') throw new Error('Redis is required');
      return;
    }
    // A relay-only process hands the job to Redis; then Redis loses it (queue wiped) before any worker runs it.
    const relay = await createTestApp({ redis: 'required', dispatch: { relay: true, workers: false } });
    const client = await connect(relay.db.url);
    await client.query('CREATE TABLE probe_runs (job_key text, attempt int, note text)');
    registerProbe(relay, 'probe', undefined, 300);
    await enqueueWithWrite(relay, 'probe', 'lost-in-redis');
    for (let i = 0; i < 50; i++) {
      if ((await client.query(`SELECT status FROM outbox WHERE job_key = 'lost-in-redis'`)).rows[0].status === 'queued')
        break;
      await sleep(20);
    }
    const { getQueueToken } = await import('@nestjs/bullmq');
    const queue = relay.app.get<unknown, { obliterate(o: { force: boolean }): Promise<void> }>(
      getQueueToken('ledger-jobs'),
      { strict: false },
    );
    await queue.obliterate({ force: true });
    await relay.stop();

    const worker = await createTestApp({
      redis: 'required',
      reuse: relay,
      beforeInit: (app) => registerProbe({ app } as TestApp, 'probe', undefined, 300),
    });
    try {
      await sleep(400);
      worker.app.get(JobsService).notify();
      await worker.drainJobs();
      expect(await runs(worker, 'lost-in-redis')).toBe(1);
    } finally {
      await worker.close();
      await client.end();
      await relay.close();
    }
  });
});
