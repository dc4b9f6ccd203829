// The results file and the README table. Pure except for `updateReadme`.
import { readFileSync, writeFileSync } from 'node:fs';
import { roundSignificant, summarize } from './stats.js';

export type Better = 'higher' | 'lower';

export interface Measure {
  median: number;
  min: number;
  max: number;
  unit: string;
  /** 99th percentile, for latencies. */
  p99?: number;
  /** How many samples the figures summarise (repetitions for rates, operations for latencies). */
  samples: number;
  /** What exactly was measured, in one line. */
  what: string;
}

export interface WorkloadResult extends Measure {
  better: Better;
  baseline: Measure;
  /** median / baseline.median: for rates the share of the limit reached, for latencies the multiple of the floor. */
  ratio: number;
  [extra: string]: unknown;
}

export interface SkippedWorkload {
  skipped: true;
  reason: string;
}

export type WorkloadEntry = WorkloadResult | SkippedWorkload;

export interface MachineInfo {
  cores: number;
  memoryGb: number;
  cpuModel: string;
  os: string;
  node: string;
  postgres: string;
  postgresSource: 'embedded' | 'BENCH_DATABASE_URL';
  /** 1-minute load average when the run started and when it ended: other work on the machine skews everything. */
  loadAverage: { start: number; end: number };
}

export interface BenchResults {
  schema: 1;
  profile: 'quick' | 'full';
  gitSha: string;
  startedAt: string;
  durationSeconds: number;
  seed: number;
  machine: MachineInfo;
  workloads: Record<string, WorkloadEntry>;
}

export function isSkipped(entry: WorkloadEntry): entry is SkippedWorkload {
  return (entry as SkippedWorkload).skipped === true;
}

/** Median, range and p99 of samples, rounded to 4 significant digits. */
export function measure(samples: readonly number[], unit: string, what: string, opts: { p99?: boolean } = {}): Measure {
  const s = summarize(samples);
  return {
    median: roundSignificant(s.median),
    min: roundSignificant(s.min),
    max: roundSignificant(s.max),
    unit,
    ...(opts.p99 ? { p99: roundSignificant(s.p99) } : {}),
    samples: s.n,
    what,
  };
}

export function compare(
  value: Measure,
  baseline: Measure,
  better: Better,
  extra: Record<string, unknown> = {},
): WorkloadResult {
  return { ...value, better, baseline, ratio: roundSignificant(value.median / baseline.median), ...extra };
}

/** Every figure a positive finite number with its baseline and ratio; returns the problems found. */
export function findProblems(results: BenchResults): string[] {
  const problems: string[] = [];
  const positive = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x) && x > 0;
  for (const [name, entry] of Object.entries(results.workloads)) {
    if (isSkipped(entry)) {
      problems.push(`${name}: skipped (${entry.reason})`);
      continue;
    }
    for (const [label, m] of [
      ['', entry],
      ['baseline ', entry.baseline],
    ] as const) {
      for (const key of ['median', 'min', 'max'] as const) {
        if (!positive(m[key])) problems.push(`${name}: ${label}${key} is ${String(m[key])}`);
      }
      if (m.p99 !== undefined && !positive(m.p99)) problems.push(`${name}: ${label}p99 is ${String(m.p99)}`);
      if (typeof m.unit !== 'string' || m.unit === '') problems.push(`${name}: ${label}unit is missing`);
    }
    if (!positive(entry.ratio)) problems.push(`${name}: ratio is ${String(entry.ratio)}`);
  }
  return problems;
}

/** Workload families in reading order: appends, proofs, credit, the metrics job, API reads, provenance, DOIs, journals, funders. */
const FAMILIES = [
  'ledger_append_single',
  'ledger_append_concurrent',
  'ledger_append_batched',
  'proof_inclusion',
  'proof_consistency',
  'credit_recompute_full',
  'credit_recompute_incremental',
  'metrics_job_incremental',
  'api_get_metrics',
  'api_get_dataset',
  'provenance_import',
  'lineage_query',
  'lineage_http',
  'doi_pipeline_overhead',
  'doi_throughput_rate_limited',
  'verification_50_ids',
  'portfolio_audit',
];

