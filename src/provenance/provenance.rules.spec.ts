import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { ledgerContextUrl } from '../core/jsonld/context-urls.js';
import { createDocumentLoader } from '../core/jsonld/document-loader.js';
import { canonizeJsonLd } from '../core/jsonld/jsonld-processor.js';
import type { JsonObject, JsonValue } from '../core/jsonld/jsonld-processor.js';
import { DEFAULT_EXPAND_LIMITS, expandSafely } from '../core/jsonld/safe-expand.js';
import {
  EDGE_RELATION_DEFS,
  collectContext,
  collectLineage,
  detectCycle,
  extractGraph,
  isHttpIri,
  lineageToJsonLd,
  nodeToJsonLd,
  normalizeNodeIri,
  relationIri,
} from './provenance.rules.js';
import type {
  EdgeRelation,
  ExtractOptions,
  ExtractResult,
  GraphEdge,
  GraphNode,
  NodeType,
} from './provenance.rules.js';

const CONTEXTS_DIR = fileURLToPath(new URL('../../contexts/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../test/fixtures/provenance/', import.meta.url));
const BASE = 'https://ledger.example.org';
const CONTEXT = ledgerContextUrl(BASE);
const RDF_BASE = 'arcp://uuid,00000000-0000-0000-0000-000000000000/';
const loader = createDocumentLoader(CONTEXTS_DIR, { publicBaseUrl: BASE });

const fixture = (name: string): JsonObject => JSON.parse(readFileSync(`${FIXTURES}${name}`, 'utf8')) as JsonObject;

async function extract(doc: JsonValue, options: Partial<ExtractOptions> = {}, base?: string): Promise<ExtractResult> {
  const outcome = await expandSafely(doc, {
    ...DEFAULT_EXPAND_LIMITS,
    loader,
    ...(base === undefined ? {} : { base }),
  });
  if (!outcome.ok) throw new Error(`expansion failed: ${JSON.stringify(outcome.error)}`);
  return extractGraph(outcome.expanded, { publicBaseUrl: BASE, ...options });
}

async function extractOk(doc: JsonValue, options: Partial<ExtractOptions> = {}, base?: string) {
  const result = await extract(doc, options, base);
  if (!result.ok) throw new Error(`unexpected problems: ${JSON.stringify(result.problems, null, 2)}`);
  return result;
}

// Nodes of the reference example (test/fixtures/provenance/example-crate.jsonld).
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
const ROE = `${ID}2412d26e-e553-4e2e-a9a5-3c9e2c61af52`;
const BROWN = 'https://ror.org/05gq02987';
const EBI = 'https://ror.org/02catss52';
const WELLCOME = 'https://ror.org/029chgv08';
const GRANT = `${ID}08ca28d3-d08f-4658-b695-6f2cb23a7bc2`;

const EXAMPLE_EDGES: Array<[string, EdgeRelation, string]> = [
  [RAW, 'wasAttributedTo', CARBERRY],
  [RAW, 'qualifiedAttribution', `${RAW}#attribution-1`],
  [RAW, 'funding', GRANT],
  [`${RAW}#attribution-1`, 'qualifiedAgent', CARBERRY],
  [RUN, 'used', RAW],
  [RUN, 'instrument', CELLPOSE],
  [RUN, 'wasAssociatedWith', CARBERRY],
  [MASKS, 'wasAttributedTo', CARBERRY],
  [MASKS, 'qualifiedAttribution', `${MASKS}#attribution-1`],
  [MASKS, 'wasDerivedFrom', RAW],
  [MASKS, 'wasGeneratedBy', RUN],
  [MASKS, 'funding', GRANT],
  [`${MASKS}#attribution-1`, 'qualifiedAgent', CARBERRY],
  [REUSE, 'used', MASKS],
  [REUSE, 'wasAssociatedWith', ROE],
  [ARTICLE, 'wasAttributedTo', ROE],
  [ARTICLE, 'wasGeneratedBy', REUSE],
  [ARTICLE, 'citesAsDataSource', MASKS],
  [ARTICLE, 'usesDataFrom', MASKS],
  [ARTICLE, 'hasPart', FIGURE],
  [FIGURE, 'hasPart', PANEL],
  [PANEL, 'wasDerivedFrom', MASKS],
  [PANEL, 'hasTag', `${PANEL}#tag-1`],
  [PANEL, 'hasTag', `${PANEL}#tag-2`],
  [PANEL, 'hasTag', `${PANEL}#tag-3`],
  [PANEL, 'hasTag', `${PANEL}#tag-4`],
  [CARBERRY, 'affiliation', BROWN],
  [ROE, 'affiliation', EBI],
  [GRANT, 'funder', WELLCOME],
  [GRANT, 'principalInvestigator', CARBERRY],
];

