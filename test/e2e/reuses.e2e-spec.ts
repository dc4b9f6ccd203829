import type pg from 'pg';
import { admin, createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';
import { connect } from '../support/db.js';
import { createActor, createOrganization, createPerson, depositDataset } from '../support/factories.js';
import type { Actor } from '../support/factories.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';
import type { WebhookReceiver } from '../support/webhook-receiver.js';
import { expectRowsOfWholeRecompute } from '../support/metrics-check.js';

// Identifiers with valid check characters (ORCID MOD 11-2, ROR MOD 97-10), computed by hand.
const ORCID_SILVA = 'https://orcid.org/0000-0003-4567-8125';
const ORCID_KIM = 'https://orcid.org/0000-0002-9876-5436';
const ROR_LAB_A = 'https://ror.org/04abcde18';
const ROR_LAB_B = 'https://ror.org/01xyz1255';
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

interface FeedItem {
  reuse: string;
  dataset: string;
  path: string[];
  type: string;
  status: string;
  evidence: string;
  independence: { level: string; reason: Record<string, unknown> };
  publication: { id: string; doi: string | null; title: string | null; issued: string | null };
}

/**
 * The scenario: Ana Silva deposits a dataset with Émilie de Chaumont; five publications reuse it or data
 * derived from it, at every independence level; the owner disputes one claim; a curator confirms and resolves.
 */
describe('reuses (e2e)', () => {
  let t: TestApp;
  let db: pg.Client;
  let receiver: WebhookReceiver;
  let owner: Actor;
  let curator: Actor;
  let reuser: Actor;
  let stranger: Actor;
  let labB: Actor;
  let chaumont: string;
  let colleague: string;
  let dataset: string;
  let derived: string;
  let derivedTwice: string;
  let panelOfDataset: string;
  let panelOfDerived: string;
  const publications: Record<'p1' | 'p2' | 'p3' | 'p4' | 'p5', string> = { p1: '', p2: '', p3: '', p4: '', p5: '' };
  const reuses: Record<'r1' | 'r2' | 'r3' | 'r4' | 'r5' | 'r6', string> = {
    r1: '',
    r2: '',
    r3: '',
    r4: '',
    r5: '',
    r6: '',
  };

  const ledgerSize = async (): Promise<string> =>
    (await db.query<{ size: string }>('SELECT size FROM ledger_head')).rows[0].size;
  const rowCount = async (table: 'reuses' | 'reuse_datasets' | 'graph_edges'): Promise<number> =>
    Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

  const register = async (as: Actor, body: Record<string, unknown>): Promise<string> => {
    const res = await t.http.post('/v1/publications').set(as.headers).send(body);
    if (res.status !== 201) throw new Error(`publication: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  };

  const feed = async (agentId: string, query = ''): Promise<FeedItem[]> => {
    const res = await t.http.get(`/v1/agents/${agentId}/reuses${query}`).expect(200);
    return res.body.items as FeedItem[];
  };

  beforeAll(async () => {
    // The webhook receiver listens on 127.0.0.1, which the SSRF guard refuses unless private addresses are allowed.
    t = await createTestApp({ env: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_TIMEOUT_MS: '2000' } });
    db = await connect(t.db.url);
    receiver = await startWebhookReceiver();
    const labA = await createOrganization(t, { name: 'Cell Imaging Lab A', ror: ROR_LAB_A });
    await createOrganization(t, { name: 'Lab B', ror: ROR_LAB_B });
    owner = await createActor(t, ['depositor'], {
      givenName: 'Ana',
      familyName: 'Silva',
      orcid: ORCID_SILVA,
      affiliations: [labA.id],
    });
    curator = await createActor(t, ['curator']);
    reuser = await createActor(t, ['depositor'], { givenName: 'Jane', familyName: 'Doe' });
    stranger = await createActor(t, ['depositor']);
    labB = await createActor(t, ['depositor'], { givenName: 'Luc', familyName: 'Moreau' });
    chaumont = (await createPerson(t, { name: 'Émilie de Chaumont', givenName: 'Émilie', familyName: 'de Chaumont' }))
      .id;
    colleague = (
      await createPerson(t, { givenName: 'Bo', familyName: 'Kim', orcid: ORCID_KIM, affiliations: [labA.id] })
    ).id;

    dataset = (
      await depositDataset(t, owner, { title: 'Live-cell imaging of mitosis', creators: [owner.id, chaumont] })
    ).id;
    derived = (
      await depositDataset(t, labB, {
        kind: 'derived',
        title: 'Nuclear masks',
        creators: [labB.id],
        derivedFrom: [dataset],
      })
    ).id;
    derivedTwice = (
      await depositDataset(t, labB, {
        kind: 'derived',
        title: 'Mitosis tracks',
        creators: [labB.id],
        derivedFrom: [derived],
      })
    ).id;

    // p1: the owner is an author, known by her ORCID.
    publications.p1 = await register(reuser, {
      csl: {
        type: 'article-journal',
        title: 'Mitotic timing across cell lines',
        DOI: '10.5555/reuse.p1',
        issued: { 'date-parts': [[2022, 5]] },
        author: [
          { family: 'Doe', given: 'Jane' },
          { family: 'Silva', given: 'A.', ORCID: ORCID_SILVA },
        ],
      },
    });
    // p2: no shared person, but Bo Kim (matched by ORCID) works in the owner's lab.
    publications.p2 = await register(reuser, {
      bibtex: `@article{kim2023, title={A benchmark for mitosis detection}, author={Kim, Bo and Doe, Jane}, year={2023},
        doi={10.5555/reuse.p2}}`,
      authors: [colleague],
    });
    // p3: nobody in common.
    publications.p3 = await register(reuser, {
      bibtex:
        '@article{roe2023, title={Training a mitosis classifier}, author={Roe, Richard and Lee, Min}, year={2023}, doi={10.5555/reuse.p3}}',
    });
    const figure = await t.http
      .post('/v1/figures')
      .set(reuser.headers)
      .send({
        publication: publications.p3,
        label: 'Figure 2',
        panels: [
          { label: 'A', sourceData: [dataset] },
          { label: 'B', sourceData: [derived] },
        ],
      });
    if (figure.status !== 201) throw new Error(`figure: ${figure.status} ${JSON.stringify(figure.body)}`);
    [panelOfDataset, panelOfDerived] = (figure.body.panels as Array<{ id: string }>).map((p) => p.id);
    // p4: "De Chaumont, E." has no ORCID: the name key (particle dropped, diacritics folded) matches Émilie de Chaumont.
    publications.p4 = await register(reuser, {
      ris: 'TY  - JOUR\nTI  - Integrating mitosis atlases\nAU  - Roe, Richard\nAU  - De Chaumont, E.\nPY  - 2024/01/15\nDO  - 10.5555/reuse.p4\nER  - \n',
    });
    for (const [who, path] of [
      [owner, '/owner'],
      [stranger, '/stranger'],
    ] as const) {
      const hook = await t.http
        .post('/v1/webhooks')
        .set(who.headers)
        .send({ url: `${receiver.url}${path}`, events: ['reuse.created', 'reuse.disputed', 'reuse.resolved'] });
      if (hook.status !== 201) throw new Error(`webhook: ${hook.status} ${JSON.stringify(hook.body)}`);
    }
    // p5: reuses the data derived (twice) from the owner's dataset.
    publications.p5 = await register(reuser, {
      csl: {
        type: 'article-journal',
        title: 'Replicating mitotic track statistics',
        DOI: '10.5555/reuse.p5',
        author: [{ family: 'Lee', given: 'Min' }],
      },
    });
  });

  afterAll(async () => {
    await receiver.close();
    await db.end();
    await t.close();
  });

  it('records a reuse by an author who shares a person with the dataset (ORCID): asserted, co-authored, with its graph', async () => {
    const res = await t.http
      .post('/v1/reuses')
      .set(reuser.headers)
      .send({
        publication: publications.p1,
        datasets: [dataset],
        type: 'secondary-analysis',
        evidence: { text: 'Methods, section 2.1' },
      })
      .expect(201);
    reuses.r1 = res.body.id as string;
    expect(res.body).toMatchObject({
      evidence: 'asserted',
      status: 'active',
      type: 'secondary-analysis',
      evidenceText: 'Methods, section 2.1',
      publication: { id: publications.p1, doi: '10.5555/reuse.p1', issued: '2022-05' },
      independence: [
        { dataset, level: 'co-authored', reason: { matchedPerson: { matchedBy: 'orcid', key: ORCID_SILVA } } },
      ],
      dispute: null,
      createdBy: reuser.id,
    });
    expect(res.body.independence[0].reason.matchedPerson.datasetCreator.agentId).toBe(owner.id);
    const entry = await t.http.get(`/v1/ledger/entries/${res.body.receipt.seq}`).expect(200);
    expect(entry.body.kind).toBe('reuse.asserted');
    expect(entry.body.payload).toMatchObject({
      id: reuses.r1,
      publication: publications.p1,
      datasets: [{ dataset, level: 'co-authored' }],
    });

    const node = await db.query('SELECT type, properties, ledger_seq, occurred_at FROM graph_nodes WHERE id = $1', [
      reuses.r1,
    ]);
    expect(node.rows[0]).toMatchObject({
      type: 'ReuseEvent',
      ledger_seq: res.body.receipt.seq,
      properties: { reuseType: 'secondary-analysis', evidence: 'asserted' },
    });
    expect((node.rows[0].occurred_at as Date).toISOString()).toBe('2022-05-01T00:00:00.000Z');
    const edges = await db.query<{ edge: string; properties: Record<string, unknown>; ledger_seq: string }>(
      `SELECT s.type || ' ' || e.relation || ' ' || n.type AS edge, e.properties, e.ledger_seq FROM graph_edges e
       JOIN graph_nodes s ON s.id = e.source_id JOIN graph_nodes n ON n.id = e.target_id
       WHERE e.source_id = $1 OR (e.source_id = $2 AND e.relation <> 'wasAttributedTo') ORDER BY edge, e.properties->>'position'`,
      [reuses.r1, publications.p1],
    );
    expect(edges.rows.map((r) => r.edge)).toEqual([
      'Publication usesDataFrom ImageDataset',
      'Publication wasGeneratedBy ReuseEvent',
      'ReuseEvent used ImageDataset',
      'ReuseEvent wasAssociatedWith Person',
      'ReuseEvent wasAssociatedWith Person',
    ]);
    expect(edges.rows[0].properties).toEqual({ reuseId: reuses.r1, type: 'secondary-analysis', level: 'co-authored' });
    expect(res.body.independence[0].edgeLedgerSeq).toBe(edges.rows[0].ledger_seq);
    const row = await db.query('SELECT status, evidence, type, figure_panels, created_by FROM reuses WHERE id = $1', [
      reuses.r1,
    ]);
    expect(row.rows[0]).toEqual({
      status: 'active',
      evidence: 'asserted',
      type: 'secondary-analysis',
      figure_panels: [],
      created_by: reuser.id,
    });
  });

  it('judges a shared ROR affiliation as same-lab and a name-only match (particles, case, diacritics) as co-authored', async () => {
    const r2 = await t.http
      .post('/v1/reuses')
      .set(reuser.headers)
      .send({ publication: publications.p2, datasets: [dataset], type: 'benchmarking' })
      .expect(201);
    reuses.r2 = r2.body.id as string;
    expect(r2.body.independence).toEqual([
      { dataset, level: 'same-lab', reason: { sharedAffiliation: ROR_LAB_A }, edgeLedgerSeq: expect.any(String) },
    ]);
    const r3 = await t.http
      .post('/v1/reuses')
      .set(reuser.headers)
      .send({
        publication: publications.p3,
        datasets: [dataset],
        type: 'training',
        evidence: { text: 'Figure 2A', figurePanels: [panelOfDataset] },
      })
      .expect(201);
    reuses.r3 = r3.body.id as string;
    expect(r3.body).toMatchObject({ evidenceText: 'Figure 2A', figurePanels: [panelOfDataset] });
    expect(r3.body.independence).toEqual([
      { dataset, level: 'independent', reason: {}, edgeLedgerSeq: expect.any(String) },
    ]);
    const r4 = await t.http
      .post('/v1/reuses')
      .set(reuser.headers)
      .send({ publication: publications.p4, datasets: [dataset], type: 'integration' })
      .expect(201);
    reuses.r4 = r4.body.id as string;
    expect(r4.body.independence[0]).toMatchObject({
      level: 'co-authored',
      reason: {
        matchedPerson: {
          matchedBy: 'name',
          key: 'chaumont|e',
          datasetCreator: { agentId: chaumont },
          publicationAuthor: { family: 'De Chaumont', given: 'E.' },
        },
      },
    });
  });

  it('records the reuse of data derived from the dataset, and a curator’s claim as curated', async () => {
    const r5 = await t.http
      .post('/v1/reuses')
      .set(reuser.headers)
      .send({ publication: publications.p5, datasets: [derived, derivedTwice], type: 'replication' })
      .expect(201);
    reuses.r5 = r5.body.id as string;
    expect(r5.body.independence.map((i: { dataset: string; level: string }) => [i.dataset, i.level])).toEqual([
      [derived, 'independent'],
      [derivedTwice, 'independent'],
    ]);

    // Same publication and dataset as r3, another type: the usesDataFrom edge already exists and is shared.
    const r6 = await t.http
      .post('/v1/reuses')
      .set(curator.headers)
      .send({ publication: publications.p3, datasets: [dataset], type: 'benchmarking' })
      .expect(201);
    reuses.r6 = r6.body.id as string;
    expect(r6.body).toMatchObject({ evidence: 'curated', independence: [{ level: 'independent' }] });
    const r3 = await t.http.get(`/v1/reuses/${reuses.r3}`).expect(200);
    expect(r6.body.independence[0].edgeLedgerSeq).toBe(r3.body.independence[0].edgeLedgerSeq);
    expect((await t.http.get(`/v1/ledger/entries/${r6.body.receipt.seq}`).expect(200)).body.kind).toBe('reuse.curated');
  });

  it('lets a curator confirm an asserted reuse once', async () => {
    const res = await t.http.post(`/v1/reuses/${reuses.r3}/confirm`).set(curator.headers).expect(200);
    expect(res.body).toMatchObject({ id: reuses.r3, evidence: 'curated', status: 'active' });
    expect(res.body.confirmedAt).toEqual(expect.any(String));
    expect((await t.http.get(`/v1/ledger/entries/${res.body.receipt.seq}`).expect(200)).body).toMatchObject({
      kind: 'reuse.confirmed',
      payload: { id: reuses.r3, from: { evidence: 'asserted' }, to: { evidence: 'curated' } },
    });
    const again = await t.http.post(`/v1/reuses/${reuses.r3}/confirm`).set(curator.headers).expect(409);
    expect(again.body.code).toBe('REUSE_ALREADY_CURATED');
  });

  it('lets the dataset owner dispute a claim; a curator upholds it and the reuse stays excluded', async () => {
    const refused = await t.http
      .post(`/v1/reuses/${reuses.r2}/dispute`)
      .set(stranger.headers)
      .send({ reason: 'spite' })
      .expect(403);
    expect(refused.body.code).toBe('NOT_DATASET_OWNER');

    const disputed = await t.http
      .post(`/v1/reuses/${reuses.r2}/dispute`)
      .set(owner.headers)
      .send({ reason: 'The paper only cites the data descriptor.' })
      .expect(200);
    expect(disputed.body).toMatchObject({
      status: 'disputed',
      dispute: { reason: 'The paper only cites the data descriptor.', by: owner.id, outcome: null, resolvedAt: null },
    });
    expect((await t.http.get(`/v1/ledger/entries/${disputed.body.receipt.seq}`).expect(200)).body.kind).toBe(
      'reuse.disputed',
    );
    // Disputed reuses stay visible.
    expect((await t.http.get(`/v1/reuses/${reuses.r2}`).expect(200)).body.status).toBe('disputed');
    expect((await t.http.post(`/v1/reuses/${reuses.r2}/confirm`).set(curator.headers).expect(409)).body.code).toBe(
      'REUSE_NOT_ACTIVE',
    );

    const resolved = await t.http
      .post(`/v1/reuses/${reuses.r2}/resolve`)
      .set(curator.headers)
      .send({ outcome: 'upheld' })
      .expect(200);
    expect(resolved.body).toMatchObject({ status: 'excluded', dispute: { outcome: 'upheld' } });
    expect((await t.http.get(`/v1/ledger/entries/${resolved.body.receipt.seq}`).expect(200)).body).toMatchObject({
      kind: 'reuse.resolved',
      payload: { outcome: 'upheld', to: { status: 'excluded' } },
    });
    expect(
      (
        await t.http
          .post(`/v1/reuses/${reuses.r2}/resolve`)
          .set(curator.headers)
          .send({ outcome: 'rejected' })
          .expect(409)
      ).body.code,
    ).toBe('REUSE_NOT_DISPUTED');
    expect(
      (await t.http.post(`/v1/reuses/${reuses.r2}/dispute`).set(owner.headers).send({ reason: 'again' }).expect(409))
        .body.code,
    ).toBe('REUSE_NOT_ACTIVE');
  });

  it('makes a reuse count again when a curator rejects the dispute', async () => {
    await t.http.post(`/v1/reuses/${reuses.r1}/dispute`).set(owner.headers).send({ reason: 'self-reuse' }).expect(200);
    const resolved = await t.http
      .post(`/v1/reuses/${reuses.r1}/resolve`)
      .set(curator.headers)
      .send({ outcome: 'rejected' })
      .expect(200);
    expect(resolved.body).toMatchObject({ status: 'active', dispute: { reason: 'self-reuse', outcome: 'rejected' } });
    const statuses = await db.query(
      'SELECT id, status, resolved_outcome FROM reuses WHERE id = ANY($1::uuid[]) ORDER BY status',
      [[reuses.r1, reuses.r2]],
    );
    expect(statuses.rows).toEqual([
      { id: reuses.r1, status: 'active', resolved_outcome: 'rejected' },
      { id: reuses.r2, status: 'excluded', resolved_outcome: 'upheld' },
    ]);
  });

  it('feeds the depositor every reuse of her data and of data derived from it, newest first, with paths', async () => {
    const items = await feed(owner.id);
    const [high, low] = [derived, derivedTwice].sort().reverse();
    expect(items.map((i) => [i.reuse, i.dataset])).toEqual([
      [reuses.r6, dataset],
      [reuses.r5, high],
      [reuses.r5, low],
      [reuses.r4, dataset],
      [reuses.r3, dataset],
      [reuses.r2, dataset],
      [reuses.r1, dataset],
    ]);
    const byKey = new Map(items.map((i) => [`${i.reuse} ${i.dataset}`, i]));
    expect(byKey.get(`${reuses.r5} ${derived}`)?.path).toEqual([dataset, derived]);
    expect(byKey.get(`${reuses.r5} ${derivedTwice}`)?.path).toEqual([dataset, derived, derivedTwice]);
    expect(byKey.get(`${reuses.r1} ${dataset}`)).toMatchObject({
      path: [dataset],
      type: 'secondary-analysis',
      status: 'active',
      evidence: 'asserted',
      independence: { level: 'co-authored', reason: { matchedPerson: { matchedBy: 'orcid' } } },
      publication: {
        id: publications.p1,
        doi: '10.5555/reuse.p1',
        title: 'Mitotic timing across cell lines',
        issued: '2022-05',
      },
    });
    expect(byKey.get(`${reuses.r2} ${dataset}`)).toMatchObject({
      status: 'excluded',
      independence: { level: 'same-lab' },
    });
    // Creators, not only the depositor, see the reuses; Lab B created both derived datasets, so each path is one long.
    expect((await feed(chaumont)).map((i) => i.reuse)).toEqual(items.map((i) => i.reuse));
    expect((await feed(labB.id)).map((i) => [i.dataset, i.path])).toEqual(
      [
        [derived, [derived]],
        [derivedTwice, [derivedTwice]],
      ].sort((a, b) => (b[0] as string).localeCompare(a[0] as string)),
    );
    expect(await feed(stranger.id)).toEqual([]);
  });

  it.each<[string, string, Array<'r1' | 'r2' | 'r3' | 'r4' | 'r5' | 'r6'>]>([
    ['co-authored', '?independence=co-authored', ['r4', 'r1']],
    ['same-lab', '?independence=same-lab', ['r2']],
    ['independent', '?independence=independent', ['r6', 'r5', 'r5', 'r3']],
    ['training', '?type=training', ['r3']],
    ['benchmarking and independent', '?type=benchmarking&independence=independent', ['r6']],
    ['replication and co-authored', '?type=replication&independence=co-authored', []],
  ])('filters the feed: %s', async (_, query, expected) => {
    expect((await feed(owner.id, query)).map((i) => i.reuse)).toEqual(expected.map((k) => reuses[k]));
  });

  it('pages the feed with a keyset cursor', async () => {
    const all = await feed(owner.id);
    const seen: FeedItem[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await t.http
        .get(`/v1/agents/${owner.id}/reuses`)
        .query({ limit: 3, ...(cursor ? { cursor } : {}) })
        .expect(200);
      seen.push(...(res.body.items as FeedItem[]));
      cursor = res.body.nextCursor as string | null;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(all);
    const bad = await t.http.get(`/v1/agents/${owner.id}/reuses?cursor=bm9wZQ`).expect(400);
    expect(bad.body.code).toBe('INVALID_CURSOR');
    const unknown = await t.http.get(`/v1/agents/${UNKNOWN}/reuses`).expect(404);
    expect(unknown.body.code).toBe('AGENT_NOT_FOUND');
    await t.http.get(`/v1/agents/${owner.id}/reuses?independence=somewhat`).expect(400);
  });

  it('tells webhook subscribers about reuses of their datasets, inside the same transactions', async () => {
    const expected = [
      ...(['r1', 'r2', 'r3', 'r4', 'r6'] as const).map((k) => `reuse.created ${reuses[k]}`),
      `reuse.disputed ${reuses.r2}`,
      `reuse.resolved ${reuses.r2}`,
      `reuse.disputed ${reuses.r1}`,
      `reuse.resolved ${reuses.r1}`,
    ].sort();
    const seen = (): string[] =>
      receiver
        .received('/owner')
        .map((r) => JSON.parse(r.body) as { event: string; data: { reuse: string } })
        .map((b) => `${b.event} ${b.data.reuse}`)
        .sort();
    for (let i = 0; i < 50 && seen().length < expected.length; i++) await t.drainJobs();
    expect(seen()).toEqual(expected);
    const created = receiver
      .received('/owner')
      .map((r) => JSON.parse(r.body) as { event: string; data: Record<string, unknown> })
      .find((b) => b.event === 'reuse.created' && b.data.reuse === reuses.r4);
    expect(created?.data).toMatchObject({
      datasetIds: [dataset],
      type: 'integration',
      evidence: 'asserted',
      publication: { id: publications.p4, doi: '10.5555/reuse.p4' },
      independence: [{ dataset, level: 'co-authored' }],
    });
    // The stranger created none of the datasets: an "own" subscription hears nothing.
    expect(receiver.received('/stranger')).toEqual([]);
  });

  describe('refusals write nothing', () => {
    it.each<[string, number, string, () => Actor | null, () => Record<string, unknown>]>([
      [
        'a claimant who is neither author nor depositor of the publication',
        403,
        'NOT_PUBLICATION_AUTHOR',
        () => stranger,
        () => ({ publication: publications.p1, datasets: [dataset], type: 'training' }),
      ],
      [
        'an unknown publication',
        404,
        'PUBLICATION_NOT_FOUND',
        () => reuser,
        () => ({ publication: UNKNOWN, datasets: [dataset], type: 'training' }),
      ],
      [
        'an unknown dataset',
        404,
        'DATASET_NOT_FOUND',
        () => reuser,
        () => ({ publication: publications.p1, datasets: [dataset, UNKNOWN], type: 'training' }),
      ],
      [
        'an unknown reuse type',
        400,
        'VALIDATION_FAILED',
        () => reuser,
        () => ({ publication: publications.p1, datasets: [dataset], type: 'inspiration' }),
      ],
      [
        'no dataset',
        400,
        'VALIDATION_FAILED',
        () => reuser,
        () => ({ publication: publications.p1, datasets: [], type: 'training' }),
      ],
      [
        'a figure panel that does not exist',
        422,
        'UNKNOWN_FIGURE_PANEL',
        () => reuser,
        () => ({
          publication: publications.p1,
          datasets: [dataset],
          type: 'training',
          evidence: { figurePanels: [UNKNOWN] },
        }),
      ],
      [
        'a dataset given as figure panel',
        422,
        'UNKNOWN_FIGURE_PANEL',
        () => reuser,
        () => ({
          publication: publications.p1,
          datasets: [dataset],
          type: 'training',
          evidence: { figurePanels: [dataset] },
        }),
      ],
      [
        'a figure panel that shows another dataset',
        422,
        'PANEL_NOT_FROM_DATASETS',
        () => reuser,
        () => ({
          publication: publications.p3,
          datasets: [dataset],
          type: 'replication',
          evidence: { figurePanels: [panelOfDataset, panelOfDerived] },
        }),
      ],
      [
        'a repeat of an existing claim',
        409,
        'REUSE_EXISTS',
        () => reuser,
        () => ({ publication: publications.p1, datasets: [derived, dataset], type: 'secondary-analysis' }),
      ],
      [
        'an unknown evidence field',
        400,
        'UNKNOWN_FIELD',
        () => reuser,
        () => ({ publication: publications.p1, datasets: [dataset], type: 'training', evidence: { pages: '3' } }),
      ],
      [
        'no token',
        401,
        'UNAUTHENTICATED',
        () => null,
        () => ({ publication: publications.p1, datasets: [dataset], type: 'training' }),
      ],
    ])('a claim with %s -> %i %s', async (_, status, code, as, body) => {
      const size = await ledgerSize();
      const counts = [await rowCount('reuses'), await rowCount('reuse_datasets'), await rowCount('graph_edges')];
      const actor = as();
      const res = await t.http
        .post('/v1/reuses')
        .set(actor ? actor.headers : {})
        .send(body());
      expect(res.status).toBe(status);
      expect(res.body.code).toBe(code);
      expect(await ledgerSize()).toBe(size);
      expect([await rowCount('reuses'), await rowCount('reuse_datasets'), await rowCount('graph_edges')]).toEqual(
        counts,
      );
    });

    it.each<[string, number, string, string, () => Actor | { headers: typeof admin }, () => Record<string, unknown>]>([
      ['confirm by a depositor', 403, 'FORBIDDEN_ROLE', 'confirm', () => reuser, () => ({})],
      ['resolve by the owner', 403, 'FORBIDDEN_ROLE', 'resolve', () => owner, () => ({ outcome: 'upheld' })],
      [
        'dispute by someone who owns none of the datasets',
        403,
        'NOT_DATASET_OWNER',
        'dispute',
        () => stranger,
        () => ({ reason: 'no' }),
      ],
      ['dispute without a reason', 400, 'VALIDATION_FAILED', 'dispute', () => owner, () => ({})],
      [
        'resolve with an unknown outcome',
        400,
        'VALIDATION_FAILED',
        'resolve',
        () => curator,
        () => ({ outcome: 'maybe' }),
      ],
      [
        'resolve of a reuse that is not disputed',
        409,
        'REUSE_NOT_DISPUTED',
        'resolve',
        () => ({ headers: admin }),
        () => ({ outcome: 'upheld' }),
      ],
    ])('%s -> %i %s', async (_, status, code, action, as, body) => {
      const size = await ledgerSize();
      const res = await t.http.post(`/v1/reuses/${reuses.r4}/${action}`).set(as().headers).send(body());
      expect(res.status).toBe(status);
      expect(res.body.code).toBe(code);
      expect(await ledgerSize()).toBe(size);
      expect((await t.http.get(`/v1/reuses/${reuses.r4}`).expect(200)).body).toMatchObject({
        status: 'active',
        evidence: 'asserted',
      });
    });

    it('answers 404 for an unknown reuse', async () => {
      expect((await t.http.get(`/v1/reuses/${UNKNOWN}`).expect(404)).body.code).toBe('REUSE_NOT_FOUND');
      expect(
        (await t.http.post(`/v1/reuses/${UNKNOWN}/dispute`).set(owner.headers).send({ reason: 'x' }).expect(404)).body
          .code,
      ).toBe('REUSE_NOT_FOUND');
    });
  });

  it('leaves every cached metrics row as a whole recompute writes it', async () => {
    expect(await expectRowsOfWholeRecompute(t)).toBeGreaterThan(0);
  });
});
