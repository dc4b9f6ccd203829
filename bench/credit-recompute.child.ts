// Runs in its own process (spawned by credit.workload.ts) so that its peak resident set size belongs to one job:
// a full transitive-credit recompute over a synthetic ledger, as the recompute job would hold it in memory.
// Prints one JSON line on stdout.
//
// The rows arrive the way a recompute job gets them from a database cursor: streamed, one row at a time, from a file
// that another process (this file again, with --emit-rows) wrote beforehand. Each timed run reads and parses the
// rows itself; the generator's own objects (titles, people, grants: several times the rows) never live here.
import { spawn } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { generateLedger, createRng, toCreditRows } from './generator.js';
import { CreditEngine, loneWorkOf, type PublicationEdge } from '../src/metrics/credit-engine.rules.js';
import { METRICS_POLICY, reuseExclusionReason } from '../src/metrics/policy.rules.js';
import {
  affectedSubgraph,
  computeCreditFromBuilder,
  computeTransitiveCredit,
  CREDIT_TOTAL_FIELDS,
  CreditRowsBuilder,
  type RowCreditGraph,
} from '../src/metrics/transitive-credit.rules.js';
import type {
  DatasetRow,
  DerivationRow,
  FigurePanelRow,
  PublicationRow,
  ReuseRow,
} from '../src/metrics/dataset-metrics.rules.js';

export interface CreditChildResult {
  mode: 'rows' | 'full';
  nodes: number;
  edges: number;
  datasets: number;
  /** Seconds per full recompute (rows in, rounded credit per dataset out). */
  fullSeconds: number[];
  /** Seconds per baseline pass (--rows-only runs only): every id resolved once, every edge visited once. */
  baselineSeconds: number[];
  /** Seconds to build the compact graph once (the incremental runs reuse it). */
  graphBuildSeconds: number;
  /** Seconds for one propagation of every publication over the prebuilt graph. */
  propagationSeconds: number[];
  /** Seconds to build the credit engine (one full propagation) over the graph without the held-back reuses. */
  engineBuildSeconds: number;
  /**
   * Milliseconds per change: a new paper (CreditEngine.addPublication with all its reuse records), or one new reuse
   * record of a paper the graph holds (updatePublication, all the datasets it names).
   */
  incrementalMs: number[];
  /** Of the timed changes, how many were new papers. */
  newPapers: number;
  /** Datasets whose totals each update changed. */
  affectedNodes: number[];
  /** Publications in the new reuse's group-year bucket, and nodes its walk visited. */
  bucketPublications: number[];
  nodesWalked: number[];
  /** For the same reuses: affectedSubgraph + computeTransitiveCredit({affected}) over a graph holding them. */
  coneRecomputeMs: number[];
  /** Datasets whose engine totals were checked against a full run over every row (all equal, or the run fails). */
  datasetsVerified: number;
  peakRssMb: number;
  creditChecksum: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** A held-back change: a new paper (by id, its row and records gathered while streaming) or one new record. */
type HeldChange = { readonly paper: string } | { readonly reuse: ReuseRow };

/** Updates applied before the timed ones. */
const INCREMENTAL_WARM_UP = 100;

type RowLine =
  ['d', DatasetRow] | ['p', PublicationRow] | ['r', ReuseRow] | ['x', DerivationRow] | ['f', FigurePanelRow];

/** --emit-rows: the synthetic ledger's credit rows on stdout, one JSON line each. */
async function emitRows(size: number, seed: number): Promise<void> {
  const rows = toCreditRows(generateLedger(seed, size));
  const lines: Array<Iterable<RowLine>> = [
    rows.datasets.map((r): RowLine => ['d', r]),
    rows.publications.map((r): RowLine => ['p', r]),
    rows.reuses.map((r): RowLine => ['r', r]),
    (rows.derivations ?? []).map((r): RowLine => ['x', r]),
    (rows.panels ?? []).map((r): RowLine => ['f', r]),
  ];
  let buffer = '';
  const flush = async (): Promise<void> => {
    if (!process.stdout.write(buffer)) await new Promise((resolve) => process.stdout.once('drain', resolve));
    buffer = '';
  };
  for (const group of lines) {
    for (const line of group) {
      buffer += `${JSON.stringify(line)}\n`;
      if (buffer.length > 1 << 20) await flush();
    }
  }
  await flush();
}

/** Writes the synthetic ledger's rows to a file through a --emit-rows process (not timed, not in this process). */
async function writeRowsFile(size: number, seed: number): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'credit-rows-')), 'rows.ndjson');
  const self = fileURLToPath(import.meta.url);
  const out = openSync(file, 'w');
  try {
    const child = spawn(
      process.execPath,
      ['--max-old-space-size=12288', self, '--emit-rows', '--size', String(size), '--seed', String(seed)],
      { stdio: ['ignore', out, 'inherit'] },
    );
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) throw new Error(`row generator exited ${code}`);
  } finally {
    closeSync(out);
  }
  return file;
}

