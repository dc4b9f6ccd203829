/**
 * The PROV projection of the graph (provenance.md §8, GET /v1/nodes/:id/prov): W3C PROV-JSON, and N-Quads of any
 * JSON-LD view. PROV-JSON is not JSON-LD: a `prefix` map plus one map per record kind keyed by record id, with
 * qualified names whose prefixes are declared (W3C Member Submission "PROV-JSON", 2013).
 */
import { ledgerNamespace, normalizePublicBaseUrl } from '../core/jsonld/context-urls.js';
import { toNQuadsString } from '../core/jsonld/jsonld-processor.js';
import type { DocumentLoader, JsonValue } from '../core/jsonld/jsonld-processor.js';
import { LEDGER_CONTEXT_TERMS, NODE_TYPE_DEFS, PREFIXES } from './provenance.rules.js';
import type { EdgeRelation, GraphEdge, GraphNode } from './provenance.rules.js';
import { RDF_BASE } from './ro-crate.rules.js';

export type ProvJsonLiteral = { $: string; type: string };
export type ProvJsonValue = string | number | boolean | ProvJsonLiteral | Array<string | ProvJsonLiteral>;
export type ProvJsonRecord = Record<string, ProvJsonValue>;

export const PROV_JSON_RECORD_KINDS = [
  'entity',
  'activity',
  'agent',
  'wasGeneratedBy',
  'used',
  'wasInformedBy',
  'wasDerivedFrom',
  'wasAttributedTo',
  'wasAssociatedWith',
  'actedOnBehalfOf',
  'specializationOf',
] as const;
export type ProvJsonRecordKind = (typeof PROV_JSON_RECORD_KINDS)[number];

export type ProvJsonDocument = { prefix: Record<string, string> } & Partial<
  Record<ProvJsonRecordKind, Record<string, ProvJsonRecord>>
>;

const QUALIFIED_NAME = 'prov:QUALIFIED_NAME';
const XSD_ANY_URI = 'xsd:anyURI';

/** Record id prefixes for relations without an identifier of their own (anonymous in PROV-JSON). */
const ANONYMOUS_ID: Readonly<Record<Exclude<ProvJsonRecordKind, 'entity' | 'activity' | 'agent'>, string>> = {
  wasGeneratedBy: 'wGB',
  used: 'u',
  wasInformedBy: 'wIB',
  wasDerivedFrom: 'wDF',
  wasAttributedTo: 'wAT',
  wasAssociatedWith: 'wAW',
  actedOnBehalfOf: 'aOBO',
  specializationOf: 'sO',
};

/** Assigns declared prefixes to IRIs: well-known namespaces by name, others `ns1`, `ns2`… in IRI order. */
class QualifiedNames {
  private readonly prefixes = new Map<string, string>();
  private readonly fixed: Array<[string, string]>;

  constructor(publicBaseUrl: string) {
    const base = normalizePublicBaseUrl(publicBaseUrl);
    this.fixed = [
      ['id', `${base}/id/`],
      ['ledger', ledgerNamespace(base)],
      ['schema', PREFIXES.schema],
      ['cito', PREFIXES.cito],
      ['orcid', 'https://orcid.org/'],
      ['ror', 'https://ror.org/'],
      ['doi', 'https://doi.org/'],
    ];
  }

  /** Registers the IRIs up front so generated prefixes do not depend on encounter order. */
  prepare(iris: Iterable<string>): void {
    const generated = new Set<string>();
    for (const iri of iris) {
      if (iri.startsWith(PREFIXES.prov) || iri.startsWith(PREFIXES.xsd)) continue;
      const fixed = this.fixed.find(([, namespace]) => iri.startsWith(namespace) && iri.length > namespace.length);
      if (fixed !== undefined) {
        this.prefixes.set(fixed[0], fixed[1]);
        continue;
      }
      generated.add(namespaceOf(iri));
    }
    let counter = 0;
    for (const namespace of [...generated].sort()) {
      counter += 1;
      this.prefixes.set(`ns${counter}`, namespace);
    }
  }

