// Summaries of repeated measurements. Pure: no clock, no I/O.

export interface Summary {
  median: number;
  min: number;
  max: number;
  p99: number;
  mean: number;
  n: number;
}

/** Nearest-rank percentile (p in [0, 100]) of already sorted values: p99 of 100 samples is the 99th smallest. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no samples');
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('summary of no samples');
  const sorted = Float64Array.from(samples).sort();
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  let sum = 0;
  for (const x of sorted) sum += x;
  return {
    median,
    min: sorted[0],
    max: sorted[sorted.length - 1],
    p99: percentileOfSorted(sorted, 99),
    mean: sum / sorted.length,
    n: sorted.length,
  };
}

/** Rounds to `digits` significant digits, so results files diff on signal rather than on noise. */
export function roundSignificant(x: number, digits = 4): number {
  if (!Number.isFinite(x) || x === 0) return x;
  return Number(x.toPrecision(digits));
}