const asEdge = ([source, relation, target]: [string, EdgeRelation, string]): GraphEdge => ({
  source,
  relation,
  target,
});
const byIri = (nodes: readonly GraphNode[], iri: string): GraphNode => {
  const node = nodes.find((candidate) => candidate.iri === iri);
  if (node === undefined) throw new Error(`no node ${iri}`);
  return node;
};

describe('extractGraph on the reference example', () => {
  it('reads every node with its kind', async () => {
    const { nodes } = await extractOk(fixture('example-crate.jsonld'), { crateBase: RDF_BASE }, RDF_BASE);
    const counts: Partial<Record<NodeType, number>> = {};
    for (const node of nodes) counts[node.type] = (counts[node.type] ?? 0) + 1;
    expect(counts).toEqual({
      ImageDataset: 1,
      DerivedDataset: 1,
      AnalysisActivity: 1,
      ReuseEvent: 1,
      SoftwareApplication: 1,
      Publication: 1,
      Figure: 1,
      FigurePanel: 1,
      EntityTag: 4,
      Attribution: 2,
      Person: 2,
      Organization: 3,
      Grant: 1,
    });
  });

  it('skips the licence of the crate itself, described only for the root data entity', async () => {
    const crate = fixture('example-crate.jsonld');
    const graph = crate['@graph'] as JsonObject[];
    const root = graph.find((entity) => entity['@id'] === './') as JsonObject;
    const metadataLicense = { '@id': 'https://spdx.org/licenses/CC0-1.0', '@type': 'CreativeWork', name: 'CC0 1.0' };
    const edited = {
      ...crate,
      '@graph': [
        ...graph.filter((e) => e !== root),
        { ...root, license: { '@id': metadataLicense['@id'] } },
        metadataLicense,
      ],
    };
    const { nodes } = await extractOk(edited, { crateBase: RDF_BASE }, RDF_BASE);
    expect(nodes.some((node) => node.iri === metadataLicense['@id'])).toBe(false);
  });

  it('reads the 30 edges, both vocabularies folded into one relation each', async () => {
    const { edges } = await extractOk(fixture('example-crate.jsonld'), { crateBase: RDF_BASE }, RDF_BASE);
    expect(edges).toHaveLength(30);
    expect(edges).toEqual(expect.arrayContaining(EXAMPLE_EDGES.map(asEdge)));
  });

  it('keeps literal values, term IRIs and markers as plain properties', async () => {
    const { nodes } = await extractOk(fixture('example-crate.jsonld'), { crateBase: RDF_BASE }, RDF_BASE);
    expect(byIri(nodes, RAW).properties).toMatchObject({
      accession: 'idr0000',
      identifier: ['https://doi.org/10.5555/example.idr0000'],
      keywords: ['nuclear morphology', 'time-lapse'],
      organism: 'http://purl.obolibrary.org/obo/NCBITaxon_9606',
      license: 'https://spdx.org/licenses/CC-BY-4.0',
    });
    expect(byIri(nodes, RUN).properties).toMatchObject({
      startedAtTime: '2024-02-01T10:00:00Z',
      endedAtTime: '2024-02-01T12:00:00Z',
      actionStatus: 'http://schema.org/CompletedActionStatus',
      parameters: { model: 'nuclei', diameter: 30, channels: [0, 0] },
    });
    expect(byIri(nodes, `${PANEL}#tag-1`).properties).toEqual({
      name: 'lamin A/C',
      taggedEntity: 'http://purl.uniprot.org/uniprot/P02545',
      entityType: 'geneprod',
      tagRole: 'intervention',
    });
    expect(byIri(nodes, CARBERRY).extraTypes).toEqual(['Depositor']);
    expect(byIri(nodes, ROE).extraTypes).toEqual([]);
  });

  it('reports the packaging nodes when the crate base is not given', async () => {
    const result = await extract(fixture('example-crate.jsonld'), {}, RDF_BASE);
    expect(!result.ok && result.problems.map((p) => [p.code, p.node])).toEqual([
      ['UNKNOWN_TYPE', RDF_BASE],
      ['UNKNOWN_TYPE', `${RDF_BASE}ro-crate-metadata.json`],
    ]);
  });
});

