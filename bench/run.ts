// npm run bench [-- --quick] [-- --seed N] [-- --only ledger,credit,api,provenance,doi,verification,audit]
// Starts the service on a fresh database, runs every workload next to its baseline, writes
// bench/results/<date>-<sha>[-quick].json and the table in bench/README.md.
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startDataCiteEmulator } from '../test/support/datacite-emulator.js';
import type { DataCiteEmulator } from '../test/support/datacite-emulator.js';
import { seedApiLedger } from './api-seed.js';
import type { SeededLedger } from './api-seed.js';
import { runApiReadWorkloads } from './api.workload.js';
import { runAuditWorkload } from './audit.workload.js';
import { runCreditWorkloads } from './credit.workload.js';
import { doiEnv, DoiRouteMissing, runDoiLatency, runDoiThroughput } from './doi.workload.js';
import { migrate, RouteMissingError, startApp, startDatabase } from './environment.js';
import type { BenchDatabase } from './environment.js';
import { runLedgerWorkloads } from './ledger.workload.js';
import { runMetricsJobWorkloads } from './metrics-job.workload.js';
import { PROFILES } from './profile.js';
import type { BenchContext } from './profile.js';
import { runProvenanceWorkloads } from './provenance.workload.js';
import { findProblems, orderWorkloads, renderTable, updateReadme } from './report.js';
import type { BenchResults, MachineInfo } from './report.js';
import { runVerificationWorkload } from './verification.workload.js';

// npm runs scripts from the repository root; a build elsewhere (another outDir) still reports into this checkout.
const ROOT = existsSync(join(process.cwd(), 'bench', 'README.md'))
  ? process.cwd()
  : fileURLToPath(new URL('../../', import.meta.url));
const BENCH_DIR = join(ROOT, 'bench');
const RESULTS_DIR = join(BENCH_DIR, 'results');
const GROUPS = ['ledger', 'credit', 'metrics', 'api', 'provenance', 'doi', 'verification', 'audit'] as const;
type Group = (typeof GROUPS)[number];

