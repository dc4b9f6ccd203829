/**
 * Decisions behind the read side of provenance: which representation a client asked for, which stored nodes a
 * lineage or export covers, and the PROV projection of a JSON-LD graph (provenance.md §8: only `prov:` predicates
 * and `rdf:type prov:*`). Pure: plain records in, plain records out.
 */
import type { JsonObject, JsonValue } from '../core/jsonld/jsonld-processor.js';
import { isRelation } from '../graph/graph.vocabulary.js';
import type { NodeType as StoredNodeType, Relation as StoredRelation } from '../graph/graph.vocabulary.js';
import { LEDGER_CONTEXT_TERMS, LINEAGE_RELATIONS } from './provenance.rules.js';

export const JSON_LD_MEDIA_TYPE = 'application/ld+json';
export const N_QUADS_MEDIA_TYPE = 'application/n-quads';

export type Representation = 'json' | 'jsonld';

interface MediaRange {
  type: string;
  q: number;
  order: number;
}

function parseAccept(accept: string): MediaRange[] {
  return accept
    .split(',')
    .map((part, order) => {
      const [range = '', ...params] = part.split(';').map((piece) => piece.trim());
      let q = 1;
      for (const param of params) {
        const match = /^q=([01](?:\.\d{0,3})?)$/i.exec(param);
        if (match) q = Number(match[1]);
      }
      return { type: range.toLowerCase(), q, order };
    })
    .filter((range) => range.type !== '');
}

/**
 * JSON unless the client prefers JSON-LD (RFC 9110 §12.5.1): the highest q wins, a specific type beats a wildcard
 * at the same q, and a tie between the two specific types goes to the one listed first.
 */
export function chooseRepresentation(accept: string | undefined): Representation {
  if (accept === undefined || accept.trim() === '') return 'json';
  const ranges = parseAccept(accept);
  const score = (mediaType: string): { q: number; specificity: number; order: number } => {
    let best = { q: -1, specificity: -1, order: Number.MAX_SAFE_INTEGER };
    for (const range of ranges) {
      const specificity =
        range.type === mediaType ? 2 : range.type === 'application/*' ? 1 : range.type === '*/*' ? 0 : -1;
      if (specificity < 0) continue;
      if (specificity > best.specificity) best = { q: range.q, specificity, order: range.order };
    }
    return best;
  };
  const json = score('application/json');
  const jsonLd = score(JSON_LD_MEDIA_TYPE);
  if (jsonLd.q <= 0) return 'json';
  if (jsonLd.q !== json.q) return jsonLd.q > json.q ? 'jsonld' : 'json';
  if (jsonLd.specificity !== json.specificity) return jsonLd.specificity > json.specificity ? 'jsonld' : 'json';
  return jsonLd.order < json.order ? 'jsonld' : 'json';
}

export const DEFAULT_LINEAGE_DEPTH = 5;
export const MAX_LINEAGE_DEPTH = 50;

/** Stored relations a lineage follows: provenance.rules.ts LINEAGE_RELATIONS (all of them are stored as such). */
export const STORED_LINEAGE_RELATIONS: readonly StoredRelation[] = [...LINEAGE_RELATIONS].filter(isRelation);

/** Stored relations to the people, software and grants that describe a lineage node. */
export const STORED_CONTEXT_RELATIONS: readonly StoredRelation[] = [
  'wasAttributedTo',
  'wasAssociatedWith',
  'actedOnBehalfOf',
  'funding',
];

/**
 * Drops the image parts a dataset merely holds (a dataset may hold tens of thousands; they are listed by
 * GET /v1/datasets/:id/images), then whatever is no longer connected to the root. An image stays when it is the
 * root or when something other than its dataset's `hasPart` reaches it (a panel derived from it).
 */
export function pruneImageParts<E extends { sourceId: string; relation: string; targetId: string }>(
  rootId: string,
  direction: 'upstream' | 'downstream',
  nodeTypes: ReadonlyMap<string, StoredNodeType>,
  edges: readonly E[],
): { nodeIds: string[]; edges: E[] } {
  const kept = edges.filter(
    (edge) =>
      !(edge.relation === 'hasPart' && nodeTypes.get(edge.targetId) === 'ImagePart' && edge.targetId !== rootId),
  );
  const next = new Map<string, string[]>();
  for (const edge of kept) {
    const [from, to] = direction === 'upstream' ? [edge.sourceId, edge.targetId] : [edge.targetId, edge.sourceId];
    next.set(from, [...(next.get(from) ?? []), to]);
  }
  const reached = new Set([rootId]);
  const queue = [rootId];
  while (queue.length > 0) {
    const current = queue.shift() as string;
    for (const to of next.get(current) ?? []) {
      if (reached.has(to)) continue;
      reached.add(to);
      queue.push(to);
    }
  }
  return {
    nodeIds: [...reached],
    edges: kept.filter((edge) => reached.has(edge.sourceId) && reached.has(edge.targetId)),
  };
}

const PROV_PREFIX = 'prov:';

/** Keys of compacted ledger JSON-LD that expand to a PROV predicate. */
function isProvKey(key: string): boolean {
  if (key.startsWith(PROV_PREFIX)) return true;
  return (LEDGER_CONTEXT_TERMS[key] ?? '').startsWith(PROV_PREFIX);
}

function provTypes(value: JsonValue | undefined): string[] {
  const types = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return types.filter((type): type is string => typeof type === 'string' && type.startsWith(PROV_PREFIX));
}

/**
 * The PROV reading of a compacted ledger graph (`@context` + `@graph`): nodes without a PROV type drop out, the
 * others keep their `prov:` types and PROV properties only. Its RDF is exactly the `prov:` triples of the graph.
 */
export function projectProvJsonLd(document: JsonObject): JsonObject {
  const graph = Array.isArray(document['@graph']) ? (document['@graph'] as JsonObject[]) : [];
  const nodes: JsonObject[] = [];
  for (const node of graph) {
    const types = provTypes(node['@type']);
    if (types.length === 0) continue;
    const projected: JsonObject = { '@id': node['@id'], '@type': types.length === 1 ? types[0] : types };
    for (const [key, value] of Object.entries(node)) {
      if (!key.startsWith('@') && isProvKey(key)) projected[key] = value;
    }
    nodes.push(projected);
  }
  return { '@context': document['@context'], '@graph': nodes };
}

export const PROV_FORMATS = ['prov-json', 'nquads', 'jsonld'] as const;
export type ProvFormat = (typeof PROV_FORMATS)[number];