// A minimal valid document: one image dataset and its creator.
const DATASET = `${ID}00000000-0000-4000-8000-000000000101`;
const OTHER = `${ID}00000000-0000-4000-8000-000000000102`;
const ACTIVITY = `${ID}00000000-0000-4000-8000-000000000103`;
const GRANT_B = `${ID}00000000-0000-4000-8000-000000000104`;

function dataset(extra: JsonObject = {}, iri = DATASET): JsonObject {
  return {
    '@id': iri,
    '@type': ['Dataset', 'prov:Entity', 'ImageDataset'],
    name: 'Raw images',
    license: { '@id': 'https://spdx.org/licenses/CC0-1.0' },
    creator: { '@id': CARBERRY },
    ...extra,
  };
}
const person: JsonObject = {
  '@id': CARBERRY,
  '@type': ['Person', 'prov:Person', 'prov:Agent'],
  name: 'Josiah Carberry',
};
const doc = (...graph: JsonObject[]): JsonObject => ({ '@context': CONTEXT, '@graph': graph });

describe('extractGraph problems', () => {
  it('accepts the minimal document', async () => {
    const result = await extractOk(doc(dataset(), person));
    expect(result.nodes.map((node) => node.type)).toEqual(['ImageDataset', 'Person']);
    expect(result.edges).toEqual([{ source: DATASET, relation: 'wasAttributedTo', target: CARBERRY }]);
  });

  const analysis = (extra: JsonObject = {}): JsonObject => ({
    '@id': ACTIVITY,
    '@type': ['CreateAction', 'prov:Activity', 'AnalysisActivity'],
    used: { '@id': DATASET },
    ...extra,
  });
  const derived = (extra: JsonObject = {}): JsonObject => ({
    ...dataset({}, OTHER),
    '@type': ['Dataset', 'prov:Entity', 'DerivedDataset'],
    wasDerivedFrom: { '@id': DATASET },
    wasGeneratedBy: { '@id': ACTIVITY },
    ...extra,
  });

  type Row = [string, JsonObject, Array<[string, string | null, string | null]>, Partial<ExtractOptions>?];
  const rows: Row[] = [
    [
      'a type outside the vocabulary',
      doc(dataset(), person, { '@id': GRANT_B, '@type': 'schema:Thing', name: 'x' }),
      [['UNKNOWN_TYPE', GRANT_B, '@type']],
    ],
    [
      'an absolute-IRI key outside the vocabulary',
      doc(dataset({ 'schema:color': 'red' }), person),
      [['UNKNOWN_PROPERTY', DATASET, 'http://schema.org/color']],
    ],
    [
      'a vocabulary key on the wrong kind of node',
      doc(dataset(), { ...person, accession: 'idr0001', used: { '@id': DATASET } }),
      [
        ['PROPERTY_NOT_ALLOWED', CARBERRY, 'accession'],
        ['PROPERTY_NOT_ALLOWED', CARBERRY, 'used'],
      ],
    ],
    [
      'an embedded node without @id',
      doc(dataset({ creator: { '@type': 'Person', name: 'Anonymous' } })),
      [
        ['BLANK_NODE_FORBIDDEN', DATASET, 'creator'],
        ['MISSING_PROPERTY', DATASET, 'creator'],
      ],
    ],
    [
      'a blank node identifier',
      doc(dataset(), person, { '@id': '_:b0', '@type': 'Grant', name: 'G' }),
      [['BLANK_NODE_FORBIDDEN', null, null]],
    ],
    [
      'a CURIE where an ontology IRI belongs (provenance.md §1.7)',
      doc(dataset({ organism: { '@id': 'NCBITaxon:9606' } }), person),
      [['MALFORMED_IRI', DATASET, 'organism']],
    ],
    [
      'a dataset IRI outside the ledger namespace',
      doc(dataset({}, 'https://elsewhere.example.org/id/00000000-0000-4000-8000-000000000101'), person),
      [['MALFORMED_IRI', 'https://elsewhere.example.org/id/00000000-0000-4000-8000-000000000101', '@id']],
    ],
    [
      'a qualified node that is not a fragment of its parent',
      doc(
        dataset({
          qualifiedAttribution: {
            '@id': `${OTHER}#attribution-1`,
            '@type': 'prov:Attribution',
            'prov:agent': { '@id': CARBERRY },
          },
        }),
        person,
      ),
      [['MALFORMED_IRI', DATASET, 'qualifiedAttribution']],
    ],
    [
      'a reference to a node neither in the document nor recorded',
      doc(dataset()),
      [['DANGLING_REFERENCE', DATASET, 'creator']],
    ],
    [
      'a derivation cycle',
      doc(
        dataset({ wasDerivedFrom: { '@id': OTHER } }),
        dataset({ wasDerivedFrom: { '@id': DATASET } }, OTHER),
        person,
      ),
      [['DERIVATION_CYCLE', DATASET, null]],
    ],
    [
      'an activity using its own output',
      doc(dataset(), derived(), analysis({ used: [{ '@id': DATASET }, { '@id': OTHER }] }), person),
      // Search starts from the smallest IRI with derivation edges: the derived dataset (…0102).
      [['DERIVATION_CYCLE', OTHER, null]],
    ],
    [
      'a part cycle through recorded edges',
      doc(dataset({ hasPart: { '@id': `${ID}00000000-0000-4000-8000-000000000105` } }), person),
      [['PART_CYCLE', DATASET, 'hasPart']],
      {
        knownNodeTypes: new Map([[`${ID}00000000-0000-4000-8000-000000000105`, 'ImagePart']]),
        knownEdges: [{ source: `${ID}00000000-0000-4000-8000-000000000105`, relation: 'hasPart', target: DATASET }],
      },
    ],
    [
      'an Entity that is also an Activity',
      doc(dataset({ '@type': ['Dataset', 'prov:Entity', 'ImageDataset', 'prov:Activity'] }), person),
      [['PROV_TYPE_CONFLICT', DATASET, '@type']],
    ],
    [
      'a dataset already recorded as an activity',
      doc(dataset(), person),
      [['PROV_TYPE_CONFLICT', DATASET, '@type']],
      { knownNodeTypes: new Map([[DATASET, 'AnalysisActivity']]) },
    ],
    [
      'two node kinds on one @id',
      doc(dataset({ '@type': ['ImageDataset', 'Grant'] }), person),
      [['TYPE_CONFLICT', DATASET, '@type']],
    ],
    [
      'a derived dataset with two generating activities',
      doc(dataset(), derived({ wasGeneratedBy: [{ '@id': ACTIVITY }, { '@id': GRANT_B }] }), analysis(), person, {
        ...analysis(),
        '@id': GRANT_B,
      }),
      [['MULTIPLE_GENERATION', OTHER, 'wasGeneratedBy']],
    ],
    [
      'a second generation against a recorded one',
      doc(dataset(), derived(), analysis(), person),
      [['MULTIPLE_GENERATION', OTHER, 'wasGeneratedBy']],
      { knownEdges: [{ source: OTHER, relation: 'wasGeneratedBy', target: GRANT_B }] },
    ],
    ['a dataset without a licence', doc(dataset({ license: [] }), person), [['MISSING_PROPERTY', DATASET, 'license']]],
    [
      'a derived dataset without its generating activity',
      doc(dataset(), derived({ wasGeneratedBy: [] }), person),
      [['MISSING_PROPERTY', OTHER, 'wasGeneratedBy']],
    ],
    [
      'an unknown reuse type',
      doc(
        dataset(),
        person,
        {
          '@id': ACTIVITY,
          '@type': ['CreateAction', 'prov:Activity', 'ReuseEvent'],
          reuseType: 'borrowing',
          used: { '@id': DATASET },
          result: { '@id': 'https://doi.org/10.5555/x' },
        },
        { '@id': 'https://doi.org/10.5555/x', '@type': ['ScholarlyArticle', 'prov:Entity'] },
      ),
      [
        ['INVALID_VALUE', ACTIVITY, 'reuseType'],
        ['MISSING_PROPERTY', ACTIVITY, 'reuseType'],
      ],
    ],
    [
      'a creator given as text',
      doc(dataset({ creator: 'Josiah Carberry' }), person),
      [
        ['INVALID_VALUE', DATASET, 'creator'],
        ['MISSING_PROPERTY', DATASET, 'creator'],
      ],
    ],
    [
      'a time without a zone and two names',
      doc(dataset({ generatedAtTime: '2024-01-01T00:00:00', name: ['One', 'Two'] }), person),
      [
        ['INVALID_VALUE', DATASET, 'generatedAtTime'],
        ['INVALID_VALUE', DATASET, 'name'],
        ['MISSING_PROPERTY', DATASET, 'name'],
      ],
    ],
    [
      'an edge between kinds PROV does not allow',
      doc(dataset({ creator: { '@id': GRANT_B } }), { '@id': GRANT_B, '@type': 'Grant', name: 'G' }),
      [['EDGE_TYPE_MISMATCH', DATASET, 'creator']],
    ],
    [
      'an edge to a recorded node of the wrong kind',
      doc(dataset(), person, analysis({ used: { '@id': GRANT_B } })),
      [['EDGE_TYPE_MISMATCH', ACTIVITY, 'used']],
      { knownNodeTypes: new Map([[GRANT_B, 'Grant']]) },
    ],
    [
      'an activity that ends before it starts',
      doc(
        dataset(),
        person,
        analysis({ startedAtTime: '2024-02-01T12:00:00Z', endedAtTime: '2024-02-01T10:00:00+01:00' }),
      ),
      [['TEMPORAL_ORDER_VIOLATION', ACTIVITY, 'endedAtTime']],
    ],
    [
      'output generated after its activity ended',
      doc(
        dataset(),
        derived({ generatedAtTime: '2024-02-02T00:00:00Z' }),
        analysis({ startedAtTime: '2024-02-01T10:00:00Z', endedAtTime: '2024-02-01T12:00:00Z' }),
        person,
      ),
      [['TEMPORAL_ORDER_VIOLATION', OTHER, 'generatedAtTime']],
    ],
    [
      'startTime disagreeing with startedAtTime',
      doc(dataset(), person, analysis({ startedAtTime: '2024-02-01T10:00:00Z', startTime: '2024-02-01T11:00:00Z' })),
      [['INVALID_VALUE', ACTIVITY, 'startedAtTime']],
    ],
    [
      'a @list value',
      doc(dataset({ keywords: { '@list': ['a', 'b'] } }), person),
      [['UNSUPPORTED_KEYWORD', DATASET, 'keywords']],
    ],
  ];

  it.each(rows)('reports %s', async (_label, input, expected, options = {}) => {
    const result = await extract(input, options);
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems.map((p) => [p.code, p.node, p.property]);
    expect(problems).toEqual(expected);
  });

  it('accepts references to recorded nodes', async () => {
    const result = await extractOk(doc(dataset()), { knownNodeIris: new Set([CARBERRY]) });
    expect(result.nodes).toHaveLength(1);
    expect(result.edges).toEqual([{ source: DATASET, relation: 'wasAttributedTo', target: CARBERRY }]);
  });

  it('compares DOIs case-insensitively', async () => {
    const upper = 'https://doi.org/10.5555/EXAMPLE.Pub';
    const result = await extractOk(doc({ '@id': upper, '@type': ['ScholarlyArticle', 'prov:Entity'], name: 'A' }));
    expect(result.nodes.map((node) => node.iri)).toEqual(['https://doi.org/10.5555/example.pub']);
  });

  it('reads schema.org and PROV spellings of a run into the same edges', async () => {
    const software = `${ID}00000000-0000-4000-8000-000000000106`;
    const softwareNode = {
      '@id': software,
      '@type': ['SoftwareApplication', 'prov:SoftwareAgent', 'prov:Agent'],
      name: 'S',
    };
    const prov = doc(
      dataset(),
      person,
      softwareNode,
      derived({ wasGeneratedBy: { '@id': ACTIVITY }, wasAttributedTo: { '@id': CARBERRY }, creator: [] }),
      analysis({ wasAssociatedWith: [{ '@id': CARBERRY }, { '@id': software }] }),
    );
    const schema = doc(
      dataset(),
      person,
      softwareNode,
      derived({ wasGeneratedBy: [], wasDerivedFrom: [], isBasedOn: { '@id': DATASET } }),
      analysis({
        used: [],
        object: { '@id': DATASET },
        result: { '@id': OTHER },
        agent: { '@id': CARBERRY },
        instrument: { '@id': software },
      }),
    );
    const fromProv = await extractOk(prov);
    const fromSchema = await extractOk(schema);
    expect(fromSchema.edges).toEqual(fromProv.edges);
    expect(fromProv.edges).toEqual(
      expect.arrayContaining([
        { source: ACTIVITY, relation: 'instrument', target: software },
        { source: ACTIVITY, relation: 'wasAssociatedWith', target: CARBERRY },
        { source: OTHER, relation: 'wasGeneratedBy', target: ACTIVITY },
      ]),
    );
  });

  it.each([
    [{ citation: { '@id': DATASET } }, 'citesAsDataSource', DATASET],
    [{ citation: { '@id': 'https://doi.org/10.5555/other' } }, 'cites', 'https://doi.org/10.5555/other'],
  ])('folds a bare citation %j into %s', async (extra, relation, target) => {
    const article = { '@id': 'https://doi.org/10.5555/citing', '@type': ['ScholarlyArticle', 'prov:Entity'], ...extra };
    const cited = { '@id': 'https://doi.org/10.5555/other', '@type': ['ScholarlyArticle', 'prov:Entity'] };
    const result = await extractOk(doc(dataset(), person, article, cited));
    expect(result.edges).toContainEqual({ source: 'https://doi.org/10.5555/citing', relation, target });
  });
});

