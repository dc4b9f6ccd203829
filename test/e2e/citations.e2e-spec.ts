import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Stream } from 'node:stream';
import { DataSource } from 'typeorm';
import { CitationsService } from '../../src/citations/citations.service.js';
import { DatasetsService } from '../../src/datasets/datasets.service.js';
import { admin, createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';
import { connect } from '../support/db.js';
import { createActor, createOrganization, createPerson, depositDataset } from '../support/factories.js';
import type { Actor } from '../support/factories.js';
import { expectRowsOfWholeRecompute } from '../support/metrics-check.js';

const fixture = (name: string): object =>
  JSON.parse(readFileSync(new URL(`../fixtures/citations/${name}`, import.meta.url), 'utf8')) as object;
const goldenUrl = (name: string): URL => new URL(`../fixtures/citations/e2e/${name}`, import.meta.url);

// Reads any response body as text (superagent leaves unknown media types unparsed).
function asText(
  res: Stream & Pick<IncomingMessage, 'setEncoding'>,
  callback: (error: Error | null, body: string) => void,
): void {
  let data = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (data += chunk));
  res.on('end', () => callback(null, data));
}

const EXTENSIONS = {
  apa: 'apa.txt',
  vancouver: 'vancouver.txt',
  harvard1: 'harvard1.txt',
  bibtex: 'bib',
  biblatex: 'biblatex.bib',
  ris: 'ris',
  csl: 'csl.json',
} as const;
type Style = keyof typeof EXTENSIONS;

async function ledgerSize(t: TestApp): Promise<string> {
  const client = await connect(t.db.url);
  try {
    return (await client.query<{ size: string }>('SELECT size FROM ledger_head')).rows[0].size;
  } finally {
    await client.end();
  }
}

