/**
 * The one mapping between the graph store's vocabulary (src/graph/graph.vocabulary.ts: what graph_nodes and
 * graph_edges rows hold) and the provenance rules' vocabulary (provenance.rules.ts: what JSON-LD reads and writes).
 *
 * - Node kinds are the same names except `Software` (store) = `SoftwareApplication` (rules).
 * - Child records (EntityTag, prov:Attribution/Association/Usage) are not graph rows: they are fragments of one
 *   parent (provenance.md §2) and live in the parent's properties, `entities` (SourceData tags of a panel) and
 *   `qualified` (qualified PROV records). They become nodes and edges again on the way out.
 * - `instrument` (rules) is stored as `wasAssociatedWith` to a Software node and read back as `instrument`.
 * - Agents, grants and datasets keep their own rows in other features; their stored properties are projected onto
 *   context terms here (title → name, imagingMethod → measurementTechnique, SPDX id → licence URL …).
 * - Relations other features own (`funder`, `principalInvestigator`, `publisher`, new `affiliation`s) cannot be
 *   imported: they are reported naming the node and the property, and the caller answers 422.
 *
 * Pure: ids come from the caller (`newId`), nothing here reads the database or the clock.
 */
import { parseLedgerNodeIri } from '../core/jsonld/context-urls.js';
import type { JsonValue } from '../core/jsonld/jsonld-processor.js';
import { expandOntologyTerm } from '../datasets/datasets.rules.js';
import type { NodeType as StoredNodeType, Relation as StoredRelation } from '../graph/graph.vocabulary.js';
import {
  EDGE_RELATIONS,
  EDGE_RELATION_DEFS,
  ENTITY_TAG_ROLES,
  ENTITY_TAG_TYPES,
  NODE_TYPE_DEFS,
  PROPERTY_DEFS,
  dedupeEdges,
  isHttpIri,
} from './provenance.rules.js';
import type { EdgeRelation, GraphEdge, GraphNode, NodeType, PropertyTerm } from './provenance.rules.js';

// ---------------------------------------------------------------------------------------------------------------
// Records as stored
// ---------------------------------------------------------------------------------------------------------------

/** A graph_nodes row as far as the mapping cares (GraphNodeEntity satisfies it). */
export interface StoredNodeRecord {
  id: string;
  iri: string;
  type: StoredNodeType;
  label: string | null;
  properties: Readonly<Record<string, unknown>>;
}

/** A graph_edges row as far as the mapping cares (GraphEdgeEntity satisfies it). */
export interface StoredEdgeRecord {
  sourceId: string;
  relation: StoredRelation;
  targetId: string;
}

/** The deposit record of a dataset (datasets table): richer than its graph node. */
export interface DatasetFacts {
  id: string;
  title: string;
  description: string | null;
  license: string;
  accession: string | null;
  identifiers: ReadonlyArray<{ scheme: string; value: string }>;
  keywords: readonly string[];
  organism: string | null;
  imagingMethod: string | null;
  publicationYear: number;
  version: string | null;
  landingPage: string | null;
  doi: string | null;
  publisherId: string | null;
}

export type EntityTagType = (typeof ENTITY_TAG_TYPES)[number];
export type EntityTagRole = (typeof ENTITY_TAG_ROLES)[number];

/** A SourceData tag stored on its panel (`properties.entities`); its IRI is `<panel IRI>#<tag>`. */
export interface StoredEntityTag {
  tag: string;
  type: EntityTagType;
  /** Ontology or database IRI of the tagged entity. */
  id: string;
  label?: string;
  role: EntityTagRole;
}

export type QualifiedKind = 'Attribution' | 'Association' | 'Usage';

