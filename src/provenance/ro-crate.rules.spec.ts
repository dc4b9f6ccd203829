import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { RO_CRATE_12_CONTEXT_URL, ledgerContextUrl } from '../core/jsonld/context-urls.js';
import { createDocumentLoader } from '../core/jsonld/document-loader.js';
import { canonizeJsonLd } from '../core/jsonld/jsonld-processor.js';
import type { JsonObject, JsonValue } from '../core/jsonld/jsonld-processor.js';
import { DEFAULT_EXPAND_LIMITS, expandSafely } from '../core/jsonld/safe-expand.js';
import { toNQuads } from './prov-json.rules.js';
import { extractGraph } from './provenance.rules.js';
import type { GraphEdge, GraphNode } from './provenance.rules.js';
import { RDF_BASE, buildRoCrate, crateBaseIri, detachedCrateFileName, licenseEntity } from './ro-crate.rules.js';
import type { RoCrateOptions } from './ro-crate.rules.js';

const CONTEXTS_DIR = fileURLToPath(new URL('../../contexts/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../test/fixtures/provenance/', import.meta.url));
const BASE = 'https://ledger.example.org';
const loader = createDocumentLoader(CONTEXTS_DIR, { publicBaseUrl: BASE });
const example = JSON.parse(readFileSync(`${FIXTURES}example-crate.jsonld`, 'utf8')) as JsonObject;

const ID = 'https://ledger.example.org/id/';
const RAW = `${ID}81b2fdad-6b29-43e6-be18-6aab669adcdb`;
const RUN = `${ID}b578189b-14a5-47b8-a85e-11ecb2a49c10`;
const CELLPOSE = `${ID}7c621e16-fc3a-4ac2-866e-9645b7d0f2a8`;
const MASKS = `${ID}59b63261-920c-476c-9014-46f65b16534f`;
const REUSE = `${ID}5c38a8b9-5bfb-4003-a5cc-b34a45623454`;
const ARTICLE = 'https://doi.org/10.5555/example.pub.0002';
const FIGURE = `${ID}51727ced-d2a1-45d4-a62e-12e0f31dc830`;
const PANEL = `${ID}497632bb-7e5d-4ff6-b703-00653f936fcb`;
const CARBERRY = 'https://orcid.org/0000-0002-1825-0097';

// The root data entity of the reference example.
const OPTIONS: RoCrateOptions = {
  ledgerContextUrl: ledgerContextUrl(BASE),
  name: 'Provenance and credit record: example study idr0000 to Figure 2B',
  description: 'Ledger export tracing a figure panel back to the segmented and raw image data it was built from.',
  datePublished: '2024-06-20',
  license: 'https://spdx.org/licenses/CC-BY-4.0',
};

let nodes: GraphNode[];
let edges: GraphEdge[];
let crate: JsonObject;

beforeAll(async () => {
  const outcome = await expandSafely(example, { ...DEFAULT_EXPAND_LIMITS, loader, base: RDF_BASE });
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.error));
  const graph = extractGraph(outcome.expanded, { publicBaseUrl: BASE, crateBase: RDF_BASE });
  if (!graph.ok) throw new Error(JSON.stringify(graph.problems));
  nodes = graph.nodes;
  edges = graph.edges;
  crate = buildRoCrate(PANEL, nodes, edges, OPTIONS);
});

const entities = (): Map<string, JsonObject> =>
  new Map((crate['@graph'] as JsonObject[]).map((entity) => [entity['@id'] as string, entity]));
const ids = (value: JsonValue | undefined): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(
    (item) => (item as JsonObject)['@id'] as string,
  );

