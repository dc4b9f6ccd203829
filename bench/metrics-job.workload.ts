// The service's metrics job on a synthetic ledger loaded straight into the tables: one whole recompute (what every
// change cost when the job reloaded the ledger), then one new paper at a time, each followed by the incremental job
// (`recompute('dirty')`) through the credit graph the worker keeps, and by the explanation job it leaves behind.
//
// The rows go in with INSERT … SELECT FROM unnest, not through the API: the API would take hours at these sizes, and
// the job reads the tables, not how they were filled. The database is a second one on the bench's server, with a
// second service on it, so the HTTP workloads' ledger stays as it is.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { MetricsService } from '../src/metrics/metrics.service.js';
import { migrate, startApp } from './environment.js';
import { createRng, generateLedger } from './generator.js';
import type { SyntheticLedger } from './generator.js';
import type { BenchContext } from './profile.js';
import { compare, measure } from './report.js';

type Row = readonly unknown[];

/**
 * INSERT … SELECT FROM unnest(…) in batches, one array parameter per column. Array columns travel as their literal
 * text and objects as JSON text, each cast back in SQL.
 */
async function insertColumns(
  client: pg.Client,
  table: string,
  columns: ReadonlyArray<readonly [string, string]>,
  rows: readonly Row[],
): Promise<void> {
  const wire = (value: unknown, type: string): unknown => {
    if (type.endsWith('[]')) return `{${(value as unknown[]).join(',')}}`;
    return type === 'jsonb' ? JSON.stringify(value) : value;
  };
  const names = columns.map(([name]) => `"${name}"`).join(', ');
  const selects = columns.map(([, type], i) => `c${i}::${type}`).join(', ');
  const unnests = columns.map(([, type], i) => `$${i + 1}::${type.endsWith('[]') ? 'text' : type}[]`).join(', ');
  const aliases = columns.map((_, i) => `c${i}`).join(', ');
  for (let start = 0; start < rows.length; start += 20_000) {
    const batch = rows.slice(start, start + 20_000);
    await client.query(
      `INSERT INTO ${table} (${names}) SELECT ${selects} FROM unnest(${unnests}) AS t(${aliases})`,
      columns.map(([, type], i) => batch.map((row) => wire(row[i], type))),
    );
  }
}

/** The reuses table's status and resolution for a policy status. */
function storedStatus(status: string): [string, string | null] {
  if (status === 'dispute-upheld') return ['excluded', 'upheld'];
  if (status === 'dispute-rejected') return ['active', 'rejected'];
  return [status === 'disputed' ? 'disputed' : 'active', null];
}

const DATASET_TYPE = { image: 'ImageDataset', derived: 'DerivedDataset' } as const;

/** A paper held back from the load: its row and its reuse records, inserted one at a time during the timed phase. */
interface Paper {
  readonly index: number;
}

/** Loads everything but the held-back papers (and their reuse records). */
async function loadLedger(client: pg.Client, ledger: SyntheticLedger, held: ReadonlySet<number>): Promise<void> {
  // Labs (organisations) and people in one statement; a lab has no person's fields, a person no ROR.
  await insertColumns(
    client,
    'agents',
    [
      ['id', 'uuid'],
      ['kind', 'text'],
      ['name', 'text'],
      ['given_name', 'text'],
      ['family_name', 'text'],
      ['orcid', 'text'],
      ['ror', 'text'],
      ['affiliations', 'uuid[]'],
      ['ledger_seq', 'bigint'],
    ],
    [
      ...ledger.labs.map((lab) => [lab.id, 'organization', lab.name, null, null, null, lab.ror, [], 1]),
      ...ledger.people.map((p) => [
        p.id,
        'person',
        `${p.givenName} ${p.familyName}`,
        p.givenName,
        p.familyName,
        p.orcid,
        null,
        [ledger.labs[p.lab].id],
        1,
      ]),
    ],
  );
  await insertColumns(
    client,
    'datasets',
    [
      ['id', 'uuid'],
      ['kind', 'text'],
      ['title', 'text'],
      ['creators', 'uuid[]'],
      ['publication_year', 'integer'],
      ['license', 'text'],
      ['released_at', 'date'],
      ['imaging_method', 'text'],
      ['ledger_seq', 'bigint'],
    ],
    ledger.datasets.map((d) => [
      d.id,
      d.kind,
      d.title,
      d.creators.map((c) => ledger.people[c].id),
      d.year,
      'CC-BY-4.0',
      `${d.year}-06-01`,
      d.imagingMethod,
      d.seq,
    ]),
  );
  const nodes: Row[] = [
    ...ledger.datasets.map((d) => [d.id, `urn:uuid:${d.id}`, DATASET_TYPE[d.kind], {}, d.seq]),
    ...ledger.publications.flatMap((p, i) =>
      held.has(i) ? [] : [[p.id, `urn:uuid:${p.id}`, 'Publication', p.retracted ? { retracted: true } : {}, p.seq]],
    ),
    ...ledger.panels.map((f) => [f.id, `urn:uuid:${f.id}`, 'FigurePanel', {}, f.seq]),
  ];
  await insertColumns(
    client,
    'graph_nodes',
    [
      ['id', 'uuid'],
      ['iri', 'text'],
      ['type', 'text'],
      ['properties', 'jsonb'],
      ['ledger_seq', 'bigint'],
    ],
    nodes,
  );
  const edges: Row[] = [];
  for (const d of ledger.datasets) {
    for (const s of d.derivedFrom) edges.push([d.id, 'wasDerivedFrom', ledger.datasets[s].id, d.seq]);
  }
  ledger.publications.forEach((p, i) => {
    if (held.has(i)) return;
    for (const other of p.sameWorkAs) edges.push([p.id, 'wasRevisionOf', ledger.publications[other].id, p.seq]);
  });
  for (const f of ledger.panels) {
    edges.push([ledger.publications[f.publication].id, 'hasPart', f.id, f.seq]);
    for (const d of f.datasets) edges.push([f.id, 'wasDerivedFrom', ledger.datasets[d].id, f.seq]);
  }
  await insertColumns(
    client,
    'graph_edges',
    [
      ['source_id', 'uuid'],
      ['relation', 'text'],
      ['target_id', 'uuid'],
      ['ledger_seq', 'bigint'],
    ],
    edges,
  );
  await insertPublications(
    client,
    ledger,
    ledger.publications.flatMap((_, i) => (held.has(i) ? [] : [i])),
  );
  await insertReuses(
    client,
    ledger,
    ledger.reuses.flatMap((r, i) => (held.has(r.publication) ? [] : [i])),
  );
}