/** A qualified PROV record stored on the node it qualifies (`properties.qualified`); IRI `<node IRI>#<fragment>`. */
export interface StoredQualifiedRecord {
  fragment: string;
  kind: QualifiedKind;
  /** prov:agent (Attribution, Association) or prov:entity (Usage): node IRIs. */
  targets: string[];
  creditRole?: string[];
  hadRole?: string[];
  hadPlan?: string;
  atTime?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Kinds and relations
// ---------------------------------------------------------------------------------------------------------------

export const CHILD_NODE_TYPES: readonly NodeType[] = ['EntityTag', 'Attribution', 'Association', 'Usage'];

export function toRulesNodeType(type: StoredNodeType): NodeType {
  return type === 'Software' ? 'SoftwareApplication' : type;
}

/** The stored kind of a rules node, or null for child records (kept inside their parent). */
export function toStoredNodeType(type: NodeType): StoredNodeType | null {
  if (type === 'SoftwareApplication') return 'Software';
  if (type === 'EntityTag' || type === 'Attribution' || type === 'Association' || type === 'Usage') return null;
  return type;
}

/** Parent → child relations, and child → node relations, folded into the parent's properties. */
const CHILD_RELATIONS: ReadonlySet<EdgeRelation> = new Set([
  'hasTag',
  'qualifiedAttribution',
  'qualifiedAssociation',
  'qualifiedUsage',
  'qualifiedAgent',
  'qualifiedEntity',
]);

/** Recorded by the features that own them (grants, agents, dataset deposits), never by a provenance import. */
const FOREIGN_RELATIONS: ReadonlySet<EdgeRelation> = new Set([
  'funder',
  'principalInvestigator',
  'publisher',
  'affiliation',
]);

const STORED_RELATIONS: Readonly<Partial<Record<EdgeRelation, StoredRelation>>> = {
  wasDerivedFrom: 'wasDerivedFrom',
  wasRevisionOf: 'wasRevisionOf',
  hadPrimarySource: 'hadPrimarySource',
  specializationOf: 'specializationOf',
  wasGeneratedBy: 'wasGeneratedBy',
  used: 'used',
  wasAttributedTo: 'wasAttributedTo',
  wasAssociatedWith: 'wasAssociatedWith',
  // Software run by an activity: stored as an association with the Software node (graph.vocabulary.ts).
  instrument: 'wasAssociatedWith',
  actedOnBehalfOf: 'actedOnBehalfOf',
  wasInformedBy: 'wasInformedBy',
  citesAsDataSource: 'citesAsDataSource',
  usesDataFrom: 'usesDataFrom',
  cites: 'cites',
  usesMethodIn: 'usesMethodIn',
  confirms: 'confirms',
  disagreesWith: 'disagreesWith',
  hasPart: 'hasPart',
  funding: 'funding',
};

/** The stored relation of a rules relation kept as a graph edge; null for child and foreign relations. */
export function toStoredRelation(relation: EdgeRelation): StoredRelation | null {
  return STORED_RELATIONS[relation] ?? null;
}

/** The rules relation of a stored edge; null when the rules vocabulary has no such relation (it is not exported). */
export function toRulesRelation(relation: StoredRelation, targetType: StoredNodeType): EdgeRelation | null {
  if (relation === 'wasAssociatedWith' && targetType === 'Software') return 'instrument';
  return (EDGE_RELATIONS as readonly string[]).includes(relation) ? relation : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Stored → rules (exports)
// ---------------------------------------------------------------------------------------------------------------

const DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const SHA256 = /^[0-9a-f]{64}$/;

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function isJsonValue(value: unknown): value is JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonValue);
  if (typeof value === 'object') return Object.values(value).every(isJsonValue);
  return false;
}