describe('buildRoCrate', () => {
  it('rebuilds the reference example exactly (canonical N-Quads)', async () => {
    const built = await canonizeJsonLd(crate, { documentLoader: loader, base: RDF_BASE });
    const reference = await canonizeJsonLd(example, { documentLoader: loader, base: RDF_BASE });
    expect(built).toBe(reference);
  });

  it('references the RO-Crate 1.2 context first, then the ledger context', () => {
    expect(crate['@context']).toEqual([
      RO_CRATE_12_CONTEXT_URL,
      'https://ledger.example.org/contexts/ledger/v1.jsonld',
    ]);
  });

  it('starts with the metadata descriptor about the root', () => {
    expect((crate['@graph'] as JsonObject[])[0]).toEqual({
      '@id': 'ro-crate-metadata.json',
      '@type': 'CreativeWork',
      conformsTo: { '@id': 'https://w3id.org/ro/crate/1.2' },
      about: { '@id': './' },
    });
  });

  it('describes the root data entity (provenance.md §9)', () => {
    const root = entities().get('./') as JsonObject;
    expect(root).toMatchObject({ '@type': 'Dataset', datePublished: '2024-06-20', mainEntity: { '@id': PANEL } });
    expect(ids(root.hasPart).sort()).toEqual([MASKS, RAW].sort());
    expect(ids(root.mentions).sort()).toEqual([REUSE, RUN].sort());
    expect(ids(root.funder)).toEqual(['https://ror.org/029chgv08']);
    expect(entities().get('https://spdx.org/licenses/CC-BY-4.0')).toEqual({
      '@id': 'https://spdx.org/licenses/CC-BY-4.0',
      '@type': 'CreativeWork',
      name: 'Creative Commons Attribution 4.0 International',
      identifier: 'CC-BY-4.0',
    });
  });

  it('writes the analysis as a CreateAction that is also a PROV activity', () => {
    expect(entities().get(RUN)).toMatchObject({
      '@type': ['CreateAction', 'prov:Activity', 'AnalysisActivity'],
      instrument: { '@id': CELLPOSE },
      object: { '@id': RAW },
      used: { '@id': RAW },
      result: { '@id': MASKS },
      agent: { '@id': CARBERRY },
      startTime: '2024-02-01T10:00:00Z',
      endTime: '2024-02-01T12:00:00Z',
      actionStatus: { '@id': 'http://schema.org/CompletedActionStatus' },
    });
    expect(entities().get(CELLPOSE)).toMatchObject({ softwareVersion: '3.0.10' });
  });

  it('lets a reader follow panel → masks → raw images and panel → figure → article in the JSON', () => {
    const all = entities();
    const root = all.get('./') as JsonObject;
    const panel = all.get(ids(root.mainEntity)[0]) as JsonObject;
    const masks = all.get(ids(panel.wasDerivedFrom)[0]) as JsonObject;
    const raw = all.get(ids(masks.wasDerivedFrom)[0]) as JsonObject;
    const figure = all.get(ids(panel.isPartOf)[0]) as JsonObject;
    const article = all.get(ids(figure.isPartOf)[0]) as JsonObject;
    expect([panel, masks, raw, figure, article].map((entity) => entity['@id'])).toEqual([
      PANEL,
      MASKS,
      RAW,
      FIGURE,
      ARTICLE,
    ]);
    expect(raw['@type']).toEqual(['Dataset', 'prov:Entity', 'ImageDataset']);
    expect(ids(masks.wasGeneratedBy)).toEqual([RUN]);
    expect(ids(article.wasGeneratedBy)).toEqual([REUSE]);
  });

  it('reads back as RDF with absolute IRIs only, and the chain holds in the triples', async () => {
    const nquads = await toNQuads(crate, loader);
    const quads = nquads
      .trim()
      .split('\n')
      .map((line) => /^(<[^>]*>) (<[^>]*>) (<[^>]*>|".*) \.$/.exec(line));
    expect(quads.every((match) => match !== null)).toBe(true);
    for (const match of quads) {
      for (const term of (match as RegExpExecArray).slice(1, 4)) {
        if (term.startsWith('<')) expect(term).toMatch(/^<[a-z][a-z0-9+.-]*:[^>]+>$/);
      }
    }
    const triples = quads.map((match) => (match as RegExpExecArray).slice(1, 4).join(' '));
    const PROV = 'http://www.w3.org/ns/prov#';
    const SCHEMA = 'http://schema.org/';
    expect(triples).toEqual(
      expect.arrayContaining([
        `<${MASKS}> <${PROV}wasDerivedFrom> <${RAW}>`,
        `<${MASKS}> <${PROV}wasGeneratedBy> <${RUN}>`,
        `<${RUN}> <${PROV}used> <${RAW}>`,
        `<${PANEL}> <${PROV}wasDerivedFrom> <${MASKS}>`,
        `<${PANEL}> <${SCHEMA}isPartOf> <${FIGURE}>`,
        `<${FIGURE}> <${SCHEMA}isPartOf> <${ARTICLE}>`,
        `<${ARTICLE}> <${SCHEMA}hasPart> <${FIGURE}>`,
        `<${RDF_BASE}ro-crate-metadata.json> <${SCHEMA}about> <${RDF_BASE}>`,
        `<${RDF_BASE}> <${SCHEMA}mainEntity> <${PANEL}>`,
      ]),
    );

    // Walk the chain over the triples alone.
    const objectOf = (subject: string, predicate: string): string[] =>
      triples
        .filter((triple) => triple.startsWith(`<${subject}> <${predicate}> <`))
        .map((triple) => triple.split(' ')[2]?.slice(1, -1));
    const [panel] = objectOf(RDF_BASE, `${SCHEMA}mainEntity`);
    const [masks] = objectOf(panel, `${PROV}wasDerivedFrom`);
    const [raw] = objectOf(masks, `${PROV}wasDerivedFrom`);
    const [figure] = objectOf(panel, `${SCHEMA}isPartOf`);
    const [article] = objectOf(figure, `${SCHEMA}isPartOf`);
    expect([panel, masks, raw, figure, article]).toEqual([PANEL, MASKS, RAW, FIGURE, ARTICLE]);
  });

  it('reads back into the same graph', async () => {
    const outcome = await expandSafely(crate, { ...DEFAULT_EXPAND_LIMITS, loader, base: RDF_BASE });
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.error));
    const again = extractGraph(outcome.expanded, { publicBaseUrl: BASE, crateBase: RDF_BASE });
    expect(again).toEqual({ ok: true, nodes, edges });
  });

  it('refuses a root that is not among the nodes', () => {
    expect(() => buildRoCrate(`${ID}00000000-0000-4000-8000-000000000999`, nodes, edges, OPTIONS)).toThrow(/root node/);
  });
});

