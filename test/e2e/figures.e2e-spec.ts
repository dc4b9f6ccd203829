import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import jsonld from 'jsonld';
import type pg from 'pg';
import { createDocumentLoader } from '../../src/core/jsonld/document-loader.js';
import { canonizeJsonLd } from '../../src/core/jsonld/jsonld-processor.js';
import type { JsonObject } from '../../src/core/jsonld/jsonld-processor.js';
import { RDF_BASE } from '../../src/provenance/ro-crate.rules.js';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';
import { connect } from '../support/db.js';
import { createActor, depositDataset } from '../support/factories.js';
import type { Actor } from '../support/factories.js';
import { expectRowsOfWholeRecompute } from '../support/metrics-check.js';

const BASE = 'http://ledger.test';
const CTX = `${BASE}/contexts/ledger/v1.jsonld`;
const CONTEXTS = fileURLToPath(new URL('../../contexts/', import.meta.url));
const GOLDEN = fileURLToPath(new URL('../fixtures/provenance/http/', import.meta.url));
const loader = createDocumentLoader(CONTEXTS, { publicBaseUrl: BASE });
const iri = (id: string): string => `${BASE}/id/${id}`;
const PROV = 'http://www.w3.org/ns/prov#';
const SCHEMA = 'http://schema.org/';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';

const sha = (): string => randomBytes(32).toString('hex');

/** A JSON-LD processor used the way a third party would: jsonld.js directly, contexts fetched from the service. */
interface IndependentJsonLd {
  toRDF(
    input: unknown,
    options: { base: string; format: 'application/n-quads'; documentLoader: (url: string) => Promise<unknown> },
  ): Promise<string>;
}
const independent = jsonld as unknown as IndependentJsonLd;

/** Triples of N-Quads text whose subject and object are IRIs, as "s p o" strings. */
function iriTriples(nquads: string): Set<string> {
  const triples = new Set<string>();
  for (const line of nquads.split('\n')) {
    const match = /^<([^>]*)> <([^>]*)> <([^>]*)> \.$/.exec(line.trim());
    if (match) triples.add(`${match[1]} ${match[2]} ${match[3]}`);
  }
  return triples;
}