function validItem(term: PropertyTerm, item: unknown): item is JsonValue {
  const def: { kind: string; values?: readonly string[] } = PROPERTY_DEFS[term];
  switch (def.kind) {
    case 'text':
      return typeof item === 'string' && item.trim() !== '';
    case 'literal':
      return (
        (typeof item === 'string' && item !== '') ||
        typeof item === 'boolean' ||
        (typeof item === 'number' && Number.isFinite(item))
      );
    case 'date':
      return typeof item === 'string' && (DATE.test(item) || DATE_TIME.test(item));
    case 'dateTime':
      return typeof item === 'string' && DATE_TIME.test(item) && !Number.isNaN(Date.parse(item));
    case 'reference':
      return typeof item === 'string' && isHttpIri(item);
    case 'enum':
      return typeof item === 'string' && (def.values ?? []).includes(item);
    case 'sha256':
      return typeof item === 'string' && SHA256.test(item);
    case 'json':
      return isJsonValue(item);
    default:
      return false;
  }
}

/**
 * A stored value as the rules hold it: many-valued terms as sorted unique arrays, single values unwrapped; invalid
 * values dropped, so an export never writes a relative IRI or a malformed date (safe-mode RDF would refuse it).
 */
function cleanValue(term: PropertyTerm, value: unknown): JsonValue | undefined {
  if (value === undefined || value === null) return undefined;
  if (PROPERTY_DEFS[term].kind === 'json') return isJsonValue(value) ? value : undefined;
  const items = asList(value).filter((item): item is JsonValue => validItem(term, item));
  if (items.length === 0) return undefined;
  if (PROPERTY_DEFS[term].many) {
    const unique = new Map(items.map((item) => [JSON.stringify(item), item]));
    return [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, item]) => item);
  }
  return items.length === 1 ? items[0] : undefined;
}

/** `CC-BY-4.0` → `https://spdx.org/licenses/CC-BY-4.0` (RO-Crate: licences are entities with an SPDX URL). */
export function licenseIri(license: string): string | null {
  if (isHttpIri(license)) return license;
  if (/^LicenseRef-/.test(license) || !/^[A-Za-z0-9.+-]+$/.test(license)) return null;
  return `https://spdx.org/licenses/${license}`;
}

function datasetIdentifiers(facts: DatasetFacts): string[] {
  const values = facts.identifiers.map((identifier) =>
    identifier.scheme === 'doi' ? `https://doi.org/${identifier.value}` : identifier.value,
  );
  // The dataset's own DOI is an identifier, never its @id (provenance.md §2).
  if (facts.doi) values.push(`https://doi.org/${facts.doi}`);
  return values;
}

/** Context-term values from the fields other features store on their nodes or rows. */
function nativeProperties(node: StoredNodeRecord, facts: DatasetFacts | undefined): Record<string, unknown> {
  const p = node.properties;
  switch (node.type) {
    case 'ImageDataset':
    case 'DerivedDataset':
      if (facts !== undefined) {
        return {
          name: facts.title,
          description: facts.description,
          license: licenseIri(facts.license),
          accession: facts.accession,
          identifier: datasetIdentifiers(facts),
          keywords: facts.keywords,
          organism: facts.organism,
          measurementTechnique: facts.imagingMethod,
          datePublished: String(facts.publicationYear),
          version: facts.version,
          url: facts.landingPage,
        };
      }
      return {
        license: typeof p.license === 'string' ? licenseIri(p.license) : undefined,
        measurementTechnique: p.imagingMethod,
        datePublished: typeof p.publicationYear === 'number' ? String(p.publicationYear) : undefined,
      };
    case 'Publication':
      return { datePublished: p.issued };
    case 'AnalysisActivity': {
      const method = typeof p.method === 'string' ? p.method : null;
      const term = method === null ? null : expandOntologyTerm(method);
      return { parameters: p.parameters, additionalType: term, description: term === null ? method : undefined };
    }
    case 'Software':
      return { softwareVersion: p.version };
    case 'ImagePart': {
      const identifiers: string[] = [];
      if (typeof p.omeroId === 'number') identifiers.push(`omero:Image:${p.omeroId}`);
      if (typeof p.path === 'string') identifiers.push(p.path);
      return { contentUrl: p.uri, contentSize: p.size, identifier: identifiers };
    }
    case 'Grant':
      return { name: p.title, identifier: p.awardNumber };
    case 'Person':
    case 'Organization':
    case 'Figure':
    case 'FigurePanel':
    case 'ReuseEvent':
      // Stored under context terms already (agents: givenName/familyName; figures, reuses: their own writers).
      return {};
  }
}

