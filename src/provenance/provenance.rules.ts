/**
 * The provenance graph: vocabulary, extraction of nodes and edges from an expanded JSON-LD document with the
 * PROV-CONSTRAINTS checks of provenance.md §8, and compacted JSON-LD views of stored nodes. Pure: the caller
 * expands (core/jsonld/safe-expand.ts) and stores.
 */
import { ledgerNamespace, normalizePublicBaseUrl, parseLedgerNodeIri } from '../core/jsonld/context-urls.js';
import type { JsonObject, JsonValue } from '../core/jsonld/jsonld-processor.js';

// ---------------------------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------------------------

export const PREFIXES = {
  schema: 'http://schema.org/',
  prov: 'http://www.w3.org/ns/prov#',
  dct: 'http://purl.org/dc/terms/',
  cito: 'http://purl.org/spar/cito/',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
} as const;

const SCHEMA_TERMS = [
  'CreativeWork',
  'Dataset',
  'Person',
  'Organization',
  'Grant',
  'CreateAction',
  'SoftwareApplication',
  'ScholarlyArticle',
  'ImageObject',
  'DefinedTerm',
  'name',
  'description',
  'identifier',
  'url',
  'sameAs',
  'license',
  'datePublished',
  'version',
  'keywords',
  'creator',
  'author',
  'givenName',
  'familyName',
  'publisher',
  'affiliation',
  'funding',
  'funder',
  'startDate',
  'endDate',
  'hasPart',
  'isPartOf',
  'mainEntity',
  'mentions',
  'citation',
  'isBasedOn',
  'about',
  'position',
  'caption',
  'measurementTechnique',
  'additionalType',
  'object',
  'result',
  'instrument',
  'agent',
  'startTime',
  'endTime',
  'actionStatus',
  'error',
  'softwareVersion',
  'contentUrl',
  'contentSize',
  'encodingFormat',
  'sha256',
] as const;
const PROV_TERMS = [
  'wasDerivedFrom',
  'wasGeneratedBy',
  'used',
  'wasAttributedTo',
  'wasAssociatedWith',
  'actedOnBehalfOf',
  'wasInformedBy',
  'wasRevisionOf',
  'hadPrimarySource',
  'specializationOf',
  'qualifiedAttribution',
  'qualifiedAssociation',
  'qualifiedUsage',
  'hadRole',
  'hadPlan',
  'startedAtTime',
  'endedAtTime',
  'generatedAtTime',
  'atTime',
] as const;
const CITO_TERMS = ['citesAsDataSource', 'usesDataFrom', 'usesMethodIn', 'confirms', 'disagreesWith'] as const;
const LEDGER_TERMS = [
  'ImageDataset',
  'DerivedDataset',
  'AnalysisActivity',
  'ReuseEvent',
  'Figure',
  'FigurePanel',
  'EntityTag',
  'Depositor',
  'ImagePart',
  'accession',
  'organism',
  'creditRole',
  'reuseType',
  'hasTag',
  'taggedEntity',
  'entityType',
  'tagRole',
  'principalInvestigator',
  'dataPolicy',
  'parameters',
] as const;

/**
 * Every term of contexts/ledger/v1.jsonld as a compact IRI (a spec compares the file against this table). Terms
 * shared with RO-Crate 1.2 repeat its definition exactly (provenance.md §1.2).
 */
export const LEDGER_CONTEXT_TERMS: Readonly<Record<string, string>> = Object.freeze({
  ...Object.fromEntries(SCHEMA_TERMS.map((term) => [term, `schema:${term}`])),
  ...Object.fromEntries(PROV_TERMS.map((term) => [term, `prov:${term}`])),
  ...Object.fromEntries(CITO_TERMS.map((term) => [term, `cito:${term}`])),
  ...Object.fromEntries(LEDGER_TERMS.map((term) => [term, `ledger:${term}`])),
  conformsTo: 'dct:conformsTo',
});

/** Context terms whose values the context coerces; no term is coerced to `@id` (provenance.md §1.5). */
export const LEDGER_CONTEXT_COERCIONS: Readonly<Record<string, string>> = Object.freeze({
  startedAtTime: 'xsd:dateTime',
  endedAtTime: 'xsd:dateTime',
  generatedAtTime: 'xsd:dateTime',
  atTime: 'xsd:dateTime',
  parameters: '@json',
});

interface Vocabulary {
  /** Absolute IRI of a context term (`name`) or compact IRI (`prov:agent`). */
  iri: (compact: string) => string;
}

const vocabularies = new Map<string, Vocabulary>();

function vocabularyFor(publicBaseUrl: string): Vocabulary {
  const base = normalizePublicBaseUrl(publicBaseUrl);
  let vocabulary = vocabularies.get(base);
  if (vocabulary === undefined) {
    const namespaces: Record<string, string> = { ...PREFIXES, ledger: ledgerNamespace(base) };
    const iri = (compact: string): string => {
      const curie = LEDGER_CONTEXT_TERMS[compact] ?? compact;
      const colon = curie.indexOf(':');
      const namespace = colon === -1 ? undefined : namespaces[curie.slice(0, colon)];
      if (namespace === undefined) throw new Error(`not a ledger vocabulary term: ${compact}`);
      return namespace + curie.slice(colon + 1);
    };
    vocabulary = { iri };
    vocabularies.set(base, vocabulary);
  }
  return vocabulary;
}

/** Absolute IRI of a ledger context term or compact IRI for this deployment. */
export function vocabularyIri(compact: string, publicBaseUrl: string): string {
  return vocabularyFor(publicBaseUrl).iri(compact);
}

// ---------------------------------------------------------------------------------------------------------------
// Node kinds (provenance.md §3)
// ---------------------------------------------------------------------------------------------------------------

export const NODE_TYPES = [
  'ImageDataset',
  'DerivedDataset',
  'ImagePart',
  'AnalysisActivity',
  'ReuseEvent',
  'SoftwareApplication',
  'Person',
  'Organization',
  'Grant',
  'Publication',
  'Figure',
  'FigurePanel',
  'EntityTag',
  'Attribution',
  'Association',
  'Usage',
] as const;
export type NodeType = (typeof NODE_TYPES)[number];

/** Types a node may carry besides its kind's own (`Depositor` marks a person who deposited data). */
export const EXTRA_TYPES = ['Depositor'] as const;
export type ExtraType = (typeof EXTRA_TYPES)[number];

export type ProvClass = 'Entity' | 'Activity' | 'Agent';

/** How a node's IRI must look (provenance.md §2). */
type IriRule = 'ledger' | 'ledger-child' | 'person' | 'organization' | 'publication';

type RequiredItem = string | { relation: EdgeRelation; direction: 'out' | 'in'; term: string };

interface NodeTypeDef {
  provClass: ProvClass | null;
  /** Emitted `@type`s, compact; always written in full (superclasses explicit, provenance.md §1.6). */
  types: readonly string[];
  /** Any one of these identifies the kind on input. */
  discriminators: readonly string[];
  extraTypes: readonly ExtraType[];
  iriRule: IriRule;
  properties: readonly PropertyTerm[];
  required: readonly RequiredItem[];
}

const out = (relation: EdgeRelation, term: string = relation): RequiredItem => ({ relation, direction: 'out', term });
const incoming = (relation: EdgeRelation, term: string): RequiredItem => ({ relation, direction: 'in', term });

const DATASET_PROPERTIES = [
  'name',
  'description',
  'identifier',
  'url',
  'sameAs',
  'license',
  'datePublished',
  'version',
  'keywords',
  'accession',
  'organism',
  'measurementTechnique',
  'about',
  'additionalType',
  'generatedAtTime',
] as const satisfies readonly PropertyTerm[];