describe('detectCycle', () => {
  const edges = (...pairs: Array<[string, string, EdgeRelation?]>): GraphEdge[] =>
    pairs.map(([source, target, relation = 'wasDerivedFrom']) => ({ source, relation, target }));

  it.each([
    ['no edges', [], null],
    ['a chain', edges(['a', 'b'], ['b', 'c']), null],
    ['a diamond', edges(['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd']), null],
    ['a two-cycle', edges(['a', 'b'], ['b', 'a']), ['a', 'b', 'a']],
    ['a cycle behind a tail', edges(['a', 'b'], ['b', 'c'], ['c', 'b']), ['b', 'c', 'b']],
    ['a self-derivation', edges(['a', 'a']), ['a', 'a']],
    ['generation then usage', edges(['e', 'act', 'wasGeneratedBy'], ['act', 'e', 'used']), ['act', 'e', 'act']],
    ['a revision loop', edges(['v2', 'v1', 'wasRevisionOf'], ['v1', 'v2', 'wasRevisionOf']), ['v1', 'v2', 'v1']],
    ['parthood, which is not derivation', edges(['a', 'b', 'hasPart'], ['b', 'a', 'hasPart']), null],
  ])('finds %s', (_label, input, expected) => {
    expect(detectCycle(input)).toEqual(expected);
  });

  it('checks the relations it is given', () => {
    expect(detectCycle(edges(['a', 'b', 'hasPart'], ['b', 'a', 'hasPart']), new Set(['hasPart']))).toEqual([
      'a',
      'b',
      'a',
    ]);
  });

  it('handles a 20,000-long chain without recursion', () => {
    const chain = Array.from({ length: 20_000 }, (_, n) => ({
      source: `n${n}`,
      relation: 'wasDerivedFrom' as const,
      target: `n${n + 1}`,
    }));
    expect(detectCycle(chain)).toBeNull();
    const closed = [...chain, { source: 'n20000', relation: 'wasDerivedFrom' as const, target: 'n0' }];
    expect(detectCycle(closed)).toHaveLength(20_002);
  });
});

