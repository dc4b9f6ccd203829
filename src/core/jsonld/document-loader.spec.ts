import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

import {
  LEDGER_CONTEXT_URL,
  RO_CRATE_12_CONTEXT_URL,
  ledgerContextUrl,
  ledgerNamespace,
  ledgerNodeIri,
  normalizePublicBaseUrl,
  parseLedgerNodeIri,
} from './context-urls.js';
import {
  RemoteContextForbiddenError,
  createDocumentLoader,
  isRemoteContextForbidden,
  readLedgerContext,
  renderLedgerContext,
  shippedContextUrls,
} from './document-loader.js';
import { canonizeJsonLd } from './jsonld-processor.js';
import type { JsonObject, JsonValue } from './jsonld-processor.js';
import { DEFAULT_EXPAND_LIMITS, expandSafely } from './safe-expand.js';
import { LEDGER_CONTEXT_COERCIONS, LEDGER_CONTEXT_TERMS, vocabularyIri } from '../../provenance/provenance.rules.js';

const CONTEXTS_DIR = fileURLToPath(new URL('../../../contexts/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/provenance/', import.meta.url));
const BASE = 'https://ledger.example.org';
const RDF_BASE = 'arcp://uuid,00000000-0000-0000-0000-000000000000/';

const readJson = (path: string): JsonObject => JSON.parse(readFileSync(path, 'utf8')) as JsonObject;
const contextOf = (doc: JsonObject): Record<string, JsonValue> => doc['@context'] as Record<string, JsonValue>;

describe('context URLs', () => {
  it.each([
    ['https://ledger.example.org', 'https://ledger.example.org'],
    ['https://Ledger.Example.ORG/', 'https://ledger.example.org'],
    ['https://data.example.net/ledger//', 'https://data.example.net/ledger'],
    ['http://127.0.0.1:3000', 'http://127.0.0.1:3000'],
  ])('normalises the public base %s to %s', (input, expected) => {
    expect(normalizePublicBaseUrl(input)).toBe(expected);
  });

  it.each(['ledger.example.org', 'ftp://ledger.example.org', 'https://ledger.example.org/?x=1', 'https://u:p@h.org'])(
    'rejects %s as a public base',
    (input) => {
      expect(() => normalizePublicBaseUrl(input)).toThrow(TypeError);
    },
  );

  it('derives the context URL, namespace and node IRIs from the base', () => {
    expect(ledgerContextUrl('https://data.example.net/ledger/')).toBe(
      'https://data.example.net/ledger/contexts/ledger/v1.jsonld',
    );
    expect(ledgerNamespace(BASE)).toBe('https://ledger.example.org/ns#');
    expect(ledgerNodeIri(BASE, '81b2fdad-6b29-43e6-be18-6aab669adcdb')).toBe(
      'https://ledger.example.org/id/81b2fdad-6b29-43e6-be18-6aab669adcdb',
    );
    expect(() => ledgerNodeIri(BASE, '81B2FDAD-6B29-43E6-BE18-6AAB669ADCDB')).toThrow(TypeError);
  });

  it.each([
    [
      'https://ledger.example.org/id/81b2fdad-6b29-43e6-be18-6aab669adcdb',
      '81b2fdad-6b29-43e6-be18-6aab669adcdb',
      null,
    ],
    [
      'https://ledger.example.org/id/81b2fdad-6b29-43e6-be18-6aab669adcdb#tag-2',
      '81b2fdad-6b29-43e6-be18-6aab669adcdb',
      'tag-2',
    ],
  ])('parses the ledger IRI %s', (iri, uuid, fragment) => {
    expect(parseLedgerNodeIri(BASE, iri)).toEqual({ uuid, fragment });
  });

  it.each([
    'https://other.example.org/id/81b2fdad-6b29-43e6-be18-6aab669adcdb',
    'https://ledger.example.org/id/not-a-uuid',
    'https://ledger.example.org/id/81b2fdad-6b29-43e6-be18-6aab669adcdb#bad fragment',
  ])('does not take %s for a ledger node IRI', (iri) => {
    expect(parseLedgerNodeIri(BASE, iri)).toBeNull();
  });
});

