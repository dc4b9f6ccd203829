/**
 * RO-Crate 1.2 export of a provenance graph (provenance.md §9): one flattened, compacted document whose entities
 * read as RO-Crate (CreateAction with object/result/instrument/agent) and as PROV-O (used/wasGeneratedBy/
 * wasAssociatedWith) at once, because both spellings come from the same edges.
 */
import { RO_CRATE_12_CONTEXT_URL, RO_CRATE_12_SPEC_URL } from '../core/jsonld/context-urls.js';
import type { JsonObject, JsonValue } from '../core/jsonld/jsonld-processor.js';
import { NODE_TYPE_DEFS, indexIncidentEdges, nodeBody } from './provenance.rules.js';
import type { GraphEdge, GraphNode, NodeType } from './provenance.rules.js';

export const RO_CRATE_METADATA_ID = 'ro-crate-metadata.json';
export const RO_CRATE_ROOT_ID = './';

/**
 * `./` and `ro-crate-metadata.json` are relative: RDF conversion needs an absolute base, and an `https` base on the
 * ledger host would make compaction rewrite ledger IRIs relative (provenance.md §9). Hash with this one fixed base.
 */
export const RDF_BASE = 'arcp://uuid,00000000-0000-0000-0000-000000000000/';

/** A per-crate base when crates are merged or stored side by side (RO-Crate: arcp with a UUID). */
export function crateBaseIri(uuid: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(uuid)) {
    throw new TypeError(`not a lowercase UUID: ${uuid}`);
  }
  return `arcp://uuid,${uuid}/`;
}

/** A crate saved on its own is a Detached RO-Crate named `<name>-ro-crate-metadata.json` (RO-Crate 1.2). */
export function detachedCrateFileName(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return `${slug === '' ? 'crate' : slug}-${RO_CRATE_METADATA_ID}`;
}

export interface RoCrateOptions {
  /** `ledgerContextUrl(publicBaseUrl)`: referenced after the RO-Crate context. */
  ledgerContextUrl: string;
  name: string;
  description: string;
  /** ISO 8601 date of the export (the caller's clock). */
  datePublished: string;
  /** SPDX licence URL of the crate's metadata, e.g. https://spdx.org/licenses/CC-BY-4.0 */
  license: string;
}

/** SPDX short identifiers and full names (SPDX License List) for the licences cell-image data commonly carries. */
const SPDX_NAMES: Readonly<Record<string, string>> = {
  'CC-BY-4.0': 'Creative Commons Attribution 4.0 International',
  'CC0-1.0': 'Creative Commons Zero v1.0 Universal',
  'CC-BY-SA-4.0': 'Creative Commons Attribution Share Alike 4.0 International',
  'CC-BY-NC-4.0': 'Creative Commons Attribution Non Commercial 4.0 International',
  'CC-BY-NC-SA-4.0': 'Creative Commons Attribution Non Commercial Share Alike 4.0 International',
  'ODbL-1.0': 'Open Data Commons Open Database License v1.0',
  'PDDL-1.0': 'Open Data Commons Public Domain Dedication & License 1.0',
  MIT: 'MIT License',
  'Apache-2.0': 'Apache License 2.0',
  'BSD-3-Clause': 'BSD 3-Clause "New" or "Revised" License',
};

/** The contextual entity describing a licence (RO-Crate: a licence is an entity with an `@id`). */
export function licenseEntity(licenseIri: string): JsonObject {
  const spdx = /^https?:\/\/spdx\.org\/licenses\/([A-Za-z0-9.+-]+?)(?:\.html)?$/.exec(licenseIri);
  const identifier = spdx === null ? null : spdx[1];
  return {
    '@id': licenseIri,
    '@type': 'CreativeWork',
    name: identifier === null ? licenseIri : (SPDX_NAMES[identifier] ?? identifier),
    ...(identifier === null ? {} : { identifier }),
  };
}

const DATASET_TYPES: ReadonlySet<NodeType> = new Set(['ImageDataset', 'DerivedDataset']);
const ACTION_TYPES: ReadonlySet<NodeType> = new Set(['AnalysisActivity', 'ReuseEvent']);

function references(iris: Iterable<string>): JsonValue | undefined {
  const sorted = [...new Set(iris)].sort().map((iri) => ({ '@id': iri }));
  if (sorted.length === 0) return undefined;
  return sorted.length === 1 ? sorted[0] : sorted;
}

/**
 * ro-crate-metadata.json for `rootIri` and the given nodes (its lineage and the people, software, grants and
 * organisations around it; see collectLineage/collectContext). Root data entity: `hasPart` the datasets,
 * `mentions` every CreateAction, `mainEntity` the exported node, `funder` the funders of the grants involved.
 */
export function buildRoCrate(
  rootIri: string,
  nodes: readonly GraphNode[],
  edges: readonly GraphEdge[],
  options: RoCrateOptions,
): JsonObject {
  if (!nodes.some((node) => node.iri === rootIri)) throw new Error(`root node ${rootIri} is not among the nodes`);
  const grants = new Set(nodes.filter((node) => node.type === 'Grant').map((node) => node.iri));

  const root: JsonObject = {
    '@id': RO_CRATE_ROOT_ID,
    '@type': 'Dataset',
    name: options.name,
    description: options.description,
    datePublished: options.datePublished,
    license: { '@id': options.license },
    mainEntity: { '@id': rootIri },
  };
  const parts = references(nodes.filter((node) => DATASET_TYPES.has(node.type)).map((node) => node.iri));
  if (parts !== undefined) root.hasPart = parts;
  const actions = references(nodes.filter((node) => ACTION_TYPES.has(node.type)).map((node) => node.iri));
  if (actions !== undefined) root.mentions = actions;
  const funders = references(
    edges.filter((edge) => edge.relation === 'funder' && grants.has(edge.source)).map((edge) => edge.target),
  );
  if (funders !== undefined) root.funder = funders;

  const licenses = new Set<string>([options.license]);
  for (const node of nodes) {
    const license = node.properties.license;
    if (typeof license === 'string' && NODE_TYPE_DEFS[node.type].properties.includes('license')) licenses.add(license);
  }

  const incident = indexIncidentEdges(edges);
  const ordered = [...nodes].sort((a, b) => (a.iri === rootIri ? -1 : b.iri === rootIri ? 1 : a.iri < b.iri ? -1 : 1));
  return {
    '@context': [RO_CRATE_12_CONTEXT_URL, options.ledgerContextUrl],
    '@graph': [
      {
        '@id': RO_CRATE_METADATA_ID,
        '@type': 'CreativeWork',
        conformsTo: { '@id': RO_CRATE_12_SPEC_URL },
        about: { '@id': RO_CRATE_ROOT_ID },
      },
      root,
      ...[...licenses].sort().map(licenseEntity),
      ...ordered.map((node) => nodeBody(node, incident.get(node.iri) ?? [])),
    ],
  };
}