async function insertPublications(
  client: pg.Client,
  ledger: SyntheticLedger,
  indexes: readonly number[],
): Promise<void> {
  await insertColumns(
    client,
    'publications',
    [
      ['id', 'uuid'],
      ['doi', 'text'],
      ['issued', 'text'],
      ['csl_type', 'text'],
      ['authors', 'jsonb'],
      ['metadata_status', 'text'],
      ['ledger_seq', 'bigint'],
    ],
    indexes.map((i) => {
      const p = ledger.publications[i];
      return [
        p.id,
        p.doi,
        p.issued,
        p.kind === 'preprint' ? 'posted-content' : 'article-journal',
        p.authors.map((a) => {
          const person = ledger.people[a];
          return { family: person.familyName, given: person.givenName, orcid: person.orcid, agentId: person.id };
        }),
        'complete',
        p.seq,
      ];
    }),
  );
}

async function insertReuses(client: pg.Client, ledger: SyntheticLedger, indexes: readonly number[]): Promise<void> {
  await insertColumns(
    client,
    'reuses',
    [
      ['id', 'uuid'],
      ['publication_id', 'uuid'],
      ['type', 'text'],
      ['evidence', 'text'],
      ['status', 'text'],
      ['resolved_outcome', 'text'],
      ['ledger_seq', 'bigint'],
    ],
    indexes.map((i) => {
      const r = ledger.reuses[i];
      return [r.id, ledger.publications[r.publication].id, r.type, r.evidence, ...storedStatus(r.status), r.seq];
    }),
  );
  await insertColumns(
    client,
    'reuse_datasets',
    [
      ['reuse_id', 'uuid'],
      ['dataset_id', 'uuid'],
      ['position', 'integer'],
      ['level', 'text'],
      ['reason', 'jsonb'],
      ['edge_ledger_seq', 'bigint'],
    ],
    indexes.flatMap((i) => {
      const r = ledger.reuses[i];
      return r.datasets.map((d, k) => [r.id, ledger.datasets[d].id, k, r.levels[k], { bench: true }, r.seq]);
    }),
  );
}

export async function runMetricsJobWorkloads(ctx: BenchContext): Promise<void> {
  for (const size of ctx.profile.metricsJob.sizes)
    await runAtSize(ctx, size, size === Math.max(...ctx.profile.metricsJob.sizes));
}