describe('createDocumentLoader', () => {
  const loader = createDocumentLoader(CONTEXTS_DIR, { publicBaseUrl: BASE });

  it('answers exactly the shipped URLs', () => {
    expect(shippedContextUrls(BASE)).toEqual([
      'https://w3id.org/ro/crate/1.2/context',
      'http://w3id.org/ro/crate/1.2/context',
      'https://ledger.example.org/contexts/ledger/v1.jsonld',
      'https://cell-image-ledger.invalid/contexts/ledger/v1.jsonld',
      'https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
      'https://ledger.example.org/contexts/ledger/credentials/v1.jsonld',
    ]);
  });

  it.each([
    [RO_CRATE_12_CONTEXT_URL, 'File', 'http://schema.org/MediaObject'],
    ['http://w3id.org/ro/crate/1.2/context', 'conformsTo', 'http://purl.org/dc/terms/conformsTo'],
    [ledgerContextUrl(BASE), 'ledger', 'https://ledger.example.org/ns#'],
    [LEDGER_CONTEXT_URL, 'ledger', 'https://ledger.example.org/ns#'],
  ])('serves %s from contexts/', async (url, term, iri) => {
    const remote = await loader(url);
    expect(remote.documentUrl).toBe(url);
    expect(remote.contextUrl).toBeNull();
    expect(contextOf(remote.document as JsonObject)[term]).toBe(iri);
  });

  it('renders the ledger namespace of the configured public base', async () => {
    const other = createDocumentLoader(CONTEXTS_DIR, { publicBaseUrl: 'https://data.example.net/ledger/' });
    const remote = await other(LEDGER_CONTEXT_URL);
    expect(contextOf(remote.document as JsonObject).ledger).toBe('https://data.example.net/ledger/ns#');
    expect(() => other(ledgerContextUrl(BASE))).toThrow(RemoteContextForbiddenError);
  });

  it('hands out copies, so a caller cannot alter the cached context', async () => {
    const first = await loader(ledgerContextUrl(BASE));
    contextOf(first.document as JsonObject).name = 'http://example.org/hijacked';
    const second = await loader(ledgerContextUrl(BASE));
    expect(contextOf(second.document as JsonObject).name).toBe('http://schema.org/name');
  });

  it.each([
    'https://schema.org/',
    'https://w3id.org/ro/crate/1.1/context',
    'https://w3id.org/ro/crate/1.2/context/',
    'https://other.example.org/contexts/ledger/v1.jsonld',
    'http://ledger.example.org/contexts/ledger/v1.jsonld',
    'https://ledger.example.org/contexts/ledger/v1.jsonld?version=2',
    'file:///etc/passwd',
  ])('refuses %s synchronously with REMOTE_CONTEXT_FORBIDDEN', (url) => {
    let thrown: unknown;
    try {
      void loader(url);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RemoteContextForbiddenError);
    expect(isRemoteContextForbidden(thrown)).toBe(true);
    expect(thrown).toMatchObject({ code: 'REMOTE_CONTEXT_FORBIDDEN', url });
  });

  it('refuses a template without the public base placeholder', () => {
    expect(() => renderLedgerContext('{"@context": {}}', BASE)).toThrow(/placeholder/);
  });
});