/** Streams the rows back, one parsed line at a time: nothing but what `visit` keeps stays in memory. */
async function streamRows(file: string, visit: (line: RowLine) => void): Promise<void> {
  const input = createReadStream(file, { highWaterMark: 1 << 20 });
  for await (const text of createInterface({ input, crlfDelay: Infinity })) visit(JSON.parse(text) as RowLine);
}

/** Feeds every streamed row to a credit builder, as a recompute job feeds rows from a database cursor. */
function feed(builder: CreditRowsBuilder): (line: RowLine) => void {
  return (line) => {
    switch (line[0]) {
      case 'd':
        builder.addDataset(line[1]);
        break;
      case 'p':
        builder.addPublication(line[1]);
        break;
      case 'r':
        builder.addReuse(line[1]);
        break;
      case 'x':
        builder.addDerivation(line[1]);
        break;
      case 'f':
        builder.addPanel(line[1]);
        break;
    }
  };
}

/**
 * The least work any recompute must do, over the same stream: resolve every id to an index once and visit every
 * edge once.
 */
async function baselinePass(file: string): Promise<{ edges: number; datasets: number; publications: number }> {
  const index = new Map<string, number>();
  let edges = 0;
  let datasets = 0;
  let publications = 0;
  const hit = (id: string): void => {
    if (index.has(id)) edges += 1;
  };
  await streamRows(file, (line) => {
    switch (line[0]) {
      case 'd':
        index.set(line[1].id, index.size);
        datasets += 1;
        break;
      case 'p':
        index.set(line[1].id, index.size);
        publications += 1;
        break;
      case 'r':
        for (const d of line[1].datasetIds) hit(d);
        break;
      case 'x':
        hit(line[1].derivedFromId);
        break;
      case 'f':
        index.set(line[1].id, index.size);
        for (const d of line[1].datasetIds) hit(d);
        break;
    }
  });
  return { edges, datasets, publications };
}

/** Counts what the full run's checks need, keeping nothing else. */
function countRows(counts: { datasets: number; publications: number; reuses: number }): (line: RowLine) => void {
  return (line) => {
    if (line[0] === 'd') counts.datasets += 1;
    else if (line[0] === 'p') counts.publications += 1;
    else if (line[0] === 'r') counts.reuses += 1;
  };
}

/** A reuse record as the edges it adds to its publication (the claim's level kept on each). */
function reuseEdges(built: RowCreditGraph, row: ReuseRow): PublicationEdge[] {
  const excluded = reuseExclusionReason(METRICS_POLICY, row, 'score') ?? undefined;
  return row.datasetIds.flatMap((id) => {
    const to = built.datasetNode.get(id);
    if (to === undefined) return [];
    const level = row.levels[id];
    return [{ to, seq: row.seq as string, ...(excluded ? { excluded } : {}), ...(level ? { level } : {}) }];
  });
}

/** Every dataset's totals from the engine against a full run over a graph built from every row: equal to the bit. */
function verifyEngine(engine: CreditEngine, held: RowCreditGraph, all: RowCreditGraph): number {
  const full = computeTransitiveCredit(all.graph, all.levelOf, METRICS_POLICY);
  let checked = 0;
  for (const [id, node] of all.datasetNode) {
    const mine = held.datasetNode.get(id) as number;
    for (const field of CREDIT_TOTAL_FIELDS) {
      if (engine.totals[field][mine] !== full[field][node]) {
        throw new Error(
          `engine ${field} of ${id} is ${engine.totals[field][mine]}, a full run gives ${full[field][node]}`,
        );
      }
    }
    checked += 1;
  }
  return checked;
}

/**
 * One timed full recompute: rows streamed in, rounded credit for every dataset out. A function of its own, so that
 * nothing of one repetition is still reachable (from the caller's frame) while the next one runs.
 */
