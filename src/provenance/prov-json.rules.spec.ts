import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { ledgerContextUrl } from '../core/jsonld/context-urls.js';
import { RemoteContextForbiddenError, createDocumentLoader } from '../core/jsonld/document-loader.js';
import type { JsonObject } from '../core/jsonld/jsonld-processor.js';
import { DEFAULT_EXPAND_LIMITS, expandSafely } from '../core/jsonld/safe-expand.js';
import { PROV_JSON_RECORD_KINDS, buildProvJson, toNQuads } from './prov-json.rules.js';
import type { ProvJsonDocument } from './prov-json.rules.js';
import { extractGraph } from './provenance.rules.js';
import type { GraphEdge, GraphNode } from './provenance.rules.js';
import { RDF_BASE } from './ro-crate.rules.js';

const CONTEXTS_DIR = fileURLToPath(new URL('../../contexts/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../test/fixtures/provenance/', import.meta.url));
const BASE = 'https://ledger.example.org';
const loader = createDocumentLoader(CONTEXTS_DIR, { publicBaseUrl: BASE });
const fixture = (name: string): JsonObject => JSON.parse(readFileSync(`${FIXTURES}${name}`, 'utf8')) as JsonObject;

async function graphOf(doc: JsonObject, base?: string): Promise<{ nodes: GraphNode[]; edges: GraphEdge[] }> {
  const outcome = await expandSafely(doc, {
    ...DEFAULT_EXPAND_LIMITS,
    loader,
    ...(base === undefined ? {} : { base }),
  });
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.error));
  const graph = extractGraph(outcome.expanded, {
    publicBaseUrl: BASE,
    ...(base === undefined ? {} : { crateBase: base }),
  });
  if (!graph.ok) throw new Error(JSON.stringify(graph.problems, null, 2));
  return graph;
}

const ID = 'https://ledger.example.org/id/';
const n = (last: number): string => `${ID}00000000-0000-4000-8000-${last.toString().padStart(12, '0')}`;

