import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { createDocumentLoader } from '../../src/core/jsonld/document-loader.js';
import { canonizeJsonLd } from '../../src/core/jsonld/jsonld-processor.js';
import type { JsonObject, JsonValue } from '../../src/core/jsonld/jsonld-processor.js';
import { RDF_BASE } from '../../src/provenance/ro-crate.rules.js';
import { admin, createTestApp } from '../support/app.js';
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
const ref = (target: string): JsonObject => ({ '@id': target });

function golden(name: string, values: Record<string, string>): JsonObject {
  let text = readFileSync(`${GOLDEN}${name}`, 'utf8');
  for (const [key, value] of Object.entries(values)) text = text.split(`{{${key}}}`).join(value);
  return JSON.parse(text) as JsonObject;
}

const canon = (doc: JsonValue): Promise<string> => canonizeJsonLd(doc, { documentLoader: loader, base: RDF_BASE });

/** A raw dataset → segmentation run (Cellpose) → masks chain, all with fresh ledger IRIs. */
function chain(person: string) {
  const ids = {
    RAW: iri(randomUUID()),
    RUN: iri(randomUUID()),
    MASKS: iri(randomUUID()),
    SOFTWARE: iri(randomUUID()),
    PERSON: person,
  };
  const document: JsonObject = {
    '@context': CTX,
    '@graph': [
      {
        '@id': ids.RAW,
        '@type': ['Dataset', 'prov:Entity', 'ImageDataset'],
        name: 'Raw HeLa time-lapse',
        license: ref('https://spdx.org/licenses/CC0-1.0'),
        creator: ref(person),
        organism: ref('http://purl.obolibrary.org/obo/NCBITaxon_9606'),
        qualifiedAttribution: {
          '@id': `${ids.RAW}#attribution-1`,
          '@type': 'prov:Attribution',
          'prov:agent': ref(person),
          creditRole: ref('https://credit.niso.org/contributor-roles/data-curation/'),
        },
      },
      {
        '@id': ids.SOFTWARE,
        '@type': ['SoftwareApplication', 'prov:SoftwareAgent', 'prov:Agent'],
        name: 'Cellpose',
        softwareVersion: '3.0.10',
      },
      {
        '@id': ids.RUN,
        '@type': ['CreateAction', 'prov:Activity', 'AnalysisActivity'],
        name: 'Segmentation',
        used: ref(ids.RAW),
        instrument: ref(ids.SOFTWARE),
        agent: ref(person),
        startedAtTime: '2024-02-01T10:00:00Z',
        endedAtTime: '2024-02-01T12:00:00Z',
      },
      {
        '@id': ids.MASKS,
        '@type': ['Dataset', 'prov:Entity', 'DerivedDataset'],
        name: 'Nucleus masks',
        license: ref('https://spdx.org/licenses/CC-BY-4.0'),
        creator: ref(person),
        wasDerivedFrom: ref(ids.RAW),
        wasGeneratedBy: ref(ids.RUN),
        generatedAtTime: '2024-02-01T12:00:00Z',
      },
    ],
  };
  return { ids, document };
}

