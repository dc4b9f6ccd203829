// Read throughput of the API next to the HTTP floor: a bare node:http server on the same machine returning the
// same bytes as a constant, driven by the same client with the same concurrency.
import { drawPopularDatasets } from './api-seed.js';
import type { SeededLedger } from './api-seed.js';
import { call, isRouteMissing } from './environment.js';
import { runHttpLoad, startBareServer, throughputOf } from './http-load.js';
import type { HttpTarget } from './http-load.js';
import type { BenchContext } from './profile.js';
import { compare, measure } from './report.js';

/** Interleaves service and floor repetitions (after one warm-up of each) so drift hits both alike. */
export async function measureThroughput(
  ctx: BenchContext,
  name: string,
  targets: HttpTarget[],
  what: { value: string; baseline: string },
  extra: Record<string, unknown> = {},
): Promise<void> {
  const { http } = ctx.profile;
  const sample = await call(ctx.app.origin, targets[0].method, targets[0].path);
  if (isRouteMissing(sample)) {
    ctx.results[name] = {
      skipped: true,
      reason: `${targets[0].method} ${targets[0].path.replace(/[0-9a-f-]{36}/g, ':id')} answers 404 ROUTE_NOT_FOUND in this build`,
    };
    return;
  }
  if (sample.status !== 200)
    throw new Error(
      `${name}: ${targets[0].path} answered ${sample.status} ${JSON.stringify(sample.body).slice(0, 300)}`,
    );
  const bare = await startBareServer(JSON.stringify(sample.body));
  try {
    const load = {
      concurrency: http.concurrency,
      durationMs: http.durationMs,
      warmupMs: http.warmupMs,
      okStatuses: [200],
    };
    const service: number[] = [];
    const floor: number[] = [];
    const latencies: number[] = [];
    for (let r = 0; r < http.reps; r += 1) {
      const a = await runHttpLoad({ origin: ctx.app.origin, targets, ...load });
      service.push(throughputOf(a, name));
      latencies.push(...a.latenciesMs);
      const b = await runHttpLoad({ origin: bare.origin, targets, ...load });
      floor.push(throughputOf(b, `${name} baseline`));
    }
    const latency = measure(latencies, 'ms', 'per-request latency under that load', { p99: true });
    ctx.results[name] = compare(
      measure(
        service,
        'req/s',
        `${what.value}, ${http.concurrency} keep-alive connections, ${http.durationMs / 1000} s per repetition`,
      ),
      measure(floor, 'req/s', what.baseline),
      'higher',
      {
        concurrency: http.concurrency,
        latencyMs: { median: latency.median, p99: latency.p99 },
        responseBytes: JSON.stringify(sample.body).length,
        ...extra,
      },
    );
    ctx.log(
      `  ${name}: ${ctx.results[name] && 'median' in ctx.results[name] ? String(ctx.results[name].median) : '?'} req/s`,
    );
  } finally {
    await bare.close();
  }
}

export async function runApiReadWorkloads(ctx: BenchContext, seeded: SeededLedger): Promise<void> {
  const popular = drawPopularDatasets(seeded, 256, ctx.seed + 11);
  await measureThroughput(
    ctx,
    'api_get_metrics',
    popular.map((id) => ({ method: 'GET', path: `/v1/datasets/${id}/metrics` })),
    {
      value: 'GET /v1/datasets/:id/metrics, datasets drawn by popularity',
      baseline: 'bare node:http server returning a metrics body as a constant',
    },
  );
  await measureThroughput(
    ctx,
    'api_get_dataset',
    popular.map((id) => ({ method: 'GET', path: `/v1/datasets/${id}` })),
    {
      value: 'GET /v1/datasets/:id (JSON), datasets drawn by popularity',
      baseline: 'bare node:http server returning a dataset body as a constant',
    },
  );
}