  qname(iri: string): string {
    if (iri.startsWith(PREFIXES.prov)) return `prov:${iri.slice(PREFIXES.prov.length)}`;
    if (iri.startsWith(PREFIXES.xsd)) return `xsd:${iri.slice(PREFIXES.xsd.length)}`;
    let best: [string, string] | undefined;
    for (const entry of this.prefixes) {
      if (
        iri.startsWith(entry[1]) &&
        iri.length > entry[1].length &&
        (best === undefined || entry[1].length > best[1].length)
      ) {
        best = entry;
      }
    }
    if (best === undefined) throw new Error(`no prefix registered for ${iri}`);
    return `${best[0]}:${iri.slice(best[1].length)}`;
  }

  declared(): Record<string, string> {
    return Object.fromEntries([...this.prefixes.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
  }
}

function namespaceOf(iri: string): string {
  const cut = Math.max(iri.lastIndexOf('/'), iri.lastIndexOf('#'));
  return iri.slice(0, cut + 1);
}

function typeIri(compact: string, publicBaseUrl: string): string {
  const curie = LEDGER_CONTEXT_TERMS[compact] ?? compact;
  const [prefix, local] = curie.split(':') as [string, string];
  const namespace = prefix === 'ledger' ? ledgerNamespace(publicBaseUrl) : (PREFIXES as Record<string, string>)[prefix];
  if (namespace === undefined) throw new Error(`unknown prefix in ${compact}`);
  return namespace + local;
}

/** Types stated by the record kind itself are not repeated as prov:type. */
const IMPLIED_TYPES = new Set(['prov:Entity', 'prov:Activity', 'prov:Agent']);

/**
 * PROV-JSON for the PROV part of the graph: entities, activities and agents with their PROV relations. Qualified
 * Attribution/Association/Usage nodes become the identified relation records (with their CRediT roles, PROV roles
 * and plans) and replace the unqualified relation they qualify. Grants, tags and CiTO links have no PROV
 * counterpart and are left out.
 */
export function buildProvJson(
  nodes: readonly GraphNode[],
  edges: readonly GraphEdge[],
  options: { publicBaseUrl: string },
): ProvJsonDocument {
  const byIri = new Map(nodes.map((node) => [node.iri, node]));
  const names = new QualifiedNames(options.publicBaseUrl);
  const iris = new Set<string>();
  for (const node of nodes) {
    iris.add(node.iri);
    for (const compact of [...NODE_TYPE_DEFS[node.type].types, ...node.extraTypes]) {
      iris.add(typeIri(compact, options.publicBaseUrl));
    }
    const hadPlan = node.properties.hadPlan;
    if (typeof hadPlan === 'string') iris.add(hadPlan);
    // Attribution records carry ledger:creditRole, so the ledger prefix must be declared.
    if (node.properties.creditRole !== undefined) iris.add(`${ledgerNamespace(options.publicBaseUrl)}creditRole`);
  }
  for (const edge of edges) {
    iris.add(edge.source);
    iris.add(edge.target);
  }
  names.prepare(iris);
  const q = (iri: string): string => names.qname(iri);
  const qualified = (iri: string): ProvJsonLiteral => ({ $: q(iri), type: QUALIFIED_NAME });

  const doc: ProvJsonDocument = { prefix: {} };
  const put = (kind: ProvJsonRecordKind, id: string, record: ProvJsonRecord): void => {
    const records = doc[kind] ?? {};
    records[id] = record;
    doc[kind] = records;
  };

  for (const node of [...nodes].sort((a, b) => (a.iri < b.iri ? -1 : 1))) {
    const def = NODE_TYPE_DEFS[node.type];
    if (def.provClass === null) continue;
    const record: ProvJsonRecord = {};
    const types = [...def.types, ...node.extraTypes]
      .filter((compact) => !IMPLIED_TYPES.has(compact))
      .map((compact) => qualified(typeIri(compact, options.publicBaseUrl)));
    if (types.length > 0) record['prov:type'] = types.length === 1 ? types[0] : types;
    if (typeof node.properties.name === 'string') record['prov:label'] = node.properties.name;
    if (def.provClass === 'Activity') {
      const start = node.properties.startedAtTime;
      const end = node.properties.endedAtTime;
      if (typeof start === 'string') record['prov:startTime'] = start;
      if (typeof end === 'string') record['prov:endTime'] = end;
    }
    put(
      def.provClass === 'Entity' ? 'entity' : def.provClass === 'Activity' ? 'activity' : 'agent',
      q(node.iri),
      record,
    );
  }

  const targets = (source: string, relationName: EdgeRelation): string[] =>
    edges.filter((edge) => edge.source === source && edge.relation === relationName).map((edge) => edge.target);
  const covered = new Set<string>();
  const pairKey = (a: string, b: string): string => `${a}\u0000${b}`;

  // Qualified records first: they replace the unqualified edge between the same two nodes.
  for (const edge of sortEdges(edges)) {
    const child = byIri.get(edge.target);
    if (child === undefined) continue;
    const roles = stringList(child.properties.hadRole).map((role) => ({ $: role, type: XSD_ANY_URI }));
    if (edge.relation === 'qualifiedAttribution') {
      for (const agent of targets(child.iri, 'qualifiedAgent')) {
        const record: ProvJsonRecord = { 'prov:entity': q(edge.source), 'prov:agent': q(agent) };
        const credit = stringList(child.properties.creditRole).map((role) => ({ $: role, type: XSD_ANY_URI }));
        if (credit.length > 0) record['ledger:creditRole'] = credit;
        if (roles.length > 0) record['prov:role'] = roles;
        put('wasAttributedTo', q(child.iri), record);
        covered.add(pairKey(edge.source, agent));
      }
    } else if (edge.relation === 'qualifiedAssociation') {
      for (const agent of targets(child.iri, 'qualifiedAgent')) {
        const record: ProvJsonRecord = { 'prov:activity': q(edge.source), 'prov:agent': q(agent) };
        if (typeof child.properties.hadPlan === 'string') record['prov:plan'] = q(child.properties.hadPlan);
        if (roles.length > 0) record['prov:role'] = roles;
        put('wasAssociatedWith', q(child.iri), record);
        covered.add(pairKey(edge.source, agent));
      }
    } else if (edge.relation === 'qualifiedUsage') {
      for (const entity of targets(child.iri, 'qualifiedEntity')) {
        const record: ProvJsonRecord = { 'prov:activity': q(edge.source), 'prov:entity': q(entity) };
        if (typeof child.properties.atTime === 'string') record['prov:time'] = child.properties.atTime;
        if (roles.length > 0) record['prov:role'] = roles;
        put('used', q(child.iri), record);
        covered.add(pairKey(edge.source, entity));
      }
    }
  }

  const counters = new Map<string, number>();
  const anonymous = (kind: keyof typeof ANONYMOUS_ID): string => {
    const next = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, next);
    return `_:${ANONYMOUS_ID[kind]}${next}`;
  };
  for (const edge of sortEdges(edges)) {
    const source = q(edge.source);
    const target = q(edge.target);
    switch (edge.relation) {
      case 'wasGeneratedBy': {
        const record: ProvJsonRecord = { 'prov:entity': source, 'prov:activity': target };
        const time = byIri.get(edge.source)?.properties.generatedAtTime;
        // Plain string: PROV-JSON gives time positions xsd:dateTime implicitly (the PROV toolkit parses them so).
        if (typeof time === 'string') record['prov:time'] = time;
        put('wasGeneratedBy', anonymous('wasGeneratedBy'), record);
        break;
      }
      case 'used':
        if (!covered.has(pairKey(edge.source, edge.target))) {
          put('used', anonymous('used'), { 'prov:activity': source, 'prov:entity': target });
        }
        break;
      case 'wasDerivedFrom':
      case 'wasRevisionOf':
      case 'hadPrimarySource': {
        // PROV-DM: revision and primary source are kinds of derivation, told apart by prov:type.
        const record: ProvJsonRecord = { 'prov:generatedEntity': source, 'prov:usedEntity': target };
        if (edge.relation === 'wasRevisionOf') record['prov:type'] = { $: 'prov:Revision', type: QUALIFIED_NAME };
        if (edge.relation === 'hadPrimarySource')
          record['prov:type'] = { $: 'prov:PrimarySource', type: QUALIFIED_NAME };
        put('wasDerivedFrom', anonymous('wasDerivedFrom'), record);
        break;
      }
      case 'wasAttributedTo':
        if (!covered.has(pairKey(edge.source, edge.target))) {
          put('wasAttributedTo', anonymous('wasAttributedTo'), { 'prov:entity': source, 'prov:agent': target });
        }
        break;
      case 'wasAssociatedWith':
      case 'instrument':
        if (!covered.has(pairKey(edge.source, edge.target))) {
          put('wasAssociatedWith', anonymous('wasAssociatedWith'), { 'prov:activity': source, 'prov:agent': target });
        }
        break;
      case 'actedOnBehalfOf':
        put('actedOnBehalfOf', anonymous('actedOnBehalfOf'), { 'prov:delegate': source, 'prov:responsible': target });
        break;
      case 'wasInformedBy':
        put('wasInformedBy', anonymous('wasInformedBy'), { 'prov:informed': source, 'prov:informant': target });
        break;
      case 'specializationOf':
        put('specializationOf', anonymous('specializationOf'), {
          'prov:specificEntity': source,
          'prov:generalEntity': target,
        });
        break;
      // Not PROV: parthood, CiTO, funding, affiliation, tags; qualified records were handled above. Listing them
      // keeps the switch exhaustive, so a new PROV relation cannot be left out silently.
      case 'hasPart':
      case 'hasTag':
      case 'citesAsDataSource':
      case 'usesDataFrom':
      case 'cites':
      case 'usesMethodIn':
      case 'confirms':
      case 'disagreesWith':
      case 'funding':
      case 'funder':
      case 'principalInvestigator':
      case 'affiliation':
      case 'publisher':
      case 'qualifiedAttribution':
      case 'qualifiedAssociation':
      case 'qualifiedUsage':
      case 'qualifiedAgent':
      case 'qualifiedEntity':
        break;
    }
  }

  doc.prefix = names.declared();
  const ordered: ProvJsonDocument = { prefix: doc.prefix };
  for (const kind of PROV_JSON_RECORD_KINDS) {
    const records = doc[kind];
    if (records !== undefined) ordered[kind] = records;
  }
  return ordered;
}

function stringList(value: JsonValue | undefined): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function sortEdges(edges: readonly GraphEdge[]): GraphEdge[] {
  const key = (edge: GraphEdge): string => `${edge.relation}\u0000${edge.source}\u0000${edge.target}`;
  return [...edges].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * N-Quads of a JSON-LD document through the shipped contexts only. The base must be absolute: without one,
 * `./` and `ro-crate-metadata.json` would lose their triples (safe mode raises instead; provenance.md §9).
 */
export function toNQuads(doc: JsonValue, loader: DocumentLoader, options: { base?: string } = {}): Promise<string> {
  const base = options.base ?? RDF_BASE;
  let parsed: URL;
  try {
    parsed = new URL(base);
  } catch {
    throw new TypeError(`RDF base must be an absolute IRI: ${base}`);
  }
  if (parsed.hash !== '' || parsed.search !== '')
    throw new TypeError(`RDF base must not carry a query or fragment: ${base}`);
  return toNQuadsString(doc, { documentLoader: loader, base });
}
