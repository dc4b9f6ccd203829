// Journal checks of a data availability statement naming 50 identifiers, next to the floor: the same POST answered by
// a bare server plus one indexed lookup of the same 50 identifiers.
import { performance } from 'node:perf_hooks';
import type { SeededLedger } from './api-seed.js';
import { call, expectStatus, isRouteMissing } from './environment.js';
import { startBareServer } from './http-load.js';
import type { BenchContext } from './profile.js';
import { compare, measure } from './report.js';

const IDENTIFIERS = 50;

/** 50 identifiers the ledger knows: registered DOIs first, then archive accessions, then dataset landing pages. */
function identifiersFor(seeded: SeededLedger, dois: readonly string[]): string[] {
  const landing = seeded.ledger.datasets.map((d) => `https://images.example.org/datasets/${d.id}`);
  return [...dois, ...seeded.accessions, ...landing].slice(0, IDENTIFIERS);
}

export async function runVerificationWorkload(
  ctx: BenchContext,
  seeded: SeededLedger,
  dois: readonly string[],
): Promise<void> {
  const { origin, adminHeaders } = ctx.app;
  const identifiers = identifiersFor(seeded, dois);
  const journal = await expectStatus(origin, 'POST', '/v1/agents', [201], {
    body: { kind: 'organization', name: 'Journal of Benchmark Imaging' },
    headers: adminHeaders,
  });
  const key = await expectStatus(origin, 'POST', '/v1/api-keys', [201], {
    body: { agentId: (journal.body as { id: string }).id, roles: ['journal'] },
    headers: adminHeaders,
  });
  const headers = { authorization: `Bearer ${(key.body as { token: string }).token}` };
  const statement =
    `All imaging data are available: ${identifiers.slice(0, 10).join(', ')} and the further ${identifiers.length - 10} ` +
    'datasets listed under Identifiers, under CC-BY-4.0 unless stated otherwise.';
  const bodyFor = (i: number) => ({
    manuscriptId: `BENCH-${ctx.seed}-${i}`,
    policy: 'default',
    statement,
    identifiers,
  });

  const first = await call(origin, 'POST', '/v1/verifications', { body: bodyFor(0), headers });
  if (isRouteMissing(first)) {
    ctx.results.verification_50_ids = {
      skipped: true,
      reason: 'POST /v1/verifications answers 404 ROUTE_NOT_FOUND in this build',
    };
    return;
  }
  if (first.status !== 201)
    throw new Error(`POST /v1/verifications answered ${first.status}: ${JSON.stringify(first.body).slice(0, 800)}`);
  const items = (first.body as { items?: unknown[] }).items ?? [];
  if (items.length !== identifiers.length)
    throw new Error(`verification reported ${items.length} items for ${identifiers.length} identifiers`);

  const bare = await startBareServer(JSON.stringify(first.body));
  const bareDois = identifiers.filter((id) => id.startsWith('10.'));
  try {
    const service: number[] = [];
    const floor: number[] = [];
    const n = ctx.profile.verificationSamples;
    for (let i = 1; i <= n + 2; i += 1) {
      const res = await call(origin, 'POST', '/v1/verifications', { body: bodyFor(i), headers });
      if (res.status !== 201) throw new Error(`POST /v1/verifications answered ${res.status}`);
      const t0 = performance.now();
      await call(bare.origin, 'POST', '/v1/verifications', { body: bodyFor(i), headers });
      await ctx.pool.query(
        `SELECT id, doi, license, doi_state, embargo_until FROM datasets
         WHERE doi = ANY($1::text[]) OR accession = ANY($2::text[]) OR landing_page = ANY($2::text[])`,
        [bareDois, identifiers],
      );
      const floorMs = performance.now() - t0;
      // The first two are the warm-up.
      if (i <= 2) continue;
      service.push(res.ms);
      floor.push(floorMs);
    }
    ctx.results.verification_50_ids = compare(
      measure(
        service,
        'ms',
        `POST /v1/verifications with ${identifiers.length} identifiers (${bareDois.length} DOIs), one at a time`,
        { p99: true },
      ),
      measure(
        floor,
        'ms',
        'the same POST answered by a bare node:http server + one indexed SELECT of the same identifiers',
        { p99: true },
      ),
      'lower',
      { identifiers: identifiers.length },
    );
  } finally {
    await bare.close();
  }
}