export const NODE_TYPE_DEFS: Readonly<Record<NodeType, NodeTypeDef>> = {
  ImageDataset: {
    provClass: 'Entity',
    types: ['Dataset', 'prov:Entity', 'ImageDataset'],
    discriminators: ['ImageDataset'],
    extraTypes: [],
    iriRule: 'ledger',
    properties: DATASET_PROPERTIES,
    required: ['name', 'license', out('wasAttributedTo', 'creator')],
  },
  DerivedDataset: {
    provClass: 'Entity',
    types: ['Dataset', 'prov:Entity', 'DerivedDataset'],
    discriminators: ['DerivedDataset'],
    extraTypes: [],
    iriRule: 'ledger',
    properties: DATASET_PROPERTIES,
    required: ['name', 'license', out('wasAttributedTo', 'creator'), out('wasDerivedFrom'), out('wasGeneratedBy')],
  },
  ImagePart: {
    provClass: 'Entity',
    types: ['ImageObject', 'prov:Entity', 'ImagePart'],
    discriminators: ['ImagePart'],
    extraTypes: [],
    iriRule: 'ledger',
    properties: ['name', 'description', 'identifier', 'contentUrl', 'contentSize', 'encodingFormat', 'sha256'],
    required: [incoming('hasPart', 'isPartOf')],
  },
  AnalysisActivity: {
    provClass: 'Activity',
    types: ['CreateAction', 'prov:Activity', 'AnalysisActivity'],
    discriminators: ['AnalysisActivity'],
    extraTypes: [],
    iriRule: 'ledger',
    properties: [
      'name',
      'description',
      'additionalType',
      'startedAtTime',
      'endedAtTime',
      'actionStatus',
      'error',
      'parameters',
    ],
    required: [out('used')],
  },
  ReuseEvent: {
    provClass: 'Activity',
    types: ['CreateAction', 'prov:Activity', 'ReuseEvent'],
    discriminators: ['ReuseEvent'],
    extraTypes: [],
    iriRule: 'ledger',
    properties: ['name', 'description', 'reuseType', 'startedAtTime', 'endedAtTime', 'actionStatus', 'error'],
    required: ['reuseType', out('used'), incoming('wasGeneratedBy', 'result')],
  },
  SoftwareApplication: {
    provClass: 'Agent',
    types: ['SoftwareApplication', 'prov:SoftwareAgent', 'prov:Agent'],
    discriminators: ['SoftwareApplication', 'prov:SoftwareAgent'],
    extraTypes: [],
    iriRule: 'ledger',
    properties: ['name', 'description', 'softwareVersion', 'url', 'identifier', 'sameAs'],
    required: ['name'],
  },
  Person: {
    provClass: 'Agent',
    types: ['Person', 'prov:Person', 'prov:Agent'],
    discriminators: ['Person', 'prov:Person'],
    extraTypes: ['Depositor'],
    iriRule: 'person',
    properties: ['name', 'givenName', 'familyName', 'identifier', 'sameAs', 'url'],
    required: ['name'],
  },
  Organization: {
    provClass: 'Agent',
    types: ['Organization', 'prov:Organization', 'prov:Agent'],
    discriminators: ['Organization', 'prov:Organization'],
    extraTypes: [],
    iriRule: 'organization',
    properties: ['name', 'identifier', 'sameAs', 'url'],
    required: ['name'],
  },
  Grant: {
    provClass: null,
    types: ['Grant'],
    discriminators: ['Grant'],
    extraTypes: [],
    iriRule: 'ledger',
    properties: ['name', 'description', 'identifier', 'url', 'startDate', 'endDate', 'dataPolicy'],
    required: ['name'],
  },
  Publication: {
    provClass: 'Entity',
    types: ['ScholarlyArticle', 'prov:Entity'],
    discriminators: ['ScholarlyArticle'],
    extraTypes: [],
    iriRule: 'publication',
    // A bare DOI is a valid publication whose metadata is pending (http-contract.md, publications).
    properties: ['name', 'description', 'identifier', 'sameAs', 'url', 'datePublished', 'generatedAtTime'],
    required: [],
  },
  Figure: {
    provClass: 'Entity',
    types: ['ImageObject', 'prov:Entity', 'Figure'],
    discriminators: ['Figure'],
    extraTypes: [],
    iriRule: 'ledger',
    properties: ['name', 'description', 'caption'],
    required: ['name', incoming('hasPart', 'isPartOf')],
  },
  FigurePanel: {
    provClass: 'Entity',
    types: ['ImageObject', 'prov:Entity', 'FigurePanel'],
    discriminators: ['FigurePanel'],
    extraTypes: [],
    iriRule: 'ledger',
    properties: ['name', 'position', 'caption', 'about', 'measurementTechnique'],
    required: ['position', incoming('hasPart', 'isPartOf'), out('wasDerivedFrom')],
  },
  EntityTag: {
    provClass: null,
    types: ['EntityTag'],
    discriminators: ['EntityTag'],
    extraTypes: [],
    iriRule: 'ledger-child',
    properties: ['name', 'taggedEntity', 'entityType', 'tagRole'],
    required: ['taggedEntity', 'entityType', 'tagRole'],
  },
  Attribution: {
    provClass: null,
    types: ['prov:Attribution'],
    discriminators: ['prov:Attribution'],
    extraTypes: [],
    iriRule: 'ledger-child',
    properties: ['creditRole', 'hadRole'],
    required: [out('qualifiedAgent', 'prov:agent')],
  },
  Association: {
    provClass: null,
    types: ['prov:Association'],
    discriminators: ['prov:Association'],
    extraTypes: [],
    iriRule: 'ledger-child',
    properties: ['hadRole', 'hadPlan'],
    required: [out('qualifiedAgent', 'prov:agent')],
  },
  Usage: {
    provClass: null,
    types: ['prov:Usage'],
    discriminators: ['prov:Usage'],
    extraTypes: [],
    iriRule: 'ledger-child',
    properties: ['hadRole', 'atTime'],
    required: [out('qualifiedEntity', 'prov:entity')],
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Literal and term-reference properties
// ---------------------------------------------------------------------------------------------------------------

export const REUSE_TYPES = ['benchmarking', 'training', 'secondary-analysis', 'integration', 'replication'] as const;
export const ENTITY_TAG_TYPES = ['geneprod', 'molecule', 'subcellular', 'cell', 'tissue', 'organism', 'assay'] as const;
export const ENTITY_TAG_ROLES = ['intervention', 'assayed', 'normalizing', 'reporter', 'component'] as const;
export const DATA_POLICIES = ['nih-dms-2023', 'wellcome', 'horizon-europe'] as const;

type PropertyKind = 'text' | 'literal' | 'date' | 'dateTime' | 'reference' | 'json' | 'enum' | 'sha256';

interface PropertyDef {
  kind: PropertyKind;
  many: boolean;
  values?: readonly string[];
}

/**
 * Properties stored on nodes as plain values: text, numbers, ISO dates, the JSON of `parameters`, and IRIs of
 * things outside the graph (ontology terms, licences, CRediT roles) kept as IRI strings.
 */
export const PROPERTY_DEFS = {
  name: { kind: 'text', many: false },
  description: { kind: 'text', many: false },
  identifier: { kind: 'text', many: true },
  url: { kind: 'text', many: false },
  sameAs: { kind: 'reference', many: true },
  license: { kind: 'reference', many: false },
  datePublished: { kind: 'date', many: false },
  version: { kind: 'literal', many: false },
  keywords: { kind: 'text', many: true },
  accession: { kind: 'text', many: false },
  organism: { kind: 'reference', many: false },
  measurementTechnique: { kind: 'reference', many: true },
  about: { kind: 'reference', many: true },
  additionalType: { kind: 'reference', many: true },
  creditRole: { kind: 'reference', many: true },
  reuseType: { kind: 'enum', many: false, values: REUSE_TYPES },
  entityType: { kind: 'enum', many: false, values: ENTITY_TAG_TYPES },
  tagRole: { kind: 'enum', many: false, values: ENTITY_TAG_ROLES },
  dataPolicy: { kind: 'enum', many: false, values: DATA_POLICIES },
  taggedEntity: { kind: 'reference', many: false },
  parameters: { kind: 'json', many: false },
  startedAtTime: { kind: 'dateTime', many: false },
  endedAtTime: { kind: 'dateTime', many: false },
  generatedAtTime: { kind: 'dateTime', many: false },
  atTime: { kind: 'dateTime', many: false },
  startDate: { kind: 'date', many: false },
  endDate: { kind: 'date', many: false },
  actionStatus: { kind: 'reference', many: false },
  error: { kind: 'text', many: false },
  softwareVersion: { kind: 'literal', many: false },
  givenName: { kind: 'text', many: false },
  familyName: { kind: 'text', many: false },
  position: { kind: 'text', many: false },
  caption: { kind: 'text', many: false },
  contentUrl: { kind: 'text', many: false },
  contentSize: { kind: 'literal', many: false },
  encodingFormat: { kind: 'text', many: false },
  sha256: { kind: 'sha256', many: false },
  hadRole: { kind: 'reference', many: true },
  hadPlan: { kind: 'reference', many: false },
} as const satisfies Record<string, PropertyDef>;
export type PropertyTerm = keyof typeof PROPERTY_DEFS;

/** schema.org action times are written beside the PROV times on CreateActions (provenance.md §4). */
const TIME_ALIASES = { startTime: 'startedAtTime', endTime: 'endedAtTime' } as const;

// ---------------------------------------------------------------------------------------------------------------
// Edges (provenance.md §3, §5)
// ---------------------------------------------------------------------------------------------------------------

export const EDGE_RELATIONS = [
  'wasDerivedFrom',
  'wasRevisionOf',
  'hadPrimarySource',
  'specializationOf',
  'wasGeneratedBy',
  'used',
  'wasAttributedTo',
  'wasAssociatedWith',
  'instrument',
  'actedOnBehalfOf',
  'wasInformedBy',
  'citesAsDataSource',
  'usesDataFrom',
  'cites',
  'usesMethodIn',
  'confirms',
  'disagreesWith',
  'hasPart',
  'hasTag',
  'funding',
  'funder',
  'principalInvestigator',
  'affiliation',
  'publisher',
  'qualifiedAttribution',
  'qualifiedAssociation',
  'qualifiedUsage',
  'qualifiedAgent',
  'qualifiedEntity',
] as const;
export type EdgeRelation = (typeof EDGE_RELATIONS)[number];

/** DataCite relationType of the record of an edge's source, and of its target (provenance.md §5). */
export interface DataCiteRelation {
  relationType: string;
  inverseRelationType: string;
}

export interface EdgeRelationDef {
  /** The predicate as a compact IRI. */
  curie: string;
  /** Absolute IRI; null for `ledger:` terms, whose namespace is per deployment (see vocabularyIri). */
  iri: string | null;
  /** Keys written on the source, in both vocabularies (provenance.md §1.1); the first is the relation itself. */
  keys: readonly string[];
  /** schema.org mirror that depends on the source kind (`creator` of a dataset, `author` of an article). */
  keysBySource: Readonly<Partial<Record<NodeType, string>>>;
  /** Key written on the target pointing back (`result` of an action, `isPartOf` of a part). */
  inverseKey: string | null;
  /** Allowed (source kinds, target kinds) pairs. */
  pairs: ReadonlyArray<readonly [readonly NodeType[], readonly NodeType[]]>;
  datacite: DataCiteRelation | null;
  /** The target is a qualified/child node: its IRI must be `<source>#<fragment>` (provenance.md §2). */
  childOfSource: boolean;
}

const DATA_ENTITIES: readonly NodeType[] = ['ImageDataset', 'DerivedDataset', 'ImagePart'];
const ENTITIES: readonly NodeType[] = [
  'ImageDataset',
  'DerivedDataset',
  'ImagePart',
  'Publication',
  'Figure',
  'FigurePanel',
];
const ACTIVITIES: readonly NodeType[] = ['AnalysisActivity', 'ReuseEvent'];
const PEOPLE_AND_ORGS: readonly NodeType[] = ['Person', 'Organization'];
const AGENTS: readonly NodeType[] = ['Person', 'Organization', 'SoftwareApplication'];

const IS_DERIVED_FROM: DataCiteRelation = { relationType: 'IsDerivedFrom', inverseRelationType: 'IsSourceOf' };
const CITES: DataCiteRelation = { relationType: 'Cites', inverseRelationType: 'IsCitedBy' };

function relation(
  curie: string,
  pairs: EdgeRelationDef['pairs'],
  extra: Partial<Omit<EdgeRelationDef, 'curie' | 'iri' | 'pairs'>> & { term?: string } = {},
): EdgeRelationDef {
  const [prefix, local] = curie.split(':') as [string, string];
  const namespace = (PREFIXES as Record<string, string>)[prefix];
  const term = extra.term ?? (prefix === 'prov' && local !== 'agent' && local !== 'entity' ? local : curie);
  return {
    curie,
    iri: namespace === undefined ? null : namespace + local,
    keys: extra.keys ?? [term],
    keysBySource: extra.keysBySource ?? {},
    inverseKey: extra.inverseKey ?? null,
    pairs,
    datacite: extra.datacite ?? null,
    childOfSource: extra.childOfSource ?? false,
  };
}

const sameKind = (kinds: readonly NodeType[]): EdgeRelationDef['pairs'] =>
  kinds.map((kind) => [[kind], [kind]] as const);

export const EDGE_RELATION_DEFS: Readonly<Record<EdgeRelation, EdgeRelationDef>> = {
  wasDerivedFrom: relation(
    'prov:wasDerivedFrom',
    [[['DerivedDataset', 'ImageDataset', 'ImagePart', 'Figure', 'FigurePanel'], DATA_ENTITIES]],
    { keys: ['wasDerivedFrom', 'isBasedOn'], datacite: IS_DERIVED_FROM },
  ),
  wasRevisionOf: relation('prov:wasRevisionOf', sameKind(['ImageDataset', 'DerivedDataset', 'Publication']), {
    datacite: { relationType: 'IsNewVersionOf', inverseRelationType: 'IsPreviousVersionOf' },
  }),
  // PROV-O: hadPrimarySource is a sub-property of wasDerivedFrom, so DataCite sees a derivation.
  hadPrimarySource: relation('prov:hadPrimarySource', [[ENTITIES, ENTITIES]], { datacite: IS_DERIVED_FROM }),
  specializationOf: relation('prov:specializationOf', sameKind(['ImageDataset', 'DerivedDataset']), {
    datacite: { relationType: 'IsVersionOf', inverseRelationType: 'HasVersion' },
  }),
  wasGeneratedBy: relation(
    'prov:wasGeneratedBy',
    [
      [['DerivedDataset'], ACTIVITIES],
      [['Publication'], ['ReuseEvent']],
    ],
    { inverseKey: 'result' },
  ),
  used: relation('prov:used', [[ACTIVITIES, DATA_ENTITIES]], { keys: ['used', 'object'] }),
  wasAttributedTo: relation('prov:wasAttributedTo', [[ENTITIES, PEOPLE_AND_ORGS]], {
    keysBySource: { ImageDataset: 'creator', DerivedDataset: 'creator', Publication: 'author' },
  }),
  wasAssociatedWith: relation('prov:wasAssociatedWith', [[ACTIVITIES, PEOPLE_AND_ORGS]], {
    keys: ['wasAssociatedWith', 'agent'],
  }),
  // Software associated with a run: schema:instrument, also asserted as prov:wasAssociatedWith.
  instrument: relation('schema:instrument', [[ACTIVITIES, ['SoftwareApplication']]], {
    term: 'instrument',
    keys: ['instrument', 'wasAssociatedWith'],
  }),
  // Never from a shared software node: it would hold for every run (provenance.md §3).
  actedOnBehalfOf: relation('prov:actedOnBehalfOf', [[PEOPLE_AND_ORGS, PEOPLE_AND_ORGS]]),
  wasInformedBy: relation('prov:wasInformedBy', [[ACTIVITIES, ACTIVITIES]]),
  citesAsDataSource: relation('cito:citesAsDataSource', [[['Publication'], DATA_ENTITIES]], {
    term: 'citesAsDataSource',
    keys: ['citesAsDataSource', 'citation'],
    datacite: CITES,
  }),
  usesDataFrom: relation('cito:usesDataFrom', [[['Publication'], DATA_ENTITIES]], {
    term: 'usesDataFrom',
    keys: ['usesDataFrom', 'citation'],
    datacite: CITES,
  }),
  cites: relation('cito:cites', [[['Publication'], ['Publication']]], {
    keys: ['cito:cites', 'citation'],
    datacite: CITES,
  }),
  usesMethodIn: relation('cito:usesMethodIn', [[['Publication'], ['Publication']]], {
    term: 'usesMethodIn',
    keys: ['usesMethodIn', 'citation'],
    datacite: CITES,
  }),
  confirms: relation('cito:confirms', [[['Publication'], ['Publication']]], {
    term: 'confirms',
    keys: ['confirms', 'citation'],
    datacite: CITES,
  }),
  disagreesWith: relation('cito:disagreesWith', [[['Publication'], ['Publication']]], {
    term: 'disagreesWith',
    keys: ['disagreesWith', 'citation'],
    datacite: CITES,
  }),
  hasPart: relation(
    'schema:hasPart',
    [
      [['Publication'], ['Figure']],
      [['Figure'], ['FigurePanel']],
      [['ImageDataset', 'DerivedDataset'], ['ImagePart']],
    ],
    { term: 'hasPart', inverseKey: 'isPartOf', datacite: { relationType: 'HasPart', inverseRelationType: 'IsPartOf' } },
  ),
  hasTag: relation('ledger:hasTag', [[['FigurePanel'], ['EntityTag']]], { term: 'hasTag', childOfSource: true }),
  funding: relation('schema:funding', [[['ImageDataset', 'DerivedDataset', 'Publication'], ['Grant']]], {
    term: 'funding',
  }),
  funder: relation('schema:funder', [[['Grant'], ['Organization']]], { term: 'funder' }),
  principalInvestigator: relation('ledger:principalInvestigator', [[['Grant'], ['Person']]], {
    term: 'principalInvestigator',
  }),
  affiliation: relation('schema:affiliation', [[['Person'], ['Organization']]], { term: 'affiliation' }),
  publisher: relation('schema:publisher', [[['ImageDataset', 'DerivedDataset'], PEOPLE_AND_ORGS]], {
    term: 'publisher',
  }),
  qualifiedAttribution: relation('prov:qualifiedAttribution', [[ENTITIES, ['Attribution']]], { childOfSource: true }),
  qualifiedAssociation: relation('prov:qualifiedAssociation', [[ACTIVITIES, ['Association']]], { childOfSource: true }),
  qualifiedUsage: relation('prov:qualifiedUsage', [[ACTIVITIES, ['Usage']]], { childOfSource: true }),
  qualifiedAgent: relation('prov:agent', [[['Attribution', 'Association'], AGENTS]]),
  qualifiedEntity: relation('prov:entity', [[['Usage'], DATA_ENTITIES]]),
};

/**
 * Input keys that are another vocabulary's spelling of a relation (provenance.md §1.1): they are folded into the
 * one relation, and the builders write both spellings back, so the two readings cannot diverge.
 */
const INPUT_ALIASES: ReadonlyArray<{ term: string; relation: EdgeRelation | 'citation'; reversed: boolean }> = [
  { term: 'isBasedOn', relation: 'wasDerivedFrom', reversed: false },
  { term: 'object', relation: 'used', reversed: false },
  { term: 'creator', relation: 'wasAttributedTo', reversed: false },
  { term: 'author', relation: 'wasAttributedTo', reversed: false },
  { term: 'agent', relation: 'wasAssociatedWith', reversed: false },
  { term: 'result', relation: 'wasGeneratedBy', reversed: true },
  { term: 'isPartOf', relation: 'hasPart', reversed: true },
  { term: 'citation', relation: 'citation', reversed: false },
];

const CITO_RELATIONS: ReadonlySet<EdgeRelation> = new Set([
  'citesAsDataSource',
  'usesDataFrom',
  'cites',
  'usesMethodIn',
  'confirms',
  'disagreesWith',
]);

/** Relations whose cycles make the graph invalid PROV (provenance.md §8.2). */
export const DERIVATION_RELATIONS: ReadonlySet<EdgeRelation> = new Set([
  'wasDerivedFrom',
  'wasRevisionOf',
  'hadPrimarySource',
  'wasGeneratedBy',
  'used',
]);
export const PARTHOOD_RELATIONS: ReadonlySet<EdgeRelation> = new Set(['hasPart']);

export function relationIri(relationName: EdgeRelation, publicBaseUrl: string): string {
  return vocabularyIri(EDGE_RELATION_DEFS[relationName].curie, publicBaseUrl);
}

// ---------------------------------------------------------------------------------------------------------------
// Graph records and problems
// ---------------------------------------------------------------------------------------------------------------

export type NodeProperties = Readonly<Record<string, JsonValue>>;

export interface GraphNode {
  iri: string;
  type: NodeType;
  extraTypes: readonly ExtraType[];
  /** Plain values keyed by context term; many-valued terms are sorted arrays of unique strings. */
  properties: NodeProperties;
}

export interface GraphEdge {
  source: string;
  relation: EdgeRelation;
  target: string;
}

export const PROBLEM_CODES = [
  'UNKNOWN_TYPE',
  'TYPE_CONFLICT',
  'PROV_TYPE_CONFLICT',
  'UNKNOWN_PROPERTY',
  'PROPERTY_NOT_ALLOWED',
  'UNSUPPORTED_KEYWORD',
  'BLANK_NODE_FORBIDDEN',
  'MALFORMED_IRI',
  'INVALID_VALUE',
  'MISSING_PROPERTY',
  'DANGLING_REFERENCE',
  'EDGE_TYPE_MISMATCH',
  'MULTIPLE_GENERATION',
  'DERIVATION_CYCLE',
  'PART_CYCLE',
  'TEMPORAL_ORDER_VIOLATION',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

export interface GraphProblem {
  code: ProblemCode;
  /** The node the problem is about (its IRI as written), or null for anonymous input. */
  node: string | null;
  /** Context term (or absolute IRI when no term exists) of the offending key. */
  property: string | null;
  message: string;
}

export type ExtractResult =
  { ok: true; nodes: GraphNode[]; edges: GraphEdge[] } | { ok: false; problems: GraphProblem[] };

export interface ExtractOptions {
  publicBaseUrl: string;
  /** Stored nodes the document may reference without describing them. */
  knownNodeIris?: ReadonlySet<string>;
  /** Stored nodes with their kinds: also referenceable, and edges to them are type-checked. */
  knownNodeTypes?: ReadonlyMap<string, NodeType>;
  /** Stored edges around the referenced nodes, for the cycle and unique-generation checks (provenance.md §8). */
  knownEdges?: readonly GraphEdge[];
  /**
   * Base the document was expanded with when it is an RO-Crate: its descriptor (`ro-crate-metadata.json`) and root
   * data entity (`./`) are packaging, not graph nodes, and are skipped.
   */
  crateBase?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// IRIs and values
// ---------------------------------------------------------------------------------------------------------------

/** DOIs compare case-insensitively (provenance.md §2): one spelling per publication node. */
export function normalizeNodeIri(iri: string): string {
  const doi = /^https?:\/\/(?:dx\.)?doi\.org\/(10\..+)$/i.exec(iri);
  return doi === null ? iri : `https://doi.org/${doi[1].toLowerCase()}`;
}

/**
 * Absolute http(s) IRI with a host. Rejects CURIEs such as `CL:0000000`, which JSON-LD silently accepts as IRIs of
 * scheme `cl` (provenance.md §1.7).
 */
export function isHttpIri(value: string): boolean {
  if (/\s/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const ORCID_IRI = /^https:\/\/orcid\.org\/\d{4}-\d{4}-\d{4}-\d{3}[\dX]$/;
const ROR_IRI = /^https:\/\/ror\.org\/0[0-9a-z]{8}$/;
const DOI_IRI = /^https:\/\/doi\.org\/10\.\d{4,9}\/\S+$/;
const DATE = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;
/** ISO 8601 with a zone, so instants compare (provenance.md §8.4). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const SHA256 = /^[0-9a-f]{64}$/;
const XSD_STRING = `${PREFIXES.xsd}string`;
const XSD_DATE_TIME = `${PREFIXES.xsd}dateTime`;

function iriProblem(rule: IriRule, iri: string, publicBaseUrl: string): string | null {
  const ledger = parseLedgerNodeIri(publicBaseUrl, iri);
  if (rule === 'ledger-child') {
    return ledger !== null && ledger.fragment !== null ? null : 'must be <public base>/id/<uuid>#<fragment>';
  }
  if (ledger !== null && ledger.fragment === null) return null;
  if (rule === 'person' && ORCID_IRI.test(iri)) return null;
  if (rule === 'organization' && ROR_IRI.test(iri)) return null;
  if (rule === 'publication' && DOI_IRI.test(iri)) return null;
  const globalForm = { person: ' or an ORCID iD', organization: ' or a ROR id', publication: ' or a DOI' }[
    rule as 'person' | 'organization' | 'publication'
  ];
  return `must be <public base>/id/<uuid>${globalForm ?? ''}`;
}

type ParsedValue =
  | { kind: 'reference'; iri: string }
  | { kind: 'literal'; value: JsonValue; datatype: string | null; language: string | null; json: boolean }
  | { kind: 'other'; keyword: string };

function parseValue(value: JsonValue): ParsedValue {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { kind: 'literal', value, datatype: null, language: null, json: false };
  }
  if ('@value' in value) {
    const type = value['@type'];
    const language = value['@language'];
    return {
      kind: 'literal',
      value: value['@value'],
      datatype: typeof type === 'string' && type !== '@json' ? type : null,
      language: typeof language === 'string' ? language : null,
      json: type === '@json',
    };
  }
  if (typeof value['@id'] === 'string') return { kind: 'reference', iri: value['@id'] };
  const keyword = Object.keys(value).find((key) => key.startsWith('@')) ?? '@id';
  return { kind: 'other', keyword };
}

function convertValue(def: PropertyDef, value: ParsedValue): { value: JsonValue } | { error: string; iri?: boolean } {
  if (def.kind === 'reference') {
    if (value.kind !== 'reference') return { error: 'expects a reference {"@id": "<IRI>"}' };
    return isHttpIri(value.iri)
      ? { value: value.iri }
      : { error: `not an absolute http(s) IRI: ${value.iri}`, iri: true };
  }
  if (def.kind === 'json') {
    return value.kind === 'literal' && value.json ? { value: value.value } : { error: 'expects a JSON value (@json)' };
  }
  if (value.kind !== 'literal' || value.json) return { error: 'expects a literal value' };
  if (value.language !== null) return { error: 'language-tagged strings are not supported' };
  const literal = value.value;
  if (def.kind === 'literal') {
    if (value.datatype !== null && value.datatype !== XSD_STRING)
      return { error: `unexpected datatype ${value.datatype}` };
    return typeof literal === 'string' || typeof literal === 'number' || typeof literal === 'boolean'
      ? { value: literal }
      : { error: 'expects a string, number or boolean' };
  }
  if (def.kind === 'dateTime') {
    if (value.datatype !== null && value.datatype !== XSD_DATE_TIME && value.datatype !== XSD_STRING) {
      return { error: `unexpected datatype ${value.datatype}` };
    }
    return typeof literal === 'string' && DATE_TIME.test(literal) && !Number.isNaN(Date.parse(literal))
      ? { value: literal }
      : { error: 'expects an ISO 8601 date-time with a time zone' };
  }
  if (value.datatype !== null && value.datatype !== XSD_STRING)
    return { error: `unexpected datatype ${value.datatype}` };
  if (typeof literal !== 'string') return { error: 'expects a string' };
  if (def.kind === 'date' && !DATE.test(literal)) return { error: 'expects an ISO 8601 date' };
  if (def.kind === 'sha256' && !SHA256.test(literal)) return { error: 'expects 64 lowercase hexadecimal digits' };
  if (def.kind === 'enum' && !(def.values ?? []).includes(literal)) {
    return { error: `expects one of ${(def.values ?? []).join(', ')}` };
  }
  return { value: literal };
}

// ---------------------------------------------------------------------------------------------------------------
// Extraction
// ---------------------------------------------------------------------------------------------------------------

interface RawNode {
  iri: string;
  types: Set<string>;
  properties: Map<string, JsonValue[]>;
}

interface CandidateEdge extends GraphEdge {
  /** Node whose key stated the edge, and that key, for error reports. */
  declaredBy: string;
  term: string;
  reversed: boolean;
}

type PendingRelation = EdgeRelation | 'citation';

interface InputPredicate {
  kind: 'property' | 'edge';
  term: string;
  property?: PropertyTerm;
  relation?: PendingRelation;
  reversed?: boolean;
}

const predicateTables = new Map<string, ReadonlyMap<string, InputPredicate>>();

function predicateTable(publicBaseUrl: string): ReadonlyMap<string, InputPredicate> {
  const base = normalizePublicBaseUrl(publicBaseUrl);
  const cached = predicateTables.get(base);
  if (cached !== undefined) return cached;
  const { iri } = vocabularyFor(base);
  const table = new Map<string, InputPredicate>();
  for (const term of Object.keys(PROPERTY_DEFS) as PropertyTerm[]) {
    table.set(iri(term), { kind: 'property', term, property: term });
  }
  for (const [alias, term] of Object.entries(TIME_ALIASES)) {
    table.set(iri(alias), { kind: 'property', term: alias, property: term });
  }
  for (const name of EDGE_RELATIONS) {
    const def = EDGE_RELATION_DEFS[name];
    table.set(iri(def.curie), { kind: 'edge', term: def.keys[0], relation: name, reversed: false });
  }
  for (const alias of INPUT_ALIASES) {
    table.set(iri(alias.term), { kind: 'edge', term: alias.term, relation: alias.relation, reversed: alias.reversed });
  }
  predicateTables.set(base, table);
  return table;
}

class ProblemList {
  readonly items: GraphProblem[] = [];
  add(code: ProblemCode, node: string | null, property: string | null, message: string): void {
    this.items.push({ code, node, property, message });
  }
}

/** Walks expanded JSON-LD, flattening embedded nodes and merging repeated descriptions of one `@id`. */
function collectRawNodes(
  expanded: unknown,
  table: ReadonlyMap<string, InputPredicate>,
  problems: ProblemList,
): Map<string, RawNode> {
  const nodes = new Map<string, RawNode>();
  if (!Array.isArray(expanded)) {
    problems.add('UNSUPPORTED_KEYWORD', null, null, 'expected an expanded JSON-LD document (an array of nodes)');
    return nodes;
  }
  const queue: Array<{ object: JsonValue; parent: string | null; property: string | null }> = expanded.map(
    (object: JsonValue) => ({ object, parent: null, property: null }),
  );
  while (queue.length > 0) {
    const { object, parent, property } = queue.shift() as (typeof queue)[number];
    if (object === null || typeof object !== 'object' || Array.isArray(object)) {
      problems.add('UNSUPPORTED_KEYWORD', parent, property, 'free-floating value outside a node');
      continue;
    }
    const id = object['@id'];
    if (typeof id !== 'string' || id.startsWith('_:')) {
      problems.add('BLANK_NODE_FORBIDDEN', parent, property, 'every node needs an "@id" IRI (provenance.md §1.3)');
      continue;
    }
    const iri = normalizeNodeIri(id);
    let node = nodes.get(iri);
    if (node === undefined) {
      node = { iri, types: new Set(), properties: new Map() };
      nodes.set(iri, node);
    }
    for (const [key, value] of Object.entries(object)) {
      if (key === '@id' || key === '@index') continue;
      if (key === '@type') {
        for (const type of Array.isArray(value) ? value : [value]) if (typeof type === 'string') node.types.add(type);
        continue;
      }
      if (key === '@included') {
        for (const included of Array.isArray(value) ? value : [value])
          queue.push({ object: included, parent: iri, property: key });
        continue;
      }
      if (key.startsWith('@')) {
        problems.add(
          'UNSUPPORTED_KEYWORD',
          iri,
          key,
          `${key} is not supported (no named graphs or reverse properties)`,
        );
        continue;
      }
      const term = termOf(key, table);
      const values = node.properties.get(key) ?? [];
      for (const item of Array.isArray(value) ? value : [value]) {
        if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
          if ('@list' in item) {
            problems.add('UNSUPPORTED_KEYWORD', iri, term, '@list values are not supported');
            continue;
          }
          const isNodeObject = !('@value' in item);
          const keys = Object.keys(item);
          if (isNodeObject && (typeof item['@id'] !== 'string' || item['@id'].startsWith('_:'))) {
            problems.add('BLANK_NODE_FORBIDDEN', iri, term, 'nested node without an "@id" IRI (provenance.md §1.3)');
            continue;
          }
          if (isNodeObject && keys.some((k) => k !== '@id')) {
            // An embedded description: lift it out and keep only the reference here.
            queue.push({ object: item, parent: iri, property: term });
            values.push({ '@id': item['@id'] as string });
            continue;
          }
        }
        values.push(item);
      }
      node.properties.set(key, values);
    }
  }
  return nodes;
}

function termOf(predicateIri: string, table: ReadonlyMap<string, InputPredicate>): string {
  return table.get(predicateIri)?.term ?? predicateIri;
}

/**
 * Reads an expanded JSON-LD document into graph nodes and edges, or reports every problem found. Checks: no blank
 * nodes, only context properties, node IRIs per kind, required properties, allowed edge ends (PROV-CONSTRAINTS
 * 50), no dangling references, no Entity/Activity mixing (55), one generation per entity (24), no derivation or
 * parthood cycles (42), and timestamp order when timestamps exist (30, 33, 34, 42).
 */
export function extractGraph(expanded: unknown, options: ExtractOptions): ExtractResult {
  const problems = new ProblemList();
  const base = normalizePublicBaseUrl(options.publicBaseUrl);
  const { iri } = vocabularyFor(base);
  const table = predicateTable(base);
  const rawNodes = collectRawNodes(expanded, table, problems);

  skipPackaging(rawNodes, options.crateBase, iri);

  // Kinds first: edge normalisation and checks depend on them.
  const kinds = new Map<string, NodeType>();
  const extraTypes = new Map<string, ExtraType[]>();
  for (const raw of rawNodes.values()) {
    const kind = classifyNode(raw, iri, options, problems);
    if (kind === null) continue;
    kinds.set(raw.iri, kind.type);
    extraTypes.set(raw.iri, kind.extraTypes);
    if (!isHttpIri(raw.iri)) {
      problems.add('MALFORMED_IRI', raw.iri, '@id', 'node IRIs must be absolute http(s) IRIs');
      continue;
    }
    const iriError = iriProblem(NODE_TYPE_DEFS[kind.type].iriRule, raw.iri, base);
    if (iriError !== null) problems.add('MALFORMED_IRI', raw.iri, '@id', `a ${kind.type} IRI ${iriError}`);
  }

  const nodes: GraphNode[] = [];
  const candidates: CandidateEdge[] = [];
  for (const raw of rawNodes.values()) {
    const type = kinds.get(raw.iri);
    if (type === undefined) continue;
    const properties = readProperties(raw, type, table, problems);
    nodes.push({ iri: raw.iri, type, extraTypes: extraTypes.get(raw.iri) ?? [], properties });
    candidates.push(...readEdges(raw, table, problems));
  }

  const typeOf = (nodeIri: string): NodeType | undefined => kinds.get(nodeIri) ?? options.knownNodeTypes?.get(nodeIri);
  const edges = normalizeEdges(candidates, typeOf);
  checkEdges(edges, kinds, typeOf, options, problems);
  checkRequired(nodes, edges, problems);
  checkGeneration(nodes, edges, options.knownEdges ?? [], problems);
  checkCycles(edges, options.knownEdges ?? [], problems);
  checkTimes(nodes, edges, problems);

  if (problems.items.length > 0) return { ok: false, problems: sortProblems(problems.items) };
  return {
    ok: true,
    nodes: nodes.sort((a, b) => compare(a.iri, b.iri)),
    edges: dedupeEdges(edges.map(({ source, relation: name, target }) => ({ source, relation: name, target }))),
  };
}

function skipPackaging(
  rawNodes: Map<string, RawNode>,
  crateBase: string | undefined,
  iri: (c: string) => string,
): void {
  // Descriptions of licences (RO-Crate contextual entities) and ontology terms are not graph nodes: the graph keeps
  // their IRIs as property values. Licences are collected before the packaging goes, so the licence of the crate
  // itself (on the root data entity) is recognised too.
  const licenseIri = iri('license');
  const licensed = new Set<string>();
  for (const raw of rawNodes.values()) {
    for (const value of raw.properties.get(licenseIri) ?? []) {
      const parsed = parseValue(value);
      if (parsed.kind === 'reference') licensed.add(normalizeNodeIri(parsed.iri));
    }
  }
  if (crateBase !== undefined) {
    rawNodes.delete(crateBase);
    rawNodes.delete(`${crateBase}ro-crate-metadata.json`);
  }
  for (const raw of [...rawNodes.values()]) {
    const only = raw.types.size === 1 ? [...raw.types][0] : undefined;
    if ((only === iri('CreativeWork') && licensed.has(raw.iri)) || only === iri('DefinedTerm'))
      rawNodes.delete(raw.iri);
  }
}

const PROV_CLASS_OF_TYPE: Readonly<Record<string, ProvClass>> = {
  [`${PREFIXES.prov}Entity`]: 'Entity',
  [`${PREFIXES.prov}Activity`]: 'Activity',
  [`${PREFIXES.schema}CreateAction`]: 'Activity',
  [`${PREFIXES.prov}Agent`]: 'Agent',
  [`${PREFIXES.prov}Person`]: 'Agent',
  [`${PREFIXES.prov}Organization`]: 'Agent',
  [`${PREFIXES.prov}SoftwareAgent`]: 'Agent',
};

function classifyNode(
  raw: RawNode,
  iri: (compact: string) => string,
  options: ExtractOptions,
  problems: ProblemList,
): { type: NodeType; extraTypes: ExtraType[] } | null {
  if (raw.types.size === 0) {
    if (raw.properties.size > 0) problems.add('MISSING_PROPERTY', raw.iri, '@type', 'node has no @type');
    return null;
  }
  const candidates = NODE_TYPES.filter((type) =>
    NODE_TYPE_DEFS[type].discriminators.some((compact) => raw.types.has(iri(compact))),
  );
  const provClasses = new Set<ProvClass>();
  for (const type of raw.types) {
    const provClass = PROV_CLASS_OF_TYPE[type];
    if (provClass !== undefined) provClasses.add(provClass);
  }
  for (const type of candidates) {
    const provClass = NODE_TYPE_DEFS[type].provClass;
    if (provClass !== null) provClasses.add(provClass);
  }
  if (provClasses.has('Entity') && provClasses.has('Activity')) {
    problems.add(
      'PROV_TYPE_CONFLICT',
      raw.iri,
      '@type',
      'a node cannot be both a prov:Entity and a prov:Activity (PROV-CONSTRAINTS 55)',
    );
    return null;
  }
  if (candidates.length === 0) {
    problems.add('UNKNOWN_TYPE', raw.iri, '@type', `no ledger node kind among: ${[...raw.types].sort().join(', ')}`);
    return null;
  }
  if (candidates.length > 1) {
    problems.add('TYPE_CONFLICT', raw.iri, '@type', `one @id names one kind of thing, not ${candidates.join(' and ')}`);
    return null;
  }
  const type = candidates[0];
  const def = NODE_TYPE_DEFS[type];
  const allowed = new Set([...def.types, ...def.extraTypes].map((compact) => iri(compact)));
  const knownVocabulary = new Set(
    NODE_TYPES.flatMap((t) => [...NODE_TYPE_DEFS[t].types, ...NODE_TYPE_DEFS[t].extraTypes]).map((c) => iri(c)),
  );
  let conflicting = false;
  for (const typeIri of raw.types) {
    if (allowed.has(typeIri)) continue;
    conflicting = true;
    if (knownVocabulary.has(typeIri) || PROV_CLASS_OF_TYPE[typeIri] !== undefined) {
      problems.add('TYPE_CONFLICT', raw.iri, '@type', `${typeIri} is not a type of ${type}`);
    } else {
      problems.add('UNKNOWN_TYPE', raw.iri, '@type', `unknown type ${typeIri}`);
    }
  }
  const stored = options.knownNodeTypes?.get(raw.iri);
  if (stored !== undefined && stored !== type) {
    const storedClass = NODE_TYPE_DEFS[stored].provClass;
    const clash = new Set([storedClass, def.provClass]);
    problems.add(
      clash.has('Entity') && clash.has('Activity') ? 'PROV_TYPE_CONFLICT' : 'TYPE_CONFLICT',
      raw.iri,
      '@type',
      `already recorded as a ${stored}, not a ${type}`,
    );
    conflicting = true;
  }
  if (conflicting) return null;
  return { type, extraTypes: def.extraTypes.filter((extra) => raw.types.has(iri(extra))) };
}

function readProperties(
  raw: RawNode,
  type: NodeType,
  table: ReadonlyMap<string, InputPredicate>,
  problems: ProblemList,
): NodeProperties {
  const def = NODE_TYPE_DEFS[type];
  const allowed = new Set<string>(def.properties);
  const collected = new Map<PropertyTerm, { values: JsonValue[]; from: string }>();
  for (const [predicate, values] of raw.properties) {
    const input = table.get(predicate);
    if (input === undefined) {
      problems.add('UNKNOWN_PROPERTY', raw.iri, predicate, `not a property of the ledger vocabulary: ${predicate}`);
      continue;
    }
    if (input.kind !== 'property') continue;
    const term = input.property as PropertyTerm;
    if (!allowed.has(term)) {
      problems.add('PROPERTY_NOT_ALLOWED', raw.iri, input.term, `${input.term} is not a property of ${type}`);
      continue;
    }
    const propertyDef: PropertyDef = PROPERTY_DEFS[term];
    const converted: JsonValue[] = [];
    for (const value of values) {
      const result = convertValue(propertyDef, parseValue(value));
      if ('error' in result) {
        problems.add(
          result.iri === true ? 'MALFORMED_IRI' : 'INVALID_VALUE',
          raw.iri,
          input.term,
          `${input.term} ${result.error}`,
        );
      } else {
        converted.push(result.value);
      }
    }
    const previous = collected.get(term);
    if (previous !== undefined) {
      // startTime beside startedAtTime: the two spellings must agree.
      const same =
        previous.values.length === converted.length &&
        previous.values.every((v, i) => {
          const w = converted[i];
          return typeof v === 'string' && typeof w === 'string' && Date.parse(v) === Date.parse(w);
        });
      if (!same) problems.add('INVALID_VALUE', raw.iri, input.term, `${input.term} disagrees with ${previous.from}`);
      continue;
    }
    collected.set(term, { values: converted, from: input.term });
  }
  const properties: Record<string, JsonValue> = {};
  for (const term of def.properties) {
    const entry = collected.get(term);
    if (entry === undefined || entry.values.length === 0) continue;
    if (PROPERTY_DEFS[term].many) {
      properties[term] = uniqueSorted(entry.values);
    } else if (entry.values.length > 1) {
      problems.add('INVALID_VALUE', raw.iri, term, `${term} takes a single value`);
    } else {
      properties[term] = entry.values[0];
    }
  }
  return properties;
}

function uniqueSorted(values: JsonValue[]): JsonValue[] {
  const seen = new Map<string, JsonValue>();
  for (const value of values) seen.set(JSON.stringify(value), value);
  return [...seen.entries()].sort(([a], [b]) => compare(a, b)).map(([, value]) => value);
}

function readEdges(raw: RawNode, table: ReadonlyMap<string, InputPredicate>, problems: ProblemList): CandidateEdge[] {
  const edges: CandidateEdge[] = [];
  for (const [predicate, values] of raw.properties) {
    const input = table.get(predicate);
    if (input === undefined || input.kind !== 'edge') continue;
    for (const value of values) {
      const parsed = parseValue(value);
      if (parsed.kind !== 'reference') {
        problems.add('INVALID_VALUE', raw.iri, input.term, `${input.term} expects a reference {"@id": "<IRI>"}`);
        continue;
      }
      if (parsed.iri.startsWith('_:')) {
        problems.add('BLANK_NODE_FORBIDDEN', raw.iri, input.term, 'references must name IRIs, not blank nodes');
        continue;
      }
      if (!isHttpIri(parsed.iri)) {
        problems.add('MALFORMED_IRI', raw.iri, input.term, `not an absolute http(s) IRI: ${parsed.iri}`);
        continue;
      }
      const other = normalizeNodeIri(parsed.iri);
      edges.push({
        source: input.reversed === true ? other : raw.iri,
        target: input.reversed === true ? raw.iri : other,
        relation: input.relation as EdgeRelation,
        declaredBy: raw.iri,
        term: input.term,
        reversed: input.reversed === true,
      });
    }
  }
  return edges;
}

/**
 * Folds the schema.org spellings into PROV/CiTO relations: software named by wasAssociatedWith becomes
 * `instrument`; a bare `citation` becomes citesAsDataSource (dataset) or cites (article) unless a CiTO edge
 * already states it, so reading back a document the builders wrote yields the same edges.
 */
function normalizeEdges(candidates: CandidateEdge[], typeOf: (iri: string) => NodeType | undefined): CandidateEdge[] {
  const key = (source: string, relationName: string, target: string): string =>
    `${source}\u0000${relationName}\u0000${target}`;
  const normalized = candidates.map((edge) =>
    edge.relation === 'wasAssociatedWith' && typeOf(edge.target) === 'SoftwareApplication'
      ? { ...edge, relation: 'instrument' as const }
      : edge,
  );
  const stated = new Set(normalized.map((edge) => key(edge.source, edge.relation, edge.target)));
  const citoPairs = new Set(
    normalized.filter((edge) => CITO_RELATIONS.has(edge.relation)).map((edge) => key(edge.source, '', edge.target)),
  );
  const result: CandidateEdge[] = [];
  const seen = new Set<string>();
  for (const edge of normalized) {
    let relationName = edge.relation as PendingRelation;
    if (relationName === 'citation') {
      if (citoPairs.has(key(edge.source, '', edge.target))) continue;
      relationName = typeOf(edge.target) === 'Publication' ? 'cites' : 'citesAsDataSource';
    }
    if (relationName === 'wasAssociatedWith' && stated.has(key(edge.source, 'instrument', edge.target))) continue;
    const id = key(edge.source, relationName, edge.target);
    if (seen.has(id)) continue;
    seen.add(id);
    result.push({ ...edge, relation: relationName });
  }
  return result;
}

function checkEdges(
  edges: readonly CandidateEdge[],
  kinds: ReadonlyMap<string, NodeType>,
  typeOf: (iri: string) => NodeType | undefined,
  options: ExtractOptions,
  problems: ProblemList,
): void {
  const known = (nodeIri: string): boolean =>
    kinds.has(nodeIri) || options.knownNodeIris?.has(nodeIri) === true || options.knownNodeTypes?.has(nodeIri) === true;
  for (const edge of edges) {
    const def = EDGE_RELATION_DEFS[edge.relation];
    const declaredType = kinds.get(edge.declaredBy);
    const other = edge.reversed ? edge.source : edge.target;
    if (declaredType !== undefined) {
      const role = edge.reversed ? 1 : 0;
      if (!def.pairs.some((pair) => pair[role].includes(declaredType))) {
        problems.add(
          'PROPERTY_NOT_ALLOWED',
          edge.declaredBy,
          edge.term,
          `${edge.term} is not a property of ${declaredType}`,
        );
        continue;
      }
    }
    if (!known(other)) {
      problems.add(
        'DANGLING_REFERENCE',
        edge.declaredBy,
        edge.term,
        `${other} is neither in the document nor recorded`,
      );
      continue;
    }
    const sourceType = typeOf(edge.source);
    const targetType = typeOf(edge.target);
    if (sourceType !== undefined && targetType !== undefined) {
      if (!def.pairs.some(([sources, targets]) => sources.includes(sourceType) && targets.includes(targetType))) {
        problems.add(
          'EDGE_TYPE_MISMATCH',
          edge.declaredBy,
          edge.term,
          `${edge.term} cannot link a ${sourceType} to a ${targetType} (PROV-CONSTRAINTS 50)`,
        );
        continue;
      }
    }
    if (def.childOfSource && !edge.target.startsWith(`${edge.source}#`)) {
      problems.add(
        'MALFORMED_IRI',
        edge.declaredBy,
        edge.term,
        `${edge.target} must be a fragment of ${edge.source} (provenance.md §2)`,
      );
    }
  }
}

function checkRequired(nodes: readonly GraphNode[], edges: readonly GraphEdge[], problems: ProblemList): void {
  const outgoing = new Set(edges.map((edge) => `${edge.source}\u0000${edge.relation}`));
  const incomingSet = new Set(edges.map((edge) => `${edge.target}\u0000${edge.relation}`));
  for (const node of nodes) {
    for (const item of NODE_TYPE_DEFS[node.type].required) {
      if (typeof item === 'string') {
        if (node.properties[item] === undefined) {
          problems.add('MISSING_PROPERTY', node.iri, item, `a ${node.type} needs ${item}`);
        }
        continue;
      }
      const present = (item.direction === 'out' ? outgoing : incomingSet).has(`${node.iri}\u0000${item.relation}`);
      if (!present) problems.add('MISSING_PROPERTY', node.iri, item.term, `a ${node.type} needs ${item.term}`);
    }
  }
}

function checkGeneration(
  nodes: readonly GraphNode[],
  edges: readonly GraphEdge[],
  knownEdges: readonly GraphEdge[],
  problems: ProblemList,
): void {
  const generators = new Map<string, Set<string>>();
  for (const edge of [...knownEdges, ...edges]) {
    if (edge.relation !== 'wasGeneratedBy') continue;
    const set = generators.get(edge.source) ?? new Set<string>();
    set.add(edge.target);
    generators.set(edge.source, set);
  }
  for (const node of nodes) {
    const set = generators.get(node.iri);
    // A publication is produced by one ReuseEvent per reuse type, all at its issue date (provenance.md §8.3).
    if (set !== undefined && set.size > 1 && node.type !== 'Publication') {
      problems.add(
        'MULTIPLE_GENERATION',
        node.iri,
        'wasGeneratedBy',
        `a ${node.type} has exactly one generating activity, not ${[...set].sort().join(', ')} (PROV-CONSTRAINTS 24)`,
      );
    }
  }
}

function checkCycles(edges: readonly GraphEdge[], knownEdges: readonly GraphEdge[], problems: ProblemList): void {
  const all = [...knownEdges, ...edges];
  const derivation = detectCycle(all, DERIVATION_RELATIONS);
  if (derivation !== null) {
    problems.add(
      'DERIVATION_CYCLE',
      derivation[0],
      null,
      `derivation cycle ${derivation.join(' -> ')} (PROV-CONSTRAINTS 42; an activity may not use its own output)`,
    );
  }
  const parthood = detectCycle(all, PARTHOOD_RELATIONS);
  if (parthood !== null) {
    problems.add('PART_CYCLE', parthood[0], 'hasPart', `part cycle ${parthood.join(' -> ')}`);
  }
}

/**
 * First cycle over the given relations, as the path [a, b, …, a], or null. Iterative depth-first search in IRI
 * order, so the answer is deterministic and deep chains cannot overflow the stack.
 */
export function detectCycle(
  edges: readonly GraphEdge[],
  relations: ReadonlySet<EdgeRelation> = DERIVATION_RELATIONS,
): string[] | null {
  const adjacency = new Map<string, string[]>();
  for (const edge of edges) {
    if (!relations.has(edge.relation)) continue;
    const list = adjacency.get(edge.source) ?? [];
    list.push(edge.target);
    adjacency.set(edge.source, list);
  }
  for (const list of adjacency.values()) list.sort(compare);
  const state = new Map<string, 'open' | 'done'>();
  for (const start of [...adjacency.keys()].sort(compare)) {
    if (state.has(start)) continue;
    const path: string[] = [start];
    const cursors: number[] = [0];
    state.set(start, 'open');
    while (path.length > 0) {
      const node = path[path.length - 1];
      const next = adjacency.get(node)?.[cursors[cursors.length - 1]];
      if (next === undefined) {
        state.set(node, 'done');
        path.pop();
        cursors.pop();
        continue;
      }
      cursors[cursors.length - 1] = cursors[cursors.length - 1] + 1;
      const seen = state.get(next);
      if (seen === 'open') return [...path.slice(path.indexOf(next)), next];
      if (seen === undefined) {
        state.set(next, 'open');
        path.push(next);
        cursors.push(0);
      }
    }
  }
  return null;
}

/** Timestamp order where timestamps exist (provenance.md §8.4); instants, so zones compare correctly. */
function checkTimes(nodes: readonly GraphNode[], edges: readonly GraphEdge[], problems: ProblemList): void {
  const byIri = new Map(nodes.map((node) => [node.iri, node]));
  const time = (nodeIri: string, term: 'startedAtTime' | 'endedAtTime' | 'generatedAtTime'): number | null => {
    const value = byIri.get(nodeIri)?.properties[term];
    return typeof value === 'string' ? Date.parse(value) : null;
  };
  for (const node of nodes) {
    const start = time(node.iri, 'startedAtTime');
    const end = time(node.iri, 'endedAtTime');
    if (start !== null && end !== null && start > end) {
      problems.add(
        'TEMPORAL_ORDER_VIOLATION',
        node.iri,
        'endedAtTime',
        'an activity cannot end before it starts (PROV-CONSTRAINTS 30)',
      );
    }
  }
  for (const edge of edges) {
    if (edge.relation === 'wasGeneratedBy') {
      const generated = time(edge.source, 'generatedAtTime');
      const start = time(edge.target, 'startedAtTime');
      const end = time(edge.target, 'endedAtTime');
      if (generated !== null && ((start !== null && generated < start) || (end !== null && generated > end))) {
        problems.add(
          'TEMPORAL_ORDER_VIOLATION',
          edge.source,
          'generatedAtTime',
          `generated outside the span of ${edge.target} (PROV-CONSTRAINTS 34)`,
        );
      }
    } else if (edge.relation === 'used') {
      const generated = time(edge.target, 'generatedAtTime');
      const end = time(edge.source, 'endedAtTime');
      if (generated !== null && end !== null && generated > end) {
        problems.add(
          'TEMPORAL_ORDER_VIOLATION',
          edge.source,
          'used',
          `uses ${edge.target} before it was generated (PROV-CONSTRAINTS 33, 37)`,
        );
      }
    } else if (edge.relation === 'wasDerivedFrom') {
      const derived = time(edge.source, 'generatedAtTime');
      const source = time(edge.target, 'generatedAtTime');
      if (derived !== null && source !== null && source >= derived) {
        problems.add(
          'TEMPORAL_ORDER_VIOLATION',
          edge.source,
          'wasDerivedFrom',
          `${edge.target} must be generated strictly before it (PROV-CONSTRAINTS 42)`,
        );
      }
    }
  }
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortProblems(items: GraphProblem[]): GraphProblem[] {
  return items.sort(
    (a, b) =>
      compare(a.node ?? '', b.node ?? '') ||
      compare(a.property ?? '', b.property ?? '') ||
      compare(a.code, b.code) ||
      compare(a.message, b.message),
  );
}

export function dedupeEdges(edges: readonly GraphEdge[]): GraphEdge[] {
  const seen = new Map<string, GraphEdge>();
  for (const edge of edges) seen.set(`${edge.source}\u0000${edge.relation}\u0000${edge.target}`, edge);
  return [...seen.values()].sort(
    (a, b) => compare(a.source, b.source) || compare(a.relation, b.relation) || compare(a.target, b.target),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Traversal
// ---------------------------------------------------------------------------------------------------------------

/** Edges followed by lineage: source → what it was made from; downstream follows them backwards. */
export const LINEAGE_RELATIONS: ReadonlySet<EdgeRelation> = new Set([
  'wasDerivedFrom',
  'wasRevisionOf',
  'hadPrimarySource',
  'specializationOf',
  'wasGeneratedBy',
  'used',
  'hasPart',
  'citesAsDataSource',
  'usesDataFrom',
]);

/** Edges to the people, software, grants and qualified records that describe a lineage node. */
export const CONTEXT_RELATIONS: ReadonlySet<EdgeRelation> = new Set([
  'wasAttributedTo',
  'wasAssociatedWith',
  'instrument',
  'actedOnBehalfOf',
  'hasTag',
  'funding',
  'funder',
  'principalInvestigator',
  'affiliation',
  'publisher',
  'qualifiedAttribution',
  'qualifiedAssociation',
  'qualifiedUsage',
  'qualifiedAgent',
]);

/** Breadth-first lineage of a node, root first, at most `depth` hops away. */
export function collectLineage(
  rootIri: string,
  edges: readonly GraphEdge[],
  options: { direction: 'upstream' | 'downstream'; depth: number },
): string[] {
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    if (!LINEAGE_RELATIONS.has(edge.relation)) continue;
    const [from, to] = options.direction === 'upstream' ? [edge.source, edge.target] : [edge.target, edge.source];
    pushTo(next, from, to);
  }
  const order = [rootIri];
  const seen = new Set(order);
  let frontier = [rootIri];
  for (let hop = 0; hop < options.depth && frontier.length > 0; hop += 1) {
    const following: string[] = [];
    for (const node of frontier) {
      for (const target of [...(next.get(node) ?? [])].sort(compare)) {
        if (seen.has(target)) continue;
        seen.add(target);
        order.push(target);
        following.push(target);
      }
    }
    frontier = following;
  }
  return order;
}

/** The given nodes plus everything reachable from them over CONTEXT_RELATIONS (agents, grants, funders, tags…). */
export function collectContext(iris: readonly string[], edges: readonly GraphEdge[]): string[] {
  const next = new Map<string, string[]>();
  for (const edge of edges) {
    if (CONTEXT_RELATIONS.has(edge.relation)) pushTo(next, edge.source, edge.target);
  }
  const order = [...iris];
  const seen = new Set(order);
  for (let index = 0; index < order.length; index += 1) {
    for (const target of [...(next.get(order[index]) ?? [])].sort(compare)) {
      if (seen.has(target)) continue;
      seen.add(target);
      order.push(target);
    }
  }
  return order;
}

/** Edges by the nodes they touch, so rendering many nodes stays linear in the number of edges. */
export function indexIncidentEdges(edges: readonly GraphEdge[]): ReadonlyMap<string, readonly GraphEdge[]> {
  const index = new Map<string, GraphEdge[]>();
  for (const edge of edges) {
    pushTo(index, edge.source, edge);
    if (edge.target !== edge.source) pushTo(index, edge.target, edge);
  }
  return index;
}

// ---------------------------------------------------------------------------------------------------------------
// Compacted JSON-LD views
// ---------------------------------------------------------------------------------------------------------------

/** A property value as written in compacted form: references as {"@id"}, single values unwrapped. */
function compactValue(term: string, value: JsonValue): JsonValue {
  const kind = (PROPERTY_DEFS as Record<string, PropertyDef>)[term]?.kind;
  const one = (item: JsonValue): JsonValue => (kind === 'reference' ? { '@id': item as string } : item);
  if (Array.isArray(value) && kind !== 'json') {
    return value.length === 1 ? one(value[0]) : value.map(one);
  }
  return one(value);
}

function referenceValue(iris: readonly string[]): JsonValue {
  const sorted = [...new Set(iris)].sort(compare).map((iri) => ({ '@id': iri }));
  return sorted.length === 1 ? sorted[0] : sorted;
}

/**
 * The body of one node in compacted form, with every relation in both vocabularies: forward keys from edges the
 * node is the source of, and `result`/`isPartOf` from edges pointing at it (provenance.md §1.1, §3).
 */
export function nodeBody(node: GraphNode, edges: readonly GraphEdge[]): JsonObject {
  const def = NODE_TYPE_DEFS[node.type];
  const types = [...def.types, ...node.extraTypes];
  const body: JsonObject = { '@id': node.iri, '@type': types.length === 1 ? types[0] : types };
  for (const term of def.properties) {
    const value = node.properties[term];
    if (value === undefined) continue;
    body[term] = compactValue(term, value);
    // Actions carry schema.org times beside the PROV times (provenance.md §4).
    if (def.provClass === 'Activity' && (term === 'startedAtTime' || term === 'endedAtTime')) {
      body[term === 'startedAtTime' ? 'startTime' : 'endTime'] = value;
    }
  }
  const keyed = new Map<string, string[]>();
  const add = (key: string, iri: string): void => {
    pushTo(keyed, key, iri);
  };
  // Relations in EDGE_RELATIONS order, so keys come out in the same order for every node.
  const incident = [...edges].sort((a, b) => EDGE_RELATIONS.indexOf(a.relation) - EDGE_RELATIONS.indexOf(b.relation));
  for (const edge of incident) {
    const relationDef = EDGE_RELATION_DEFS[edge.relation];
    if (edge.source === node.iri) {
      for (const key of relationDef.keys) add(key, edge.target);
      const mirror = relationDef.keysBySource[node.type];
      if (mirror !== undefined) add(mirror, edge.target);
    }
    if (edge.target === node.iri && relationDef.inverseKey !== null) add(relationDef.inverseKey, edge.source);
  }
  for (const [key, iris] of keyed) body[key] = referenceValue(iris);
  return body;
}

/** GET /v1/nodes/:id as JSON-LD: one node compacted with the ledger context. */
export function nodeToJsonLd(
  node: GraphNode,
  edges: readonly GraphEdge[],
  contextUrl: string | readonly string[],
): JsonObject {
  return { '@context': typeof contextUrl === 'string' ? contextUrl : [...contextUrl], ...nodeBody(node, edges) };
}

/** GET /v1/nodes/:id/lineage as JSON-LD: the root first, then the other nodes in IRI order. */
export function lineageToJsonLd(
  rootIri: string,
  nodes: readonly GraphNode[],
  edges: readonly GraphEdge[],
  contextUrl: string | readonly string[],
): JsonObject {
  const ordered = [...nodes].sort((a, b) => (a.iri === rootIri ? -1 : b.iri === rootIri ? 1 : compare(a.iri, b.iri)));
  const incident = indexIncidentEdges(edges);
  return {
    '@context': typeof contextUrl === 'string' ? contextUrl : [...contextUrl],
    '@graph': ordered.map((node) => nodeBody(node, incident.get(node.iri) ?? [])),
  };
}
