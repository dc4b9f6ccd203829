import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/core/database/data-source.js';
import { publicKeyRaw } from '../../src/ledger/checkpoint.rules.js';
import { auditLedger } from '../../src/ledger/ledger-audit.js';
import { loadOrCreateSigningKey } from '../../src/ledger/signing-key.js';
import { createTestDatabase } from '../support/db.js';

const run = promisify(execFile);
const ROOT = resolve('.');

/** Starts the built service the way the README says, on a free port; resolves when it logs that it serves. */
async function startService(
  env: Record<string, string>,
  port: number,
): Promise<{ child: ChildProcess; output: () => string }> {
  let output = '';
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited early:\n${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (res.status === 200) return { child, output: () => output };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`service not ready within 60 s:\n${output}`);
    await sleep(200);
  }
}

/** Resolves with the exit code (null when a signal ended it), also when the child is already gone. */
function exited(child: ChildProcess): Promise<number | null> {
  // A signal-killed child has exitCode null and signalCode set: without this check its 'exit' may be long past.
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => child.once('exit', (code) => r(code)));
}

/** A port the kernel just handed out as free (a random pick could land on a port in use). */
async function port(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return free;
}

describe('the built service as users run it', () => {
  beforeAll(async () => {
    // Type errors are the typecheck step's business; tsc still emits, and this test needs the JavaScript.
    await run('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, timeout: 120_000 }).catch(() => undefined);
  }, 180_000);

  it('`npm start` on an empty data dir serves /health/ready with no database, Redis or DataCite configured, and stops cleanly', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ledger-quickstart-'));
    try {
      const p = await port();
      const { child, output } = await startService({ LEDGER_DATA_DIR: dataDir }, p);
      expect(output()).toMatch(/embedded PostgreSQL 18/);
      expect(output()).toMatch(/no REDIS_URL: jobs run in-process/);
      expect(output()).toMatch(/DOI_PROVIDER=fake: DOIs .* are not registered anywhere/);
      const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
      const res = await fetch(`http://127.0.0.1:${p}/v1/agents`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'person', name: 'Ada Lovelace' }),
      });
      expect(res.status).toBe(201);
      child.kill('SIGINT');
      expect(await exited(child)).toBe(0);
      // Postgres stopped with it: its pid file is gone.
      await expect(run('test', ['!', '-e', join(dataDir, 'postgres', 'postmaster.pid')])).resolves.toBeDefined();

      // A second start reuses the data.
      const again = await startService({ LEDGER_DATA_DIR: dataDir }, p);
      const agents = await fetch(`http://127.0.0.1:${p}/v1/ledger/entries/0`);
      expect(((await agents.json()) as { kind: string }).kind).toBe('agent.created');
      again.child.kill('SIGTERM');
      expect(await exited(again.child)).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('a process killed mid-write loses nothing it acknowledged and leaves a verifiable log', async () => {
    const db = await createTestDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'ledger-kill-'));
    const token = 'kill-test-admin-token-0123456789';
    try {
      const p = await port();
      const { child } = await startService(
        { LEDGER_DATA_DIR: dataDir, DATABASE_URL: db.url, LEDGER_ADMIN_TOKEN: token, CHECKPOINT_INTERVAL_SECONDS: '1' },
        p,
      );
      const acknowledged: Array<{ seq: string; leafHash: string }> = [];
      const refused: string[] = [];
      let stop = false;
      const writer = async (w: number) => {
        for (let i = 0; !stop; i++) {
          try {
            const res = await fetch(`http://127.0.0.1:${p}/v1/agents`, {
              method: 'POST',
              headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify({ kind: 'person', name: `Writer ${w} item ${i}` }),
            });
            if (res.status === 201)
              acknowledged.push(((await res.json()) as { receipt: { seq: string; leafHash: string } }).receipt);
            else refused.push(`${res.status} ${await res.text()}`);
          } catch {
            return; // the process is gone
          }
        }
      };
      const writers = [0, 1, 2, 3, 4, 5].map(writer);
      const deadline = Date.now() + 30_000;
      while (acknowledged.length < 40) {
        if (Date.now() > deadline || refused.length > 0) {
          stop = true;
          throw new Error(
            `writes did not go through: ${acknowledged.length} acknowledged, refused: ${refused.slice(0, 3).join(' | ')}`,
          );
        }
        await sleep(10);
      }
      child.kill('SIGKILL');
      stop = true;
      await Promise.all(writers);
      await exited(child);

      const dataSource = new DataSource(buildDataSourceOptions(db.url, { poolSize: 2 }));
      await dataSource.initialize();
      try {
        for (const receipt of acknowledged) {
          const rows: Array<{ leaf_hash: Buffer }> = await dataSource.query(
            'SELECT leaf_hash FROM ledger_entries WHERE seq = $1',
            [receipt.seq],
          );
          expect(rows[0]?.leaf_hash.toString('hex')).toBe(receipt.leafHash);
        }
        const { key } = loadOrCreateSigningKey(dataDir);
        const audit = await auditLedger(dataSource, [{ name: 'ledger.localhost', publicKeyRaw: publicKeyRaw(key) }]);
        expect(audit).toMatchObject({ ok: true });
        expect(audit.size).toBeGreaterThanOrEqual(BigInt(acknowledged.length));

        // `npm run ledger:verify` agrees, then names the exact seq after a forced edit.
        const env = { ...process.env, DATABASE_URL: db.url, LEDGER_DATA_DIR: dataDir };
        const ok = await run(process.execPath, ['dist/scripts/ledger-verify.js'], { cwd: ROOT, env });
        expect(ok.stdout).toMatch(/^ledger OK: \d+ entries/);
        const victim = acknowledged[Math.floor(acknowledged.length / 2)].seq;
        await dataSource.query('ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only');
        await dataSource.query(`UPDATE ledger_entries SET kind = 'agent.forged' WHERE seq = $1`, [victim]);
        await dataSource.query('ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_append_only');
        const bad = await run(process.execPath, ['dist/scripts/ledger-verify.js'], { cwd: ROOT, env }).then(
          () => null,
          (error: { code: number; stdout: string }) => error,
        );
        expect(bad?.code).toBe(1);
        expect(bad?.stdout).toContain(`ledger FAILED at seq ${victim}:`);
      } finally {
        await dataSource.destroy();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      await db.drop();
    }
  }, 120_000);
});
