// The DOI pipeline (request -> ledger entry + outbox row -> job -> DataCite PUT -> state recorded) against the DataCite
// emulator answering with zero latency, next to one direct PUT of the same record; then throughput with the client
// rate limiter on, next to the configured limit.
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import type { DataCiteEmulator } from '../test/support/datacite-emulator.js';
import type { SeededLedger } from './api-seed.js';
import { call, isRouteMissing, mapConcurrent } from './environment.js';
import type { BenchContext } from './profile.js';
import { compare, measure } from './report.js';
import { summarize } from './stats.js';

export const EMULATOR_PREFIX = '10.80123';

/** App settings that point the DOI module at the emulator; `limit` per `windowSeconds` sets the client rate limiter. */
export function doiEnv(emulator: DataCiteEmulator, limit: number, windowSeconds: number): Record<string, string> {
  return {
    DOI_PROVIDER: 'datacite',
    DATACITE_API_URL: emulator.url,
    DATACITE_REPOSITORY_ID: emulator.repositoryId,
    DATACITE_PASSWORD: emulator.password,
    DATACITE_PREFIX: EMULATOR_PREFIX,
    DATACITE_RATE_LIMIT: String(limit),
    DATACITE_RATE_WINDOW_SECONDS: String(windowSeconds),
    DATACITE_TIMEOUT_MS: '10000',
    DATACITE_RETRY_BASE_MS: '50',
  };
}

const FINAL = new Set(['findable', 'registered']);

interface DoiStatus {
  doi: string | null;
  doiState: string;
  lastError?: unknown;
}

async function doiStatus(ctx: BenchContext, datasetId: string): Promise<DoiStatus> {
  const res = await call(ctx.app.origin, 'GET', `/v1/datasets/${datasetId}/doi`);
  if (res.status !== 200) throw new Error(`GET /v1/datasets/${datasetId}/doi answered ${res.status}`);
  return res.body as DoiStatus;
}

/** Indexes of image datasets in the seed, split between the latency and the throughput phases. */
function doiCandidates(seeded: SeededLedger): number[] {
  return seeded.ledger.datasets.flatMap((d, i) => (d.kind === 'image' ? [i] : []));
}

export class DoiRouteMissing extends Error {}

