import { createTestApp } from '../support/app.js';
import { connect } from '../support/db.js';
import type { TestApp } from '../support/app.js';
import { createActor, createOrganization, createPerson, depositDataset } from '../support/factories.js';
import type { Actor } from '../support/factories.js';
import { MetricsService } from '../../src/metrics/metrics.service.js';
import { expectRowsOfWholeRecompute } from '../support/metrics-check.js';

// The recompute job reads only what a change can move (the affected datasets' neighbourhood in the tables) and writes
// only their rows, their cohorts' and their creators'. A whole recompute is the reference: after each round of random
// changes through the public API, every cached row must be what a whole recompute writes. The world is drawn so that
// works claim datasets from several labs at once (a publication's map splits over inputs outside any one cone),
// derived data stacks up in chains, versions collapse into concepts, panels show data, and claims are disputed and
// resolved.

describe('incremental metrics against a whole recompute (e2e)', () => {
  let t: TestApp;
  let curator: Actor;
  const labs: Array<{ head: Actor; members: string[] }> = [];
  const datasets: string[] = [];
  const derived: string[] = [];
  const publications: string[] = [];
  const reuses: string[] = [];
  let state = 20261129;
  const random = (): number => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const some = <T>(list: readonly T[], most: number): T[] => {
    const chosen = new Set<T>();
    const n = 1 + Math.floor(random() * most);
    while (chosen.size < Math.min(n, list.length)) chosen.add(pick(list));
    return [...chosen];
  };
  // Valid ROR ids (their last two digits are a checksum).
  const RORS = [
    'https://ror.org/01abcde97',
    'https://ror.org/02abcde06',
    'https://ror.org/03abcde12',
    'https://ror.org/04abcde18',
  ];
  const paths = new Set<string>();
  const metrics = (): MetricsService => t.app.get(MetricsService);
  const TYPES = ['benchmarking', 'training', 'secondary-analysis', 'integration', 'replication'];

  async function deposit(): Promise<void> {
    const lab = pick(labs);
    const derivedFrom = datasets.length > 2 && random() < 0.5 ? some(datasets, 2) : [];
    const res = await depositDataset(t, lab.head, {
      ...(derivedFrom.length > 0 ? { kind: 'derived', derivedFrom } : {}),
      ...(random() < 0.5 ? { accession: `idr${String(datasets.length).padStart(4, '0')}` } : {}),
      ...(random() < 0.3 ? { embargoUntil: '2023-01-01' } : {}),
    });
    datasets.push(res.id);
    if (derivedFrom.length > 0) derived.push(res.id);
  }

  async function version(): Promise<void> {
    const of = pick(datasets);
    const owner = labs.find((l) => l.head.id === ownerOf.get(of));
    if (owner === undefined) return;
    const res = await t.http.post(`/v1/datasets/${of}/versions`).set(owner.head.headers).send({ description: 'v2' });
    if (res.status !== 201) throw new Error(`version: ${res.status} ${JSON.stringify(res.body)}`);
    datasets.push(res.body.id as string);
  }

  const ownerOf = new Map<string, string>();

  async function publish(): Promise<void> {
    const authors = some(
      labs.flatMap((l) => l.members),
      3,
    );
    const res = await t.http
      .post('/v1/publications')
      .set(curator.headers)
      .send({
        csl: {
          type: random() < 0.15 ? 'manuscript' : 'article-journal',
          title: `Study ${publications.length}`,
          issued: { 'date-parts': [[2023 + Math.floor(random() * 3), 1 + Math.floor(random() * 12), 1]] },
          author: authors.map((_, i) => ({ family: `Author${publications.length}x${i}`, given: 'A' })),
        },
        authors,
      });
    if (res.status !== 201) throw new Error(`publication: ${res.status} ${JSON.stringify(res.body)}`);
    publications.push(res.body.id as string);
  }

  async function claim(): Promise<void> {
    const res = await t.http
      .post('/v1/reuses')
      .set(random() < 0.7 ? curator.headers : pick(labs).head.headers)
      .send({ publication: pick(publications), datasets: some(datasets, 3), type: pick(TYPES) });
    // A depositor may claim only for a publication they registered or wrote: refusals change nothing.
    if (res.status === 201) reuses.push(res.body.id as string);
    else if (res.status !== 403 && res.status !== 409)
      throw new Error(`reuse: ${res.status} ${JSON.stringify(res.body)}`);
  }

  /** A claim registered by the curator (curated), which must be accepted. */
  async function curatedClaim(publication: string, on: string[], type: string): Promise<void> {
    const res = await t.http
      .post('/v1/reuses')
      .set(curator.headers)
      .send({ publication, datasets: on, type })
      .expect(201);
    reuses.push(res.body.id as string);
  }

  async function figure(): Promise<void> {
    const res = await t.http
      .post('/v1/figures')
      .set(curator.headers)
      .send({
        publication: pick(publications),
        label: `Figure ${Math.floor(random() * 1e6)}`,
        panels: some(['A', 'B', 'C'], 2).map((label) => ({ label, sourceData: some(datasets, 2) })),
      });
    if (res.status !== 201) throw new Error(`figure: ${res.status} ${JSON.stringify(res.body)}`);
  }

  async function dispute(): Promise<void> {
    if (reuses.length === 0) return;
    const id = pick(reuses);
    const res = await t.http.post(`/v1/reuses/${id}/dispute`).set(curator.headers).send({ reason: 'not this data' });
    if (res.status === 200 && random() < 0.5) {
      await t.http
        .post(`/v1/reuses/${id}/resolve`)
        .set(curator.headers)
        .send({ outcome: pick(['upheld', 'rejected']) })
        .expect(200);
    }
  }

  async function round(steps: number): Promise<void> {
    for (let i = 0; i < steps; i += 1) {
      const r = random();
      if (r < 0.2) await deposit();
      else if (r < 0.27) await version();
      else if (r < 0.45) await publish();
      else if (r < 0.8) await claim();
      else if (r < 0.9) await figure();
      else await dispute();
      // Some changes land in one job, some in several.
      if (random() < 0.3) {
        await t.drainJobs();
        paths.add(metrics().lastRecompute?.path ?? 'none');
      }
    }
  }

  beforeAll(async () => {
    t = await createTestApp();
    curator = await createActor(t, ['curator']);
    for (let l = 0; l < 4; l += 1) {
      const org = await createOrganization(t, { ror: RORS[l] });
      const head = await createActor(t, ['depositor'], { familyName: `Head${l}`, affiliations: [org.id] });
      const members = [head.id];
      for (let m = 0; m < 2; m += 1) {
        members.push(
          (await createActor(t, ['depositor'], { familyName: `Member${l}x${m}`, affiliations: [org.id] })).id,
        );
      }
      labs.push({ head, members });
    }
    for (let i = 0; i < 6; i += 1) await deposit();
    for (const id of datasets) ownerOf.set(id, '');
    for (let i = 0; i < 4; i += 1) await publish();
  });

  afterAll(async () => {
    await t.close();
  });

  it.each([1, 2, 3, 4])('round %i: every cached row is what a whole recompute writes', async () => {
    // Owners of the datasets so far (versions need their depositor).
    for (const id of datasets) {
      if (!ownerOf.get(id)) {
        const body = (await t.http.get(`/v1/datasets/${id}`).expect(200)).body as { creators: string[] };
        ownerOf.set(id, body.creators[0]);
      }
    }
    // The kept credit graph is built off the job's path: wait for it, so the round runs through it until a change
    // it cannot take (a figure, a version) sends the job the neighbourhood way again.
    await metrics().whenWarm();
    await round(25);
    expect(await expectRowsOfWholeRecompute(t)).toBeGreaterThan(5);
  });

  it('takes a new paper and its claims through the kept credit graph, explanations following', async () => {
    await t.drainJobs();
    expect(await metrics().whenWarm()).toBe(true);
    // An outsider's paper reusing derived data: the data it reaches behind the derived set is judged between the
    // outsider and that data's creators (independent), not given the policy's level for pairs nobody judged.
    const outsider = await createPerson(t, { familyName: 'Outsider', givenName: 'Olu' });
    const paper = await t.http
      .post('/v1/publications')
      .set(curator.headers)
      .send({
        csl: {
          type: 'article-journal',
          title: 'An outside look',
          issued: { 'date-parts': [[2025, 3, 1]] },
          author: [{ family: 'Outsider', given: 'Olu' }],
        },
        authors: [outsider.id],
      })
      .expect(201);
    await curatedClaim(paper.body.id as string, derived.slice(0, 2), 'training');
    await t.drainJobs();
    expect(metrics().lastRecompute?.path).toBe('engine');
    // And the next change too: the job leaves the kept graph current for the one after it.
    await curatedClaim(paper.body.id as string, datasets.slice(0, 1), 'benchmarking');
    await t.drainJobs();
    expect(metrics().lastRecompute?.path).toBe('engine');
    expect(await expectRowsOfWholeRecompute(t)).toBeGreaterThan(5);
  });

  it('goes the neighbourhood way for a change the kept graph cannot take, and keeps a new graph after it', async () => {
    expect(await metrics().whenWarm()).toBe(true);
    // A figure adds panels: nodes between publications and data the kept graph does not have.
    await figure();
    await t.drainJobs();
    expect(metrics().lastRecompute?.path).toBe('neighbourhood');
    expect(await metrics().whenWarm()).toBe(true);
    // A paper with no figure of its own, claiming data: the kept graph's to take.
    await publish();
    await curatedClaim(publications[publications.length - 1], datasets.slice(-2), 'integration');
    await t.drainJobs();
    expect(metrics().lastRecompute?.path).toBe('engine');
    expect(await expectRowsOfWholeRecompute(t)).toBeGreaterThan(5);
  });

  it('writes metrics rows one writer at a time: a recompute waits for the explanation job rather than deadlock', async () => {
    await t.drainJobs();
    // The explanation job and the recompute write overlapping rows in orders of their own; under load they deadlocked.
    // Hold the writers' lock as one of them would, and the other's write waits for it.
    const db = await connect(t.db.url);
    try {
      await db.query('BEGIN');
      await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', ['metrics rows']);
      await publish();
      let done = false;
      const run = metrics()
        .recompute('dirty')
        .then((summary) => {
          done = true;
          return summary;
        });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(done).toBe(false);
      await db.query('COMMIT');
      expect((await run).datasetsWritten).toBeGreaterThanOrEqual(0);
      expect(done).toBe(true);
    } finally {
      await db.end();
    }
  });

  it('drew a world with claims across labs, panels and disputes', async () => {
    const res = await t.http.get(`/v1/datasets/${datasets[0]}/metrics`).expect(200);
    expect(res.body.dataset).toBe(datasets[0]);
    expect(reuses.length).toBeGreaterThan(15);
    // Both ways a change is taken ran, and each left rows a whole recompute agrees with.
    expect(paths).toContain('engine');
    expect(paths).toContain('neighbourhood');
    expect(datasets.length).toBeGreaterThan(12);
  });
});
