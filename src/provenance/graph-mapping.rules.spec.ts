import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { createDocumentLoader } from '../core/jsonld/document-loader.js';
import type { JsonObject } from '../core/jsonld/jsonld-processor.js';
import { DEFAULT_EXPAND_LIMITS, expandSafely } from '../core/jsonld/safe-expand.js';
import type { NodeType as StoredNodeType, Relation as StoredRelation } from '../graph/graph.vocabulary.js';
import {
  checkUniqueGeneration,
  contextReferences,
  licenseIri,
  planImport,
  projectStoredGraph,
  toRulesNodeType,
  toRulesRelation,
  toStoredNodeType,
  toStoredRelation,
} from './graph-mapping.rules.js';
import type { DatasetFacts, StoredEdgeRecord, StoredNodeRecord, StoredNodeView } from './graph-mapping.rules.js';
import { extractGraph } from './provenance.rules.js';
import type { EdgeRelation, GraphEdge, GraphNode, NodeType } from './provenance.rules.js';
import { RDF_BASE } from './ro-crate.rules.js';

const CONTEXTS_DIR = fileURLToPath(new URL('../../contexts/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../test/fixtures/provenance/', import.meta.url));
const BASE = 'https://ledger.example.org';
const ID = `${BASE}/id/`;
const loader = createDocumentLoader(CONTEXTS_DIR, { publicBaseUrl: BASE });
const fixture = (name: string): JsonObject => JSON.parse(readFileSync(`${FIXTURES}${name}`, 'utf8')) as JsonObject;

async function extracted(doc: JsonObject): Promise<{ nodes: GraphNode[]; edges: GraphEdge[] }> {
  const outcome = await expandSafely(doc, { ...DEFAULT_EXPAND_LIMITS, loader, base: RDF_BASE });
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.error));
  const graph = extractGraph(outcome.expanded, { publicBaseUrl: BASE, crateBase: RDF_BASE });
  if (!graph.ok) throw new Error(JSON.stringify(graph.problems));
  return graph;
}

let counter = 0;
const newId = (): string => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
const node = (
  id: string,
  type: StoredNodeType,
  properties: Record<string, unknown> = {},
  label: string | null = null,
): StoredNodeRecord => ({
  id,
  iri: `${ID}${id}`,
  type,
  label,
  properties,
});
const edge = (sourceId: string, relation: StoredRelation, targetId: string): StoredEdgeRecord => ({
  sourceId,
  relation,
  targetId,
});
const sortEdges = (edges: readonly GraphEdge[]): string[] =>
  edges.map((e) => `${e.source} ${e.relation} ${e.target}`).sort();

describe('kinds and relations', () => {
  it.each<[StoredNodeType, NodeType]>([
    ['Software', 'SoftwareApplication'],
    ['ImageDataset', 'ImageDataset'],
    ['ImagePart', 'ImagePart'],
    ['Publication', 'Publication'],
    ['Person', 'Person'],
  ])('stored %s reads as %s and back', (stored, rules) => {
    expect(toRulesNodeType(stored)).toBe(rules);
    expect(toStoredNodeType(rules)).toBe(stored);
  });

  it.each<[NodeType]>([['EntityTag'], ['Attribution'], ['Association'], ['Usage']])(
    '%s has no row of its own',
    (type) => {
      expect(toStoredNodeType(type)).toBeNull();
    },
  );

  it.each<[EdgeRelation, StoredRelation | null]>([
    ['wasDerivedFrom', 'wasDerivedFrom'],
    ['instrument', 'wasAssociatedWith'],
    ['cites', 'cites'],
    ['specializationOf', 'specializationOf'],
    ['hasTag', null],
    ['qualifiedAttribution', null],
    ['funder', null],
    ['affiliation', null],
  ])('rules %s is stored as %s', (relation, stored) => {
    expect(toStoredRelation(relation)).toBe(stored);
  });

  it.each<[StoredRelation, StoredNodeType, EdgeRelation]>([
    ['wasAssociatedWith', 'Software', 'instrument'],
    ['wasAssociatedWith', 'Person', 'wasAssociatedWith'],
    ['funding', 'Grant', 'funding'],
    ['usesDataFrom', 'ImageDataset', 'usesDataFrom'],
  ])('stored %s to a %s reads as %s', (relation, targetType, rules) => {
    expect(toRulesRelation(relation, targetType)).toBe(rules);
  });

  it.each([
    ['CC-BY-4.0', 'https://spdx.org/licenses/CC-BY-4.0'],
    ['CC0-1.0', 'https://spdx.org/licenses/CC0-1.0'],
    ['https://example.org/licence', 'https://example.org/licence'],
    ['LicenseRef-idr-terms', null],
    ['not a licence', null],
  ])('licence %s is %s', (license, expected) => {
    expect(licenseIri(license)).toBe(expected);
  });
});