describe('provenance (e2e)', () => {
  let t: TestApp;
  let db: pg.Client;
  let depositor: Actor;
  let other: Actor;
  let curator: Actor;

  const ledgerSize = async (): Promise<string> =>
    (await db.query('SELECT size FROM ledger_head WHERE id = 1')).rows[0].size as string;
  const post = (doc: unknown, as: Actor, contentType = 'application/ld+json') =>
    t.http.post('/v1/provenance').set(as.headers).set('content-type', contentType).send(JSON.stringify(doc));
  const nodeId = (nodeIri: string): string => nodeIri.slice(`${BASE}/id/`.length);

  beforeAll(async () => {
    t = await createTestApp();
    db = await connect(t.db.url);
    depositor = await createActor(t, ['depositor']);
    other = await createActor(t, ['depositor']);
    curator = await createActor(t, ['curator']);
  });

  afterAll(async () => {
    // Follow-up jobs (metrics, DOI syncs) of the writes above finish before the database goes away.
    await t.drainJobs();
    await db.end();
    await t.close();
  });

  describe('GET /contexts', () => {
    it('serves the ledger context for this deployment as immutable application/ld+json', async () => {
      const res = await t.http
        .get('/contexts/ledger/v1.jsonld')
        .buffer(true)
        .parse((r, cb) => {
          let text = '';
          r.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          r.on('end', () => cb(null, text));
        });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/ld\+json/);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      const context = (JSON.parse(res.body as string) as JsonObject)['@context'] as JsonObject;
      expect(context.ledger).toBe('http://ledger.test/ns#');
      expect(res.body as string).not.toContain('{{PUBLIC_BASE_URL}}');
      const again = await t.http.get('/contexts/ledger/v1.jsonld').set('if-none-match', res.headers.etag);
      expect(again.status).toBe(304);
    });

    it('serves the shipped RO-Crate 1.2 context too', async () => {
      const res = await t.http.get('/contexts/ro-crate/1.2/context.jsonld').expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/ld\+json/);
    });
  });

  describe('POST /v1/provenance', () => {
    it('stores a chain as nodes and edges, one ledger entry each, and is idempotent', async () => {
      const { ids, document } = chain(iri(depositor.id));
      const before = BigInt(await ledgerSize());
      const res = await post(document, depositor);
      expect(res.status).toBe(201);
      // 4 nodes (raw, software, run, masks) and 7 edges: attributed ×2, used, instrument, agent, derived, generated.
      expect(res.body.receipts).toHaveLength(11);
      expect(BigInt(await ledgerSize())).toBe(before + 11n);
      expect(res.body.receipt).toEqual(res.body.receipts[10]);
      expect(res.body.edges).toHaveLength(7);
      const described = [ids.MASKS, ids.RAW, ids.RUN, ids.SOFTWARE].sort().map(nodeId);
      expect(res.body.nodes).toEqual(described);

      const entry = await t.http.get(`/v1/ledger/entries/${res.body.receipts[0].seq}`).expect(200);
      expect(['node.created', 'edge.created']).toContain(entry.body.kind);

      const again = await post(document, depositor, 'application/json');
      expect(again.status).toBe(200);
      expect(again.body.nodes).toEqual(res.body.nodes);
      expect([...again.body.edges].sort()).toEqual([...res.body.edges].sort());
      expect(again.body.receipts).toEqual([]);
      expect(BigInt(await ledgerSize())).toBe(before + 11n);
    });

    it('renders stored nodes as the golden JSON-LD (compared as canonical RDF)', async () => {
      const { ids, document } = chain(iri(depositor.id));
      await post(document, depositor).expect(201);
      const masks = await t.http.get(`/v1/nodes/${nodeId(ids.MASKS)}`).expect(200);
      expect(masks.headers['content-type']).toMatch(/^application\/ld\+json/);
      expect(await canon(masks.body as JsonObject)).toBe(await canon(golden('derived-node.jsonld', ids)));
      const run = await t.http.get(`/v1/nodes/${nodeId(ids.RUN)}`).expect(200);
      expect(await canon(run.body as JsonObject)).toBe(await canon(golden('activity-node.jsonld', ids)));
    });

    it('keeps qualified attributions on their node and exports them again', async () => {
      const { ids, document } = chain(iri(depositor.id));
      await post(document, depositor).expect(201);
      const lineage = await t.http.get(`/v1/nodes/${nodeId(ids.RAW)}/lineage?direction=downstream`).expect(200);
      const graph = (lineage.body as JsonObject)['@graph'] as JsonObject[];
      const attribution = graph.find((node) => node['@id'] === `${ids.RAW}#attribution-1`);
      expect(attribution).toEqual({
        '@id': `${ids.RAW}#attribution-1`,
        '@type': 'prov:Attribution',
        'prov:agent': ref(ids.PERSON),
        creditRole: ref('https://credit.niso.org/contributor-roles/data-curation/'),
      });
    });

    it('refuses a remote context with 422 REMOTE_CONTEXT_FORBIDDEN without any request', async () => {
      let hits = 0;
      const server: Server = createServer((_req, res) => {
        hits += 1;
        res.setHeader('content-type', 'application/ld+json');
        res.end(JSON.stringify({ '@context': { name: 'http://schema.org/name' } }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const remote = `http://127.0.0.1:${(server.address() as AddressInfo).port}/context.jsonld`;
      try {
        const before = await ledgerSize();
        const top = await post({ '@context': remote, '@id': iri(randomUUID()), name: 'x' }, depositor);
        expect(top.status).toBe(422);
        expect(top.body.code).toBe('REMOTE_CONTEXT_FORBIDDEN');
        expect(top.body.url).toBe(remote);
        const scoped = await post(
          {
            '@context': [CTX, { about2: { '@id': 'http://schema.org/about', '@context': remote } }],
            '@id': iri(randomUUID()),
            name: 'x',
          },
          depositor,
        );
        expect(scoped.status).toBe(422);
        expect(scoped.body.code).toBe('REMOTE_CONTEXT_FORBIDDEN');
        expect(hits).toBe(0);
        expect(await ledgerSize()).toBe(before);
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });

    describe('refuses bad input with a problem naming node and property, and stores nothing', () => {
      let raw: string;
      let derived: string;
      let foreign: string;

      beforeAll(async () => {
        raw = (await depositDataset(t, depositor)).id;
        derived = (
          await depositDataset(t, depositor, {
            kind: 'derived',
            derivedFrom: [raw],
            generatedBy: { method: 'EDAM:operation_3443' },
          })
        ).id;
        foreign = (await depositDataset(t, other)).id;
      });

      const dataset = (id: string, extra: JsonObject = {}): JsonObject => ({
        '@id': id,
        '@type': ['Dataset', 'prov:Entity', 'ImageDataset'],
        name: 'A dataset',
        license: ref('https://spdx.org/licenses/CC0-1.0'),
        creator: ref(iri(depositor.id)),
        ...extra,
      });

      type Case = [string, () => JsonValue, number, string, (() => string) | null, string | null];
      const a = iri(randomUUID());
      const b = iri(randomUUID());
      const cases: Case[] = [
        [
          'a derivation cycle inside the document',
          () => ({
            '@context': CTX,
            '@graph': [
              { ...dataset(a), '@type': ['Dataset', 'prov:Entity', 'ImageDataset'], wasDerivedFrom: ref(b) },
              { ...dataset(b), wasDerivedFrom: ref(a) },
            ],
          }),
          422,
          'DERIVATION_CYCLE',
          () => [a, b].sort()[0],
          null,
        ],
        [
          'a derivation cycle through stored edges',
          () => ({ '@context': CTX, ...dataset(iri(raw), { wasDerivedFrom: ref(iri(derived)) }) }),
          422,
          'DERIVATION_CYCLE',
          null,
          null,
        ],
        [
          'a node typed both prov:Entity and prov:Activity',
          () => ({
            '@context': CTX,
            ...dataset(a, { '@type': ['Dataset', 'prov:Entity', 'ImageDataset', 'prov:Activity'] }),
          }),
          422,
          'PROV_TYPE_CONFLICT',
          () => a,
          '@type',
        ],
        [
          'a stored dataset described as an activity',
          () => ({
            '@context': CTX,
            '@id': iri(raw),
            '@type': ['CreateAction', 'prov:Activity', 'AnalysisActivity'],
            used: ref(iri(derived)),
          }),
          422,
          'PROV_TYPE_CONFLICT',
          () => iri(raw),
          '@type',
        ],
        [
          'a second generation of a stored derived dataset',
          () => ({
            '@context': CTX,
            '@id': a,
            '@type': ['CreateAction', 'prov:Activity', 'AnalysisActivity'],
            used: ref(iri(raw)),
            result: ref(iri(derived)),
          }),
          422,
          'MULTIPLE_GENERATION',
          () => iri(derived),
          'wasGeneratedBy',
        ],
        [
          'a term no accepted context defines',
          () => ({ '@context': CTX, ...dataset(a, {}), colour: 'blue' }),
          422,
          'JSONLD_INVALID',
          null,
          'colour',
        ],
        [
          'a blank node',
          () => ({
            '@context': CTX,
            ...dataset(a, {
              qualifiedAttribution: { '@type': 'prov:Attribution', 'prov:agent': ref(iri(depositor.id)) },
            }),
          }),
          422,
          'BLANK_NODE_FORBIDDEN',
          () => a,
          'qualifiedAttribution',
        ],
        [
          'a reference to nothing recorded',
          () => ({ '@context': CTX, ...dataset(a, { wasDerivedFrom: ref(iri(randomUUID())) }) }),
          422,
          'DANGLING_REFERENCE',
          () => a,
          'wasDerivedFrom',
        ],
        [
          'a CURIE where an IRI belongs',
          () => ({ '@context': CTX, ...dataset(a, { organism: ref('NCBITaxon:9606') }) }),
          422,
          'MALFORMED_IRI',
          () => a,
          'organism',
        ],
        [
          'a relation another feature records',
          () => ({ '@context': CTX, ...dataset(a, { publisher: ref(iri(depositor.id)) }) }),
          422,
          'RELATION_NOT_STORABLE',
          () => a,
          'publisher',
        ],
        [
          'an unregistered person without ORCID',
          () => ({ '@context': CTX, ...dataset(a, { creator: ref(iri(randomUUID())) }) }),
          422,
          'DANGLING_REFERENCE',
          () => a,
          'creator',
        ],
        [
          'a person described without ORCID who is not a registered agent',
          () => {
            const stranger = iri(randomUUID());
            return {
              '@context': CTX,
              '@graph': [
                dataset(a, { creator: ref(stranger) }),
                { '@id': stranger, '@type': ['Person', 'prov:Person', 'prov:Agent'], name: 'A. Stranger' },
              ],
            };
          },
          422,
          'UNKNOWN_AGENT',
          null,
          '@id',
        ],
        [
          'a relation from a dataset someone else deposited',
          () => ({
            '@context': CTX,
            '@graph': [
              dataset(a),
              {
                '@id': iri(foreign),
                '@type': ['Dataset', 'prov:Entity', 'ImageDataset'],
                name: 'x',
                license: ref('https://spdx.org/licenses/CC0-1.0'),
                creator: ref(iri(other.id)),
                wasDerivedFrom: ref(a),
              },
            ],
          }),
          403,
          'NOT_OWNER',
          () => iri(foreign),
          null,
        ],
        [
          'a document that describes nothing',
          () => ({ '@context': CTX, '@graph': [] }),
          422,
          'EMPTY_DOCUMENT',
          null,
          null,
        ],
        ['a body that is not JSON-LD at all', () => 'just a string', 422, 'JSONLD_INVALID', null, null],
        [
          'a document over the object limit',
          () => ({ '@context': CTX, '@graph': Array.from({ length: 5001 }, () => ({ '@id': iri(randomUUID()) })) }),
          413,
          'JSONLD_TOO_LARGE',
          null,
          null,
        ],
      ];

      it.each(cases)('%s', async (_name, build, status, code, node, property) => {
        const before = await ledgerSize();
        const res = await post(build(), depositor);
        expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        if (node !== null) expect(res.body.node).toBe(node());
        if (property !== null) expect(res.body.property).toBe(property);
        expect(await ledgerSize()).toBe(before);
      });

      it('lets a curator add relations from any recorded node', async () => {
        const source = iri(randomUUID());
        const res = await post(
          {
            '@context': CTX,
            '@graph': [
              dataset(source),
              {
                '@id': iri(foreign),
                '@type': ['Dataset', 'prov:Entity', 'ImageDataset'],
                name: 'x',
                license: ref('https://spdx.org/licenses/CC0-1.0'),
                creator: ref(iri(other.id)),
                hadPrimarySource: ref(source),
              },
            ],
          },
          curator,
        );
        expect(res.status).toBe(201);
      });

      it('refuses anonymous callers and callers without a writing role', async () => {
        await t.http.post('/v1/provenance').set('content-type', 'application/ld+json').send('{}').expect(401);
        const funder = await createActor(t, ['funder']);
        const res = await post({ '@context': CTX }, funder);
        expect(res.status).toBe(403);
      });
    });
  });

  describe('GET /v1/datasets/:id', () => {
    it('answers JSON by default and the golden JSON-LD node for Accept: application/ld+json', async () => {
      const created = await t.http
        .post('/v1/datasets')
        .set(depositor.headers)
        .send({
          kind: 'image',
          title: 'Lamin A/C knock-down time-lapse',
          description: 'HeLa cells imaged every 10 min for 24 h.',
          creators: [depositor.id],
          license: 'CC-BY-4.0',
          accession: 'S-BIAD123',
          keywords: ['nucleus', 'lamin'],
          organism: 'NCBITaxon:9606',
          imagingMethod: 'FBbi:00000251',
          publicationYear: 2024,
        })
        .expect(201);
      const id = created.body.id as string;
      const json = await t.http.get(`/v1/datasets/${id}`).expect(200);
      expect(json.headers['content-type']).toMatch(/^application\/json/);
      const { receipt: _receipt, ...withoutReceipt } = created.body as Record<string, unknown>;
      expect(json.body).toEqual(withoutReceipt);

      const ld = await t.http.get(`/v1/datasets/${id}`).set('accept', 'application/ld+json').expect(200);
      expect(ld.headers['content-type']).toMatch(/^application\/ld\+json/);
      expect(ld.headers.vary).toMatch(/accept/i);
      expect((ld.body as JsonObject)['@context']).toBe(CTX);
      expect(await canon(ld.body as JsonObject)).toBe(
        await canon(golden('deposited-dataset.jsonld', { DATASET: iri(id), PERSON: iri(depositor.id) })),
      );
      const preferJson = await t.http
        .get(`/v1/datasets/${id}`)
        .set('accept', 'application/json, application/ld+json;q=0.5')
        .expect(200);
      expect(preferJson.body.title).toBe('Lamin A/C knock-down time-lapse');
    });

    it('answers 404 problem+json in both representations for an unknown dataset', async () => {
      for (const accept of ['application/json', 'application/ld+json']) {
        const res = await t.http.get(`/v1/datasets/${randomUUID()}`).set('accept', accept);
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('DATASET_NOT_FOUND');
      }
    });
  });

  describe('GET /v1/nodes/:id/lineage', () => {
    it('follows derivations upstream and downstream within the depth', async () => {
      const { ids, document } = chain(iri(depositor.id));
      await post(document, depositor).expect(201);
      const graphIds = (body: unknown): string[] =>
        ((body as JsonObject)['@graph'] as JsonObject[]).map((n) => n['@id'] as string);

      const up = await t.http.get(`/v1/nodes/${nodeId(ids.MASKS)}/lineage?direction=upstream&depth=2`).expect(200);
      expect(up.headers['content-type']).toMatch(/^application\/ld\+json/);
      expect(graphIds(up.body)[0]).toBe(ids.MASKS);
      expect(graphIds(up.body)).toEqual(expect.arrayContaining([ids.RAW, ids.RUN, ids.SOFTWARE, ids.PERSON]));

      const shallow = await t.http.get(`/v1/nodes/${nodeId(ids.RAW)}/lineage?direction=downstream&depth=1`).expect(200);
      expect(graphIds(shallow.body)).toEqual(expect.arrayContaining([ids.RAW, ids.RUN, ids.MASKS]));

      const none = await t.http.get(`/v1/nodes/${nodeId(ids.RAW)}/lineage?direction=upstream`).expect(200);
      expect(graphIds(none.body)).not.toContain(ids.MASKS);
    });

    it.each([['direction=sideways'], ['depth=0'], ['depth=51'], ['depth=two'], ['colour=red']])(
      'answers 400 for %s',
      async (query) => {
        const res = await t.http.get(`/v1/nodes/${randomUUID()}/lineage?${query}`);
        expect(res.status).toBe(400);
      },
    );

    it('answers 404 for an unknown node and 400 for a malformed id', async () => {
      expect((await t.http.get(`/v1/nodes/${randomUUID()}`)).body.code).toBe('NODE_NOT_FOUND');
      expect((await t.http.get('/v1/nodes/not-a-uuid')).status).toBe(400);
    });

    it('redirects a ledger IRI path to the node', async () => {
      const id = randomUUID();
      const res = await t.http.get(`/id/${id}`).expect(303);
      expect(res.headers.location).toBe(`/v1/nodes/${id}`);
    });
  });

  describe('exports', () => {
    it('writes PROV-JSON, PROV N-Quads and PROV JSON-LD of the same graph', async () => {
      const { ids, document } = chain(iri(depositor.id));
      await post(document, depositor).expect(201);
      const provJson = await t.http.get(`/v1/nodes/${nodeId(ids.MASKS)}/prov`).expect(200);
      expect(provJson.headers['content-type']).toMatch(/^application\/json/);
      const records = Object.values(provJson.body.wasDerivedFrom as Record<string, Record<string, string>>);
      expect(records).toHaveLength(1);
      expect(records[0]).toEqual({
        'prov:generatedEntity': `id:${nodeId(ids.MASKS)}`,
        'prov:usedEntity': `id:${nodeId(ids.RAW)}`,
      });
      expect(provJson.body.prefix.id).toBe(`${BASE}/id/`);

      const nquads = await t.http
        .get(`/v1/nodes/${nodeId(ids.MASKS)}/prov?format=nquads`)
        .buffer(true)
        .parse((r, cb) => {
          let text = '';
          r.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          r.on('end', () => cb(null, text));
        });
      expect(nquads.status).toBe(200);
      expect(nquads.headers['content-type']).toMatch(/^application\/n-quads/);
      const lines = (nquads.body as string).trim().split('\n');
      expect(lines).toContain(`<${ids.MASKS}> <http://www.w3.org/ns/prov#wasDerivedFrom> <${ids.RAW}> .`);
      // Only PROV predicates, and rdf:type only with PROV classes (provenance.md §8).
      for (const line of lines) {
        expect(line).toMatch(
          /^<[^>]+> <(http:\/\/www\.w3\.org\/ns\/prov#[^>]+|http:\/\/www\.w3\.org\/1999\/02\/22-rdf-syntax-ns#type)> /,
        );
        if (line.includes('22-rdf-syntax-ns#type'))
          expect(line).toMatch(/<http:\/\/www\.w3\.org\/ns\/prov#[A-Za-z]+> \.$/);
      }

      const ld = await t.http.get(`/v1/nodes/${nodeId(ids.MASKS)}/prov?format=jsonld`).expect(200);
      const fromLd = (await canon(ld.body as JsonObject)).trim().split('\n').sort();
      expect(fromLd).toContain(`<${ids.MASKS}> <http://www.w3.org/ns/prov#wasGeneratedBy> <${ids.RUN}> .`);
      expect(fromLd.length).toBe(lines.length);
    });

    it('answers 400 for an unknown PROV format', async () => {
      const res = await t.http.get(`/v1/nodes/${randomUUID()}/prov?format=turtle`);
      expect(res.status).toBe(400);
    });

    it('exports an RO-Crate 1.2 metadata document with the run as a CreateAction', async () => {
      const { ids, document } = chain(iri(depositor.id));
      await post(document, depositor).expect(201);
      const res = await t.http.get(`/v1/nodes/${nodeId(ids.MASKS)}/ro-crate`).expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/ld\+json/);
      expect(res.headers['content-disposition']).toMatch(/-ro-crate-metadata\.json"$/);
      const crate = res.body as JsonObject;
      expect(crate['@context']).toEqual(['https://w3id.org/ro/crate/1.2/context', CTX]);
      const entities = new Map((crate['@graph'] as JsonObject[]).map((entity) => [entity['@id'] as string, entity]));
      expect(entities.get('ro-crate-metadata.json')).toEqual({
        '@id': 'ro-crate-metadata.json',
        '@type': 'CreativeWork',
        conformsTo: ref('https://w3id.org/ro/crate/1.2'),
        about: ref('./'),
      });
      const root = entities.get('./') as JsonObject;
      expect(root.mainEntity).toEqual(ref(ids.MASKS));
      expect(root.mentions).toEqual(ref(ids.RUN));
      expect(entities.get(ids.RUN)).toMatchObject({
        instrument: ref(ids.SOFTWARE),
        object: ref(ids.RAW),
        result: ref(ids.MASKS),
        agent: ref(ids.PERSON),
      });
      expect(entities.get(ids.SOFTWARE)).toMatchObject({ softwareVersion: '3.0.10' });
      expect(entities.get(ids.PERSON)).toMatchObject({ '@type': ['Person', 'prov:Person', 'prov:Agent'] });
      // Every reference is described in the crate, and its RDF loads with the shipped contexts only.
      await expect(canon(crate)).resolves.toContain(
        `<${ids.MASKS}> <http://www.w3.org/ns/prov#wasDerivedFrom> <${ids.RAW}>`,
      );
    });

    it('re-imports its own export of deposited records without writing anything', async () => {
      const raw = await depositDataset(t, depositor);
      const crate = await t.http.get(`/v1/nodes/${raw.id}/ro-crate`).expect(200);
      const before = await ledgerSize();
      const res = await post(crate.body, depositor);
      expect(res.status).toBe(200);
      expect(res.body.nodes).toEqual(expect.arrayContaining([raw.id, depositor.id]));
      expect(await ledgerSize()).toBe(before);
    });
  });

  it('lists the checkpoint size the ledger reports', async () => {
    const checkpoint = await t.http.get('/v1/ledger/checkpoint').set(admin).expect(200);
    expect(checkpoint.text.split('\n')[1]).toBe(await ledgerSize());
  });

  it('leaves every cached metrics row as a whole recompute writes it', async () => {
    expect(await expectRowsOfWholeRecompute(t)).toBeGreaterThan(0);
  });
});
