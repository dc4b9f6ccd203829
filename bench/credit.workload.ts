// Transitive credit over synthetic ledgers of 10^5 (and 10^6) nodes, each size in a child process of its own so the
// peak resident set size is the recompute's, read from process.resourceUsage().maxRSS.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CreditChildResult } from './credit-recompute.child.js';
import type { BenchContext } from './profile.js';
import { compare, measure } from './report.js';

const CHILD = fileURLToPath(new URL('./credit-recompute.child.js', import.meta.url));

function runChild(args: string[], heapMb: number): Promise<CreditChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', `--max-old-space-size=${heapMb}`, CHILD, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`credit child ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`));
        return;
      }
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as CreditChildResult);
      } catch {
        reject(new Error(`credit child printed no result: ${out.slice(-500)} ${err.slice(-500)}`));
      }
    });
  });
}

const sizeLabel = (n: number): string => `1e${Math.round(Math.log10(n))}`;

export async function runCreditWorkloads(ctx: BenchContext): Promise<void> {
  const { profile } = ctx;
  const sizes = [...profile.creditSizes].sort((a, b) => a - b);
  for (const size of sizes) {
    const largest = size === sizes[sizes.length - 1];
    const common = ['--size', String(size), '--seed', String(ctx.seed), '--reps', String(profile.creditReps)];
    // Heap headroom far above the 1 GB goal: the run reports what it needed rather than dying at Node's default cap.
    const heapMb = 12_288;
    const rowsOnly = await runChild([...common, '--rows-only'], heapMb);
    const full = await runChild(
      [
        ...common,
        '--incremental',
        String(profile.incrementalRuns),
        '--incremental-budget-ms',
        String(profile.incrementalBudgetMs),
      ],
      heapMb,
    );
    const label = sizeLabel(size);
    const peakRssMb = Math.round(full.peakRssMb);
    const fullResult = compare(
      measure(
        full.fullSeconds,
        's',
        'rows streamed from a file into CreditRowsBuilder, then rounded credit for every dataset (one process)',
      ),
      measure(
        rowsOnly.baselineSeconds,
        's',
        'one pass over the same streamed rows: every id resolved to an index once, every edge visited once',
      ),
      'lower',
      {
        nodes: full.nodes,
        edges: rowsOnly.edges,
        datasets: full.datasets,
        peakRssMb,
        baselinePeakRssMb: Math.round(rowsOnly.peakRssMb),
        graphBuildSeconds: Number(full.graphBuildSeconds.toPrecision(4)),
        propagationSeconds: measure(full.propagationSeconds, 's', 'computeTransitiveCredit over the prebuilt graph'),
        goal: '< 30 s and < 1 GB at 1e6 nodes',
      },
    );
    ctx.results[`credit_recompute_full_${label}`] = fullResult;
    const sorted = (values: readonly number[]): number[] => [...values].sort((a, b) => a - b);
    const affected = sorted(full.affectedNodes);
    const buckets = sorted(full.bucketPublications);
    const walked = sorted(full.nodesWalked);
    const incrementalResult = compare(
      measure(
        full.incrementalMs,
        'ms',
        'one change, engine warm: a new paper with its reuse records (CreditEngine.addPublication) or one more record of a paper the graph holds (updatePublication)',
        { p99: true },
      ),
      measure(
        full.propagationSeconds.map((s) => s * 1000),
        'ms',
        'the full propagation over the same prebuilt graph (what an incremental run avoids)',
      ),
      'lower',
      {
        nodes: full.nodes,
        changes: full.incrementalMs.length,
        newPapers: full.newPapers,
        affectedDatasetsMedian: affected[affected.length >> 1],
        affectedDatasetsMax: affected[affected.length - 1],
        bucketPublicationsMedian: buckets[buckets.length >> 1],
        bucketPublicationsMax: buckets[buckets.length - 1],
        nodesWalkedMax: walked[walked.length - 1],
        engineBuildSeconds: Number(full.engineBuildSeconds.toPrecision(4)),
        coneRecompute: measure(
          full.coneRecomputeMs,
          'ms',
          'the same changes as affectedSubgraph + computeTransitiveCredit({affected}) over a graph holding them',
          { p99: true },
        ),
        datasetsVerified: full.datasetsVerified,
        goal: '< 100 ms',
      },
    );
    ctx.results[`credit_recompute_incremental_${label}`] = incrementalResult;
    ctx.log(
      `  credit at ${full.nodes} nodes: full ${fullResult.median} s, ${peakRssMb} MB peak; incremental p50 ${incrementalResult.median} ms`,
    );
    if (largest) {
      ctx.results.credit_recompute_full = { ...fullResult };
      ctx.results.credit_recompute_incremental = { ...incrementalResult };
    }
  }
}
