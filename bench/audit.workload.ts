// A funder's portfolio audit over many grants, next to the transfer floor: a bare server sending the same report.
import type { SeededLedger } from './api-seed.js';
import { createRng, seededRor } from './generator.js';
import { call, expectStatus, isRouteMissing, mapConcurrent } from './environment.js';
import { runHttpLoad, startBareServer } from './http-load.js';
import type { BenchContext } from './profile.js';
import { compare, measure } from './report.js';

export async function runAuditWorkload(ctx: BenchContext, seeded: SeededLedger): Promise<void> {
  const { origin, adminHeaders } = ctx.app;
  const { grants: count, samples } = ctx.profile.audit;
  const funder = await expectStatus(origin, 'POST', '/v1/agents', [201], {
    body: { kind: 'organization', name: 'Benchmark Research Council', ror: seededRor(createRng(ctx.seed + 3)) },
    headers: adminHeaders,
  });
  const funderId = (funder.body as { id: string }).id;
  const synth = seeded.ledger.grants;
  const grantBody = (i: number) => {
    const g = synth[i % synth.length];
    return {
      funder: funderId,
      awardNumber: `BENCH-${ctx.seed}-${i}`,
      title: `Benchmark grant ${i}`,
      pi: seeded.agentIds[g.pi],
      start: g.start,
      end: g.end,
      policy: g.policy,
      plannedData: [{ dataType: 'microscopy images', repository: 'BioImage Archive' }],
    };
  };
  const probe = await call(origin, 'POST', '/v1/grants', { body: grantBody(0), headers: adminHeaders });
  if (isRouteMissing(probe)) {
    ctx.results.portfolio_audit = {
      skipped: true,
      reason: 'POST /v1/grants answers 404 ROUTE_NOT_FOUND in this build',
    };
    return;
  }
  if (probe.status !== 201)
    throw new Error(`POST /v1/grants answered ${probe.status}: ${JSON.stringify(probe.body).slice(0, 800)}`);
  const ids = [(probe.body as { id: string }).id];
  const rest = await mapConcurrent(
    Array.from({ length: count - 1 }, (_, i) => i + 1),
    8,
    async (i) => {
      const res = await expectStatus(origin, 'POST', '/v1/grants', [201], {
        body: grantBody(i),
        headers: adminHeaders,
      });
      return (res.body as { id: string }).id;
    },
  );
  ids.push(...rest);
  // Every tenth grant reports a dataset as its output; the others are due or overdue in the audit.
  await mapConcurrent(
    ids.filter((_, i) => i % 10 === 0),
    8,
    async (id, k) => {
      await expectStatus(origin, 'POST', `/v1/grants/${id}/outputs`, [200, 201], {
        body: { datasets: [seeded.datasetIds[k % seeded.datasetIds.length]] },
        headers: adminHeaders,
      });
    },
  );
  ctx.log(`  registered ${ids.length} grants`);

  const path = `/v1/funders/${funderId}/audit?asOf=2026-06-30`;
  const sample = await call(origin, 'GET', path, { headers: adminHeaders });
  if (isRouteMissing(sample)) {
    ctx.results.portfolio_audit = {
      skipped: true,
      reason: 'GET /v1/funders/:id/audit answers 404 ROUTE_NOT_FOUND in this build',
    };
    return;
  }
  if (sample.status !== 200)
    throw new Error(`GET ${path} answered ${sample.status}: ${JSON.stringify(sample.body).slice(0, 500)}`);
  const load = {
    concurrency: 1,
    durationMs: 300_000,
    warmupMs: 0,
    maxRequests: samples,
    okStatuses: [200],
    headers: adminHeaders,
  };
  const targets = [{ method: 'GET' as const, path }];
  const service = await runHttpLoad({ origin, targets, ...load });
  if (service.errors > 0) throw new Error(`audit: ${service.firstError ?? 'errors'}`);
  const text = JSON.stringify(sample.body);
  const bare = await startBareServer(text);
  try {
    const floor = await runHttpLoad({ origin: bare.origin, targets, ...load });
    ctx.results.portfolio_audit = compare(
      measure(service.latenciesMs, 'ms', `GET /v1/funders/:id/audit over ${ids.length} grants (JSON), one client`, {
        p99: true,
      }),
      measure(floor.latenciesMs, 'ms', 'bare node:http server sending the same report as a constant', { p99: true }),
      'lower',
      { grants: ids.length, responseBytes: text.length },
    );
  } finally {
    await bare.close();
  }
}