export async function runDoiLatency(
  ctx: BenchContext,
  seeded: SeededLedger,
  emulator: DataCiteEmulator,
): Promise<string[]> {
  const n = ctx.profile.doi.latencySamples;
  const picks = doiCandidates(seeded).slice(0, n + 3);
  const auth = `Basic ${Buffer.from(`${emulator.repositoryId}:${emulator.password}`).toString('base64')}`;
  const latencies: number[] = [];
  const direct: number[] = [];
  const requestsPerDoi: number[] = [];
  const dois: string[] = [];
  for (const [k, index] of picks.entries()) {
    const datasetId = seeded.datasetIds[index];
    const headers = seeded.labHeaders[seeded.ledger.datasets[index].lab];
    const before = emulator.requests.length;
    const t0 = performance.now();
    const res = await call(ctx.app.origin, 'POST', `/v1/datasets/${datasetId}/doi`, { headers });
    if (isRouteMissing(res))
      throw new DoiRouteMissing('POST /v1/datasets/:id/doi answers 404 ROUTE_NOT_FOUND in this build');
    if (res.status !== 202)
      throw new Error(`POST /v1/datasets/:id/doi answered ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
    let status = await doiStatus(ctx, datasetId);
    const deadline = t0 + 15_000;
    while (!FINAL.has(status.doiState)) {
      if (status.doiState === 'failed')
        throw new Error(`DOI for ${datasetId} failed: ${JSON.stringify(status.lastError)}`);
      if (performance.now() > deadline) throw new Error(`DOI for ${datasetId} still ${status.doiState} after 15 s`);
      await sleep(2);
      status = await doiStatus(ctx, datasetId);
    }
    const elapsed = performance.now() - t0;
    const sent = emulator.requests.slice(before);
    const put = [...sent].reverse().find((r) => r.method === 'PUT');
    if (!put || !status.doi) throw new Error(`no PUT reached the emulator for ${datasetId}`);
    // The floor: the same final PUT, sent straight to the emulator under a fresh name.
    const fresh = `${EMULATOR_PREFIX}/BENCH-${k}-${ctx.seed}`;
    const body = put.body.split(status.doi).join(fresh);
    const t1 = performance.now();
    const replay = await fetch(`${emulator.url}/dois/${encodeURIComponent(fresh)}`, {
      method: 'PUT',
      headers: { authorization: auth, 'content-type': 'application/vnd.api+json' },
      body,
    });
    await replay.text();
    const directMs = performance.now() - t1;
    if (replay.status !== 201 && replay.status !== 200)
      throw new Error(`direct PUT to the emulator answered ${replay.status}`);
    dois.push(status.doi);
    // The first three are the warm-up.
    if (k < 3) continue;
    latencies.push(elapsed);
    direct.push(directMs);
    requestsPerDoi.push(sent.length);
  }
  const perDoi = summarize(requestsPerDoi);
  ctx.results.doi_pipeline_overhead = compare(
    measure(
      latencies,
      'ms',
      'POST /v1/datasets/:id/doi until GET …/doi reports findable (job, PUT to the emulator, state written), one DOI at a time',
      {
        p99: true,
      },
    ),
    measure(direct, 'ms', 'the same final PUT /dois/{doi} sent straight to the emulator (zero latency)', { p99: true }),
    'lower',
    { dataciteRequestsPerDoi: perDoi.median, pollIntervalMs: 2 },
  );
  return dois;
}

/** Requests the emulator saw per window of the limiter, once saturated. */
export async function runDoiThroughput(
  ctx: BenchContext,
  seeded: SeededLedger,
  emulator: DataCiteEmulator,
): Promise<string[]> {
  const { throughputDois, rateLimit, rateWindowSeconds, latencySamples } = ctx.profile.doi;
  const picks = doiCandidates(seeded).slice(latencySamples + 3, latencySamples + 3 + throughputDois);
  const before = emulator.requests.length;
  await mapConcurrent(picks, 8, async (index) => {
    const datasetId = seeded.datasetIds[index];
    const res = await call(ctx.app.origin, 'POST', `/v1/datasets/${datasetId}/doi`, {
      headers: seeded.labHeaders[seeded.ledger.datasets[index].lab],
    });
    if (res.status !== 202)
      throw new Error(`POST /v1/datasets/:id/doi answered ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
  });
  const pending = new Set(picks.map((i) => seeded.datasetIds[i]));
  const dois: string[] = [];
  const expectedSeconds = (throughputDois * 3 * rateWindowSeconds) / rateLimit;
  const deadline = performance.now() + 60_000 + expectedSeconds * 2000;
  while (pending.size > 0) {
    if (performance.now() > deadline) throw new Error(`${pending.size} DOIs still not findable under the rate limiter`);
    await sleep(250);
    for (const id of [...pending]) {
      const status = await doiStatus(ctx, id);
      if (status.doiState === 'failed') throw new Error(`DOI for ${id} failed: ${JSON.stringify(status.lastError)}`);
      if (FINAL.has(status.doiState)) {
        pending.delete(id);
        if (status.doi) dois.push(status.doi);
      }
    }
  }
  const times = emulator.requests
    .slice(before)
    .map((r) => r.at)
    .sort((a, b) => a - b);
  const windowMs = rateWindowSeconds * 1000;
  let maxInWindow = 0;
  for (let lo = 0, hi = 0; hi < times.length; hi += 1) {
    while (times[hi] - times[lo] >= windowMs) lo += 1;
    maxInWindow = Math.max(maxInWindow, hi - lo + 1);
  }
  // Rates of consecutive full windows after the first (the bucket starts full: the first window holds the burst).
  const perWindow: number[] = [];
  const start = times[0];
  for (let w = 1; start + (w + 1) * windowMs <= times[times.length - 1]; w += 1) {
    const from = start + w * windowMs;
    const count = times.filter((t) => t >= from && t < from + windowMs).length;
    perWindow.push(count / rateWindowSeconds);
  }
  if (perWindow.length === 0)
    throw new Error('the rate-limited run was shorter than two windows: raise throughputDois');
  const limitPerSecond = rateLimit / rateWindowSeconds;
  ctx.results.doi_throughput_rate_limited = compare(
    measure(
      perWindow,
      'req/s',
      `DataCite requests/s seen by the emulator while ${throughputDois} DOIs queue behind the limiter (per ${rateWindowSeconds} s window)`,
    ),
    {
      median: limitPerSecond,
      min: limitPerSecond,
      max: limitPerSecond,
      unit: 'req/s',
      samples: 1,
      what: `configured limit: DATACITE_RATE_LIMIT=${rateLimit} per ${rateWindowSeconds} s`,
    },
    'higher',
    {
      requests: times.length,
      maxInAnyWindow: maxInWindow,
      limitPerWindow: rateLimit,
      limitRespected: maxInWindow <= rateLimit,
      goal: 'saturates the configured limit and no more (ratio near 0.9: the bucket keeps a tenth for bursts)',
    },
  );
  if (maxInWindow > rateLimit)
    ctx.log(`  WARNING: ${maxInWindow} DataCite requests in one ${rateWindowSeconds} s window, limit ${rateLimit}`);
  return dois;
}
