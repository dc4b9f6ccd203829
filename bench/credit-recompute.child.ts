// Runs in its own process (spawned by credit.workload.ts) so that its peak resident set size belongs to one job:
// a full transitive-credit recompute over a synthetic ledger, as the recompute job would hold it in memory.
// Prints one JSON line on stdout.
import { performance } from 'node:perf_hooks';
import { generateLedger, createRng, toCreditRows } from './generator.js';
import { METRICS_POLICY } from '../src/metrics/policy.rules.js';
import {
  affectedSubgraph,
  buildCreditGraphFromRows,
  computeCreditFromRows,
  computeTransitiveCredit,
} from '../src/metrics/transitive-credit.rules.js';
import type { CreditRows } from '../src/metrics/transitive-credit.rules.js';

export interface CreditChildResult {
  mode: 'rows' | 'full';
  nodes: number;
  edges: number;
  datasets: number;
  /** Seconds per full recompute (rows in, rounded credit per dataset out). */
  fullSeconds: number[];
  /** Seconds per baseline pass: every id resolved once, every edge visited once. */
  baselineSeconds: number[];
  /** Seconds to build the compact graph once (the incremental runs reuse it). */
  graphBuildSeconds: number;
  /** Seconds for one propagation of every publication over the prebuilt graph. */
  propagationSeconds: number[];
  /** Milliseconds per incremental recompute (affected sub-graph + its propagation) after one new reuse. */
  incrementalMs: number[];
  affectedNodes: number[];
  peakRssMb: number;
  creditChecksum: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** The least work any recompute must do: resolve every stored id to an index once and visit every edge once. */
function baselinePass(rows: CreditRows): number {
  const index = new Map<string, number>();
  for (const d of rows.datasets) index.set(d.id, index.size);
  for (const p of rows.publications) index.set(p.id, index.size);
  for (const f of rows.panels ?? []) index.set(f.id, index.size);
  const inDegree = new Int32Array(index.size);
  let edges = 0;
  const hit = (id: string): void => {
    const i = index.get(id);
    if (i !== undefined) {
      inDegree[i] += 1;
      edges += 1;
    }
  };
  for (const r of rows.reuses) for (const d of r.datasetIds) hit(d);
  for (const f of rows.panels ?? []) for (const d of f.datasetIds) hit(d);
  for (const x of rows.derivations ?? []) hit(x.derivedFromId);
  return edges;
}

function main(): void {
  const mode = process.argv.includes('--rows-only') ? 'rows' : 'full';
  const size = arg('size', 100_000);
  const seed = arg('seed', 1);
  const reps = arg('reps', 3);
  const incrementalRuns = arg('incremental', 100);
  // Large graphs make single incremental runs slow: stop after this long (at least 10 runs) rather than after N.
  const incrementalBudgetMs = arg('incremental-budget-ms', 60_000);

  let rows: CreditRows;
  {
    const ledger = generateLedger(seed, size);
    rows = toCreditRows(ledger);
  }
  gc?.();

  const baselineSeconds: number[] = [];
  let edges = 0;
  for (let r = 0; r < reps; r += 1) {
    const t0 = performance.now();
    edges = baselinePass(rows);
    baselineSeconds.push((performance.now() - t0) / 1000);
  }

  const result: CreditChildResult = {
    mode,
    nodes: 0,
    edges,
    datasets: rows.datasets.length,
    fullSeconds: [],
    baselineSeconds,
    graphBuildSeconds: 0,
    propagationSeconds: [],
    incrementalMs: [],
    affectedNodes: [],
    peakRssMb: 0,
    creditChecksum: 0,
  };

  if (mode === 'full') {
    for (let r = 0; r < reps; r += 1) {
      const t0 = performance.now();
      const credit = computeCreditFromRows(rows);
      result.fullSeconds.push((performance.now() - t0) / 1000);
      let checksum = 0;
      for (const c of credit.values()) checksum += c.transitiveCredit;
      // A fast wrong answer is no result: every publication hands out at most its unit of credit.
      if (!Number.isFinite(checksum) || checksum <= 0 || checksum > rows.publications.length) {
        throw new Error(`credit checksum ${checksum} is implausible for ${rows.publications.length} publications`);
      }
      result.creditChecksum = checksum;
    }
    // The peak of the full recompute, before the incremental phase keeps a graph around.
    result.peakRssMb = process.resourceUsage().maxRSS / 1024;

    const t0 = performance.now();
    const built = buildCreditGraphFromRows(rows);
    result.graphBuildSeconds = (performance.now() - t0) / 1000;
    result.nodes = built.graph.nodeCount;
    for (let r = 0; r < reps; r += 1) {
      const t1 = performance.now();
      computeTransitiveCredit(built.graph, built.levelOf, METRICS_POLICY);
      result.propagationSeconds.push((performance.now() - t1) / 1000);
    }
    // A new reuse lands where reuses land: on a uniformly drawn existing reuse edge, so hot datasets are hit as often
    // as the power law makes them.
    const rng = createRng(seed + 7);
    const budgetEnds = performance.now() + incrementalBudgetMs;
    for (let r = 0; r < incrementalRuns && (r < 10 || performance.now() < budgetEnds); r += 1) {
      const reuse = rows.reuses[rng.int(rows.reuses.length)];
      const changed = [
        built.publicationNode.get(reuse.publicationId) as number,
        built.datasetNode.get(reuse.datasetIds[0]) as number,
      ];
      const t1 = performance.now();
      const affected = affectedSubgraph(changed, built.graph, METRICS_POLICY);
      computeTransitiveCredit(built.graph, built.levelOf, METRICS_POLICY, { affected });
      result.incrementalMs.push(performance.now() - t1);
      result.affectedNodes.push(affected.nodes.length);
    }
  } else {
    result.peakRssMb = process.resourceUsage().maxRSS / 1024;
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main();