describe('relation vocabulary', () => {
  it.each([
    ['wasDerivedFrom', 'http://www.w3.org/ns/prov#wasDerivedFrom', 'IsDerivedFrom', 'IsSourceOf'],
    ['hadPrimarySource', 'http://www.w3.org/ns/prov#hadPrimarySource', 'IsDerivedFrom', 'IsSourceOf'],
    ['wasRevisionOf', 'http://www.w3.org/ns/prov#wasRevisionOf', 'IsNewVersionOf', 'IsPreviousVersionOf'],
    ['specializationOf', 'http://www.w3.org/ns/prov#specializationOf', 'IsVersionOf', 'HasVersion'],
    ['hasPart', 'http://schema.org/hasPart', 'HasPart', 'IsPartOf'],
    ['citesAsDataSource', 'http://purl.org/spar/cito/citesAsDataSource', 'Cites', 'IsCitedBy'],
    ['usesDataFrom', 'http://purl.org/spar/cito/usesDataFrom', 'Cites', 'IsCitedBy'],
    ['cites', 'http://purl.org/spar/cito/cites', 'Cites', 'IsCitedBy'],
  ] as const)('maps %s (%s) to DataCite %s / %s', (relation, iri, relationType, inverseRelationType) => {
    expect(EDGE_RELATION_DEFS[relation].iri).toBe(iri);
    expect(EDGE_RELATION_DEFS[relation].datacite).toEqual({ relationType, inverseRelationType });
  });

  it.each(['wasGeneratedBy', 'used', 'wasAttributedTo', 'hasTag', 'funding'] as const)(
    'gives %s no DataCite relation type',
    (relation) => {
      expect(EDGE_RELATION_DEFS[relation].datacite).toBeNull();
    },
  );

  it('places ledger relations in the deployment namespace', () => {
    expect(EDGE_RELATION_DEFS.hasTag.iri).toBeNull();
    expect(relationIri('hasTag', BASE)).toBe('https://ledger.example.org/ns#hasTag');
    expect(relationIri('qualifiedAgent', BASE)).toBe('http://www.w3.org/ns/prov#agent');
  });

  it.each([
    ['http://purl.obolibrary.org/obo/CL_0000000', true],
    ['CL:0000000', false],
    ['NCBITaxon:9606', false],
    ['urn:uuid:00000000-0000-4000-8000-000000000000', false],
    ['https://doi.org/10.5555/a b', false],
  ])('treats %s as an http(s) IRI: %s', (iri, expected) => {
    expect(isHttpIri(iri)).toBe(expected);
  });

  it.each([
    ['https://doi.org/10.5555/ABC', 'https://doi.org/10.5555/abc'],
    ['http://dx.doi.org/10.5555/ABC', 'https://doi.org/10.5555/abc'],
    ['https://orcid.org/0000-0002-1825-009X', 'https://orcid.org/0000-0002-1825-009X'],
  ])('normalises %s to %s', (iri, expected) => {
    expect(normalizeNodeIri(iri)).toBe(expected);
  });
});

