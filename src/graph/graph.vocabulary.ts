/**
 * The graph's vocabulary: node types and typed edges with PROV-O / CiTO / schema.org semantics, and the DataCite
 * relationType each edge maps to (from the source node's side, and its inverse from the target's side).
 * Edges point from the dependent thing to what it depends on: derived --wasDerivedFrom--> raw.
 */
export const NODE_TYPES = [
  'Person',
  'Organization',
  'Grant',
  'ImageDataset',
  'DerivedDataset',
  'AnalysisActivity',
  'Software',
  'Publication',
  'Figure',
  'FigurePanel',
  'ReuseEvent',
  'ImagePart',
] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export const DATASET_TYPES: readonly NodeType[] = ['ImageDataset', 'DerivedDataset'];
export const ENTITY_TYPES: readonly NodeType[] = [
  'ImageDataset',
  'DerivedDataset',
  'Publication',
  'Figure',
  'FigurePanel',
  'ImagePart',
  'Software',
];
export const ACTIVITY_TYPES: readonly NodeType[] = ['AnalysisActivity', 'ReuseEvent'];
export const AGENT_TYPES: readonly NodeType[] = ['Person', 'Organization'];

export interface RelationInfo {
  iri: string;
  /** DataCite 4.6 relationType seen from the source, and from the target. */
  datacite: { forward: string; inverse: string } | null;
}

export const RELATIONS = {
  wasDerivedFrom: {
    iri: 'http://www.w3.org/ns/prov#wasDerivedFrom',
    datacite: { forward: 'IsDerivedFrom', inverse: 'IsSourceOf' },
  },
  wasGeneratedBy: { iri: 'http://www.w3.org/ns/prov#wasGeneratedBy', datacite: null },
  used: { iri: 'http://www.w3.org/ns/prov#used', datacite: null },
  wasAttributedTo: { iri: 'http://www.w3.org/ns/prov#wasAttributedTo', datacite: null },
  wasAssociatedWith: { iri: 'http://www.w3.org/ns/prov#wasAssociatedWith', datacite: null },
  hadPrimarySource: {
    iri: 'http://www.w3.org/ns/prov#hadPrimarySource',
    datacite: { forward: 'IsDerivedFrom', inverse: 'IsSourceOf' },
  },
  wasRevisionOf: {
    iri: 'http://www.w3.org/ns/prov#wasRevisionOf',
    datacite: { forward: 'IsNewVersionOf', inverse: 'IsPreviousVersionOf' },
  },
  hasPart: { iri: 'http://schema.org/hasPart', datacite: { forward: 'HasPart', inverse: 'IsPartOf' } },
  usesDataFrom: {
    iri: 'http://purl.org/spar/cito/usesDataFrom',
    datacite: { forward: 'References', inverse: 'IsReferencedBy' },
  },
  citesAsDataSource: {
    iri: 'http://purl.org/spar/cito/citesAsDataSource',
    datacite: { forward: 'Cites', inverse: 'IsCitedBy' },
  },
  funding: { iri: 'http://schema.org/funding', datacite: null },
  // Imported through POST /v1/provenance (provenance.md §5: publication → publication CiTO links; PROV relations).
  cites: { iri: 'http://purl.org/spar/cito/cites', datacite: { forward: 'Cites', inverse: 'IsCitedBy' } },
  usesMethodIn: { iri: 'http://purl.org/spar/cito/usesMethodIn', datacite: { forward: 'Cites', inverse: 'IsCitedBy' } },
  confirms: { iri: 'http://purl.org/spar/cito/confirms', datacite: { forward: 'Cites', inverse: 'IsCitedBy' } },
  disagreesWith: {
    iri: 'http://purl.org/spar/cito/disagreesWith',
    datacite: { forward: 'Cites', inverse: 'IsCitedBy' },
  },
  specializationOf: {
    iri: 'http://www.w3.org/ns/prov#specializationOf',
    datacite: { forward: 'IsVersionOf', inverse: 'HasVersion' },
  },
  actedOnBehalfOf: { iri: 'http://www.w3.org/ns/prov#actedOnBehalfOf', datacite: null },
  wasInformedBy: { iri: 'http://www.w3.org/ns/prov#wasInformedBy', datacite: null },
} as const satisfies Record<string, RelationInfo>;

export type Relation = keyof typeof RELATIONS;
export const RELATION_NAMES = Object.keys(RELATIONS) as Relation[];

/** Relations whose transitive closure must stay acyclic. */
export const ACYCLIC_RELATIONS: readonly Relation[] = [
  'wasDerivedFrom',
  'wasRevisionOf',
  'hasPart',
  'hadPrimarySource',
];

export function isNodeType(value: string): value is NodeType {
  return (NODE_TYPES as readonly string[]).includes(value);
}

export function isRelation(value: string): value is Relation {
  return Object.prototype.hasOwnProperty.call(RELATIONS, value);
}