async function runAtSize(ctx: BenchContext, size: number, largest: boolean): Promise<void> {
  const name = `ledger_bench_metrics_${randomBytes(3).toString('hex')}`;
  const url = new URL(ctx.databaseUrl);
  const admin = new pg.Client({ connectionString: ctx.databaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  const dbUrl = url.toString();
  await migrate(dbUrl);
  // The service starts on the empty database (nothing for it to queue at start); the rows go in behind it. Its job
  // dispatcher is off: this workload runs the recompute and explanation handlers itself, one at a time.
  const app = await startApp(dbUrl, {}, { relay: false, workers: false });
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    const ledger = generateLedger(ctx.seed + 3, size);
    // New papers: drawn uniformly among works of their own with no figure panel, as the credit bench draws them.
    const rng = createRng(ctx.seed + 5);
    const linked = new Set<number>();
    ledger.publications.forEach((p, i) => {
      for (const o of p.sameWorkAs) linked.add(i).add(o);
    });
    for (const f of ledger.panels) linked.add(f.publication);
    const reused = new Set(ledger.reuses.map((r) => r.publication));
    const candidates = ledger.publications.flatMap((_, i) => (!linked.has(i) && reused.has(i) ? [i] : []));
    const held = new Set<number>();
    const want = Math.min(ctx.profile.metricsJob.changes + ctx.profile.metricsJob.warmUp, candidates.length);
    while (held.size < want) held.add(candidates[rng.int(candidates.length)]);
    const t0 = Date.now();
    await loadLedger(client, ledger, held);
    await client.query('ANALYZE');
    ctx.log(`    ${size} nodes loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const metrics = app.app.get(MetricsService);
    const full = await timed(() => metrics.recompute('all'));
    ctx.log(`    whole recompute: ${(full.ms / 1000).toFixed(1)} s, ${full.result.datasetsWritten} datasets`);
    // The worker keeps the credit graph between jobs; it builds it once, off the jobs' path.
    const warm = await timed(() => metrics.whenWarm());
    if (!warm.result) throw new Error('the metrics service kept no credit graph');
    ctx.log(`    credit graph kept in ${(warm.ms / 1000).toFixed(1)} s`);
    const ms: number[] = [];
    const written: number[] = [];
    const papers: Paper[] = [...held].map((index) => ({ index }));
    for (const [k, paper] of papers.entries()) {
      const p = ledger.publications[paper.index];
      const reuses = ledger.reuses.flatMap((r, i) => (r.publication === paper.index ? [i] : []));
      // What POST /v1/publications and POST /v1/reuses leave behind: the rows, the node, the dirty marks.
      await client.query(
        `INSERT INTO graph_nodes (id, iri, type, properties, ledger_seq) VALUES ($1, $2, 'Publication', '{}', $3)`,
        [p.id, `urn:uuid:${p.id}`, p.seq],
      );
      await insertPublications(client, ledger, [paper.index]);
      await insertReuses(client, ledger, reuses);
      const marked = [p.id, ...reuses.flatMap((i) => ledger.reuses[i].datasets.map((d) => ledger.datasets[d].id))];
      await client.query('INSERT INTO metrics_dirty_nodes (node_id) SELECT unnest($1::uuid[])', [marked]);
      const run = await timed(() => metrics.recompute('dirty'));
      if (run.result.path !== 'engine') throw new Error(`a new paper went the ${run.result.path} way`);
      if (k < ctx.profile.metricsJob.warmUp) {
        await metrics.explainPending();
        continue;
      }
      ms.push(run.ms);
      written.push(run.result.datasetsWritten);
    }
    // The explanations of the datasets whose totals moved follow in their own job, which coalesces: one run for all.
    const explain = await timed(() => metrics.explainPending());
    const sortedWritten = [...written].sort((a, b) => a - b);
    const result = compare(
      measure(
        ms,
        'ms',
        'the incremental job after one new paper and its reuse records: affected datasets, their neighbourhood, cohorts, creators, rows written',
        { p99: true },
      ),
      measure(
        [full.ms],
        'ms',
        'one whole recompute of the same ledger (what the job read and computed on every change before)',
      ),
      'lower',
      {
        nodes: size,
        datasets: ledger.datasets.length,
        rowsWrittenMedian: sortedWritten[sortedWritten.length >> 1],
        rowsWrittenMax: sortedWritten[sortedWritten.length - 1],
        creditGraphKeptSeconds: Number((warm.ms / 1000).toPrecision(4)),
        explanationJob: {
          ms: Math.round(explain.ms),
          datasets: explain.result,
          what: 'one metrics-explain run after all the timed papers: every dataset whose total moved, explained from its whole cone',
        },
        goal: '< 100 ms',
      },
    );
    ctx.results[`metrics_job_incremental_${size >= 1e6 ? '1e6' : size >= 1e5 ? '1e5' : '1e4'}`] = result;
    if (largest) ctx.results.metrics_job_incremental = { ...result };
    ctx.log(`    incremental job at ${size} nodes: p50 ${result.median} ms, p99 ${result.p99} ms`);
  } finally {
    await client.end();
    await app.close();
    const drop = new pg.Client({ connectionString: ctx.databaseUrl });
    await drop.connect();
    await drop.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).finally(() => drop.end());
  }
}

async function timed<T>(task: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const t0 = performance.now();
  const result = await task();
  return { ms: performance.now() - t0, result };
}