function projectProperties(
  node: StoredNodeRecord,
  type: NodeType,
  facts: DatasetFacts | undefined,
): Record<string, JsonValue> {
  const native = nativeProperties(node, facts);
  const properties: Record<string, JsonValue> = {};
  for (const term of NODE_TYPE_DEFS[type].properties) {
    // The deposit record wins over the node: it is what the dataset.deposited entry says.
    const value =
      cleanValue(term, facts !== undefined ? native[term] : undefined) ??
      cleanValue(term, node.properties[term]) ??
      cleanValue(term, native[term]);
    if (value !== undefined) properties[term] = value;
  }
  if (NODE_TYPE_DEFS[type].properties.includes('name') && properties.name === undefined && node.label) {
    properties.name = node.label;
  }
  return properties;
}

export function storedEntityTags(node: { properties: Readonly<Record<string, unknown>> }): StoredEntityTag[] {
  return asList(node.properties.entities).filter(
    (tag): tag is StoredEntityTag =>
      typeof tag === 'object' &&
      tag !== null &&
      typeof (tag as StoredEntityTag).tag === 'string' &&
      typeof (tag as StoredEntityTag).id === 'string' &&
      (ENTITY_TAG_TYPES as readonly string[]).includes((tag as StoredEntityTag).type) &&
      (ENTITY_TAG_ROLES as readonly string[]).includes((tag as StoredEntityTag).role),
  );
}

export function storedQualifiedRecords(node: {
  properties: Readonly<Record<string, unknown>>;
}): StoredQualifiedRecord[] {
  return asList(node.properties.qualified).filter(
    (record): record is StoredQualifiedRecord =>
      typeof record === 'object' &&
      record !== null &&
      typeof (record as StoredQualifiedRecord).fragment === 'string' &&
      ['Attribution', 'Association', 'Usage'].includes((record as StoredQualifiedRecord).kind) &&
      Array.isArray((record as StoredQualifiedRecord).targets),
  );
}

/**
 * Nodes an export must load beside a node so that its child records and synthesised edges point at described
 * entities: agents and entities of qualified records (IRIs), affiliations and the dataset publisher (ids).
 */
export function contextReferences(node: StoredNodeRecord, facts?: DatasetFacts): { ids: string[]; iris: string[] } {
  const ids: string[] = [];
  if (node.type === 'Person') {
    for (const id of asList(node.properties.affiliations)) if (typeof id === 'string') ids.push(id);
  }
  if (facts?.publisherId) ids.push(facts.publisherId);
  const iris = storedQualifiedRecords(node).flatMap((record) => record.targets);
  return { ids, iris };
}

const QUALIFYING_RELATION: Readonly<Record<QualifiedKind, EdgeRelation>> = {
  Attribution: 'qualifiedAttribution',
  Association: 'qualifiedAssociation',
  Usage: 'qualifiedUsage',
};

/**
 * Stored nodes and edges as the rules' graph: child records unfolded, stored relations renamed, affiliations and
 * publishers (kept on agent and dataset rows) written as edges. Edges whose other end is not among the nodes are
 * left out, so every reference in an export is described in it.
 */
