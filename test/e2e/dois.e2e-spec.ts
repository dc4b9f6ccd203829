import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { JobsService } from '../../src/core/jobs/jobs.service.js';
import { isValidDoiSuffix } from '../../src/dois/doi-suffix.rules.js';
import { GraphService } from '../../src/graph/graph.service.js';
import { resolveDataCiteSchemaDir } from '../fixtures/datacite/schema-location.js';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';
import { startDataCiteEmulator } from '../support/datacite-emulator.js';
import type { DataCiteEmulator } from '../support/datacite-emulator.js';
import { connect } from '../support/db.js';
import { createActor, createOrganization, depositDataset } from '../support/factories.js';
import type { Actor } from '../support/factories.js';

// Crockford base-32 suffix, two check digits (doi-suffix.rules.ts), under the configured prefix.
const DOI_SHAPE = (prefix: string) =>
  new RegExp(`^${prefix.replace('.', '\\.')}/[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-\\d{2}$`);
const ORCID = 'https://orcid.org/0000-0002-1825-0097';

type Related = { relationType: string; relatedIdentifier: string; relatedIdentifierType: string };
const relations = (attrs: { relatedIdentifiers: Related[] }): string[] =>
  attrs.relatedIdentifiers.map((r) => `${r.relationType} ${r.relatedIdentifierType} ${r.relatedIdentifier}`).sort();

async function doiTrail(db: pg.Client, datasetId: string): Promise<string[]> {
  const rows = await db.query<{ payload: { from: string; to: string } }>(
    `SELECT payload FROM ledger_entries WHERE kind = 'doi.state_changed' AND payload->>'datasetId' = $1 ORDER BY seq`,
    [datasetId],
  );
  return rows.rows.map((r) => `${r.payload.from}->${r.payload.to}`);
}