describe('projectStoredGraph', () => {
  const person = node(
    '00000000-0000-4000-8000-0000000000a1',
    'Person',
    { givenName: 'Josiah', familyName: 'Carberry', affiliations: ['00000000-0000-4000-8000-0000000000a2'] },
    'Josiah Carberry',
  );
  const lab = node('00000000-0000-4000-8000-0000000000a2', 'Organization', {}, 'Example Lab');
  const dataset = node(
    '00000000-0000-4000-8000-0000000000b1',
    'ImageDataset',
    { license: 'CC-BY-4.0', accession: 'S-BIAD1', publicationYear: 2024 },
    'Raw images',
  );

  it('writes a deposited dataset from its deposit record, DOI as identifier, publisher as an edge', () => {
    const facts: DatasetFacts = {
      id: dataset.id,
      title: 'Raw images',
      description: 'HeLa, 24 h',
      license: 'CC-BY-4.0',
      accession: 'S-BIAD1',
      identifiers: [
        { scheme: 'doi', value: '10.6019/S-BIAD1' },
        { scheme: 'url', value: 'https://example.org/raw' },
      ],
      keywords: ['nucleus', 'lamin', 'nucleus'],
      organism: 'http://purl.obolibrary.org/obo/NCBITaxon_9606',
      imagingMethod: 'http://purl.obolibrary.org/obo/FBbi_00000251',
      publicationYear: 2024,
      version: null,
      landingPage: 'https://www.ebi.ac.uk/biostudies/bioimages/studies/S-BIAD1',
      doi: '10.80000/abc-123',
      publisherId: lab.id,
    };
    const graph = projectStoredGraph({ nodes: [dataset, lab], edges: [], datasets: new Map([[dataset.id, facts]]) });
    expect(graph.nodes[0]).toEqual({
      iri: dataset.iri,
      type: 'ImageDataset',
      extraTypes: [],
      properties: {
        name: 'Raw images',
        description: 'HeLa, 24 h',
        license: 'https://spdx.org/licenses/CC-BY-4.0',
        accession: 'S-BIAD1',
        identifier: ['https://doi.org/10.6019/S-BIAD1', 'https://doi.org/10.80000/abc-123', 'https://example.org/raw'],
        keywords: ['lamin', 'nucleus'],
        organism: 'http://purl.obolibrary.org/obo/NCBITaxon_9606',
        measurementTechnique: ['http://purl.obolibrary.org/obo/FBbi_00000251'],
        datePublished: '2024',
        url: 'https://www.ebi.ac.uk/biostudies/bioimages/studies/S-BIAD1',
      },
    });
    expect(graph.edges).toEqual([{ source: dataset.iri, relation: 'publisher', target: lab.iri }]);
  });

  it('falls back on the node when there is no deposit record', () => {
    const [projected] = projectStoredGraph({ nodes: [dataset], edges: [] }).nodes;
    expect(projected?.properties).toEqual({
      name: 'Raw images',
      license: 'https://spdx.org/licenses/CC-BY-4.0',
      accession: 'S-BIAD1',
      datePublished: '2024',
    });
  });

  it.each([
    [
      { method: 'EDAM:operation_3443', parameters: { threshold: 'otsu' } },
      { additionalType: ['http://edamontology.org/operation_3443'], parameters: { threshold: 'otsu' } },
    ],
    [{ method: 'Otsu threshold, then watershed', parameters: null }, { description: 'Otsu threshold, then watershed' }],
  ])('reads an analysis deposited with %j', (properties, expected) => {
    const run = node('00000000-0000-4000-8000-0000000000c1', 'AnalysisActivity', properties, 'Segmentation');
    expect(projectStoredGraph({ nodes: [run], edges: [] }).nodes[0]?.properties).toEqual({
      name: 'Segmentation',
      ...expected,
    });
  });

  it('renames software associations to instrument and drops edges leaving the set', () => {
    const run = node('00000000-0000-4000-8000-0000000000c1', 'AnalysisActivity', {}, 'Run');
    const software = node(
      '00000000-0000-4000-8000-0000000000c2',
      'Software',
      { name: 'Cellpose', version: '3.0.10', url: 'https://www.cellpose.org' },
      'Cellpose 3.0.10',
    );
    const graph = projectStoredGraph({
      nodes: [run, software, person],
      edges: [
        edge(run.id, 'wasAssociatedWith', software.id),
        edge(run.id, 'wasAssociatedWith', person.id),
        edge(run.id, 'used', '00000000-0000-4000-8000-0000000000ff'),
      ],
    });
    expect(sortEdges(graph.edges)).toEqual(
      sortEdges([
        { source: run.iri, relation: 'instrument', target: software.iri },
        { source: run.iri, relation: 'wasAssociatedWith', target: person.iri },
      ]),
    );
    expect(graph.nodes.find((n) => n.iri === software.iri)?.properties).toEqual({
      name: 'Cellpose',
      softwareVersion: '3.0.10',
      url: 'https://www.cellpose.org',
    });
  });

  it('unfolds panel tags and qualified records into child nodes, affiliations into edges', () => {
    const panel = node('00000000-0000-4000-8000-0000000000d1', 'FigurePanel', {
      name: 'Figure 2B',
      position: 'B',
      about: ['http://purl.obolibrary.org/obo/GO_0005634'],
      entities: [
        {
          tag: 'tag-1',
          type: 'subcellular',
          id: 'http://purl.obolibrary.org/obo/GO_0005634',
          label: 'nucleus',
          role: 'assayed',
        },
        { tag: 'tag-2', type: 'molecule', id: 'not an IRI', role: 'nonsense' },
      ],
    });
    const attributed = node('00000000-0000-4000-8000-0000000000d2', 'ImageDataset', {
      name: 'Raw',
      qualified: [
        {
          fragment: 'attribution-1',
          kind: 'Attribution',
          targets: [person.iri],
          creditRole: ['https://credit.niso.org/contributor-roles/data-curation/'],
        },
        { fragment: 'usage-1', kind: 'Usage', targets: [] },
      ],
    });
    const graph = projectStoredGraph({ nodes: [panel, attributed, person, lab], edges: [] });
    expect(graph.nodes.filter((n) => n.type === 'EntityTag')).toEqual([
      {
        iri: `${panel.iri}#tag-1`,
        type: 'EntityTag',
        extraTypes: [],
        properties: {
          name: 'nucleus',
          taggedEntity: 'http://purl.obolibrary.org/obo/GO_0005634',
          entityType: 'subcellular',
          tagRole: 'assayed',
        },
      },
    ]);
    // A Usage qualifies activities only; on a dataset it is not written.
    expect(graph.nodes.filter((n) => n.type === 'Attribution' || n.type === 'Usage')).toEqual([
      {
        iri: `${attributed.iri}#attribution-1`,
        type: 'Attribution',
        extraTypes: [],
        properties: { creditRole: ['https://credit.niso.org/contributor-roles/data-curation/'] },
      },
    ]);
    expect(sortEdges(graph.edges)).toEqual(
      sortEdges([
        { source: panel.iri, relation: 'hasTag', target: `${panel.iri}#tag-1` },
        { source: attributed.iri, relation: 'qualifiedAttribution', target: `${attributed.iri}#attribution-1` },
        { source: `${attributed.iri}#attribution-1`, relation: 'qualifiedAgent', target: person.iri },
        { source: person.iri, relation: 'affiliation', target: lab.iri },
      ]),
    );
  });

  it('drops values an export could not write (relative IRIs, dates without a zone)', () => {
    const run = node('00000000-0000-4000-8000-0000000000e1', 'AnalysisActivity', {
      name: 'Run',
      additionalType: ['EDAM:operation_3443', 'http://edamontology.org/operation_3443'],
      startedAtTime: '2024-02-01T10:00:00',
      endedAtTime: '2024-02-01T12:00:00Z',
    });
    expect(projectStoredGraph({ nodes: [run], edges: [] }).nodes[0]?.properties).toEqual({
      name: 'Run',
      additionalType: ['http://edamontology.org/operation_3443'],
      endedAtTime: '2024-02-01T12:00:00Z',
    });
  });

  it('names what an export must load besides a node', () => {
    const attributed = node('00000000-0000-4000-8000-0000000000d2', 'ImageDataset', {
      qualified: [
        { fragment: 'attribution-1', kind: 'Attribution', targets: ['https://orcid.org/0000-0002-1825-0097'] },
      ],
    });
    expect(contextReferences(person)).toEqual({ ids: [lab.id], iris: [] });
    expect(contextReferences(attributed)).toEqual({ ids: [], iris: ['https://orcid.org/0000-0002-1825-0097'] });
  });
});