export function projectStoredGraph(input: {
  nodes: readonly StoredNodeRecord[];
  edges: readonly StoredEdgeRecord[];
  datasets?: ReadonlyMap<string, DatasetFacts>;
}): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const byId = new Map(input.nodes.map((node) => [node.id, node]));
  const iris = new Set(input.nodes.map((node) => node.iri));
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  for (const node of input.nodes) {
    const type = toRulesNodeType(node.type);
    const facts = input.datasets?.get(node.id);
    nodes.push({ iri: node.iri, type, extraTypes: [], properties: projectProperties(node, type, facts) });

    if (type === 'FigurePanel') {
      for (const tag of storedEntityTags(node)) {
        const iri = `${node.iri}#${tag.tag}`;
        const properties: Record<string, JsonValue> = { taggedEntity: tag.id, entityType: tag.type, tagRole: tag.role };
        if (tag.label) properties.name = tag.label;
        nodes.push({ iri, type: 'EntityTag', extraTypes: [], properties });
        edges.push({ source: node.iri, relation: 'hasTag', target: iri });
      }
    }
    for (const record of storedQualifiedRecords(node)) {
      const relation = QUALIFYING_RELATION[record.kind];
      if (!EDGE_RELATION_DEFS[relation].pairs.some(([sources]) => sources.includes(type))) continue;
      const iri = `${node.iri}#${record.fragment}`;
      const properties: Record<string, JsonValue> = {};
      for (const term of ['creditRole', 'hadRole', 'hadPlan', 'atTime'] as const) {
        if (!NODE_TYPE_DEFS[record.kind].properties.includes(term)) continue;
        const value = cleanValue(term, record[term]);
        if (value !== undefined) properties[term] = value;
      }
      nodes.push({ iri, type: record.kind, extraTypes: [], properties });
      edges.push({ source: node.iri, relation, target: iri });
      for (const target of record.targets) {
        if (!iris.has(target)) continue;
        edges.push({ source: iri, relation: record.kind === 'Usage' ? 'qualifiedEntity' : 'qualifiedAgent', target });
      }
    }
    if (node.type === 'Person') {
      for (const id of asList(node.properties.affiliations)) {
        const organization = typeof id === 'string' ? byId.get(id) : undefined;
        if (organization?.type === 'Organization') {
          edges.push({ source: node.iri, relation: 'affiliation', target: organization.iri });
        }
      }
    }
    const publisher = facts?.publisherId ? byId.get(facts.publisherId) : undefined;
    if (publisher !== undefined) edges.push({ source: node.iri, relation: 'publisher', target: publisher.iri });
  }
  for (const edge of input.edges) {
    const source = byId.get(edge.sourceId);
    const target = byId.get(edge.targetId);
    if (source === undefined || target === undefined) continue;
    const relation = toRulesRelation(edge.relation, target.type);
    if (relation !== null) edges.push({ source: source.iri, relation, target: target.iri });
  }
  return { nodes, edges: dedupeEdges(edges) };
}

// ---------------------------------------------------------------------------------------------------------------
// Rules → stored (POST /v1/provenance)
// ---------------------------------------------------------------------------------------------------------------

export const MAPPING_PROBLEM_CODES = [
  'RELATION_NOT_STORABLE',
  'RECORDED_NODE_IMMUTABLE',
  'UNKNOWN_AGENT',
  'NODE_ID_IN_USE',
  'ORPHAN_CHILD_NODE',
  'MULTIPLE_GENERATION',
] as const;
export type MappingProblemCode = (typeof MAPPING_PROBLEM_CODES)[number];

export interface MappingProblem {
  code: MappingProblemCode;
  node: string | null;
  property: string | null;
  message: string;
}

/** What the store holds for an IRI the document names; `links` are relations kept on rows, as IRIs. */
export interface StoredNodeView {
  id: string;
  type: StoredNodeType;
  properties: Readonly<Record<string, unknown>>;
  links?: { affiliations?: readonly string[]; publisher?: string | null };
}

export interface PlannedNode {
  iri: string;
  id: string;
  type: StoredNodeType;
  label: string | null;
  properties: Record<string, JsonValue>;
  /** ISO 8601 instant of the work itself (generation, publication), when the document says. */
  occurredAt: string | null;
}