describe('buildProvJson', () => {
  it('writes the hand-computed PROV-JSON of the chain fixture', async () => {
    const { nodes, edges } = await graphOf(fixture('chain.jsonld'));
    expect(buildProvJson(nodes, edges, { publicBaseUrl: BASE })).toEqual(fixture('chain.prov.json'));
  });

  it('projects the reference example onto PROV record kinds', async () => {
    const { nodes, edges } = await graphOf(fixture('example-crate.jsonld'), RDF_BASE);
    const prov = buildProvJson(nodes, edges, { publicBaseUrl: BASE });
    const counts = Object.fromEntries(
      Object.entries(prov)
        .filter(([kind]) => kind !== 'prefix')
        .map(([kind, records]) => [kind, Object.keys(records as object).length]),
    );
    // 5 entities (2 datasets, article, figure, panel), 2 activities, 6 agents (2 people, 3 organisations, software).
    expect(counts).toEqual({
      entity: 5,
      activity: 2,
      agent: 6,
      wasGeneratedBy: 2,
      used: 2,
      wasDerivedFrom: 2,
      wasAttributedTo: 3,
      wasAssociatedWith: 3,
    });
    expect(prov.prefix).toEqual({
      doi: 'https://doi.org/',
      id: 'https://ledger.example.org/id/',
      ledger: 'https://ledger.example.org/ns#',
      orcid: 'https://orcid.org/',
      ror: 'https://ror.org/',
      schema: 'http://schema.org/',
    });
  });

  it('uses only PROV-JSON keys and declared prefixes', async () => {
    const { nodes, edges } = await graphOf(fixture('example-crate.jsonld'), RDF_BASE);
    const prov = buildProvJson(nodes, edges, { publicBaseUrl: BASE });
    const declared = new Set([...Object.keys(prov.prefix), 'prov', 'xsd']);
    for (const key of Object.keys(prov)) expect(['prefix', ...PROV_JSON_RECORD_KINDS]).toContain(key);
    const qnames: string[] = [];
    for (const kind of PROV_JSON_RECORD_KINDS) {
      for (const [id, record] of Object.entries(prov[kind] ?? {})) {
        if (!id.startsWith('_:')) qnames.push(id);
        for (const [attribute, value] of Object.entries(record)) {
          qnames.push(attribute);
          if (
            typeof value === 'string' &&
            /^prov:(entity|activity|agent|generatedEntity|usedEntity)$/.test(attribute)
          ) {
            qnames.push(value);
          }
        }
      }
    }
    for (const qname of qnames) expect(declared).toContain(qname.split(':')[0]);
  });

  it('turns qualified usage and association nodes into identified records', async () => {
    const doc: JsonObject = {
      '@context': ledgerContextUrl(BASE),
      '@graph': [
        {
          '@id': n(1),
          '@type': ['Dataset', 'prov:Entity', 'ImageDataset'],
          name: 'Raw',
          license: { '@id': 'https://spdx.org/licenses/CC0-1.0' },
          creator: { '@id': n(2) },
        },
        { '@id': n(2), '@type': ['Person', 'prov:Person', 'prov:Agent'], name: 'Jane Roe' },
        {
          '@id': n(3),
          '@type': ['CreateAction', 'prov:Activity', 'AnalysisActivity'],
          used: { '@id': n(1) },
          agent: { '@id': n(2) },
          qualifiedUsage: {
            '@id': `${n(3)}#usage-1`,
            '@type': 'prov:Usage',
            'prov:entity': { '@id': n(1) },
            hadRole: { '@id': 'http://edamontology.org/data_2968' },
            atTime: '2024-02-01T10:05:00Z',
          },
          qualifiedAssociation: {
            '@id': `${n(3)}#association-1`,
            '@type': 'prov:Association',
            'prov:agent': { '@id': n(2) },
            hadPlan: { '@id': 'https://protocols.example.org/segmentation/v2' },
          },
        },
      ],
    };
    const { nodes, edges } = await graphOf(doc);
    const prov: ProvJsonDocument = buildProvJson(nodes, edges, { publicBaseUrl: BASE });
    expect(prov.used).toEqual({
      'id:00000000-0000-4000-8000-000000000003#usage-1': {
        'prov:activity': 'id:00000000-0000-4000-8000-000000000003',
        'prov:entity': 'id:00000000-0000-4000-8000-000000000001',
        'prov:time': '2024-02-01T10:05:00Z',
        'prov:role': [{ $: 'http://edamontology.org/data_2968', type: 'xsd:anyURI' }],
      },
    });
    expect(prov.wasAssociatedWith).toEqual({
      'id:00000000-0000-4000-8000-000000000003#association-1': {
        'prov:activity': 'id:00000000-0000-4000-8000-000000000003',
        'prov:agent': 'id:00000000-0000-4000-8000-000000000002',
        'prov:plan': 'ns1:v2',
      },
    });
    expect(prov.prefix.ns1).toBe('https://protocols.example.org/segmentation/');
    expect(prov.wasAttributedTo).toEqual({
      '_:wAT1': {
        'prov:entity': 'id:00000000-0000-4000-8000-000000000001',
        'prov:agent': 'id:00000000-0000-4000-8000-000000000002',
      },
    });
  });
});

describe('toNQuads', () => {
  it('writes the 192 triples of the reference example with the fixed base', async () => {
    const nquads = await toNQuads(fixture('example-crate.jsonld'), loader);
    const lines = nquads.trim().split('\n');
    expect(lines).toHaveLength(192);
    expect(lines).toContain(`<${RDF_BASE}> <http://schema.org/license> <https://spdx.org/licenses/CC-BY-4.0> .`);
    expect(nquads).not.toMatch(/_:/);
  });

  it('resolves relative IRIs against the base it is given', async () => {
    const base = 'arcp://uuid,497632bb-7e5d-4ff6-b703-00653f936fcb/';
    const nquads = await toNQuads({ '@context': ledgerContextUrl(BASE), '@id': './', name: 'root' }, loader, { base });
    expect(nquads).toBe(`<${base}> <http://schema.org/name> "root" .\n`);
  });

  it.each(['relative/', 'https://ledger.example.org/?q=1'])('refuses the base %s', (base) => {
    expect(() => toNQuads({}, loader, { base })).toThrow(TypeError);
  });

  it('refuses documents with contexts the service does not ship', async () => {
    await expect(toNQuads({ '@context': 'https://schema.org/', name: 'x' }, loader)).rejects.toMatchObject({
      details: { cause: expect.any(RemoteContextForbiddenError) as unknown },
    });
  });
});