describe('dataset citations (e2e)', () => {
  let t: TestApp;
  let depositor: Actor;
  let landingPageDataset: string;
  let doiDataset: string;

  beforeAll(async () => {
    t = await createTestApp();
    depositor = await createActor(t, ['depositor']);
    const silva = await createPerson(t, { givenName: 'Ana', familyName: 'Silva', orcid: '0000-0002-1825-0097' });
    const broad = await createOrganization(t, { name: 'Broad Bioimage Benchmark Collection' });
    const ebi = await createOrganization(t, { name: 'EMBL-EBI' });
    landingPageDataset = (
      await depositDataset(t, depositor, {
        title: 'Nuclear segmentation masks for the MitoCheck HeLa screen',
        creators: [silva.id, broad.id],
        publisher: ebi.id,
        publicationYear: 2024,
        version: '2.1',
        accession: 'S-BIAD901',
      })
    ).id;
    doiDataset = (
      await depositDataset(t, depositor, {
        title: 'Human MCF7 cells, compound-profiling experiment',
        creators: [broad.id, silva.id],
        publisher: broad.id,
        publicationYear: 2012,
        accession: 'BBBC021',
      })
    ).id;
    // The DOI module's mirror of a findable DOI (what its publish job records once DataCite says findable).
    await t.app
      .get(DatasetsService)
      .recordDoi(t.app.get(DataSource).manager, doiDataset, '10.80000/BBBC-021X', 'findable');
  });

  afterAll(async () => {
    await t.close();
  });

  const get = (path: string, accept?: string) => {
    const req = t.http.get(path).buffer(true).parse(asText);
    return accept === undefined ? req : req.set('Accept', accept);
  };

  /** Dataset ids are fresh per run: goldens hold `{{id}}` (RIS keeps only its first 20 characters). */
  const template = (body: string, id: string) => body.split(id).join('{{id}}').split(id.slice(0, 20)).join('{{id20}}');

  describe.each([
    ['landing-page', () => landingPageDataset],
    ['findable-doi', () => doiDataset],
  ])('golden files: %s', (name, id) => {
    // Regenerate with UPDATE_GOLDEN=1 after a deliberate change, then read every diff by eye.
    const update = process.env.UPDATE_GOLDEN === '1';
    it.each(Object.keys(EXTENSIONS) as Style[])('%s', async (style) => {
      const res = await get(`/v1/datasets/${id()}/citation?style=${style}`);
      expect(res.status).toBe(200);
      const body = template(res.body as string, id());
      const url = goldenUrl(`${name}.${EXTENSIONS[style]}`);
      if (update) {
        mkdirSync(new URL('.', url), { recursive: true });
        writeFileSync(url, body);
      }
      expect(body).toBe(readFileSync(url, 'utf8'));
    });
  });

  it('cites the DOI once findable and the landing page before', async () => {
    const withDoi = await get(`/v1/datasets/${doiDataset}/citation?style=apa`);
    expect(withDoi.body).toMatch(/https:\/\/doi\.org\/10\.80000\/bbbc-021x$/);
    const without = await get(`/v1/datasets/${landingPageDataset}/citation?style=apa`);
    expect(without.body).toMatch(/https:\/\/www\.ebi\.ac\.uk\/biostudies\/bioimages\/studies\/S-BIAD901$/);
    expect(without.body).not.toContain('doi.org');
  });

  it.each<[string, Style, string]>([
    ['text/x-bibliography; style=vancouver', 'vancouver', 'text/x-bibliography; charset=utf-8'],
    ['text/x-bibliography; style=harvard1', 'harvard1', 'text/x-bibliography; charset=utf-8'],
    ['text/x-bibliography', 'apa', 'text/x-bibliography; charset=utf-8'],
    ['application/x-bibtex', 'bibtex', 'application/x-bibtex; charset=utf-8'],
    ['application/x-research-info-systems', 'ris', 'application/x-research-info-systems; charset=utf-8'],
    ['application/vnd.citationstyles.csl+json', 'csl', 'application/vnd.citationstyles.csl+json; charset=utf-8'],
    ['application/pdf;q=1, application/x-bibtex;q=0.5', 'bibtex', 'application/x-bibtex; charset=utf-8'],
    ['*/*', 'apa', 'text/x-bibliography; charset=utf-8'],
  ])('Accept: %s gives %s', async (accept, style, contentType) => {
    const res = await get(`/v1/datasets/${landingPageDataset}/citation`, accept);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(contentType);
    expect(res.headers.vary).toMatch(/accept/i);
    expect(template(res.body as string, landingPageDataset)).toBe(
      readFileSync(goldenUrl(`landing-page.${EXTENSIONS[style]}`), 'utf8'),
    );
  });

  it('answers apa without Accept, and ?style wins over Accept', async () => {
    const plain = await get(`/v1/datasets/${landingPageDataset}/citation`);
    expect(plain.body).toBe(readFileSync(goldenUrl('landing-page.apa.txt'), 'utf8'));
    const both = await get(`/v1/datasets/${landingPageDataset}/citation?style=ris`, 'application/x-bibtex');
    expect(both.headers['content-type']).toBe('application/x-research-info-systems; charset=utf-8');
  });

  it.each([
    ['?style=chicago', undefined, 400, 'CITATION_STYLE_UNSUPPORTED'],
    ['', 'application/pdf', 406, 'CITATION_FORMAT_NOT_ACCEPTABLE'],
    ['', 'text/x-bibliography; style=bibtex', 406, 'CITATION_FORMAT_NOT_ACCEPTABLE'],
  ])('%s with Accept %s -> %i %s', async (query, accept, status, code) => {
    const res = await get(`/v1/datasets/${landingPageDataset}/citation${query}`, accept);
    expect(res.status).toBe(status);
    expect(JSON.parse(res.body as string).code).toBe(code);
  });

  it('answers 404 for an unknown dataset and 400 for a malformed id', async () => {
    const missing = await t.http.get('/v1/datasets/00000000-0000-4000-8000-000000000000/citation');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('DATASET_NOT_FOUND');
    const bad = await t.http.get('/v1/datasets/not-a-uuid/citation');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_ID');
  });
});