/** A person or organisation the document introduces by ORCID / ROR: registered as an agent first. */
export interface PlannedAgent {
  iri: string;
  kind: 'person' | 'organization';
  name: string;
  givenName?: string;
  familyName?: string;
  orcid?: string;
  ror?: string;
  /** Organisation IRIs (stored, or planned agents of this document). */
  affiliations: string[];
}

export interface PlannedEdge {
  source: string;
  relation: StoredRelation;
  target: string;
}

export interface ImportPlan {
  nodes: PlannedNode[];
  agents: PlannedAgent[];
  edges: PlannedEdge[];
  /** IRIs of every top-level node the document describes (new or already stored), in IRI order. */
  described: string[];
  problems: MappingProblem[];
}

const ORCID_IRI = /^https:\/\/orcid\.org\/\d{4}-\d{4}-\d{4}-\d{3}[\dX]$/;
const ROR_IRI = /^https:\/\/ror\.org\/0[0-9a-z]{8}$/;

/**
 * One generation per entity (PROV-CONSTRAINTS 24) over stored and new edges together, also for entities the
 * document only references: extractGraph checks the nodes it describes, so `result` pointing at a recorded
 * dataset that already has its generating activity is caught here. Publications may have several (one ReuseEvent
 * per reuse type, provenance.md §8.3).
 */
export function checkUniqueGeneration(
  edges: readonly GraphEdge[],
  knownEdges: readonly GraphEdge[],
  typeOf: (iri: string) => NodeType | undefined,
): MappingProblem[] {
  const generators = new Map<string, Set<string>>();
  for (const edge of [...knownEdges, ...edges]) {
    if (edge.relation !== 'wasGeneratedBy') continue;
    generators.set(edge.source, new Set([...(generators.get(edge.source) ?? []), edge.target]));
  }
  const fresh = new Set(edges.filter((edge) => edge.relation === 'wasGeneratedBy').map((edge) => edge.source));
  const problems: MappingProblem[] = [];
  for (const entity of [...fresh].sort(compare)) {
    const activities = [...(generators.get(entity) ?? [])].sort(compare);
    if (activities.length > 1 && typeOf(entity) !== 'Publication') {
      problems.push({
        code: 'MULTIPLE_GENERATION',
        node: entity,
        property: 'wasGeneratedBy',
        message: `an entity has exactly one generating activity, not ${activities.join(', ')} (PROV-CONSTRAINTS 24)`,
      });
    }
  }
  return problems;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** tag-2 before tag-10. */
function compareFragments(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true }) || compare(a, b);
}

function occurredAtOf(node: GraphNode): string | null {
  for (const term of ['generatedAtTime', 'endedAtTime', 'startedAtTime'] as const) {
    const value = node.properties[term];
    if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  }
  const date = node.properties.datePublished;
  if (typeof date === 'string' && DATE.test(date)) {
    const [year, month = '01', day = '01'] = date.split('-');
    return `${year}-${month}-${day}T00:00:00.000Z`;
  }
  return null;
}

function stringList(value: JsonValue | undefined): string[] {
  return asList(value).filter((item): item is string => typeof item === 'string');
}

function relationKey(relation: EdgeRelation): string {
  return EDGE_RELATION_DEFS[relation].keys[0];
}

/**
 * How an extracted, checked graph (extractGraph) is stored: new nodes with their ids, agents to register, edges by
 * IRI, child records folded into their parents. Nodes already stored are never rewritten (their ledger entries
 * stand): describing one again adds only its new edges, and a child record it lacks is refused.
 */
