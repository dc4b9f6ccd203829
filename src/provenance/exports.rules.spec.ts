import type { JsonObject } from '../core/jsonld/jsonld-processor.js';
import type { NodeType as StoredNodeType } from '../graph/graph.vocabulary.js';
import { chooseRepresentation, projectProvJsonLd, pruneImageParts, STORED_LINEAGE_RELATIONS } from './exports.rules.js';
import { LINEAGE_RELATIONS } from './provenance.rules.js';
import type { Representation } from './exports.rules.js';

describe('STORED_LINEAGE_RELATIONS', () => {
  it('is every lineage relation, each a relation the graph store knows', () => {
    expect([...STORED_LINEAGE_RELATIONS]).toEqual([...LINEAGE_RELATIONS]);
    expect(STORED_LINEAGE_RELATIONS).toContain('wasDerivedFrom');
  });
});

describe('chooseRepresentation', () => {
  it.each<[string | undefined, Representation]>([
    [undefined, 'json'],
    ['', 'json'],
    ['*/*', 'json'],
    ['application/json', 'json'],
    ['application/ld+json', 'jsonld'],
    ['application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"', 'jsonld'],
    ['application/ld+json, application/json;q=0.9', 'jsonld'],
    ['application/json, application/ld+json;q=0.5', 'json'],
    ['application/json;q=0.5, application/ld+json', 'jsonld'],
    ['application/ld+json, application/json', 'jsonld'],
    ['application/json, application/ld+json', 'json'],
    ['application/*;q=0.2, application/ld+json', 'jsonld'],
    ['application/ld+json;q=0, */*', 'json'],
    ['text/html', 'json'],
    ['APPLICATION/LD+JSON', 'jsonld'],
  ])('Accept %j → %s', (accept, expected) => {
    expect(chooseRepresentation(accept)).toBe(expected);
  });
});

describe('pruneImageParts', () => {
  // dataset D holds images I1, I2; panel P is derived from I2 and from D; D2 is derived from D.
  const types = new Map<string, StoredNodeType>([
    ['D', 'ImageDataset'],
    ['I1', 'ImagePart'],
    ['I2', 'ImagePart'],
    ['P', 'FigurePanel'],
    ['D2', 'DerivedDataset'],
  ]);
  const edges = [
    { sourceId: 'D', relation: 'hasPart', targetId: 'I1' },
    { sourceId: 'D', relation: 'hasPart', targetId: 'I2' },
    { sourceId: 'P', relation: 'wasDerivedFrom', targetId: 'I2' },
    { sourceId: 'P', relation: 'wasDerivedFrom', targetId: 'D' },
    { sourceId: 'D2', relation: 'wasDerivedFrom', targetId: 'D' },
  ];

  it.each<[string, 'upstream' | 'downstream', string[], number]>([
    ['D', 'upstream', ['D'], 0],
    ['D', 'downstream', ['D', 'D2', 'P'], 2],
    ['P', 'upstream', ['D', 'I2', 'P'], 2],
    ['I1', 'downstream', ['D', 'D2', 'I1', 'P'], 3],
  ])('from %s %s keeps %j', (root, direction, nodeIds, edgeCount) => {
    const pruned = pruneImageParts(root, direction, types, edges);
    expect([...pruned.nodeIds].sort()).toEqual(nodeIds);
    expect(pruned.edges).toHaveLength(edgeCount);
  });
});

describe('projectProvJsonLd', () => {
  it('keeps PROV types and PROV properties only', () => {
    const doc: JsonObject = {
      '@context': 'https://ledger.example.org/contexts/ledger/v1.jsonld',
      '@graph': [
        {
          '@id': 'https://ledger.example.org/id/run',
          '@type': ['CreateAction', 'prov:Activity', 'AnalysisActivity'],
          name: 'Segmentation',
          startedAtTime: '2024-02-01T10:00:00Z',
          startTime: '2024-02-01T10:00:00Z',
          used: { '@id': 'https://ledger.example.org/id/raw' },
          object: { '@id': 'https://ledger.example.org/id/raw' },
          instrument: { '@id': 'https://ledger.example.org/id/sw' },
          wasAssociatedWith: { '@id': 'https://ledger.example.org/id/sw' },
        },
        { '@id': 'https://ledger.example.org/id/grant', '@type': 'Grant', name: 'R01' },
        {
          '@id': 'https://ledger.example.org/id/raw#attribution-1',
          '@type': 'prov:Attribution',
          'prov:agent': { '@id': 'https://orcid.org/0000-0002-1825-0097' },
          creditRole: { '@id': 'https://credit.niso.org/contributor-roles/data-curation/' },
        },
      ],
    };
    expect(projectProvJsonLd(doc)).toEqual({
      '@context': 'https://ledger.example.org/contexts/ledger/v1.jsonld',
      '@graph': [
        {
          '@id': 'https://ledger.example.org/id/run',
          '@type': 'prov:Activity',
          startedAtTime: '2024-02-01T10:00:00Z',
          used: { '@id': 'https://ledger.example.org/id/raw' },
          wasAssociatedWith: { '@id': 'https://ledger.example.org/id/sw' },
        },
        {
          '@id': 'https://ledger.example.org/id/raw#attribution-1',
          '@type': 'prov:Attribution',
          'prov:agent': { '@id': 'https://orcid.org/0000-0002-1825-0097' },
        },
      ],
    });
  });
});