const started = Date.now();
const log = (line: string): void => {
  process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`);
};

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function gitSha(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short=10', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'nogit';
  }
}

/** The newest results file of each profile, full first: what the README table shows. */
function latestResults(): BenchResults[] {
  if (!existsSync(RESULTS_DIR)) return [];
  const all = readdirSync(RESULTS_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(RESULTS_DIR, f), 'utf8')) as BenchResults);
  const newest = (profile: BenchResults['profile']) =>
    all.filter((r) => r.profile === profile).sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
  return [newest('full'), newest('quick')].filter((r): r is BenchResults => r !== undefined);
}

async function main(): Promise<void> {
  const profile = PROFILES[process.argv.includes('--quick') ? 'quick' : 'full'];
  const seed = Number(option('seed') ?? 20_240_601);
  const only = option('only');
  const groups = new Set<Group>(only ? (only.split(',') as Group[]) : GROUPS);
  const startedAt = new Date().toISOString();
  const loadAtStart = Number(loadavg()[0].toFixed(2));
  log(`${profile.name} profile, seed ${seed}, workloads: ${[...groups].join(', ')}`);

  let emulator: DataCiteEmulator | null = null;
  let database: BenchDatabase | null = null;
  let pool: pg.Pool | null = null;
  let ctx: BenchContext | null = null;
  const failures: string[] = [];
  const stopAll = async (): Promise<void> => {
    await ctx?.app.close().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    await database?.stop().catch(() => undefined);
    await emulator?.close().catch(() => undefined);
  };
  const onSignal = (signal: string) => {
    log(`${signal}: stopping`);
    void stopAll().then(() => process.exit(130));
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));

  try {
    emulator = await startDataCiteEmulator({ registeredDelayMs: 0 });
    const db = await startDatabase(log);
    database = db;
    const applied = await migrate(db.url);
    log(`migrated a fresh database (${applied.length} migrations)`);
    // Latency phase: a limiter that never waits, so the pipeline's own cost is what is measured.
    const app = await startApp(db.url, doiEnv(emulator, 1_000_000, 1));
    log(`service listening on ${app.origin}`);
    pool = new pg.Pool({ connectionString: db.url, max: 10, application_name: 'ledger-bench-baseline' });
    // An idle client whose server goes away (57P01 when the bench database stops) emits 'error' on the pool, which
    // would crash the process unhandled; queries still reject on their own.
    pool.on('error', (error) => log(`baseline pool: ${error.message}`));
    const context: BenchContext = { profile, seed, app, databaseUrl: db.url, pool, results: {}, log };
    ctx = context;

    const step = async (name: string, keys: string[], task: () => Promise<void>): Promise<void> => {
      const t0 = Date.now();
      log(`${name} …`);
      try {
        await task();
        log(`${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      } catch (error) {
        const missing = error instanceof RouteMissingError || error instanceof DoiRouteMissing;
        const reason = missing
          ? error.message
          : `error: ${(error instanceof Error ? error.message : String(error)).slice(0, 300)}`;
        if (!missing) {
          failures.push(`${name}: ${reason}`);
          log(`${name} FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        } else log(`${name} skipped: ${reason}`);
        for (const key of keys) if (!(key in context.results)) context.results[key] = { skipped: true, reason };
      }
    };

    if (groups.has('ledger')) {
      await step(
        'ledger appends and proofs',
        ['ledger_append_single', 'ledger_append_batched', 'proof_inclusion', 'proof_consistency'],
        () => runLedgerWorkloads(context),
      );
    }
    if (groups.has('credit')) {
      await step('credit recompute', ['credit_recompute_full', 'credit_recompute_incremental'], () =>
        runCreditWorkloads(context),
      );
    }
    if (groups.has('metrics')) {
      await step('metrics job on loaded ledgers', ['metrics_job_incremental'], () => runMetricsJobWorkloads(context));
    }
    let seeded: SeededLedger | null = null;
    const needsSeed = ['api', 'provenance', 'doi', 'verification', 'audit'].some((g) => groups.has(g as Group));
    if (needsSeed) {
      await step(
        'seeding a ledger through the API',
        [
          'api_get_metrics',
          'api_get_dataset',
          'provenance_import',
          'lineage_query',
          'doi_pipeline_overhead',
          'doi_throughput_rate_limited',
          'verification_50_ids',
          'portfolio_audit',
        ],
        async () => {
          seeded = await seedApiLedger(context);
        },
      );
    }
    const s = seeded as SeededLedger | null;
    if (s) {
      if (groups.has('api'))
        await step('API reads', ['api_get_metrics', 'api_get_dataset'], () => runApiReadWorkloads(context, s));
      if (groups.has('provenance')) {
        await step('provenance import and lineage', ['provenance_import', 'lineage_query'], () =>
          runProvenanceWorkloads(context, s),
        );
      }
      const dois: string[] = [];
      if (groups.has('doi') && emulator) {
        const em = emulator;
        await step('DOI pipeline latency', ['doi_pipeline_overhead', 'doi_throughput_rate_limited'], async () => {
          dois.push(...(await runDoiLatency(context, s, em)));
        });
        if (!('skipped' in (context.results.doi_pipeline_overhead ?? {}))) {
          await step('DOI throughput under the rate limiter', ['doi_throughput_rate_limited'], async () => {
            // The limiter is configuration: restart the service on the same database with the limit under test.
            await context.app.close();
            context.app = await startApp(db.url, doiEnv(em, profile.doi.rateLimit, profile.doi.rateWindowSeconds));
            dois.push(...(await runDoiThroughput(context, s, em)));
          });
        }
      }
      if (groups.has('verification')) {
        await step('journal verification', ['verification_50_ids'], () => runVerificationWorkload(context, s, dois));
      }
      if (groups.has('audit')) await step('portfolio audit', ['portfolio_audit'], () => runAuditWorkload(context, s));
    }

    const machine: MachineInfo = {
      cores: cpus().length,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      os: `${type()} ${release()}`,
      node: process.versions.node,
      postgres: db.version,
      postgresSource: db.source,
      loadAverage: { start: loadAtStart, end: Number(loadavg()[0].toFixed(2)) },
    };
    const results: BenchResults = {
      schema: 1,
      profile: profile.name,
      gitSha: gitSha(),
      startedAt,
      durationSeconds: Math.round((Date.now() - started) / 1000),
      seed,
      machine,
      workloads: orderWorkloads(context.results),
    };
    // A partial run (--only) is for working on one workload: it never lands among the committed results.
    const dir = only ? mkdtempSync(join(tmpdir(), 'ledger-bench-results-')) : RESULTS_DIR;
    mkdirSync(dir, { recursive: true });
    const file = join(
      dir,
      `${startedAt.slice(0, 10)}-${results.gitSha}${profile.name === 'quick' ? '-quick' : ''}.json`,
    );
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    log(`wrote ${file}`);
    if (!only) {
      await updateReadme(join(BENCH_DIR, 'README.md'), latestResults().map(renderTable).join('\n\n'));
      log('updated the table in bench/README.md');
    }
    process.stdout.write(`${renderTable(results)}\n`);
    const problems = findProblems(results);
    for (const p of problems) log(`note: ${p}`);
    if (failures.length > 0) process.exitCode = 1;
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