export function planImport(
  graph: { nodes: readonly GraphNode[]; edges: readonly GraphEdge[] },
  options: {
    publicBaseUrl: string;
    stored: ReadonlyMap<string, StoredNodeView>;
    /** Ids in use by any stored node (a ledger IRI's UUID is the new node's id). */
    storedIds: ReadonlySet<string>;
    newId: () => string;
  },
): ImportPlan {
  const problems: MappingProblem[] = [];
  const problem = (code: MappingProblemCode, node: string | null, property: string | null, message: string): void => {
    problems.push({ code, node, property, message });
  };
  const planned = new Map<string, PlannedNode>();
  const agents = new Map<string, PlannedAgent>();
  const children = new Map<string, GraphNode>();
  const described: string[] = [];
  // Nodes already reported: their edges would only repeat the report.
  const refused = new Set<string>();

  for (const node of [...graph.nodes].sort((a, b) => compare(a.iri, b.iri))) {
    const storedType = toStoredNodeType(node.type);
    if (storedType === null) {
      children.set(node.iri, node);
      continue;
    }
    described.push(node.iri);
    if (options.stored.has(node.iri)) continue;
    const name = typeof node.properties.name === 'string' ? node.properties.name : null;
    if (storedType === 'Person' || storedType === 'Organization') {
      const global = storedType === 'Person' ? ORCID_IRI.test(node.iri) : ROR_IRI.test(node.iri);
      if (!global || name === null) {
        problem(
          'UNKNOWN_AGENT',
          node.iri,
          '@id',
          `${node.iri} is not a registered agent: name new people by ORCID and organisations by ROR, or register them with POST /v1/agents`,
        );
        refused.add(node.iri);
        continue;
      }
      const givenName = node.properties.givenName;
      const familyName = node.properties.familyName;
      agents.set(node.iri, {
        iri: node.iri,
        kind: storedType === 'Person' ? 'person' : 'organization',
        name,
        ...(typeof givenName === 'string' ? { givenName } : {}),
        ...(typeof familyName === 'string' ? { familyName } : {}),
        ...(storedType === 'Person' ? { orcid: node.iri } : { ror: node.iri }),
        affiliations: [],
      });
      continue;
    }
    const ledger = parseLedgerNodeIri(options.publicBaseUrl, node.iri);
    const id = ledger !== null && ledger.fragment === null ? ledger.uuid : options.newId();
    if (options.storedIds.has(id)) {
      problem('NODE_ID_IN_USE', node.iri, '@id', `the id ${id} already names another node`);
      refused.add(node.iri);
      continue;
    }
    const position = node.properties.position;
    planned.set(node.iri, {
      iri: node.iri,
      id,
      type: storedType,
      label: name ?? (typeof position === 'string' ? position : null),
      properties: { ...node.properties },
      occurredAt: occurredAtOf(node),
    });
  }

  // Child records: parent → child edges say where each one lives, child → node edges what it points at.
  const parentOf = new Map<string, { parent: string; relation: EdgeRelation }>();
  const targetsOf = new Map<string, string[]>();
  for (const edge of graph.edges) {
    if (edge.relation === 'qualifiedAgent' || edge.relation === 'qualifiedEntity') {
      targetsOf.set(edge.source, [...(targetsOf.get(edge.source) ?? []), edge.target]);
    } else if (CHILD_RELATIONS.has(edge.relation)) {
      parentOf.set(edge.target, { parent: edge.source, relation: edge.relation });
    }
  }
  for (const child of [...children.values()].sort((a, b) => compare(a.iri, b.iri))) {
    const link = parentOf.get(child.iri);
    const expected = child.type === 'EntityTag' ? 'hasTag' : `qualified${child.type}`;
    if (link === undefined) {
      problem(
        'ORPHAN_CHILD_NODE',
        child.iri,
        expected,
        `a ${child.type} must be attached to its node with ${expected}`,
      );
      continue;
    }
    const fragment = child.iri.slice(link.parent.length + 1);
    const stored = options.stored.get(link.parent);
    if (stored !== undefined) {
      const present =
        child.type === 'EntityTag'
          ? storedEntityTags(stored).some((tag) => tag.tag === fragment)
          : storedQualifiedRecords(stored).some((record) => record.fragment === fragment);
      if (!present) {
        problem(
          'RECORDED_NODE_IMMUTABLE',
          link.parent,
          relationKey(link.relation),
          `${link.parent} is already recorded; ${child.iri} cannot be added to it`,
        );
      }
      continue;
    }
    const parent = planned.get(link.parent);
    if (parent === undefined) continue; // the parent itself was refused above
    if (child.type === 'EntityTag') {
      const tag: StoredEntityTag = {
        tag: fragment,
        type: child.properties.entityType as EntityTagType,
        id: child.properties.taggedEntity as string,
        role: child.properties.tagRole as EntityTagRole,
      };
      if (typeof child.properties.name === 'string') tag.label = child.properties.name;
      const tags = [...((parent.properties.entities as unknown as StoredEntityTag[] | undefined) ?? []), tag];
      parent.properties.entities = tags.sort((a, b) => compareFragments(a.tag, b.tag)) as unknown as JsonValue;
    } else {
      const record: StoredQualifiedRecord = {
        fragment,
        kind: child.type as QualifiedKind,
        targets: [...(targetsOf.get(child.iri) ?? [])].sort(compare),
      };
      const creditRole = stringList(child.properties.creditRole);
      const hadRole = stringList(child.properties.hadRole);
      if (creditRole.length > 0) record.creditRole = creditRole;
      if (hadRole.length > 0) record.hadRole = hadRole;
      if (typeof child.properties.hadPlan === 'string') record.hadPlan = child.properties.hadPlan;
      if (typeof child.properties.atTime === 'string') record.atTime = child.properties.atTime;
      const records = [
        ...((parent.properties.qualified as unknown as StoredQualifiedRecord[] | undefined) ?? []),
        record,
      ];
      parent.properties.qualified = records.sort((a, b) =>
        compareFragments(a.fragment, b.fragment),
      ) as unknown as JsonValue;
    }
  }

  const edges: PlannedEdge[] = [];
  for (const edge of graph.edges) {
    if (CHILD_RELATIONS.has(edge.relation) || refused.has(edge.source) || refused.has(edge.target)) continue;
    if (edge.relation === 'affiliation') {
      const agent = agents.get(edge.source);
      if (agent !== undefined) {
        agent.affiliations.push(edge.target);
        continue;
      }
      const storedAffiliations = options.stored.get(edge.source)?.links?.affiliations ?? [];
      if (!storedAffiliations.includes(edge.target)) {
        problem(
          'RECORDED_NODE_IMMUTABLE',
          edge.source,
          'affiliation',
          `affiliations of a registered agent are recorded with the agent, and ${edge.target} is not one of them`,
        );
      }
      continue;
    }
    if (edge.relation === 'publisher' && options.stored.get(edge.source)?.links?.publisher === edge.target) continue;
    const relation = FOREIGN_RELATIONS.has(edge.relation) ? null : toStoredRelation(edge.relation);
    if (relation === null) {
      problem(
        'RELATION_NOT_STORABLE',
        edge.source,
        relationKey(edge.relation),
        `${relationKey(edge.relation)} is recorded by the feature that owns it (agents, grants, dataset deposits), not by a provenance import`,
      );
      continue;
    }
    edges.push({ source: edge.source, relation, target: edge.target });
  }
  for (const agent of agents.values()) agent.affiliations.sort(compare);

  const unique = new Map(edges.map((edge) => [`${edge.source}\u0000${edge.relation}\u0000${edge.target}`, edge]));
  return {
    nodes: [...planned.values()],
    agents: [...agents.values()],
    edges: [...unique.entries()].sort(([a], [b]) => compare(a, b)).map(([, edge]) => edge),
    described,
    problems: problems.sort(
      (a, b) =>
        compare(a.node ?? '', b.node ?? '') || compare(a.property ?? '', b.property ?? '') || compare(a.code, b.code),
    ),
  };
}