async function fullRecompute(file: string): Promise<{ seconds: number; checksum: number; datasets: number }> {
  const t0 = performance.now();
  const builder = new CreditRowsBuilder();
  await streamRows(file, feed(builder));
  const credit = computeCreditFromBuilder(builder);
  const seconds = (performance.now() - t0) / 1000;
  let checksum = 0;
  for (const c of credit.values()) checksum += c.transitiveCredit;
  return { seconds, checksum, datasets: credit.size };
}

async function main(): Promise<void> {
  const size = arg('size', 100_000);
  const seed = arg('seed', 1);
  if (process.argv.includes('--emit-rows')) {
    await emitRows(size, seed);
    return;
  }
  const mode = process.argv.includes('--rows-only') ? 'rows' : 'full';
  const reps = arg('reps', 3);
  const incrementalRuns = arg('incremental', 100);
  // Large graphs make single incremental runs slow: stop after this long (at least 10 runs) rather than after N.
  const incrementalBudgetMs = arg('incremental-budget-ms', 60_000);

  const file = await writeRowsFile(size, seed);
  try {
    // The baseline runs only in its own (--rows-only) process, so that the full run's peak RSS is the recompute's.
    const baselineSeconds: number[] = [];
    const counts = { edges: 0, datasets: 0, publications: 0, reuses: 0 };
    if (mode === 'rows') {
      for (let r = 0; r < reps; r += 1) {
        const t0 = performance.now();
        Object.assign(counts, await baselinePass(file));
        baselineSeconds.push((performance.now() - t0) / 1000);
      }
    } else await streamRows(file, countRows(counts));

    const result: CreditChildResult = {
      mode,
      nodes: 0,
      edges: counts.edges,
      datasets: counts.datasets,
      fullSeconds: [],
      baselineSeconds,
      graphBuildSeconds: 0,
      propagationSeconds: [],
      engineBuildSeconds: 0,
      incrementalMs: [],
      newPapers: 0,
      affectedNodes: [],
      bucketPublications: [],
      nodesWalked: [],
      coneRecomputeMs: [],
      datasetsVerified: 0,
      peakRssMb: 0,
      creditChecksum: 0,
    };

    if (mode === 'full') {
      for (let r = 0; r < reps; r += 1) {
        gc?.();
        const run = await fullRecompute(file);
        result.fullSeconds.push(run.seconds);
        // A fast wrong answer is no result: every publication hands out at most its unit of credit.
        if (!Number.isFinite(run.checksum) || run.checksum <= 0 || run.checksum > counts.publications) {
          throw new Error(`credit checksum ${run.checksum} is implausible for ${counts.publications} publications`);
        }
        if (run.datasets !== counts.datasets)
          throw new Error(`credit for ${run.datasets} of ${counts.datasets} datasets`);
        result.creditChecksum = run.checksum;
      }
      // The peak of the full recompute, before the incremental phase keeps a graph around.
      result.peakRssMb = process.resourceUsage().maxRSS / 1024;

      // New reuses land where reuses land: records drawn uniformly from the ledger's reuses (so hot datasets are hit
      // as often as the power law makes them) are held back from the graph the engine starts from, then applied one
      // change at a time. A record whose paper is a work of its own and shows no figure panel takes its paper with
      // it: the paper arrives new, with all its records (addPublication). The others arrive as one more record of a
      // paper the graph holds (updatePublication). Each names all its datasets, as POST /v1/reuses does.
      const rng = createRng(seed + 7);
      const heldIndex = new Set<number>();
      const heldCount = Math.min(incrementalRuns + INCREMENTAL_WARM_UP, counts.reuses);
      while (heldIndex.size < heldCount) heldIndex.add(rng.int(counts.reuses));
      const linked = new Set<string>();
      const heldPapers = new Set<string>();
      let reuseIndex = 0;
      await streamRows(file, (line) => {
        if (line[0] === 'p') for (const other of line[1].sameWorkAs ?? []) linked.add(line[1].id).add(other);
        else if (line[0] === 'f') linked.add(line[1].publicationId);
        else if (line[0] === 'r' && heldIndex.has(reuseIndex++)) heldPapers.add(line[1].publicationId);
      });
      for (const id of linked) heldPapers.delete(id);
      const papers = new Map<string, { row?: PublicationRow; reuses: ReuseRow[] }>();
      const held: HeldChange[] = [];
      const start = new CreditRowsBuilder();
      const toStart = feed(start);
      reuseIndex = 0;
      await streamRows(file, (line) => {
        if (line[0] === 'p' && heldPapers.has(line[1].id)) {
          const paper = papers.get(line[1].id) ?? { reuses: [] };
          papers.set(line[1].id, { ...paper, row: line[1] });
        } else if (line[0] === 'r' && heldPapers.has(line[1].publicationId)) {
          reuseIndex += 1;
          let paper = papers.get(line[1].publicationId);
          if (paper === undefined || paper.reuses.length === 0) {
            paper = { ...paper, reuses: [] };
            papers.set(line[1].publicationId, paper);
            held.push({ paper: line[1].publicationId });
          }
          paper.reuses.push(line[1]);
        } else if (line[0] === 'r' && heldIndex.has(reuseIndex++)) held.push({ reuse: line[1] });
        else toStart(line);
      });
      const t0 = performance.now();
      const built = start.build();
      result.graphBuildSeconds = (performance.now() - t0) / 1000;
      result.nodes = built.graph.nodeCount;
      for (let r = 0; r < reps; r += 1) {
        const t1 = performance.now();
        computeTransitiveCredit(built.graph, built.levelOf, METRICS_POLICY);
        result.propagationSeconds.push((performance.now() - t1) / 1000);
      }
      const t2 = performance.now();
      const engine = new CreditEngine(built.graph, built.levelOf, METRICS_POLICY, { labels: built.labels });
      result.engineBuildSeconds = (performance.now() - t2) / 1000;
      // The first changes run while the JIT is still compiling the engine: applied, not timed (a service's engine is
      // warm after its first few changes). One at a time: a paper's second held-back record must see its first.
      const apply = (change: HeldChange): ReturnType<CreditEngine['updatePublication']> => {
        if ('reuse' in change) {
          const p = built.publicationNode.get(change.reuse.publicationId) as number;
          return engine.updatePublication(p, { edges: [...engine.edgesOf(p), ...reuseEdges(built, change.reuse)] });
        }
        const paper = papers.get(change.paper) as { row: PublicationRow; reuses: ReuseRow[] };
        return engine.addPublication({
          ...loneWorkOf(paper.row, METRICS_POLICY),
          edges: paper.reuses.flatMap((row) => reuseEdges(built, row)),
        });
      };
      const warmUp = Math.min(INCREMENTAL_WARM_UP, Math.floor(held.length / 2));
      for (const change of held.slice(0, warmUp)) apply(change);
      gc?.();
      const budgetEnds = performance.now() + incrementalBudgetMs;
      let applied = warmUp;
      for (const change of held.slice(warmUp)) {
        const t1 = performance.now();
        const update = apply(change);
        result.incrementalMs.push(performance.now() - t1);
        if ('paper' in change) result.newPapers += 1;
        result.affectedNodes.push(update.datasets.length);
        result.bucketPublications.push(update.bucketPublications);
        result.nodesWalked.push(update.nodesWalked);
        applied += 1;
        if (applied >= warmUp + 10 && performance.now() > budgetEnds) break;
      }
      // The rest of the held-back changes (if the budget ran out) are applied untimed, so the check sees every row.
      for (const change of held.slice(applied)) apply(change);
      const all = new CreditRowsBuilder();
      await streamRows(file, feed(all));
      const everything = all.build();
      result.datasetsVerified = verifyEngine(engine, built, everything);
      // What the same reuses cost recomputed the way a job without the engine does: the affected cones, over a graph
      // that holds them.
      const coneEnds = performance.now() + incrementalBudgetMs / 2;
      for (const change of held) {
        const rows = 'reuse' in change ? [change.reuse] : (papers.get(change.paper)?.reuses ?? []);
        const changed = [
          everything.publicationNode.get(rows[0].publicationId) as number,
          ...rows.flatMap((row) => row.datasetIds.flatMap((id) => everything.datasetNode.get(id) ?? [])),
        ];
        const t1 = performance.now();
        const affected = affectedSubgraph(changed, everything.graph, METRICS_POLICY);
        computeTransitiveCredit(everything.graph, everything.levelOf, METRICS_POLICY, { affected });
        result.coneRecomputeMs.push(performance.now() - t1);
        if (result.coneRecomputeMs.length >= 10 && performance.now() > coneEnds) break;
      }
    } else {
      result.peakRssMb = process.resourceUsage().maxRSS / 1024;
    }
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    rmSync(dirname(file), { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