describe('figures and images (e2e)', () => {
  let t: TestApp;
  let db: pg.Client;
  let registrant: Actor;
  let author: Actor;
  let outsider: Actor;
  let curator: Actor;
  let raw: string;
  let derived: string;
  let publication: string;
  let publicationIri: string;

  const ledgerSize = async (): Promise<bigint> =>
    BigInt((await db.query('SELECT size FROM ledger_head WHERE id = 1')).rows[0].size as string);
  const text = (req: ReturnType<TestApp['http']['get']>) =>
    req.buffer(true).parse((res, callback) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => callback(null, body));
    });

  /** jsonld.js's loader, over the contexts this service publishes (GET /contexts/…). */
  const serviceLoader = async (url: string): Promise<unknown> => {
    const path =
      url === CTX
        ? '/contexts/ledger/v1.jsonld'
        : url === 'https://w3id.org/ro/crate/1.2/context'
          ? '/contexts/ro-crate/1.2/context.jsonld'
          : null;
    if (path === null) throw new Error(`not loading ${url}`);
    const res = await text(t.http.get(path));
    return { contextUrl: null, documentUrl: url, document: JSON.parse(res.body as string) as unknown };
  };

  const figure = (overrides: Record<string, unknown> = {}, panel: Record<string, unknown> = {}) => ({
    publication,
    label: `Figure ${randomBytes(2).toString('hex')}`,
    caption: 'Nuclear size after lamin A/C depletion.',
    panels: [{ label: 'A', sourceData: [raw], ...panel }],
    ...overrides,
  });

  beforeAll(async () => {
    t = await createTestApp();
    db = await connect(t.db.url);
    registrant = await createActor(t, ['depositor']);
    author = await createActor(t, ['depositor'], {
      givenName: 'Ana',
      familyName: `Silva${randomBytes(2).toString('hex')}`,
    });
    outsider = await createActor(t, ['depositor']);
    curator = await createActor(t, ['curator']);
    raw = (await depositDataset(t, registrant, { title: 'Raw HeLa time-lapse' })).id;
    derived = (
      await depositDataset(t, registrant, {
        kind: 'derived',
        title: 'Nucleus masks',
        derivedFrom: [raw],
        generatedBy: { software: { name: 'Cellpose', version: '3.0.10' }, method: 'EDAM:operation_3443' },
      })
    ).id;
    const authorBody = await t.http.get(`/v1/agents/${author.id}`).expect(200);
    const pub = await t.http
      .post('/v1/publications')
      .set(registrant.headers)
      .send({
        csl: {
          type: 'article-journal',
          title: 'Lamin A/C controls nuclear size',
          DOI: `10.5555/fig.${randomBytes(3).toString('hex')}`,
          issued: { 'date-parts': [[2024, 6, 20]] },
          author: [{ family: authorBody.body.familyName as string, given: 'Ana' }],
        },
        authors: [author.id],
      })
      .expect(201);
    publication = pub.body.id as string;
    publicationIri = pub.body.iri as string;
  });

  afterAll(async () => {
    // Follow-up jobs (metrics, DOI syncs) of the writes above finish before the database goes away.
    await t.drainJobs();
    await db.end();
    await t.close();
  });

  describe('POST /v1/datasets/:id/images', () => {
    it('registers images in bulk as ImagePart nodes with hasPart edges, one ledger entry each', async () => {
      const dataset = (await depositDataset(t, registrant)).id;
      const images = Array.from({ length: 1200 }, (_, i) => ({
        path: `plate1/well-${i}.ome.tiff`,
        sha256: sha(),
        size: 1000 + i,
        ...(i % 3 === 0 ? { omeroId: 100000 + i } : {}),
      }));
      images.push(
        { uri: 'https://uk1s3.embassy.ebi.ac.uk/idr/zarr/v0.4/idr0062A/6001240.zarr', sha256: sha(), size: 1 } as never,
        { uri: 's3://bucket/plate.ome.zarr/A/1/0', label: 'A1 field 0' } as never,
      );
      const before = await ledgerSize();
      const res = await t.http
        .post(`/v1/datasets/${dataset}/images`)
        .set(registrant.headers)
        .send({ images })
        .expect(201);
      expect(res.body.created).toBe(1202);
      expect(await ledgerSize()).toBe(before + 2n * 1202n);
      expect(BigInt(res.body.receipt.seq)).toBe(before + 2n * 1202n - 1n);

      const hasPart = await db.query(
        `SELECT count(*) AS n FROM graph_edges WHERE source_id = $1 AND relation = 'hasPart'`,
        [dataset],
      );
      expect(Number(hasPart.rows[0].n)).toBe(1202);

      const seen: Array<Record<string, unknown>> = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: Array<Record<string, unknown>>; nextCursor: string | null } } = await t.http
          .get(`/v1/datasets/${dataset}/images?limit=500${cursor ? `&cursor=${cursor}` : ''}`)
          .expect(200);
        seen.push(...page.body.items);
        cursor = page.body.nextCursor;
      } while (cursor !== null);
      expect(seen).toHaveLength(1202);
      expect(seen.map((item) => item.path).slice(0, 3)).toEqual([
        'plate1/well-0.ome.tiff',
        'plate1/well-1.ome.tiff',
        'plate1/well-2.ome.tiff',
      ]);
      expect(seen[0]).toMatchObject({ iri: iri(seen[0]?.id as string), dataset, omeroId: 100000, size: 1000 });
      expect(seen[1201]).toMatchObject({ uri: 's3://bucket/plate.ome.zarr/A/1/0', label: 'A1 field 0', sha256: null });

      // An image reads as part of its dataset; the dataset's own JSON-LD does not inline thousands of parts.
      const image = await t.http.get(`/v1/nodes/${seen[0]?.id as string}`).expect(200);
      expect(image.body).toMatchObject({
        '@type': ['ImageObject', 'prov:Entity', 'ImagePart'],
        isPartOf: { '@id': iri(dataset) },
      });
      const node = await t.http.get(`/v1/nodes/${dataset}`).expect(200);
      expect(node.body.hasPart).toBeUndefined();

      // Registering the same images again writes nothing.
      const again = await t.http
        .post(`/v1/datasets/${dataset}/images`)
        .set(registrant.headers)
        .send({ images: images.slice(0, 10) })
        .expect(200);
      expect(again.body.created).toBe(0);
      expect(await ledgerSize()).toBe(before + 2n * 1202n);
      const changed = await t.http
        .post(`/v1/datasets/${dataset}/images`)
        .set(registrant.headers)
        .send({ images: [{ ...images[5], sha256: sha() }] });
      expect(changed.status).toBe(409);
      expect(changed.body.code).toBe('IMAGE_CONFLICT');
    });

    it.each([
      [[{ path: 'a.tif' }, { label: 'nothing to find it by' }], 400, 'IMAGE_IDENTITY_REQUIRED', 'images.1'],
      [[{ uri: 'ftp://example.org/a.tif' }], 400, 'INVALID_IMAGE_URI', 'images.0.uri'],
      [[{ path: '../../etc/passwd' }], 400, 'INVALID_IMAGE_PATH', 'images.0.path'],
      [[{ path: 'a.tif' }, { path: 'a.tif' }], 400, 'DUPLICATE_IMAGE', 'images.1'],
      [[{ path: 'a.tif', sha256: 'abc' }], 400, 'VALIDATION_FAILED', 'images.0.sha256'],
      [[{ path: 'a.tif', colour: 'red' }], 400, 'UNKNOWN_FIELD', 'images.0.colour'],
      [[], 400, 'VALIDATION_FAILED', 'images'],
    ])('refuses %j with %i %s and writes nothing', async (images, status, code, field) => {
      const before = await ledgerSize();
      const res = await t.http.post(`/v1/datasets/${raw}/images`).set(registrant.headers).send({ images });
      expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await ledgerSize()).toBe(before);
    });

    it('lets only the owner or a curator register images', async () => {
      const res = await t.http
        .post(`/v1/datasets/${raw}/images`)
        .set(outsider.headers)
        .send({ images: [{ path: 'x.tif' }] });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('NOT_OWNER');
      await t.http
        .post(`/v1/datasets/${raw}/images`)
        .set(curator.headers)
        .send({ images: [{ path: `curated-${randomUUID()}.tif` }] })
        .expect(201);
      expect((await t.http.get(`/v1/datasets/${randomUUID()}/images`)).body.code).toBe('DATASET_NOT_FOUND');
    });
  });

  describe('POST /v1/figures', () => {
    let image: string;

    beforeAll(async () => {
      await t.http
        .post(`/v1/datasets/${derived}/images`)
        .set(registrant.headers)
        .send({ images: [{ path: 'masks/field-7.png', sha256: sha() }] })
        .expect(201);
      const page = await t.http.get(`/v1/datasets/${derived}/images`).expect(200);
      image = page.body.items[0].id as string;
    });

    it('records a figure and its panels, derived from their source data, with SourceData tags', async () => {
      const before = await ledgerSize();
      const res = await t.http
        .post('/v1/figures')
        .set(registrant.headers)
        .send({
          publication,
          label: 'Figure 2',
          caption: 'Nuclear size after lamin A/C depletion.',
          panels: [
            { label: 'A', sourceData: [raw] },
            {
              label: 'B',
              caption: 'Nuclear area per cell over 24 h in control and LMNA siRNA-treated HeLa cells.',
              sourceData: [derived],
              sourceImages: [image],
              entities: [
                {
                  type: 'geneprod',
                  id: 'http://purl.uniprot.org/uniprot/P02545',
                  label: 'lamin A/C',
                  role: 'intervention',
                },
                { type: 'subcellular', id: 'GO:0005634', label: 'nucleus', role: 'assayed' },
                { type: 'cell', id: 'https://www.cellosaurus.org/CVCL_0030', label: 'HeLa', role: 'component' },
                { type: 'assay', id: 'FBbi:00000251', label: 'confocal microscopy' },
              ],
            },
          ],
        })
        .expect(201);
      const [panelA, panelB] = res.body.panels as Array<Record<string, unknown>>;
      // Figure and panels share one figure.registered entry; 6 edges: 3 hasPart (article→figure→2 panels), 3 wasDerivedFrom.
      expect(await ledgerSize()).toBe(before + 1n + 6n);
      const entry = await t.http.get(`/v1/ledger/entries/${res.body.receipt.seq}`).expect(200);
      expect(entry.body.kind).toBe('figure.registered');
      expect(res.body).toMatchObject({
        id: expect.any(String),
        publication,
        label: 'Figure 2',
        iri: iri(res.body.id as string),
      });
      expect(panelA).toMatchObject({
        label: 'A',
        name: 'Figure 2A',
        sourceData: [raw],
        sourceImages: [],
        entities: [],
      });
      expect(panelB).toMatchObject({ label: 'B', name: 'Figure 2B', sourceData: [derived], sourceImages: [image] });
      expect(panelB?.entities).toEqual([
        {
          type: 'geneprod',
          id: 'http://purl.uniprot.org/uniprot/P02545',
          label: 'lamin A/C',
          role: 'intervention',
          tag: `${iri(panelB?.id as string)}#tag-1`,
        },
        {
          type: 'subcellular',
          id: 'http://purl.obolibrary.org/obo/GO_0005634',
          label: 'nucleus',
          role: 'assayed',
          tag: `${iri(panelB?.id as string)}#tag-2`,
        },
        {
          type: 'cell',
          id: 'https://www.cellosaurus.org/CVCL_0030',
          label: 'HeLa',
          role: 'component',
          tag: `${iri(panelB?.id as string)}#tag-3`,
        },
        {
          type: 'assay',
          id: 'http://purl.obolibrary.org/obo/FBbi_00000251',
          label: 'confocal microscopy',
          role: 'component',
          tag: `${iri(panelB?.id as string)}#tag-4`,
        },
      ]);
      const { receipt: _receipt, ...view } = res.body as Record<string, unknown>;
      expect((await t.http.get(`/v1/figures/${res.body.id as string}`).expect(200)).body).toEqual(view);

      const panelNode = await t.http.get(`/v1/nodes/${panelB?.id as string}`).expect(200);
      const expected = JSON.parse(
        readFileSync(`${GOLDEN}figure-panel.jsonld`, 'utf8')
          .split('{{PANEL}}')
          .join(iri(panelB?.id as string))
          .split('{{FIGURE}}')
          .join(iri(res.body.id as string))
          .split('{{DERIVED}}')
          .join(iri(derived))
          .split('{{IMAGE}}')
          .join(iri(image)),
      ) as JsonObject;
      const canon = (doc: JsonObject) => canonizeJsonLd(doc, { documentLoader: loader, base: RDF_BASE });
      expect(await canon(panelNode.body as JsonObject)).toBe(await canon(expected));
    });

    it('lets an author of the publication and a curator add figures, nobody else', async () => {
      await t.http.post('/v1/figures').set(author.headers).send(figure()).expect(201);
      await t.http.post('/v1/figures').set(curator.headers).send(figure()).expect(201);
      const before = await ledgerSize();
      const res = await t.http.post('/v1/figures').set(outsider.headers).send(figure());
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('NOT_OWNER');
      expect(await ledgerSize()).toBe(before);
    });

    it.each([
      ['an unknown publication', () => figure({ publication: randomUUID() }), 404, 'PUBLICATION_NOT_FOUND', null],
      ['a dataset given as the publication', () => figure({ publication: raw }), 404, 'PUBLICATION_NOT_FOUND', null],
      [
        'an unknown dataset',
        () => figure({}, { sourceData: [randomUUID()] }),
        422,
        'UNKNOWN_DATASET',
        'panels.0.sourceData.0',
      ],
      [
        'a publication as source data',
        () => figure({}, { sourceData: [publication] }),
        422,
        'UNKNOWN_DATASET',
        'panels.0.sourceData.0',
      ],
      [
        'a dataset as source image',
        () => figure({}, { sourceImages: [raw] }),
        422,
        'UNKNOWN_IMAGE',
        'panels.0.sourceImages.0',
      ],
      [
        'a panel without sources',
        () => figure({}, { sourceData: [] }),
        422,
        'PANEL_SOURCE_REQUIRED',
        'panels.0.sourceData',
      ],
      [
        'an ontology prefix outside the table',
        () => figure({}, { entities: [{ type: 'geneprod', id: 'UniProt:P02545', role: 'assayed' }] }),
        422,
        'UNKNOWN_ONTOLOGY_TERM',
        'panels.0.entities.0.id',
      ],
      [
        'two panels with one label',
        () =>
          figure({
            panels: [
              { label: 'A', sourceData: [raw] },
              { label: 'a', sourceData: [raw] },
            ],
          }),
        422,
        'DUPLICATE_PANEL_LABEL',
        'panels.1.label',
      ],
      [
        'a tag without a role',
        () => figure({}, { entities: [{ type: 'geneprod', id: 'GO:0005634' }] }),
        400,
        'VALIDATION_FAILED',
        'panels.0.entities.0.role',
      ],
      [
        'an unknown entity type',
        () => figure({}, { entities: [{ type: 'protein', id: 'GO:0005634', role: 'assayed' }] }),
        400,
        'VALIDATION_FAILED',
        'panels.0.entities.0.type',
      ],
      ['no panels', () => figure({ panels: [] }), 400, 'VALIDATION_FAILED', 'panels'],
    ] as Array<[string, () => Record<string, unknown>, number, string, string | null]>)(
      'refuses %s and writes nothing',
      async (_name, build, status, code, field) => {
        const before = await ledgerSize();
        const res = await t.http.post('/v1/figures').set(registrant.headers).send(build());
        expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
        if (field !== null) {
          const fields = [res.body.field, ...((res.body.errors ?? []) as Array<{ field: string }>).map((e) => e.field)];
          expect(fields).toContain(field);
        }
        expect(await ledgerSize()).toBe(before);
      },
    );

    it('refuses a second figure with the same label in one publication', async () => {
      const first = figure();
      await t.http.post('/v1/figures').set(registrant.headers).send(first).expect(201);
      const res = await t.http.post('/v1/figures').set(registrant.headers).send(first);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('FIGURE_EXISTS');
    });

    it('answers 404 for an unknown figure and for a node that is not a figure', async () => {
      expect((await t.http.get(`/v1/figures/${randomUUID()}`)).body.code).toBe('FIGURE_NOT_FOUND');
      expect((await t.http.get(`/v1/figures/${raw}`)).status).toBe(404);
    });
  });

  describe('exports read back by an independent JSON-LD processor', () => {
    let panel: string;
    let figureId: string;

    beforeAll(async () => {
      const res = await t.http
        .post('/v1/figures')
        .set(registrant.headers)
        .send({ publication, label: 'Figure 3', panels: [{ label: 'C', sourceData: [derived] }] })
        .expect(201);
      figureId = res.body.id as string;
      panel = res.body.panels[0].id as string;
    });

    it('finds raw dataset → derived dataset → figure panel → publication in the RO-Crate', async () => {
      const crate = await t.http.get(`/v1/nodes/${panel}/ro-crate`).expect(200);
      const nquads = await independent.toRDF(crate.body, {
        base: 'https://crate.example.org/export/',
        format: 'application/n-quads',
        documentLoader: serviceLoader,
      });
      const triples = iriTriples(nquads);
      expect(triples).toContain(`${iri(derived)} ${PROV}wasDerivedFrom ${iri(raw)}`);
      expect(triples).toContain(`${iri(panel)} ${PROV}wasDerivedFrom ${iri(derived)}`);
      expect(triples).toContain(`${iri(panel)} ${SCHEMA}isPartOf ${iri(figureId)}`);
      expect(triples).toContain(`${iri(figureId)} ${SCHEMA}isPartOf ${publicationIri}`);
      expect(triples).toContain(`${publicationIri} ${SCHEMA}hasPart ${iri(figureId)}`);
      expect(triples).toContain(`${publicationIri} ${RDF_TYPE} ${SCHEMA}ScholarlyArticle`);
      // The crate's descriptor and root resolve against the base, so their triples survive.
      expect(triples).toContain(
        `https://crate.example.org/export/ro-crate-metadata.json ${SCHEMA}about https://crate.example.org/export/`,
      );
      expect(triples).toContain(`https://crate.example.org/export/ ${SCHEMA}mainEntity ${iri(panel)}`);
    });

    it('finds the same derivations in the PROV exports (N-Quads and PROV-JSON)', async () => {
      const nquads = await text(t.http.get(`/v1/nodes/${panel}/prov?format=nquads`)).expect(200);
      const triples = iriTriples(nquads.body as string);
      expect(triples).toContain(`${iri(derived)} ${PROV}wasDerivedFrom ${iri(raw)}`);
      expect(triples).toContain(`${iri(panel)} ${PROV}wasDerivedFrom ${iri(derived)}`);
      expect(triples).toContain(`${publicationIri} ${RDF_TYPE} ${PROV}Entity`);

      const ld = await t.http.get(`/v1/nodes/${panel}/prov?format=jsonld`).expect(200);
      const fromLd = iriTriples(
        await independent.toRDF(ld.body, {
          base: 'https://crate.example.org/export/',
          format: 'application/n-quads',
          documentLoader: serviceLoader,
        }),
      );
      expect([...fromLd].sort()).toEqual([...triples].sort());

      const provJson = await t.http.get(`/v1/nodes/${panel}/prov?format=prov-json`).expect(200);
      const derivations = Object.values(provJson.body.wasDerivedFrom as Record<string, Record<string, string>>).map(
        (record) => `${record['prov:generatedEntity']} ${record['prov:usedEntity']}`,
      );
      expect(derivations).toEqual(expect.arrayContaining([`id:${derived} id:${raw}`, `id:${panel} id:${derived}`]));
      expect(Object.keys(provJson.body.entity as object)).toEqual(
        expect.arrayContaining([
          `id:${raw}`,
          `id:${derived}`,
          `id:${panel}`,
          `id:${figureId}`,
          `doi:${publicationIri.slice('https://doi.org/'.length)}`,
        ]),
      );
    });

    it('walks from the raw dataset downstream to the publication', async () => {
      const lineage = await t.http.get(`/v1/nodes/${raw}/lineage?direction=downstream&depth=4`).expect(200);
      const ids = ((lineage.body as JsonObject)['@graph'] as JsonObject[]).map((node) => node['@id']);
      expect(ids).toEqual(expect.arrayContaining([iri(raw), iri(derived), iri(panel), iri(figureId), publicationIri]));
    });
  });

  it('leaves every cached metrics row as a whole recompute writes it', async () => {
    expect(await expectRowsOfWholeRecompute(t)).toBeGreaterThan(0);
  });
});