describe('citation import (e2e)', () => {
  let t: TestApp;
  let curator: Actor;
  let depositor: Actor;
  let biad: string;
  let idr: string;
  let empiar: string;
  let publications: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp();
    curator = await createActor(t, ['curator']);
    depositor = await createActor(t, ['depositor']);
    biad = (await depositDataset(t, depositor, { accession: 'S-BIAD123' })).id;
    idr = (
      await depositDataset(t, depositor, {
        accession: 'idr0077',
        identifiers: [{ scheme: 'doi', value: '10.17867/10000144' }],
        landingPage: 'https://idr.openmicroscopy.org/webclient/?show=screen-102',
      })
    ).id;
    empiar = (await depositDataset(t, depositor, { accession: 'EMPIAR-10001' })).id;
    publications = {};
    for (const doi of ['10.5555/JSM.2024.0007', '10.1038/s41592-024-0001-x']) {
      const res = await t.http.post('/v1/publications').set(depositor.headers).send({ doi });
      expect(res.status).toBe(201);
      publications[doi.toLowerCase()] = res.body.id as string;
    }
  });

  afterAll(async () => {
    await t.close();
  });

  it('imports Scholix packages: new links recorded, duplicates counted, bad items reported', async () => {
    const res = await t.http.post('/v1/citations/import').set(curator.headers).send(fixture('scholix-links.json'));
    expect(res.status).toBe(201);
    // 12 items: 4 distinct links, 1 repeated link, 7 unusable items (see link-import.rules.spec.ts).
    expect(res.body).toMatchObject({ created: 4, duplicates: 1 });
    expect(res.body.problems.map((p: { index: number }) => p.index)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    expect(res.body.receipts).toHaveLength(4);
    expect(
      res.body.citations.map((c: { cited: string; citedDataset: string | null }) => [c.cited, c.citedDataset]),
    ).toEqual([
      ['10.6019/s-biad123', biad],
      ['10.17867/10000144', idr],
      ['https://idr.openmicroscopy.org/webclient/?show=screen-102', idr],
      ['10.6019/empiar-10001', empiar],
    ]);
    expect(res.body.citations[0]).toMatchObject({
      citing: '10.5555/jsm.2024.0007',
      relation: 'References',
      occurredAt: '2024-05-02T00:00:00.000Z',
      citingPublication: publications['10.5555/jsm.2024.0007'],
    });
    expect(res.body.citations[1].citingPublication).toBeNull();

    const entry = await t.http.get(`/v1/ledger/entries/${res.body.receipts[0].seq}`).expect(200);
    expect(entry.body.kind).toBe('citation.recorded');
    expect(entry.body.payload).toMatchObject({
      id: res.body.citations[0].id,
      citing: { identifier: '10.5555/jsm.2024.0007', scheme: 'doi' },
      cited: { identifier: '10.6019/s-biad123', scheme: 'doi' },
      relation: 'References',
      occurredAt: '2024-05-02',
      citedDataset: biad,
    });
  });

  it('imports DataCite events, de-duplicated against what is already recorded', async () => {
    const res = await t.http.post('/v1/citations/import').set(curator.headers).send(fixture('datacite-events.json'));
    expect(res.status).toBe(201);
    // 10 events: 5 distinct links, 1 repeat (event 9 = event 1), 4 unusable (usage, no object, deletion, broken).
    expect(res.body).toMatchObject({ created: 5, duplicates: 1 });
    expect(res.body.problems.map((p: { index: number; code: string }) => [p.index, p.code])).toEqual([
      [4, 'UNSUPPORTED_RELATION'],
      [5, 'MISSING_IDENTIFIER'],
      [7, 'EVENT_DELETION_NOT_SUPPORTED'],
      [9, 'NOT_AN_OBJECT'],
    ]);
    expect(res.body.citations.map((c: { citedDataset: string }) => c.citedDataset)).toEqual([
      biad,
      idr,
      empiar,
      biad,
      idr,
    ]);
    expect(res.body.citations[0]).toMatchObject({
      externalId: '0f4b1a2c-1111-4aaa-8bbb-000000000001',
      citingPublication: publications['10.1038/s41592-024-0001-x'],
      format: 'datacite-event',
    });
  });

  it('records nothing on re-import: every link is a duplicate and the ledger does not grow', async () => {
    const before = await ledgerSize(t);
    const scholix = await t.http.post('/v1/citations/import').set(curator.headers).send(fixture('scholix-links.json'));
    expect(scholix.status).toBe(201);
    expect(scholix.body).toMatchObject({ created: 0, duplicates: 5, receipts: [], citations: [] });
    const events = await t.http.post('/v1/citations/import').set(curator.headers).send(fixture('datacite-events.json'));
    expect(events.body).toMatchObject({ created: 0, duplicates: 6 });
    expect(await ledgerSize(t)).toBe(before);
    const client = await connect(t.db.url);
    try {
      const rows = await client.query('SELECT count(*)::int AS n FROM citations');
      expect(rows.rows[0].n).toBe(9);
    } finally {
      await client.end();
    }
  });

  it('adds a citesAsDataSource edge where the citing publication is registered', async () => {
    const client = await connect(t.db.url);
    try {
      const edges = await client.query(
        `SELECT source_id, target_id FROM graph_edges WHERE relation = 'citesAsDataSource' ORDER BY source_id`,
      );
      expect(edges.rows.map((r) => [r.source_id, r.target_id]).sort()).toEqual(
        [
          [publications['10.5555/jsm.2024.0007'], biad],
          [publications['10.1038/s41592-024-0001-x'], biad],
        ].sort(),
      );
    } finally {
      await client.end();
    }
  });

  it('gives metrics the citations of given datasets', async () => {
    const rows = await t.app.get(CitationsService).citationsOfDatasets([biad, empiar]);
    expect(rows.map((r) => [r.citedDatasetId, r.citingIdentifier, r.relation])).toEqual([
      [empiar, '10.7554/elife.00001', 'IsSupplementedBy'],
      [empiar, '10.1016/j.cell.2021.01.001', 'IsRelatedTo'],
      [biad, '10.5281/zenodo.1234567', 'Cites'],
      [biad, '10.5555/jsm.2024.0007', 'References'],
      [biad, '10.1038/s41592-024-0001-x', 'References'],
    ]);
    expect(rows.every((r) => typeof r.ledgerSeq === 'bigint')).toBe(true);
  });

  it('resolves a link to one of our own dataset URLs', async () => {
    const res = await t.http
      .post('/v1/citations/import')
      .set(curator.headers)
      .send({
        RelationshipType: { Name: 'References' },
        Source: { Identifier: { ID: '10.5555/other.2', IDScheme: 'doi' } },
        Target: { Identifier: { ID: `${t.config.PUBLIC_BASE_URL}/datasets/${empiar}`, IDScheme: 'url' } },
      });
    expect(res.status).toBe(201);
    expect(res.body.citations[0]).toMatchObject({ citedScheme: 'url', citedDataset: empiar });
  });

  it('keeps a link to a dataset it does not know, without a dataset', async () => {
    const res = await t.http
      .post('/v1/citations/import')
      .set(curator.headers)
      .send({
        RelationshipType: { Name: 'Cites' },
        Source: { Identifier: { ID: '10.5555/other.1', IDScheme: 'doi' } },
        Target: { Identifier: { ID: '10.5061/dryad.abc123', IDScheme: 'doi' } },
      });
    expect(res.status).toBe(201);
    expect(res.body.citations[0]).toMatchObject({
      cited: '10.5061/dryad.abc123',
      citedDataset: null,
      occurredAt: null,
    });
  });

  it.each([
    [{ foo: 1 }, 400, 'LINK_FORMAT_UNRECOGNIZED'],
    ['"just a string"', 400, 'LINK_FORMAT_UNRECOGNIZED'],
    [['not a link package'], 400, 'LINK_FORMAT_UNRECOGNIZED'],
    [
      [{ RelationshipType: { Name: 'References' } }, { RelationshipType: { Name: 'IsNewVersionOf' } }],
      422,
      'NO_USABLE_LINKS',
    ],
  ])('refuses %j with %i %s and writes nothing', async (body, status, code) => {
    const before = await ledgerSize(t);
    const req = t.http.post('/v1/citations/import').set(curator.headers);
    const res =
      typeof body === 'string' ? await req.set('Content-Type', 'application/json').send(body) : await req.send(body);
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
    expect(await ledgerSize(t)).toBe(before);
  });

  it('is for curators and admins only', async () => {
    const res = await t.http.post('/v1/citations/import').set(depositor.headers).send([]);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN_ROLE');
    await t.http.post('/v1/citations/import').send([]).expect(401);
    await t.http.post('/v1/citations/import').set(admin).send([]).expect(201);
  });

  it('leaves every cached metrics row as a whole recompute writes it', async () => {
    expect(await expectRowsOfWholeRecompute(t)).toBeGreaterThan(0);
  });
});