describe('no network for unshipped contexts', () => {
  let server: Server;
  let requests = 0;
  let origin = '';

  beforeAll(async () => {
    server = createServer((_request, response) => {
      requests += 1;
      response.setHeader('content-type', 'application/ld+json');
      response.end(JSON.stringify({ '@context': { colour: 'http://example.org/colour' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('refuses a top-level, an array and a scoped remote context without a single request', async () => {
    const loader = createDocumentLoader(CONTEXTS_DIR, { publicBaseUrl: BASE });
    const remote = `${origin}/context.jsonld`;
    const documents: JsonValue[] = [
      { '@context': remote, '@id': 'https://ledger.example.org/x', colour: 'red' },
      { '@context': [ledgerContextUrl(BASE), remote], '@id': 'https://ledger.example.org/x', colour: 'red' },
      {
        '@context': [ledgerContextUrl(BASE), { paint: { '@id': 'http://example.org/paint', '@context': remote } }],
        '@id': 'https://ledger.example.org/x',
        paint: { colour: 'red' },
      },
    ];
    for (const doc of documents) {
      const outcome = await expandSafely(doc, { ...DEFAULT_EXPAND_LIMITS, loader });
      expect(outcome).toEqual({
        ok: false,
        error: { code: 'REMOTE_CONTEXT_FORBIDDEN', detail: `context not shipped: ${remote}`, url: remote },
      });
    }
    await expect(canonizeJsonLd(documents[0], { documentLoader: loader, base: RDF_BASE })).rejects.toThrow(
      /loading remote context failed|Dereferencing a URL/,
    );
    expect(requests).toBe(0);

    // The counter does count: the server answers a real request.
    const response = await fetch(remote);
    expect(response.status).toBe(200);
    expect(requests).toBe(1);
  });
});

describe('shipped contexts', () => {
  const ledger = contextOf(readLedgerContext(CONTEXTS_DIR, BASE));
  const roCrate = contextOf(readJson(`${CONTEXTS_DIR}ro-crate/1.2/context.jsonld`));

  it('is the published RO-Crate 1.2 context, byte for byte in size', () => {
    // The published file (https://w3id.org/ro/crate/1.2/context) is 184,412 bytes with 2,899 terms.
    expect(statSync(`${CONTEXTS_DIR}ro-crate/1.2/context.jsonld`).size).toBe(184412);
    expect(Object.keys(roCrate)).toHaveLength(2899);
    expect(roCrate).toMatchObject({
      '3DModel': 'http://schema.org/3DModel',
      HTML: 'rdf:HTML',
      path: 'http://schema.org/contentUrl',
      Profile: 'http://www.w3.org/ns/dx/prof/Profile',
      embargoEndDate: 'https://codemeta.github.io/terms/embargoEndDate',
      yield: 'http://schema.org/yield',
    });
  });

  it('repeats every RO-Crate key it shares with an identical definition (provenance.md §1.2)', () => {
    const shared = Object.keys(ledger).filter((key) => key in roCrate);
    expect(shared).toEqual(expect.arrayContaining(['Grant', 'agent', 'about', 'conformsTo', 'wasDerivedFrom', 'prov']));
    for (const key of shared) expect([key, ledger[key]]).toEqual([key, roCrate[key]]);
    // Keys provenance.md §1.2 names as tempting to redefine: the ledger context leaves the PROV-only ones alone.
    expect(Object.keys(ledger)).not.toEqual(expect.arrayContaining(['Collection']));
    for (const key of ['Role', 'Quotation', 'value', 'location', 'input', 'output', 'hasRole', 'File', 'Profile']) {
      expect(ledger[key]).toBeUndefined();
    }
  });

  it('defines no @vocab and coerces only PROV times and parameters (provenance.md §1.5)', () => {
    expect(ledger['@vocab']).toBeUndefined();
    const coerced = Object.fromEntries(
      Object.entries(ledger)
        .filter(([, definition]) => typeof definition === 'object' && definition !== null)
        .map(([term, definition]) => [term, (definition as JsonObject)['@type']]),
    );
    expect(coerced).toEqual(LEDGER_CONTEXT_COERCIONS);
    expect(coerced).toEqual({
      startedAtTime: 'xsd:dateTime',
      endedAtTime: 'xsd:dateTime',
      generatedAtTime: 'xsd:dateTime',
      atTime: 'xsd:dateTime',
      parameters: '@json',
    });
  });

  it('matches the vocabulary table of the provenance rules term for term', () => {
    const prefixes = ['@version', 'schema', 'prov', 'dct', 'cito', 'xsd', 'ledger'];
    expect(
      Object.keys(ledger)
        .filter((key) => !prefixes.includes(key))
        .sort(),
    ).toEqual(Object.keys(LEDGER_CONTEXT_TERMS).sort());
    for (const [term, definition] of Object.entries(ledger)) {
      if (prefixes.includes(term)) continue;
      const id = typeof definition === 'string' ? definition : ((definition as JsonObject)['@id'] as string);
      const [prefix, local] = id.startsWith('http') ? [null, id] : (id.split(':') as [string, string]);
      const iri = prefix === null ? local : `${ledger[prefix] as string}${local}`;
      expect([term, iri]).toEqual([term, vocabularyIri(term, BASE)]);
    }
  });

  it('gives the reference example the same canonical N-Quads inline and through the shipped contexts', async () => {
    const loader = createDocumentLoader(CONTEXTS_DIR, { publicBaseUrl: BASE });
    const example = readJson(`${FIXTURES}example-crate.jsonld`);
    const inline = await canonizeJsonLd(example, { documentLoader: loader, base: RDF_BASE });
    const referenced = await canonizeJsonLd(
      { ...example, '@context': [RO_CRATE_12_CONTEXT_URL, ledgerContextUrl(BASE)] },
      { documentLoader: loader, base: RDF_BASE },
    );
    const alias = await canonizeJsonLd(
      { ...example, '@context': [RO_CRATE_12_CONTEXT_URL, LEDGER_CONTEXT_URL] },
      { documentLoader: loader, base: RDF_BASE },
    );
    expect(referenced).toBe(inline);
    expect(alias).toBe(inline);
    // provenance.md §9: the example is 192 triples.
    expect(inline.trim().split('\n')).toHaveLength(192);

    // Another deployment's namespace gives other IRIs, so the comparison above can fail.
    const elsewhere = createDocumentLoader(CONTEXTS_DIR, { publicBaseUrl: 'https://data.example.net' });
    const moved = await canonizeJsonLd(
      { ...example, '@context': [RO_CRATE_12_CONTEXT_URL, LEDGER_CONTEXT_URL] },
      { documentLoader: elsewhere, base: RDF_BASE },
    );
    expect(moved).not.toBe(inline);
  });
});
