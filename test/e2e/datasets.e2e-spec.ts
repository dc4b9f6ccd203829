import { admin, createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';
import { connect } from '../support/db.js';
import { createActor, depositDataset } from '../support/factories.js';
import type { Actor } from '../support/factories.js';

describe('datasets (e2e)', () => {
  let t: TestApp;
  let depositor: Actor;

  beforeAll(async () => {
    t = await createTestApp();
    depositor = await createActor(t, ['depositor']);
  });

  afterAll(async () => {
    await t.close();
  });

  it('deposits an image dataset with REMBI-minded metadata and a receipt', async () => {
    const res = await t.http
      .post('/v1/datasets')
      .set(depositor.headers)
      .send({
        kind: 'image',
        title: 'Genome-wide RNAi screen of mitotic phenotypes',
        creators: [depositor.id],
        license: 'CC-BY-4.0',
        accession: 'idr0013',
        organism: 'NCBITaxon:9606',
        imagingMethod: 'FBbi:00000251',
        publicationYear: 2010,
      })
      .expect(201);
    expect(res.body).toMatchObject({
      kind: 'image',
      accession: 'idr0013',
      organism: 'http://purl.obolibrary.org/obo/NCBITaxon_9606',
      imagingMethod: 'http://purl.obolibrary.org/obo/FBbi_00000251',
      doi: null,
      doiState: 'none',
      owner: depositor.id,
    });
    const entry = await t.http.get(`/v1/ledger/entries/${res.body.receipt.seq}`).expect(200);
    expect(entry.body.kind).toBe('dataset.deposited');
    expect(entry.body.payload.title).toBe('Genome-wide RNAi screen of mitotic phenotypes');
    const got = await t.http.get(`/v1/datasets/${res.body.id}`).expect(200);
    expect(got.body.title).toBe(res.body.title);
  });

  it('records a derived dataset with its derivation, activity and software in the graph', async () => {
    const raw = await depositDataset(t, depositor);
    const derived = await depositDataset(t, depositor, {
      kind: 'derived',
      title: 'Nuclear segmentation masks',
      derivedFrom: [raw.id],
      generatedBy: {
        software: { name: 'CellProfiler', version: '4.2.6' },
        method: 'EDAM:operation_3443',
        parameters: { threshold: 'otsu' },
      },
    });
    const client = await connect(t.db.url);
    try {
      const edges = await client.query(
        `SELECT e.relation, s.type AS source_type, tn.type AS target_type FROM graph_edges e
         JOIN graph_nodes s ON s.id = e.source_id JOIN graph_nodes tn ON tn.id = e.target_id
         WHERE e.source_id = $1 OR e.source_id IN (SELECT target_id FROM graph_edges WHERE source_id = $1 AND relation = 'wasGeneratedBy')
         ORDER BY e.relation, tn.type`,
        [derived.id],
      );
      expect(edges.rows.map((r) => `${r.source_type} ${r.relation} ${r.target_type}`)).toEqual(
        [
          'AnalysisActivity used ImageDataset',
          'DerivedDataset wasAttributedTo Person',
          'AnalysisActivity wasAssociatedWith Software',
          'DerivedDataset wasDerivedFrom ImageDataset',
          'DerivedDataset wasGeneratedBy AnalysisActivity',
        ].sort((a, b) => a.split(' ')[1].localeCompare(b.split(' ')[1])),
      );
    } finally {
      await client.end();
    }
  });

  it.each([
    [{ kind: 'derived' }, 'DERIVED_FROM_REQUIRED', 'derivedFrom'],
    [{ license: 'CC-BY' }, 'INVALID_LICENSE', 'license'],
    [{ accession: 'idr13' }, 'INVALID_ACCESSION', 'accession'],
    [{ organism: 'FOO:1' }, 'UNKNOWN_ONTOLOGY_TERM', 'organism'],
  ])('rejects %j with %s and writes nothing', async (fields, code, field) => {
    const before = await t.http.get('/v1/ledger/checkpoint').set(admin);
    const res = await t.http
      .post('/v1/datasets')
      .set(depositor.headers)
      .send({ kind: 'image', title: 'x', creators: [depositor.id], license: 'CC-BY-4.0', ...fields });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(code);
    expect(res.body.errors[0].field).toBe(field);
    const client = await connect(t.db.url);
    try {
      const head = await client.query('SELECT size FROM ledger_head');
      expect(head.rows[0].size).toBe(before.text.split('\n')[1]);
    } finally {
      await client.end();
    }
  });

  it('answers 404 for an unknown parent dataset', async () => {
    const res = await t.http
      .post('/v1/datasets')
      .set(depositor.headers)
      .send({
        kind: 'derived',
        title: 'x',
        creators: [depositor.id],
        license: 'CC0-1.0',
        derivedFrom: ['00000000-0000-4000-8000-000000000000'],
      });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('DATASET_NOT_FOUND');
  });

  it('lists datasets by creator with cursor pagination', async () => {
    const someone = await createActor(t, ['depositor']);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await depositDataset(t, someone)).id);
    const first = await t.http.get(`/v1/datasets?creator=${someone.id}&limit=2`).expect(200);
    expect(first.body.items).toHaveLength(2);
    const second = await t.http
      .get(`/v1/datasets?creator=${someone.id}&limit=2&cursor=${first.body.nextCursor}`)
      .expect(200);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    expect([...first.body.items, ...second.body.items].map((d: { id: string }) => d.id).sort()).toEqual(ids.sort());
  });
});

describe('dataset landing page (e2e)', () => {
  let t: TestApp;
  let depositor: Actor;

  beforeAll(async () => {
    t = await createTestApp();
    depositor = await createActor(t, ['depositor'], { givenName: 'Jean-Karim', familyName: 'Hériché' });
  });

  afterAll(async () => {
    await t.close();
  });

  it('serves an HTML landing page with the citation and embedded JSON-LD, and the tombstone once withdrawn', async () => {
    const curator = await createActor(t, ['curator']);
    const org = await t.http.post('/v1/agents').set(admin).send({ kind: 'organization', name: 'EMBL-EBI' }).expect(201);
    const dataset = await depositDataset(t, depositor, {
      title: 'Mitotic <atlas>',
      accession: 'idr0013',
      publisher: org.body.id,
    });
    const page = await t.http.get(`/datasets/${dataset.id}`).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<h1>Mitotic &lt;atlas&gt;</h1>');
    expect(page.text).toContain('Hériché');
    expect(page.text).toContain('idr0013');
    const script = /<script type="application\/ld\+json">(.*?)<\/script>/s.exec(page.text);
    expect(JSON.parse(script?.[1] ?? 'null')).toMatchObject({ '@context': expect.anything() });

    await t.http
      .post(`/v1/datasets/${dataset.id}/withdraw`)
      .set(curator.headers)
      .send({ reason: 'consent withdrawn' })
      .expect(200);
    const gone = await t.http.get(`/datasets/${dataset.id}`).expect(303);
    expect(gone.headers.location).toBe(`/datasets/${dataset.id}/tombstone`);
  });

  it('answers 404 problem+json for an unknown dataset', async () => {
    const res = await t.http.get('/datasets/00000000-0000-4000-8000-000000000000').expect(404);
    expect(res.body.code).toBe('DATASET_NOT_FOUND');
  });
});