describe('planImport', () => {
  it('stores the chain fixture so that reading it back gives the same graph', async () => {
    const graph = await extracted(fixture('chain.jsonld'));
    const plan = planImport(graph, { publicBaseUrl: BASE, stored: new Map(), storedIds: new Set(), newId });
    expect(plan.problems).toEqual([]);
    expect(plan.agents).toEqual([
      {
        iri: 'https://orcid.org/0000-0002-1825-0097',
        kind: 'person',
        name: 'Josiah Carberry',
        orcid: 'https://orcid.org/0000-0002-1825-0097',
        affiliations: [],
      },
    ]);
    // Ledger IRIs keep their UUID as the node id.
    expect(plan.nodes.map((n) => [n.id, n.type])).toEqual([
      ['00000000-0000-4000-8000-000000000001', 'ImageDataset'],
      ['00000000-0000-4000-8000-000000000003', 'Software'],
      ['00000000-0000-4000-8000-000000000004', 'AnalysisActivity'],
      ['00000000-0000-4000-8000-000000000005', 'DerivedDataset'],
      ['00000000-0000-4000-8000-000000000006', 'AnalysisActivity'],
      ['00000000-0000-4000-8000-000000000007', 'DerivedDataset'],
    ]);
    expect(plan.nodes[0]?.properties.qualified).toEqual([
      {
        fragment: 'attribution-1',
        kind: 'Attribution',
        targets: ['https://orcid.org/0000-0002-1825-0097'],
        creditRole: ['https://credit.niso.org/contributor-roles/data-curation/'],
      },
    ]);
    expect(plan.nodes[3]?.occurredAt).toBe('2024-02-01T12:00:00.000Z');
    expect(plan.edges.filter((e) => e.relation === 'wasAssociatedWith')).toHaveLength(3);

    const stored: StoredNodeRecord[] = [
      ...plan.nodes.map((n) => ({ id: n.id, iri: n.iri, type: n.type, label: n.label, properties: n.properties })),
      {
        id: '00000000-0000-4000-8000-00000000ca1b',
        iri: 'https://orcid.org/0000-0002-1825-0097',
        type: 'Person' as const,
        label: 'Josiah Carberry',
        properties: {},
      },
    ];
    const idOf = new Map(stored.map((n) => [n.iri, n.id]));
    const back = projectStoredGraph({
      nodes: stored,
      edges: plan.edges.map((e) => edge(idOf.get(e.source) as string, e.relation, idOf.get(e.target) as string)),
    });
    const byIri = (nodes: readonly GraphNode[]) => [...nodes].sort((a, b) => (a.iri < b.iri ? -1 : 1));
    expect(byIri(back.nodes)).toEqual(byIri(graph.nodes));
    expect(sortEdges(back.edges)).toEqual(sortEdges(graph.edges));
  });

  it('reports what the reference example asks the import to record that other features own', async () => {
    const graph = await extracted(fixture('example-crate.jsonld'));
    const plan = planImport(graph, { publicBaseUrl: BASE, stored: new Map(), storedIds: new Set(), newId });
    const grant = `${ID}08ca28d3-d08f-4658-b695-6f2cb23a7bc2`;
    expect(plan.problems.map((p) => [p.code, p.node, p.property])).toEqual([
      ['RELATION_NOT_STORABLE', grant, 'funder'],
      ['RELATION_NOT_STORABLE', grant, 'principalInvestigator'],
      // A person named by a ledger IRI must already be a registered agent.
      ['UNKNOWN_AGENT', `${ID}2412d26e-e553-4e2e-a9a5-3c9e2c61af52`, '@id'],
    ]);
    // People by ORCID and organisations by ROR become agents, with their affiliations.
    expect(plan.agents.find((a) => a.kind === 'person')).toMatchObject({
      iri: 'https://orcid.org/0000-0002-1825-0097',
      givenName: 'Josiah',
      familyName: 'Carberry',
      affiliations: ['https://ror.org/05gq02987'],
    });
    expect(
      plan.agents
        .filter((a) => a.kind === 'organization')
        .map((a) => a.iri)
        .sort(),
    ).toEqual(['https://ror.org/029chgv08', 'https://ror.org/02catss52', 'https://ror.org/05gq02987']);
    const panel = plan.nodes.find((n) => n.type === 'FigurePanel');
    expect(panel?.properties.entities).toEqual([
      {
        tag: 'tag-1',
        type: 'geneprod',
        id: 'http://purl.uniprot.org/uniprot/P02545',
        label: 'lamin A/C',
        role: 'intervention',
      },
      {
        tag: 'tag-2',
        type: 'subcellular',
        id: 'http://purl.obolibrary.org/obo/GO_0005634',
        label: 'nucleus',
        role: 'assayed',
      },
      { tag: 'tag-3', type: 'cell', id: 'https://www.cellosaurus.org/CVCL_0030', label: 'HeLa', role: 'component' },
      {
        tag: 'tag-4',
        type: 'assay',
        id: 'http://purl.obolibrary.org/obo/FBbi_00000251',
        label: 'confocal microscopy',
        role: 'component',
      },
    ]);
  });

  describe('against stored nodes', () => {
    const raw = `${ID}00000000-0000-4000-8000-000000000001`;
    const person = 'https://orcid.org/0000-0002-1825-0097';
    const lab = 'https://ror.org/02catss52';
    const base = (views: Array<[string, StoredNodeView]>) => ({
      publicBaseUrl: BASE,
      stored: new Map(views),
      storedIds: new Set<string>(),
      newId,
    });
    const rawNode: GraphNode = {
      iri: raw,
      type: 'ImageDataset',
      extraTypes: [],
      properties: { name: 'Raw', license: 'https://spdx.org/licenses/CC0-1.0' },
    };
    const attribution: GraphNode = { iri: `${raw}#attribution-1`, type: 'Attribution', extraTypes: [], properties: {} };

    it('writes nothing for nodes and child records already stored', () => {
      const plan = planImport(
        {
          nodes: [rawNode, attribution],
          edges: [
            { source: raw, relation: 'qualifiedAttribution', target: attribution.iri },
            { source: attribution.iri, relation: 'qualifiedAgent', target: person },
            { source: raw, relation: 'wasAttributedTo', target: person },
          ],
        },
        base([
          [
            raw,
            {
              id: 'r',
              type: 'ImageDataset',
              properties: { qualified: [{ fragment: 'attribution-1', kind: 'Attribution', targets: [person] }] },
            },
          ],
        ]),
      );
      expect(plan.problems).toEqual([]);
      expect(plan.nodes).toEqual([]);
      expect(plan.described).toEqual([raw]);
      expect(plan.edges).toEqual([{ source: raw, relation: 'wasAttributedTo', target: person }]);
    });

    it('refuses a child record a stored node lacks, naming the node and the property', () => {
      const plan = planImport(
        {
          nodes: [rawNode, attribution],
          edges: [{ source: raw, relation: 'qualifiedAttribution', target: attribution.iri }],
        },
        base([[raw, { id: 'r', type: 'ImageDataset', properties: {} }]]),
      );
      expect(plan.problems.map((p) => [p.code, p.node, p.property])).toEqual([
        ['RECORDED_NODE_IMMUTABLE', raw, 'qualifiedAttribution'],
      ]);
    });

    it.each([
      [[lab], []],
      [[], [['RECORDED_NODE_IMMUTABLE', person, 'affiliation']]],
    ])('accepts an affiliation of a registered person only as recorded (recorded: %j)', (recorded, problems) => {
      const plan = planImport(
        {
          nodes: [{ iri: person, type: 'Person', extraTypes: [], properties: { name: 'J. Carberry' } }],
          edges: [{ source: person, relation: 'affiliation', target: lab }],
        },
        base([
          [person, { id: 'p', type: 'Person', properties: {}, links: { affiliations: recorded } }],
          [lab, { id: 'o', type: 'Organization', properties: {} }],
        ]),
      );
      expect(plan.problems.map((p) => [p.code, p.node, p.property])).toEqual(problems);
      expect(plan.edges).toEqual([]);
    });

    it('refuses a new node whose ledger UUID another node already has', () => {
      const plan = planImport(
        { nodes: [rawNode], edges: [] },
        { ...base([]), storedIds: new Set(['00000000-0000-4000-8000-000000000001']) },
      );
      expect(plan.problems.map((p) => [p.code, p.node, p.property])).toEqual([['NODE_ID_IN_USE', raw, '@id']]);
    });

    it('refuses a child record attached to nothing', () => {
      const plan = planImport({ nodes: [attribution], edges: [] }, base([]));
      expect(plan.problems.map((p) => [p.code, p.node, p.property])).toEqual([
        ['ORPHAN_CHILD_NODE', attribution.iri, 'qualifiedAttribution'],
      ]);
    });
  });
});