describe('DOIs with the default fake provider (e2e)', () => {
  let t: TestApp;
  let db: pg.Client;
  let depositor: Actor;
  let curator: Actor;
  let stranger: Actor;
  let publisher: string;
  let receiver: Server;
  const hooks: Array<{ event: string; data: { doi: string; datasetIds: string[]; provider: string } }> = [];

  beforeAll(async () => {
    // A local webhook receiver (the service may deliver to loopback only with WEBHOOK_ALLOW_PRIVATE).
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        hooks.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    t = await createTestApp({ env: { WEBHOOK_ALLOW_PRIVATE: 'true' } });
    db = await connect(t.db.url);
    depositor = await createActor(t, ['depositor'], { givenName: 'Josiah', familyName: 'Carberry', orcid: ORCID });
    curator = await createActor(t, ['curator']);
    stranger = await createActor(t, ['depositor']);
    publisher = (await createOrganization(t, { name: 'EMBL-EBI', ror: 'https://ror.org/02catss52' })).id;
  });

  afterAll(async () => {
    await db.end();
    await t.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  const deposit = (fields: Record<string, unknown> = {}) => depositDataset(t, depositor, { publisher, ...fields });
  const mint = (id: string, as: Actor = depositor) => t.http.post(`/v1/datasets/${id}/doi`).set(as.headers);

  it('assigns the DOI at once, then the job makes it findable, every step in the ledger, and tells subscribers', async () => {
    const port = (receiver.address() as AddressInfo).port;
    await t.http
      .post('/v1/webhooks')
      .set(depositor.headers)
      .send({ url: `http://127.0.0.1:${port}/hooks`, events: ['doi.findable'] })
      .expect(201);
    const ds = await deposit({ organism: 'NCBITaxon:9606' });
    const res = await mint(ds.id).expect(202);
    expect(res.body).toMatchObject({ datasetId: ds.id, doiState: 'pending', provider: 'fake' });
    expect(res.body.doi).toMatch(DOI_SHAPE('10.80000'));
    expect(isValidDoiSuffix(res.body.doi.split('/')[1])).toBe(true);
    expect(res.body.notice).toContain('not registered anywhere');
    const entry = await t.http.get(`/v1/ledger/entries/${res.body.receipt.seq}`).expect(200);
    expect(entry.body).toMatchObject({
      kind: 'doi.state_changed',
      payload: { datasetId: ds.id, doi: res.body.doi, from: 'none', to: 'pending' },
    });

    await t.drainJobs();
    const status = await t.http.get(`/v1/datasets/${ds.id}/doi`).expect(200);
    expect(status.body).toMatchObject({
      datasetId: ds.id,
      doi: res.body.doi,
      doiState: 'findable',
      provider: 'fake',
      targetState: 'findable',
      attempts: 1,
      lastError: null,
    });
    expect(status.body.registeredAt).toEqual(expect.any(String));
    expect(status.body.findableAt).toEqual(expect.any(String));
    const dataset = await t.http.get(`/v1/datasets/${ds.id}`).expect(200);
    expect(dataset.body).toMatchObject({
      doi: res.body.doi,
      doiState: 'findable',
      iri: `https://doi.org/${res.body.doi}`,
    });
    expect(await doiTrail(db, ds.id)).toEqual(['none->pending', 'pending->findable']);
    expect(hooks.filter((h) => h.data.doi === res.body.doi)).toEqual([
      {
        id: expect.any(String),
        event: 'doi.findable',
        createdAt: expect.any(String),
        data: { datasetIds: [ds.id], doi: res.body.doi, provider: 'fake' },
      },
    ]);

    const again = await mint(ds.id).expect(409);
    expect(again.body).toMatchObject({ code: 'DOI_ALREADY_ASSIGNED', doi: res.body.doi, doiState: 'findable' });
  });

  it('lets only the owner or a curator request a DOI', async () => {
    const ds = await deposit();
    expect((await mint(ds.id, stranger).expect(403)).body.code).toBe('NOT_OWNER');
    await t.http.post(`/v1/datasets/${ds.id}/doi`).expect(401);
    await mint(ds.id, curator).expect(202);
    const none = await t.http.get(`/v1/datasets/00000000-0000-4000-8000-000000000000/doi`).expect(404);
    expect(none.body.code).toBe('DATASET_NOT_FOUND');
  });

  it('refuses metadata DataCite would reject, writing nothing', async () => {
    const ds = await depositDataset(t, depositor); // no publisher
    await t.drainJobs();
    const seqBefore = (await db.query<{ size: string }>('SELECT size FROM ledger_head')).rows[0].size;
    const res = await mint(ds.id).expect(422);
    expect(res.body.code).toBe('DATACITE_METADATA_INVALID');
    expect(res.body.errors).toEqual([{ field: 'publisher.name', message: 'is required' }]);
    expect((await db.query<{ size: string }>('SELECT size FROM ledger_head')).rows[0].size).toBe(seqBefore);
    expect((await db.query('SELECT 1 FROM outbox WHERE job_key = $1', [`doi-sync-${ds.id}`])).rowCount).toBe(0);
    const status = await t.http.get(`/v1/datasets/${ds.id}/doi`).expect(200);
    expect(status.body).toMatchObject({ doi: null, doiState: 'none', provider: null });
  });

  it('retries only failed DOIs', async () => {
    const ds = await deposit();
    expect((await t.http.post(`/v1/datasets/${ds.id}/doi/retry`).set(depositor.headers).expect(404)).body.code).toBe(
      'DOI_NOT_ASSIGNED',
    );
    await mint(ds.id).expect(202);
    await t.drainJobs();
    const res = await t.http.post(`/v1/datasets/${ds.id}/doi/retry`).set(depositor.headers).expect(409);
    expect(res.body).toMatchObject({ code: 'DOI_NOT_FAILED', doiState: 'findable' });
  });

  it('maps derivations, reuses and funding to relatedIdentifiers and fundingReferences, as JSON and valid XML', async () => {
    const graph = t.app.get(GraphService);
    const [grant] = await t.app.get(DataSource).transaction((m) =>
      graph.addNodes(
        m,
        [
          {
            type: 'Grant',
            label: 'Cell morphology at scale',
            properties: {
              funderName: 'Wellcome Trust',
              funderIdentifier: '10.13039/100010269',
              awardNumber: '221234/Z/20/Z',
            },
          },
        ],
        null,
      ),
    );
    const raw = await deposit({ grants: [grant.node.id], imagingMethod: 'FBbi:00000251' });
    const rawDoi = (await mint(raw.id).expect(202)).body.doi as string;
    const derived = await deposit({ kind: 'derived', title: 'Nuclear masks', derivedFrom: [raw.id] });
    const pub = await t.http
      .post('/v1/publications')
      .set(depositor.headers)
      .send({ doi: '10.5555/reuse.paper.1' })
      .expect(201);
    await t.http
      .post('/v1/reuses')
      .set(depositor.headers)
      .send({ publication: pub.body.id, datasets: [raw.id], type: 'secondary-analysis' })
      .expect(201);
    await t.drainJobs();

    const attrs = await t.http.get(`/v1/datasets/${raw.id}/datacite`).expect(200);
    expect(attrs.body).toMatchObject({
      doi: rawDoi,
      url: `http://ledger.test/datasets/${raw.id}`,
      publisher: {
        name: 'EMBL-EBI',
        publisherIdentifier: 'https://ror.org/02catss52',
        publisherIdentifierScheme: 'ROR',
      },
      types: { resourceTypeGeneral: 'Dataset', resourceType: 'Microscopy image set' },
      fundingReferences: [
        {
          funderName: 'Wellcome Trust',
          funderIdentifier: 'https://doi.org/10.13039/100010269',
          funderIdentifierType: 'Crossref Funder ID',
          awardNumber: '221234/Z/20/Z',
          awardTitle: 'Cell morphology at scale',
        },
      ],
    });
    expect(attrs.body.creators[0]).toMatchObject({
      name: 'Carberry, Josiah',
      nameIdentifiers: [{ nameIdentifier: ORCID, nameIdentifierScheme: 'ORCID', schemeUri: 'https://orcid.org' }],
    });
    expect(relations(attrs.body)).toEqual([
      'IsReferencedBy DOI 10.5555/reuse.paper.1',
      `IsSourceOf URL http://ledger.test/datasets/${derived.id}`,
    ]);
    expect(attrs.body.subjects).toEqual([
      expect.objectContaining({
        valueUri: 'http://purl.obolibrary.org/obo/FBbi_00000251',
        subjectScheme: 'Biological Imaging Methods Ontology',
      }),
    ]);

    const xml = await t.http.get(`/v1/datasets/${raw.id}/datacite.xml`).expect(200);
    expect(xml.headers['content-type']).toMatch(/^application\/xml/);
    const dir = mkdtempSync(join(tmpdir(), 'dois-e2e-'));
    try {
      writeFileSync(join(dir, 'record.xml'), xml.text);
      const xsd = join(resolveDataCiteSchemaDir(), 'metadata.xsd');
      const lint = spawnSync('xmllint', ['--noout', '--nonet', '--schema', xsd, join(dir, 'record.xml')], {
        encoding: 'utf8',
      });
      expect(`${lint.stdout}${lint.stderr}`).toContain('validates');
      expect(lint.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(xml.text).toContain(`relationType="IsReferencedBy"`);

    const unassigned = await t.http.get(`/v1/datasets/${derived.id}/datacite`).expect(404);
    expect(unassigned.body.code).toBe('DOI_NOT_ASSIGNED');
  });

  it('creates a new version with its own DOI, linked both ways', async () => {
    const v1 = await deposit({ version: '1', keywords: ['mitosis'] });
    const v1Doi = (await mint(v1.id).expect(202)).body.doi as string;
    await t.drainJobs();
    await t.http.post(`/v1/datasets/${v1.id}/versions`).set(stranger.headers).send({ title: 'hijack' }).expect(403);
    await t.http.post(`/v1/datasets/${v1.id}/versions`).set(depositor.headers).send({ nope: 1 }).expect(400);
    const res = await t.http
      .post(`/v1/datasets/${v1.id}/versions`)
      .set(depositor.headers)
      .send({ description: 'Re-segmented with fixed illumination correction', mintDoi: true })
      .expect(201);
    expect(res.body).toMatchObject({
      previousVersion: v1.id,
      version: '2',
      title: v1.body.title,
      keywords: ['mitosis'],
      publisher,
      doiState: 'pending',
      description: 'Re-segmented with fixed illumination correction',
    });
    expect(res.body.receipt.seq).toEqual(expect.any(String));
    const v2Doi = res.body.doi as string;
    expect(v2Doi).toMatch(DOI_SHAPE('10.80000'));
    await t.drainJobs();

    const newer = await t.http.get(`/v1/datasets/${res.body.id}/datacite`).expect(200);
    expect(relations(newer.body)).toEqual([`IsNewVersionOf DOI ${v1Doi}`, `IsVersionOf DOI ${v1Doi}`]);
    expect(newer.body.version).toBe('2');
    const older = await t.http.get(`/v1/datasets/${v1.id}/datacite`).expect(200);
    expect(relations(older.body)).toEqual([`HasVersion DOI ${v2Doi}`, `IsPreviousVersionOf DOI ${v2Doi}`]);
    expect((await t.http.get(`/v1/datasets/${res.body.id}/doi`).expect(200)).body.doiState).toBe('findable');
  });

  it('withdraws a dataset: the DOI is hidden, points at a tombstone, and is never deleted', async () => {
    const ds = await deposit({ title: 'Donor images' });
    const doi = (await mint(ds.id).expect(202)).body.doi as string;
    await t.drainJobs();
    expect((await t.http.get(`/datasets/${ds.id}/tombstone`).expect(404)).body.code).toBe('DATASET_NOT_WITHDRAWN');
    await t.http
      .post(`/v1/datasets/${ds.id}/withdraw`)
      .set(depositor.headers)
      .send({ reason: 'consent withdrawn' })
      .expect(403);
    const res = await t.http
      .post(`/v1/datasets/${ds.id}/withdraw`)
      .set(curator.headers)
      .send({ reason: 'consent withdrawn' })
      .expect(200);
    expect(res.body).toMatchObject({
      datasetId: ds.id,
      doi,
      reason: 'consent withdrawn',
      tombstoneUrl: `http://ledger.test/datasets/${ds.id}/tombstone`,
    });
    const entry = await t.http.get(`/v1/ledger/entries/${res.body.receipt.seq}`).expect(200);
    expect(entry.body).toMatchObject({
      kind: 'dataset.withdrawn',
      payload: { datasetId: ds.id, reason: 'consent withdrawn', doi },
    });
    await t.drainJobs();

    expect((await t.http.get(`/v1/datasets/${ds.id}/doi`).expect(200)).body).toMatchObject({
      doi,
      doiState: 'registered',
      targetState: 'registered',
    });
    expect(await doiTrail(db, ds.id)).toEqual(['none->pending', 'pending->findable', 'findable->registered']);
    const attrs = await t.http.get(`/v1/datasets/${ds.id}/datacite`).expect(200);
    expect(attrs.body.url).toBe(`http://ledger.test/datasets/${ds.id}/tombstone`);
    expect(attrs.body.dates).toContainEqual({
      date: res.body.withdrawnAt.slice(0, 10),
      dateType: 'Withdrawn',
      dateInformation: 'consent withdrawn',
    });

    const html = await t.http.get(`/datasets/${ds.id}/tombstone`).expect(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.text).toContain('Reason: consent withdrawn');
    expect(html.text).toContain(`https://doi.org/${doi}`);
    const json = await t.http.get(`/datasets/${ds.id}/tombstone`).set('Accept', 'application/json').expect(200);
    expect(json.body).toMatchObject({ datasetId: ds.id, doi, reason: 'consent withdrawn', title: 'Donor images' });
    expect(json.body.citation).toBe(
      `Carberry, J. (${new Date().getUTCFullYear()}). Donor images [Data set]. EMBL-EBI. https://doi.org/${doi}`,
    );

    expect(
      (await t.http.post(`/v1/datasets/${ds.id}/withdraw`).set(curator.headers).send({ reason: 'again' }).expect(409))
        .body.code,
    ).toBe('DATASET_ALREADY_WITHDRAWN');
    expect((await mint((await deposit()).id).expect(202)).body.doiState).toBe('pending');
    await t.drainJobs();
  });

  it('serves the OpenAPI document with the DOI routes', async () => {
    const doc = await t.http.get('/openapi.json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/datasets/{id}/doi',
        '/v1/datasets/{id}/doi/retry',
        '/v1/datasets/{id}/datacite',
        '/v1/datasets/{id}/datacite.xml',
        '/v1/datasets/{id}/withdraw',
        '/v1/datasets/{id}/versions',
        '/datasets/{id}/tombstone',
      ]),
    );
  });
});

describe('DOIs registered at the DataCite emulator (e2e)', () => {
  let t: TestApp;
  let emulator: DataCiteEmulator;
  let depositor: Actor;
  let curator: Actor;
  let publisher: string;

  beforeAll(async () => {
    emulator = await startDataCiteEmulator({ prefixes: ['10.80123'] });
    t = await createTestApp({
      env: {
        DOI_PROVIDER: 'datacite',
        DATACITE_API_URL: emulator.url,
        DATACITE_REPOSITORY_ID: emulator.repositoryId,
        DATACITE_PASSWORD: emulator.password,
        DATACITE_PREFIX: '10.80123',
        DATACITE_TIMEOUT_MS: '3000',
        DATACITE_RETRY_BASE_MS: '50',
      },
    });
    depositor = await createActor(t, ['depositor'], { orcid: ORCID });
    curator = await createActor(t, ['curator']);
    publisher = (await createOrganization(t, { name: 'EMBL-EBI', ror: 'https://ror.org/02catss52' })).id;
  });

  afterEach(() => {
    // §9.4: never a POST, so a replay can never mint a second name.
    expect(emulator.requests.filter((r) => r.method === 'POST' || r.method === 'DELETE')).toEqual([]);
    expect(emulator.mintedByPrefixOnly).toEqual([]);
  });

  afterAll(async () => {
    await t.close();
    await emulator.close();
  });

  const deposit = (fields: Record<string, unknown> = {}) => depositDataset(t, depositor, { publisher, ...fields });

  it('registers the DOI findable with PUT, identifying the service by User-Agent', async () => {
    const ds = await deposit();
    const doi = (await t.http.post(`/v1/datasets/${ds.id}/doi`).set(depositor.headers).expect(202)).body.doi as string;
    expect(doi).toMatch(DOI_SHAPE('10.80123'));
    await t.drainJobs();
    expect((await t.http.get(`/v1/datasets/${ds.id}/doi`).expect(200)).body).toMatchObject({
      doi,
      doiState: 'findable',
      provider: 'datacite',
      notice: null,
    });
    const record = emulator.dois.get(doi);
    expect(record).toMatchObject({ state: 'findable', attributes: { url: `http://ledger.test/datasets/${ds.id}` } });
    const puts = emulator.requests.filter((r) => r.path === `/dois/${doi}`);
    expect(puts.map((r) => `${r.method} ${r.status}`)).toEqual(['PUT 201']);
    expect(puts[0].query).toEqual({ publisher: 'true', affiliation: 'true' });
    expect(puts[0].headers['user-agent']).toMatch(/mailto:ledger-admin@example\.org/);
    expect(puts[0].droppedKeys).toEqual([]);
  });

  it('re-sends a record when the graph around it changes, and switches to the DOI once the other side has one', async () => {
    const raw = await deposit();
    const rawDoi = (await t.http.post(`/v1/datasets/${raw.id}/doi`).set(depositor.headers).expect(202)).body
      .doi as string;
    await t.drainJobs();
    const derived = await deposit({ kind: 'derived', title: 'Masks', derivedFrom: [raw.id] });
    await t.drainJobs();
    expect(relations(emulator.dois.get(rawDoi)?.attributes as { relatedIdentifiers: Related[] })).toEqual([
      `IsSourceOf URL http://ledger.test/datasets/${derived.id}`,
    ]);
    const derivedDoi = (await t.http.post(`/v1/datasets/${derived.id}/doi`).set(depositor.headers).expect(202)).body
      .doi as string;
    await t.drainJobs();
    expect(relations(emulator.dois.get(rawDoi)?.attributes as { relatedIdentifiers: Related[] })).toEqual([
      `IsSourceOf DOI ${derivedDoi}`,
    ]);
    expect(relations(emulator.dois.get(derivedDoi)?.attributes as { relatedIdentifiers: Related[] })).toEqual([
      `IsDerivedFrom DOI ${rawDoi}`,
    ]);
    // The job is idempotent: run again with nothing new, it sends nothing.
    const before = emulator.requests.length;
    await t.app
      .get(DataSource)
      .transaction((m) => t.app.get(JobsService).enqueue(m, 'doi-sync', `doi-sync-${raw.id}`, { datasetId: raw.id }));
    t.app.get(JobsService).notify();
    await t.drainJobs();
    expect(emulator.requests.length).toBe(before);
    const job = await t.app
      .get(DataSource)
      .query(`SELECT status, generation FROM outbox WHERE job_key = $1`, [`doi-sync-${raw.id}`]);
    expect(job).toEqual([{ status: 'done', generation: expect.any(Number) }]);
    expect(job[0].generation).toBeGreaterThan(2);
  });

  it('hides a withdrawn DOI at DataCite and points it at the tombstone', async () => {
    const ds = await deposit();
    const doi = (await t.http.post(`/v1/datasets/${ds.id}/doi`).set(depositor.headers).expect(202)).body.doi as string;
    await t.drainJobs();
    await t.http
      .post(`/v1/datasets/${ds.id}/withdraw`)
      .set(curator.headers)
      .send({ reason: 'duplicate of another deposit' })
      .expect(200);
    await t.drainJobs();
    const record = emulator.dois.get(doi);
    expect(record?.state).toBe('registered');
    expect(record?.attributes['url']).toBe(`http://ledger.test/datasets/${ds.id}/tombstone`);
    expect(record?.attributes['dates']).toContainEqual(
      expect.objectContaining({ dateType: 'Withdrawn', dateInformation: 'duplicate of another deposit' }),
    );
    const hide = emulator.requests.filter(
      (r) =>
        r.path === `/dois/${doi}` &&
        (r.json as { data: { attributes: { event?: string } } }).data.attributes.event === 'hide',
    );
    expect(hide).toHaveLength(1);
    expect((await t.http.get(`/v1/datasets/${ds.id}/doi`).expect(200)).body.doiState).toBe('registered');
  });
});
