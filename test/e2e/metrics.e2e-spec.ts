import { admin, createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';
import { connect } from '../support/db.js';
import { createActor, createOrganization, createPerson, depositDataset } from '../support/factories.js';
import type { Actor } from '../support/factories.js';
import { expectRowsOfWholeRecompute } from '../support/metrics-check.js';

// One small world, built through the public API, whose numbers are worked out by hand below (default policy:
// publication keeps 0.6 and splits 0.4 over its inputs; a derived dataset keeps 0.5 and passes 0.5 to its source;
// independence multipliers 1 / 0.5 / 0.25).
//
//   D  image dataset by Silva (lab Alpha), released 2023-01-01 (idr0013)
//   F  derived from D by Cho (lab Beta)          G  derived from D by Cho
//   P1 Novak (2024-03-01)        reuses F   secondary-analysis  F independent              (curated)
//   P2 Lee, lab Alpha (05-01)    reuses D   benchmarking        D same-lab                 (asserted by Lee)
//   P3 Osei, Cho (06-01)         reuses F+G integration         F, G co-authored           (curated)
//   P4 Silva (07-01)             reuses D   training            D co-authored              (curated)
//   P5 Osei (08-01)              reuses D   replication         D independent              (curated)
//   P6 Kim (09-01)               reuses D   secondary-analysis  D independent, then disputed by Silva
//
// Credit (c(P) = 1 for articles):
//   P1: F 0.4 × 1 = 0.4;  D via F: 0.4 × 0.5 = 0.2, independent of Silva × 1 = 0.2
//   P2: D 0.4 × 0.5 (same-lab) = 0.2
//   P3: F 0.2 × 0.25 = 0.05; G 0.2 × 0.25 = 0.05; D via F 0.1 + via G 0.1 = 0.2 (one unit of P3, not two),
//       Osei and Cho are independent of Silva × 1 = 0.2
//   P4: D 0.4 × 0.25 = 0.1
//   P5: D 0.4 × 1 = 0.4
//   P6: D 0.4 × 1 = 0.4 while counted, 0 once disputed
//   => D = 1.1 (+0.4 before the dispute), of it independent 0.8 (+0.4); F = 0.45 (independent 0.4); G = 0.05.

describe('metrics and credit (e2e)', () => {
  let t: TestApp;
  let curator: Actor;
  let silva: Actor;
  let cho: Actor;
  let lee: Actor;
  const ids: Record<string, string> = {};
  const iris: Record<string, string> = {};
  const reuses: Record<string, string> = {};

  async function publish(
    key: string,
    as: Actor,
    issued: [number, number, number],
    authors: Array<{ id: string; family: string; given: string }>,
  ): Promise<void> {
    const res = await t.http
      .post('/v1/publications')
      .set(as.headers)
      .send({
        csl: {
          type: 'article-journal',
          title: `Study ${key}`,
          issued: { 'date-parts': [issued] },
          author: authors.map((a) => ({ family: a.family, given: a.given })),
        },
        authors: authors.map((a) => a.id),
      });
    if (res.status !== 201) throw new Error(`publication ${key}: ${res.status} ${JSON.stringify(res.body)}`);
    ids[key] = res.body.id as string;
    iris[key] = res.body.iri as string;
  }

  async function claim(
    key: string,
    as: Actor,
    publication: string,
    datasets: string[],
    type: string,
  ): Promise<Record<string, string>> {
    const res = await t.http
      .post('/v1/reuses')
      .set(as.headers)
      .send({ publication: ids[publication], datasets: datasets.map((d) => ids[d]), type });
    if (res.status !== 201) throw new Error(`reuse ${key}: ${res.status} ${JSON.stringify(res.body)}`);
    reuses[key] = res.body.id as string;
    const levels: Record<string, string> = {};
    for (const item of res.body.independence as Array<{ dataset: string; level: string }>) {
      levels[Object.keys(ids).find((k) => ids[k] === item.dataset) as string] = item.level;
    }
    return levels;
  }

  const metricsOf = async (key: string) => (await t.http.get(`/v1/datasets/${ids[key]}/metrics`).expect(200)).body;
  const creditOf = async (key: string) => (await t.http.get(`/v1/datasets/${ids[key]}/credit`).expect(200)).body;
  const name = (id: string): string => Object.keys(ids).find((k) => ids[k] === id) ?? id;

  beforeAll(async () => {
    t = await createTestApp();
    const alpha = (await createOrganization(t, { name: 'Lab Alpha', ror: 'https://ror.org/01abcde97' })).id;
    const beta = (await createOrganization(t, { name: 'Lab Beta', ror: 'https://ror.org/02abcde06' })).id;
    const gamma = (await createOrganization(t, { name: 'Lab Gamma', ror: 'https://ror.org/03abcde12' })).id;
    const delta = (await createOrganization(t, { name: 'Lab Delta', ror: 'https://ror.org/04abcde18' })).id;
    curator = await createActor(t, ['curator'], { givenName: 'Quinn', familyName: 'Curatorova' });
    silva = await createActor(t, ['depositor'], { givenName: 'Ana', familyName: 'Silva', affiliations: [alpha] });
    cho = await createActor(t, ['depositor'], { givenName: 'Min', familyName: 'Cho', affiliations: [beta] });
    lee = await createActor(t, ['depositor'], { givenName: 'Jun', familyName: 'Lee', affiliations: [alpha] });
    const novak = await createPerson(t, { givenName: 'Petra', familyName: 'Novak', affiliations: [gamma] });
    const osei = await createPerson(t, { givenName: 'Kwame', familyName: 'Osei', affiliations: [gamma] });
    const kim = await createPerson(t, { givenName: 'Hana', familyName: 'Kim', affiliations: [delta] });
    Object.assign(ids, { silva: silva.id, cho: cho.id, novak: novak.id, osei: osei.id, kim: kim.id });

    const deposit = async (key: string, as: Actor, fields: Record<string, unknown>) => {
      const res = await depositDataset(t, as, { title: `Dataset ${key}`, ...fields });
      ids[key] = res.id;
      iris[key] = res.body.iri as string;
    };
    await deposit('D', silva, { accession: 'idr0013', embargoUntil: '2023-01-01', imagingMethod: 'FBbi:00000251' });
    await deposit('F', cho, { kind: 'derived', derivedFrom: [ids.D] });
    await deposit('G', cho, { kind: 'derived', derivedFrom: [ids.D] });

    const person = (key: string, family: string, given: string) => ({ id: ids[key], family, given });
    await publish('P1', curator, [2024, 3, 1], [person('novak', 'Novak', 'Petra')]);
    await publish('P2', lee, [2024, 5, 1], [{ id: lee.id, family: 'Lee', given: 'Jun' }]);
    await publish('P3', curator, [2024, 6, 1], [person('osei', 'Osei', 'Kwame'), person('cho', 'Cho', 'Min')]);
    await publish('P4', curator, [2024, 7, 1], [person('silva', 'Silva', 'Ana')]);
    await publish('P5', curator, [2024, 8, 1], [person('osei', 'Osei', 'Kwame')]);
    await publish('P6', curator, [2024, 9, 1], [person('kim', 'Kim', 'Hana')]);

    // The service's own independence judgements are the premise of every number below.
    expect(await claim('R1', curator, 'P1', ['F'], 'secondary-analysis')).toEqual({ F: 'independent' });
    expect(await claim('R2', lee, 'P2', ['D'], 'benchmarking')).toEqual({ D: 'same-lab' });
    expect(await claim('R3', curator, 'P3', ['F', 'G'], 'integration')).toEqual({ F: 'co-authored', G: 'co-authored' });
    expect(await claim('R4', curator, 'P4', ['D'], 'training')).toEqual({ D: 'co-authored' });
    expect(await claim('R5', curator, 'P5', ['D'], 'replication')).toEqual({ D: 'independent' });
    expect(await claim('R6', curator, 'P6', ['D'], 'secondary-analysis')).toEqual({ D: 'independent' });
    await t.drainJobs();
  });

  afterAll(async () => {
    await t.close();
  });

  it('counts P6 while its reuse stands', async () => {
    const d = await metricsOf('D');
    expect(d.reuses).toMatchObject({ total: 4, independent: 2, sameLab: 1, coAuthored: 1 });
    expect(d.independentGroups).toBe(2);
    expect(d.transitiveCredit).toBe(1.5);
    expect(d.independentCredit).toBe(1.2);
  });

  it('leaves a disputed reuse out of counts and credit once the recompute ran', async () => {
    await t.http
      .post(`/v1/reuses/${reuses.R6}/dispute`)
      .set(silva.headers)
      .send({ reason: 'the data used were not ours' })
      .expect(200);
    await t.drainJobs();
    const d = await metricsOf('D');
    expect(d.reuses).toEqual({
      total: 3,
      independent: 1,
      sameLab: 1,
      coAuthored: 1,
      byType: { benchmarking: 1, training: 1, 'secondary-analysis': 0, integration: 0, replication: 1 },
    });
    expect(d.transitiveCredit).toBe(1.1);
    const credit = await creditOf('D');
    expect(credit.excluded).toEqual([
      expect.objectContaining({
        reason: 'DISPUTED',
        reuseId: reuses.R6,
        edge: expect.objectContaining({ from: ids.P6, to: ids.D }),
      }),
    ]);
  });

  it('reports counts, independence split, groups and timing per dataset', async () => {
    const [d, f, g] = [await metricsOf('D'), await metricsOf('F'), await metricsOf('G')];
    expect(d).toMatchObject({
      dataset: ids.D,
      // Distinct citing works behind counted reuses: P2, P4, P5.
      citations: 3,
      independentGroups: 1,
      firstIndependentReuseAt: '2024-08-01',
      // 2023-01-01 -> 2024-01-01 is 365 days, then Jan..Jul 2024 (leap year) 213 more.
      daysToFirstIndependentReuse: 578,
      releasedAt: '2023-01-01',
      derivedDatasets: 2,
      figurePanels: 0,
      transitiveCredit: 1.1,
      independentCredit: 0.8,
      retainedCredit: 1.1,
      policy: { version: 'metrics-1.0.0', hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(f).toMatchObject({
      citations: 2,
      reuses: { total: 2, independent: 1, sameLab: 0, coAuthored: 1 },
      independentGroups: 1,
      firstIndependentReuseAt: '2024-03-01',
      derivedDatasets: 0,
      transitiveCredit: 0.45,
      independentCredit: 0.4,
      // A derived dataset keeps half of what it receives.
      retainedCredit: 0.225,
    });
    expect(g).toMatchObject({
      reuses: { total: 1, independent: 0, coAuthored: 1 },
      independentGroups: 0,
      transitiveCredit: 0.05,
    });
    expect(g.firstIndependentReuseAt).toBeNull();
    expect(g.daysToFirstIndependentReuse).toBeNull();
    // Fewer than 20 datasets in the cohort: no percentile.
    expect(d.percentile).toBeNull();
    expect(d.cohort).toMatchObject({ size: 1, percentile: null });
    const head = await t.http.get(`/v1/ledger/entries/${BigInt(d.treeSize) - 1n}`).expect(200);
    expect(head.body.seq).toBe((BigInt(d.treeSize) - 1n).toString());
    expect(Date.parse(d.computedAt)).not.toBeNaN();
  });

  it('explains D by paths whose weights add up, the diamond counting P3 once', async () => {
    const credit = await creditOf('D');
    expect(credit).toMatchObject({ transitiveCredit: 1.1, cutoffs: { depth: 5, epsilon: 0.0001 }, pathCount: 6 });
    const paths = (credit.paths as Array<{ publication: string; nodes: string[]; weight: number; multiplier: number }>)
      .map((p) => ({
        publication: name(p.publication),
        nodes: p.nodes.map(name).join('>'),
        weight: p.weight,
        multiplier: p.multiplier,
      }))
      .sort((a, b) => a.nodes.localeCompare(b.nodes));
    expect(paths).toEqual([
      { publication: 'P1', nodes: 'P1>F>D', weight: 0.2, multiplier: 1 },
      { publication: 'P2', nodes: 'P2>D', weight: 0.2, multiplier: 0.5 },
      { publication: 'P3', nodes: 'P3>F>D', weight: 0.1, multiplier: 1 },
      { publication: 'P3', nodes: 'P3>G>D', weight: 0.1, multiplier: 1 },
      { publication: 'P4', nodes: 'P4>D', weight: 0.1, multiplier: 0.25 },
      { publication: 'P5', nodes: 'P5>D', weight: 0.4, multiplier: 1 },
    ]);
    const sum = paths.reduce((s, p) => s + p.weight, 0);
    expect(sum).toBeCloseTo(credit.transitiveCredit, 9);
    // The strongest path comes first.
    expect(name(credit.paths[0].publication)).toBe('P5');
  });

  it('names in every path the ledger entries that recorded its edges, so a third party can recompute', async () => {
    const credit = await creditOf('D');
    const relationOf: Record<string, string> = {
      'P1>F': 'usesDataFrom',
      'F>D': 'wasDerivedFrom',
      'G>D': 'wasDerivedFrom',
    };
    for (const path of credit.paths as Array<{ nodes: string[]; ledgerSeqs: string[] }>) {
      expect(path.ledgerSeqs).toHaveLength(path.nodes.length - 1);
      for (let i = 0; i < path.ledgerSeqs.length; i += 1) {
        const [from, to] = [path.nodes[i], path.nodes[i + 1]];
        const entry = await t.http.get(`/v1/ledger/entries/${path.ledgerSeqs[i]}`).expect(200);
        expect(entry.body.kind).toBe('edge.created');
        expect(entry.body.payload).toMatchObject({
          source: iris[name(from)],
          target: iris[name(to)],
          relation: relationOf[`${name(from)}>${name(to)}`] ?? 'usesDataFrom',
        });
        const proof = await t.http
          .get(`/v1/ledger/entries/${path.ledgerSeqs[i]}/inclusion?treeSize=${credit.treeSize}`)
          .expect(200);
        expect(proof.body.leafHash).toBe(entry.body.leafHash);
      }
    }
  });

  it('gives F credit from its own reusers, co-authored reuse weighing a quarter', async () => {
    const credit = await creditOf('F');
    const byPublication = Object.fromEntries(
      (credit.paths as Array<{ publication: string; weight: number; independence: string }>).map((p) => [
        name(p.publication),
        [p.weight, p.independence],
      ]),
    );
    expect(byPublication).toEqual({ P1: [0.4, 'independent'], P3: [0.05, 'co-authored'] });
  });

  it('sums a person over the datasets they created', async () => {
    const s = (await t.http.get(`/v1/agents/${silva.id}/metrics`).expect(200)).body;
    expect(s).toMatchObject({
      agent: silva.id,
      datasets: 1,
      reuses: 3,
      independentReuses: 1,
      independentGroups: 1,
      transitiveCredit: 1.1,
      dataReuseHIndex: 1,
      policy: { version: 'metrics-1.0.0' },
    });
    const c = (await t.http.get(`/v1/agents/${cho.id}/metrics`).expect(200)).body;
    // F retains 0.45 × 0.5 and G 0.05 × 0.5; Cho is their only creator. Independent counts [1, 0] -> h = 1.
    expect(c).toMatchObject({
      datasets: 2,
      reuses: 3,
      independentReuses: 1,
      independentGroups: 1,
      transitiveCredit: 0.25,
      dataReuseHIndex: 1,
    });
    const nobody = (await t.http.get(`/v1/agents/${ids.kim}/metrics`).expect(200)).body;
    expect(nobody).toMatchObject({ datasets: 0, reuses: 0, transitiveCredit: 0, dataReuseHIndex: 0 });
  });

  it('aggregates a grant over the datasets it funds', async () => {
    const funder = await createOrganization(t, { name: 'Wellcome-like Trust' });
    const grant = await t.http
      .post('/v1/grants')
      .set(admin)
      .send({
        funder: funder.id,
        awardNumber: 'WT-000001',
        pi: silva.id,
        start: '2022-01-01',
        end: '2026-12-31',
        policy: 'wellcome',
      })
      .expect(201);
    await t.http
      .post(`/v1/grants/${grant.body.id}/outputs`)
      .set(admin)
      .send({ datasets: [ids.D, ids.F] })
      .expect(200);
    await t.drainJobs();
    const res = await t.http.get(`/v1/grants/${grant.body.id}/metrics`).expect(200);
    // D + F: citations 3 + 2, reuses (1+1 independent, 1 same-lab, 1+1 co-authored), groups {Osei} ∪ {Novak}.
    expect(res.body).toMatchObject({
      grant: grant.body.id,
      datasets: 2,
      citations: 5,
      reuses: { total: 5, independent: 2, sameLab: 1, coAuthored: 2 },
      independentGroups: 2,
      firstIndependentReuseAt: '2024-03-01',
      derivedDatasets: 2,
      transitiveCredit: 1.55,
      dataReuseHIndex: 1,
    });
    expect([...res.body.outputs].sort()).toEqual([ids.D, ids.F].sort());
  });

  it('answers for a dataset the recompute job has not seen yet, and 404s for unknown ids', async () => {
    const fresh = await depositDataset(t, lee, { title: 'Fresh dataset' });
    const res = await t.http.get(`/v1/datasets/${fresh.id}/metrics`).expect(200);
    expect(res.body).toMatchObject({ dataset: fresh.id, citations: 0, transitiveCredit: 0, reuses: { total: 0 } });
    await t.drainJobs();
    const missing = await t.http.get('/v1/datasets/7d1c51a4-4b3c-4f7e-9a51-0d6f0c7e7a11/metrics').expect(404);
    expect(missing.body.code).toBe('DATASET_NOT_FOUND');
    const badGrant = await t.http.get('/v1/grants/7d1c51a4-4b3c-4f7e-9a51-0d6f0c7e7a11/metrics').expect(404);
    expect(badGrant.body.code).toBe('GRANT_NOT_FOUND');
    await t.http.get('/v1/datasets/not-a-uuid/credit').expect(400);
  });
  it('recomputes only the part of the graph a change can reach', async () => {
    const db = await connect(t.db.url);
    const rows = async () =>
      new Map(
        (
          await db.query<{ dataset_id: string; computed_at: Date; tree_size: string }>(
            'SELECT dataset_id, computed_at, tree_size FROM dataset_metrics',
          )
        ).rows.map((r) => [name(r.dataset_id), `${r.computed_at.toISOString()}@${r.tree_size}`]),
      );
    try {
      const before = await rows();
      const stranger = await createActor(t, ['depositor'], { givenName: 'Eve', familyName: 'Stranger' });
      const unrelated = await depositDataset(t, stranger, { title: 'Unrelated dataset' });
      await t.drainJobs();
      const afterDeposit = await rows();
      expect(afterDeposit.has(unrelated.id)).toBe(true);
      for (const key of ['D', 'F', 'G']) expect([key, afterDeposit.get(key)]).toEqual([key, before.get(key)]);

      // P7 (Kim) reuses G: G gains 0.4, D behind it 0.4 × 0.5 = 0.2; F is out of reach and keeps its row.
      await publish('P7', curator, [2024, 10, 1], [{ id: ids.kim, family: 'Kim', given: 'Hana' }]);
      expect(await claim('R7', curator, 'P7', ['G'], 'secondary-analysis')).toEqual({ G: 'independent' });
      await t.drainJobs();
      const afterReuse = await rows();
      expect(afterReuse.get('F')).toBe(before.get('F'));
      expect(afterReuse.get('G')).not.toBe(before.get('G'));
      expect(afterReuse.get('D')).not.toBe(before.get('D'));
      expect((await metricsOf('G')).transitiveCredit).toBe(0.45);
      expect((await metricsOf('D')).transitiveCredit).toBe(1.3);
      expect((await metricsOf('F')).transitiveCredit).toBe(0.45);
    } finally {
      await db.end();
    }
  });

  it('leaves every cached metrics row as a whole recompute writes it', async () => {
    expect(await expectRowsOfWholeRecompute(t)).toBeGreaterThan(0);
  });
});