/** The headline key of a family first, then its variants (`_http`, then sizes `_1e4` … in increasing order). */
export function orderWorkloads<T>(workloads: Record<string, T>): Record<string, T> {
  const rank = (key: string): [number, number, string] => {
    const family = FAMILIES.filter((f) => key === f || key.startsWith(`${f}_`)).sort((a, b) => b.length - a.length)[0];
    const index = family === undefined ? FAMILIES.length : FAMILIES.indexOf(family);
    const suffix = family === undefined ? key : key.slice(family.length);
    const size = /^_1e(\d+)$/.exec(suffix);
    return [index, suffix === '' ? 0 : size ? 2 + Number(size[1]) : 1, suffix];
  };
  const keys = Object.keys(workloads).sort((a, b) => {
    const [fa, va, sa] = rank(a);
    const [fb, vb, sb] = rank(b);
    return fa - fb || va - vb || sa.localeCompare(sb);
  });
  return Object.fromEntries(keys.map((k) => [k, workloads[k]]));
}

function formatNumber(x: number): string {
  if (x >= 1000) return Math.round(x).toLocaleString('en-US');
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  if (x >= 1) return x.toFixed(2);
  return x.toPrecision(2);
}

export function renderMachine(results: BenchResults): string {
  const m = results.machine;
  return (
    `${results.profile} profile, ${results.startedAt.slice(0, 10)}, commit ${results.gitSha}: ${m.cores} cores (${m.cpuModel}), ` +
    `${m.memoryGb} GB, ${m.os}, Node ${m.node}, PostgreSQL ${m.postgres} (${m.postgresSource}); ran ${Math.round(results.durationSeconds)} s; ` +
    `load average ${m.loadAverage.start} at the start, ${m.loadAverage.end} at the end.`
  );
}

/** The Markdown table of one results file. */
export function renderTable(results: BenchResults): string {
  const lines = [
    renderMachine(results),
    '',
    '| workload | median | min – max | p99 | unit | baseline median | baseline unit | ratio | better |',
    '|---|---:|---:|---:|---|---:|---|---:|---|',
  ];
  for (const [name, entry] of Object.entries(orderWorkloads(results.workloads))) {
    if (isSkipped(entry)) {
      lines.push(`| \`${name}\` | skipped: ${entry.reason.replace(/\|/g, '/')} | | | | | | | |`);
      continue;
    }
    const p99 = entry.p99 === undefined ? '' : formatNumber(entry.p99);
    lines.push(
      `| \`${name}\` | ${formatNumber(entry.median)} | ${formatNumber(entry.min)} – ${formatNumber(entry.max)} | ${p99} | ${entry.unit} | ` +
        `${formatNumber(entry.baseline.median)} | ${entry.baseline.unit} | ${entry.ratio.toPrecision(3)} | ${entry.better} |`,
    );
  }
  return lines.join('\n');
}

export const RESULTS_START = '<!-- results:start -->';
export const RESULTS_END = '<!-- results:end -->';

export function replaceBetweenMarkers(text: string, content: string): string {
  const start = text.indexOf(RESULTS_START);
  const end = text.indexOf(RESULTS_END);
  if (start < 0 || end < start) throw new Error(`the README has no ${RESULTS_START} … ${RESULTS_END} block`);
  return `${text.slice(0, start + RESULTS_START.length)}\n${content}\n${text.slice(end)}`;
}

/** Rewrites the results block, formatted as `prettier --check` expects (when prettier is installed). */
export async function updateReadme(path: string, content: string): Promise<void> {
  let text = replaceBetweenMarkers(readFileSync(path, 'utf8'), content);
  try {
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(path)) ?? {};
    text = await prettier.format(text, { ...options, filepath: path });
  } catch {
    // prettier is a dev dependency: without it the table is written unformatted
  }
  writeFileSync(path, text);
}