describe('checkUniqueGeneration', () => {
  const types = new Map<string, NodeType>([
    ['masks', 'DerivedDataset'],
    ['article', 'Publication'],
  ]);
  it.each<[string, GraphEdge[], GraphEdge[], string[]]>([
    ['a first generation', [{ source: 'masks', relation: 'wasGeneratedBy', target: 'run1' }], [], []],
    [
      'the stored generation restated',
      [{ source: 'masks', relation: 'wasGeneratedBy', target: 'run1' }],
      [{ source: 'masks', relation: 'wasGeneratedBy', target: 'run1' }],
      [],
    ],
    [
      'a second generation of a stored entity',
      [{ source: 'masks', relation: 'wasGeneratedBy', target: 'run2' }],
      [{ source: 'masks', relation: 'wasGeneratedBy', target: 'run1' }],
      ['masks'],
    ],
    [
      'two generations in one document',
      [
        { source: 'masks', relation: 'wasGeneratedBy', target: 'run1' },
        { source: 'masks', relation: 'wasGeneratedBy', target: 'run2' },
      ],
      [],
      ['masks'],
    ],
    [
      'a publication of two reuse events',
      [{ source: 'article', relation: 'wasGeneratedBy', target: 'reuse2' }],
      [{ source: 'article', relation: 'wasGeneratedBy', target: 'reuse1' }],
      [],
    ],
    [
      'stored history alone',
      [],
      [
        { source: 'masks', relation: 'wasGeneratedBy', target: 'run1' },
        { source: 'masks', relation: 'wasGeneratedBy', target: 'run2' },
      ],
      [],
    ],
  ])('%s', (_name, edges, known, flagged) => {
    expect(checkUniqueGeneration(edges, known, (iri) => types.get(iri)).map((p) => p.node)).toEqual(flagged);
  });
});