describe('lineage and JSON-LD views', () => {
  let nodes: GraphNode[];
  let edges: GraphEdge[];

  beforeAll(async () => {
    const result = await extractOk(fixture('example-crate.jsonld'), { crateBase: RDF_BASE }, RDF_BASE);
    nodes = result.nodes;
    edges = result.edges;
  });

  it('walks upstream from the panel to the raw images', () => {
    expect(collectLineage(PANEL, edges, { direction: 'upstream', depth: 10 })).toEqual([PANEL, MASKS, RAW, RUN]);
    expect(collectLineage(PANEL, edges, { direction: 'upstream', depth: 1 })).toEqual([PANEL, MASKS]);
  });

  it('walks downstream from the raw images to the article', () => {
    expect(collectLineage(RAW, edges, { direction: 'downstream', depth: 10 })).toEqual([
      RAW,
      MASKS,
      RUN,
      ARTICLE,
      PANEL,
      REUSE,
      FIGURE,
    ]);
  });

  it('adds the people, software, grants and tags around a lineage', () => {
    const context = collectContext([PANEL, MASKS, RAW, RUN], edges);
    expect([...context].sort()).toEqual(
      [
        PANEL,
        MASKS,
        RAW,
        RUN,
        `${PANEL}#tag-1`,
        `${PANEL}#tag-2`,
        `${PANEL}#tag-3`,
        `${PANEL}#tag-4`,
        CARBERRY,
        `${MASKS}#attribution-1`,
        `${RAW}#attribution-1`,
        GRANT,
        CELLPOSE,
        BROWN,
        WELLCOME,
      ].sort(),
    );
  });

  it('renders a node as the golden compacted JSON-LD (compared as canonical N-Quads)', async () => {
    const view = nodeToJsonLd(byIri(nodes, PANEL), edges, CONTEXT);
    expect(view['@context']).toBe(CONTEXT);
    const actual = await canonizeJsonLd(view, { documentLoader: loader, base: RDF_BASE });
    const expected = await canonizeJsonLd(fixture('figure-panel.node.jsonld'), {
      documentLoader: loader,
      base: RDF_BASE,
    });
    expect(actual).toBe(expected);
  });

  it('renders both spellings of every relation of an action', () => {
    const view = nodeToJsonLd(byIri(nodes, RUN), edges, CONTEXT);
    expect(view).toMatchObject({
      '@type': ['CreateAction', 'prov:Activity', 'AnalysisActivity'],
      used: { '@id': RAW },
      object: { '@id': RAW },
      result: { '@id': MASKS },
      instrument: { '@id': CELLPOSE },
      agent: { '@id': CARBERRY },
      wasAssociatedWith: [{ '@id': CELLPOSE }, { '@id': CARBERRY }],
      startTime: '2024-02-01T10:00:00Z',
      startedAtTime: '2024-02-01T10:00:00Z',
    });
  });

  it('reads its own lineage view back into the same graph', async () => {
    const view = lineageToJsonLd(PANEL, nodes, edges, CONTEXT);
    expect((view['@graph'] as JsonObject[])[0]['@id']).toBe(PANEL);
    const again = await extractOk(view);
    expect(again.nodes).toEqual(nodes);
    expect(again.edges).toEqual(edges);
  });
});