describe('crate helpers', () => {
  it.each([
    ['https://spdx.org/licenses/CC0-1.0', { name: 'Creative Commons Zero v1.0 Universal', identifier: 'CC0-1.0' }],
    ['https://spdx.org/licenses/EUPL-1.2.html', { name: 'EUPL-1.2', identifier: 'EUPL-1.2' }],
    ['https://example.org/terms', { name: 'https://example.org/terms' }],
  ])('describes the licence %s', (iri, expected) => {
    expect(licenseEntity(iri)).toEqual({ '@id': iri, '@type': 'CreativeWork', ...expected });
  });

  it.each([
    ['Figure 2B — panel lineage', 'figure-2b-panel-lineage-ro-crate-metadata.json'],
    ['Crème brûlée', 'creme-brulee-ro-crate-metadata.json'],
    ['***', 'crate-ro-crate-metadata.json'],
  ])('names the detached crate for %s', (name, expected) => {
    expect(detachedCrateFileName(name)).toBe(expected);
  });

  it('builds arcp bases from UUIDs only', () => {
    expect(crateBaseIri('497632bb-7e5d-4ff6-b703-00653f936fcb')).toBe(
      'arcp://uuid,497632bb-7e5d-4ff6-b703-00653f936fcb/',
    );
    expect(() => crateBaseIri('panel-2b')).toThrow(TypeError);
  });
});
