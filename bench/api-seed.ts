// Deposits a small synthetic ledger through the public API (agents, keys, datasets, publications, reuses), the way
// clients would, so that the HTTP workloads read realistic rows.
import {
  createRng,
  datasetPayload,
  generateLedger,
  personPayload,
  publicationPayload,
  seededRor,
} from './generator.js';
import type { SyntheticLedger } from './generator.js';
import { expectStatus, mapConcurrent } from './environment.js';
import type { BenchContext } from './profile.js';

export interface SeededLedger {
  ledger: SyntheticLedger;
  agentIds: string[];
  /** One depositor key per lab, held by the lab head. */
  labHeaders: Array<Record<string, string>>;
  datasetIds: string[];
  publicationIds: string[];
  /** Accessions given to every fourth image dataset (identifiers for the verification workload). */
  accessions: string[];
  /** Reuse claims per dataset index, for drawing "hot" datasets as often as clients would ask for them. */
  reuseCounts: number[];
  /** Depositor key of a lab head, for writes that need an owner. */
  someDepositor: Record<string, string>;
}

const CONCURRENCY = 8;
const bodyOf = (body: unknown): Record<string, unknown> => body as Record<string, unknown>;

export async function seedApiLedger(ctx: BenchContext): Promise<SeededLedger> {
  const { origin, adminHeaders } = ctx.app;
  const ledger = generateLedger(ctx.seed + 1, ctx.profile.apiLedgerSize);
  let phase = Date.now();
  const lap = (what: string, n: number): void => {
    const ms = Date.now() - phase;
    ctx.log(`    ${n} ${what} in ${(ms / 1000).toFixed(1)} s (${Math.round((n * 1000) / Math.max(1, ms))}/s)`);
    phase = Date.now();
  };
  const agentIds = await mapConcurrent(ledger.people, CONCURRENCY, async (person) => {
    const res = await expectStatus(origin, 'POST', '/v1/agents', [201], {
      body: personPayload(person),
      headers: adminHeaders,
    });
    return String(bodyOf(res.body).id);
  });
  lap('agents', agentIds.length);
  const labHeaders = await mapConcurrent(ledger.labs, CONCURRENCY, async (lab) => {
    const res = await expectStatus(origin, 'POST', '/v1/api-keys', [201], {
      body: { agentId: agentIds[lab.members[0]], roles: ['depositor'] },
      headers: adminHeaders,
    });
    return { authorization: `Bearer ${String(bodyOf(res.body).token)}` };
  });

  // DataCite requires a publisher: the repository the datasets are deposited in.
  const publisher = await expectStatus(origin, 'POST', '/v1/agents', [201], {
    body: { kind: 'organization', name: 'Benchmark Image Archive', ror: seededRor(createRng(ctx.seed + 2)) },
    headers: adminHeaders,
  });
  const publisherId = String(bodyOf(publisher.body).id);
  const datasetIds = new Array<string>(ledger.datasets.length);
  const accessions: string[] = [];
  // A derived dataset names lower indexes only; it waits for those deposits, which were started before it.
  const deposited = new Map<number, Promise<void>>();
  const deposit = async (index: number): Promise<void> => {
    const d = ledger.datasets[index];
    await Promise.all(d.derivedFrom.map((source) => deposited.get(source) ?? Promise.resolve()));
    const accession = d.kind === 'image' && index % 4 === 0 ? `S-BIAD${100_000 + index}` : null;
    if (accession) accessions.push(accession);
    const payload = datasetPayload(
      d,
      (p) => agentIds[p],
      (i) => datasetIds[i],
      publisherId,
    );
    const res = await expectStatus(origin, 'POST', '/v1/datasets', [201], {
      body: { ...payload, ...(accession ? { accession } : {}) },
      headers: labHeaders[d.lab],
    });
    datasetIds[index] = String(bodyOf(res.body).id);
  };
  await mapConcurrent(
    ledger.datasets.map((_, i) => i),
    CONCURRENCY,
    (index) => {
      const promise = deposit(index);
      deposited.set(index, promise);
      return promise;
    },
  );

  lap('datasets', datasetIds.length);
  const publicationIds = await mapConcurrent(ledger.publications, CONCURRENCY, async (p) => {
    const lab = ledger.people[p.authors[p.authors.length - 1]].lab;
    const res = await expectStatus(origin, 'POST', '/v1/publications', [200, 201], {
      body: publicationPayload(p, ledger, (i) => agentIds[i]),
      headers: labHeaders[lab],
    });
    return String(bodyOf(res.body).id);
  });

  lap('publications', publicationIds.length);
  const reuseCounts = new Array<number>(ledger.datasets.length).fill(0);
  await mapConcurrent(ledger.reuses, CONCURRENCY, async (r) => {
    const p = ledger.publications[r.publication];
    const lab = ledger.people[p.authors[p.authors.length - 1]].lab;
    for (const d of r.datasets) reuseCounts[d] += 1;
    await expectStatus(origin, 'POST', '/v1/reuses', [201], {
      body: {
        publication: publicationIds[r.publication],
        datasets: r.datasets.map((d) => datasetIds[d]),
        type: r.type,
      },
      headers: labHeaders[lab],
    });
  });
  lap('reuses', ledger.reuses.length);
  ctx.log(
    `  seeded ${agentIds.length} agents, ${datasetIds.length} datasets, ${publicationIds.length} publications, ${ledger.reuses.length} reuses through the API`,
  );
  return {
    ledger,
    agentIds,
    labHeaders,
    datasetIds,
    publicationIds,
    accessions,
    reuseCounts,
    someDepositor: labHeaders[0],
  };
}

/** Dataset ids drawn in proportion to (reuses + 1): popular datasets are asked about more often. */
export function drawPopularDatasets(seeded: SeededLedger, count: number, seed: number): string[] {
  const rng = createRng(seed);
  const weights = seeded.reuseCounts.map((c) => c + 1);
  const total = weights.reduce((a, b) => a + b, 0);
  return Array.from({ length: count }, () => {
    let u = rng.next() * total;
    for (let i = 0; i < weights.length; i += 1) {
      u -= weights[i];
      if (u < 0) return seeded.datasetIds[i];
    }
    return seeded.datasetIds[seeded.datasetIds.length - 1];
  });
}
