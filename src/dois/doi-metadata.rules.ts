// Pure mapping from the ledger's rows (dataset, agents, graph edges) to DataCite input, plus the small decisions the
// DOI job and the withdrawal/version routes make. Section numbers refer to reference/datacite.md.
import { createHash } from 'node:crypto';
import type { AgentFacts } from '../agents/agents.rules.js';
import canonicalize from 'canonicalize';
import { RELATIONS, isRelation } from '../graph/graph.vocabulary.js';
import { getDataCiteVocabularies } from './datacite-vocabularies.rules.js';
import type { RelatedIdentifierType, RelationType, ResourceTypeGeneral } from './datacite-vocabularies.rules.js';
import { normalizeCrossrefFunderId, normalizeRor } from './datacite.rules.js';
import type {
  DataCiteAttributes,
  DataCiteCreatorInput,
  DataCiteDatasetInput,
  DataCiteDateInput,
  DataCiteFailure,
  DataCiteGrantInput,
  DataCiteRelatedInput,
  DoiTargetState,
} from './datacite.rules.js';
import { normalizeDoi } from '../publications/publications.rules.js';
import { escapeHtml } from '../core/http/html.js';

// ───────────────────────────── input facts (plain data; entities fit structurally) ─────────────────────────────

export interface DoiDatasetFacts {
  id: string;
  kind: 'image' | 'derived';
  title: string;
  description: string | null;
  creators: string[];
  publisherId: string | null;
  publicationYear: number;
  license: string;
  accession: string | null;
  identifiers: Array<{ scheme: 'doi' | 'url' | 'accession'; value: string }>;
  keywords: string[];
  organism: string | null;
  imagingMethod: string | null;
  embargoUntil: string | null;
  landingPage: string | null;
  version: string | null;
  createdAt: Date;
  withdrawnAt: Date | null;
  withdrawnReason: string | null;
}

export interface DoiGraphNodeFacts {
  id: string;
  type: string;
  iri: string;
  label: string | null;
  properties: Record<string, unknown>;
}

export interface DoiGraphEdgeFacts {
  sourceId: string;
  relation: string;
  targetId: string;
}

/** Another dataset at the far end of an edge: its DOI (ours, once assigned) and landing page. */
export interface DoiRelatedDatasetFacts {
  id: string;
  /** The DOI this service assigned to it, whatever its state: the name is final from the request on (§9.2). */
  doi: string | null;
  identifiers: Array<{ scheme: string; value: string }>;
  landingPage: string | null;
}

export interface DoiMetadataSource {
  dataset: DoiDatasetFacts;
  doi: string;
  /** The creators, their affiliations and the publisher, in any order. */
  agents: AgentFacts[];
  /** The node at the other end of every edge. */
  nodes: DoiGraphNodeFacts[];
  /** Active edges touching the dataset. */
  edges: DoiGraphEdgeFacts[];
  relatedDatasets: DoiRelatedDatasetFacts[];
  publicBaseUrl: string;
}

// ───────────────────────────── URLs ─────────────────────────────

export function buildLandingPageUrl(publicBaseUrl: string, datasetId: string): string {
  return `${publicBaseUrl}/datasets/${datasetId}`;
}

/** §12: a withdrawn dataset's DOI keeps resolving, to this page. */
export function buildTombstoneUrl(publicBaseUrl: string, datasetId: string): string {
  return `${publicBaseUrl}/datasets/${datasetId}/tombstone`;
}

// ───────────────────────────── related identifiers ─────────────────────────────

const DATASET_NODE_TYPES = new Set(['ImageDataset', 'DerivedDataset']);
const RELATION_TYPES_4_6: readonly string[] = getDataCiteVocabularies('4.6').relationType;

// CSL item types (the publications module stores CSL-JSON) to DataCite resourceTypeGeneral.
const CSL_RESOURCE_TYPES: Record<string, ResourceTypeGeneral> = {
  'article-journal': 'JournalArticle',
  article: 'JournalArticle',
  'posted-content': 'Preprint',
  preprint: 'Preprint',
  book: 'Book',
  chapter: 'BookChapter',
  'paper-conference': 'ConferencePaper',
  report: 'Report',
  thesis: 'Dissertation',
  dataset: 'Dataset',
};

const NODE_RESOURCE_TYPES: Record<string, ResourceTypeGeneral> = {
  ImageDataset: 'Dataset',
  DerivedDataset: 'Dataset',
  Software: 'Software',
  ImagePart: 'Image',
  Figure: 'Image',
  FigurePanel: 'Image',
};

function stringProperty(properties: Record<string, unknown>, ...keys: string[]): string | null {
  for (const key of keys) {
    const value = properties[key];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return null;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** A DOI from a doi.org / dx.doi.org IRI; null for any other IRI (normalizeDoi would also accept a bare DOI). */
export function doiFromIri(iri: string): string | null {
  return /^https?:\/\/(dx\.)?doi\.org\//i.test(iri) ? normalizeDoi(iri) : null;
}

interface RelatedTarget {
  relatedIdentifier: string;
  relatedIdentifierType: RelatedIdentifierType;
  resourceTypeGeneral?: ResourceTypeGeneral;
}

/**
 * How the far end of an edge is named in DataCite: a DOI whenever one is known (ours, an archive's, or a
 * publication's), else the dataset's landing page or the publication's own URL. Nodes that only have an IRI inside
 * this service (figure panels, image parts, activities) are left out: DataCite's citation graph cannot use them.
 */
export function identifyRelatedNode(
  node: DoiGraphNodeFacts,
  related: DoiRelatedDatasetFacts | undefined,
  publicBaseUrl: string,
): RelatedTarget | null {
  const localIri = node.iri.startsWith(`${publicBaseUrl}/`);
  if (DATASET_NODE_TYPES.has(node.type)) {
    const externalDoi = related?.identifiers.find((i) => i.scheme === 'doi')?.value;
    const doi =
      (related?.doi ? normalizeDoi(related.doi) : null) ??
      (externalDoi ? normalizeDoi(externalDoi) : null) ??
      doiFromIri(node.iri);
    if (doi) return { relatedIdentifier: doi, relatedIdentifierType: 'DOI', resourceTypeGeneral: 'Dataset' };
    const url = related
      ? (related.landingPage ?? buildLandingPageUrl(publicBaseUrl, related.id))
      : localIri
        ? null
        : node.iri;
    return url && isHttpUrl(url)
      ? { relatedIdentifier: url, relatedIdentifierType: 'URL', resourceTypeGeneral: 'Dataset' }
      : null;
  }
  const propertyDoi = stringProperty(node.properties, 'doi', 'DOI');
  const doi = (propertyDoi ? normalizeDoi(propertyDoi) : null) ?? doiFromIri(node.iri);
  if (node.type === 'Publication') {
    const cslType = stringProperty(node.properties, 'type', 'cslType');
    const resourceTypeGeneral = cslType ? CSL_RESOURCE_TYPES[cslType] : undefined;
    const typed = (target: RelatedTarget): RelatedTarget =>
      resourceTypeGeneral ? { ...target, resourceTypeGeneral } : target;
    if (doi) return typed({ relatedIdentifier: doi, relatedIdentifierType: 'DOI' });
    const pmid = stringProperty(node.properties, 'pmid', 'PMID');
    if (pmid && /^\d+$/.test(pmid)) return typed({ relatedIdentifier: pmid, relatedIdentifierType: 'PMID' });
    const url = stringProperty(node.properties, 'url', 'URL');
    if (url && isHttpUrl(url)) return typed({ relatedIdentifier: url, relatedIdentifierType: 'URL' });
    return !localIri && isHttpUrl(node.iri)
      ? typed({ relatedIdentifier: node.iri, relatedIdentifierType: 'URL' })
      : null;
  }
  if (!doi) return null;
  const resourceTypeGeneral = NODE_RESOURCE_TYPES[node.type];
  return resourceTypeGeneral
    ? { relatedIdentifier: doi, relatedIdentifierType: 'DOI', resourceTypeGeneral }
    : { relatedIdentifier: doi, relatedIdentifierType: 'DOI' };
}

/**
 * relationTypes for one edge, seen from the dataset. Edges map through the graph vocabulary (forward from the
 * source, inverse from the target). `wasRevisionOf` also yields IsVersionOf/HasVersion: there is no concept DOI
 * (§13), so each version links its neighbours both ways, which keeps DataCite's versionCount and Event Data (which
 * drops IsNewVersionOf/IsPreviousVersionOf, §13) aware of the chain.
 */
export function relationTypesForEdge(relation: string, outgoing: boolean): RelationType[] {
  if (!isRelation(relation)) return [];
  if (relation === 'wasRevisionOf')
    return outgoing ? ['IsNewVersionOf', 'IsVersionOf'] : ['IsPreviousVersionOf', 'HasVersion'];
  const mapping = RELATIONS[relation].datacite;
  if (!mapping) return [];
  const type = outgoing ? mapping.forward : mapping.inverse;
  // The graph vocabulary only names 4.6 relation types; the check keeps a future edit from emitting an invalid one.
  const checked: RelationType = type;
  return RELATION_TYPES_4_6.includes(checked) ? [checked] : [];
}

export function buildRelatedIdentifiers(source: DoiMetadataSource): DataCiteRelatedInput[] {
  const id = source.dataset.id;
  const nodes = new Map(source.nodes.map((n) => [n.id, n]));
  const datasets = new Map(source.relatedDatasets.map((d) => [d.id, d]));
  const out: DataCiteRelatedInput[] = [];
  for (const edge of source.edges) {
    if (edge.sourceId === edge.targetId || (edge.sourceId !== id && edge.targetId !== id)) continue;
    const outgoing = edge.sourceId === id;
    const node = nodes.get(outgoing ? edge.targetId : edge.sourceId);
    if (!node) continue;
    const types = relationTypesForEdge(edge.relation, outgoing);
    if (types.length === 0) continue;
    const target = identifyRelatedNode(node, datasets.get(node.id), source.publicBaseUrl);
    if (!target) continue;
    for (const relationType of types) out.push({ relationType, ...target });
  }
  // An archive's own DOI for the same data (EMPIAR, BioImage Archive): two registrations of one resource.
  for (const identifier of source.dataset.identifiers) {
    const doi = identifier.scheme === 'doi' ? normalizeDoi(identifier.value) : null;
    if (doi && doi !== normalizeDoi(source.doi)) {
      out.push({
        relationType: 'IsIdenticalTo',
        relatedIdentifier: doi,
        relatedIdentifierType: 'DOI',
        resourceTypeGeneral: 'Dataset',
      });
    }
  }
  // Edges come from the database in no fixed order; a stable order keeps the record's hash stable (no needless PUTs).
  return out.sort((a, b) =>
    `${a.relationType}|${a.relatedIdentifierType}|${a.relatedIdentifier}`.localeCompare(
      `${b.relationType}|${b.relatedIdentifierType}|${b.relatedIdentifier}`,
    ),
  );
}

// ───────────────────────────── funding ─────────────────────────────

/**
 * fundingReferences entry from a Grant node's properties (written by the grants module: funder name and identifier,
 * award number/title/URI). Accepts flat keys or a nested `funder` object; a grant without a funder name is skipped.
 */
export function buildGrantFromNode(node: DoiGraphNodeFacts): DataCiteGrantInput | null {
  const p = node.properties;
  const funder =
    typeof p['funder'] === 'object' && p['funder'] !== null ? (p['funder'] as Record<string, unknown>) : {};
  const funderName =
    stringProperty(p, 'funderName') ??
    stringProperty(funder, 'name') ??
    (typeof p['funder'] === 'string' ? p['funder'] : null);
  if (!funderName) return null;
  const grant: DataCiteGrantInput = { funderName };
  const identifier =
    stringProperty(p, 'funderIdentifier', 'funderRor') ??
    stringProperty(funder, 'ror', 'identifier', 'funderIdentifier', 'crossrefFunderId');
  if (identifier) {
    if (normalizeRor(identifier)) {
      grant.funderIdentifier = identifier;
      grant.funderIdentifierType = 'ROR';
    } else if (normalizeCrossrefFunderId(identifier)) {
      grant.funderIdentifier = identifier;
      grant.funderIdentifierType = 'Crossref Funder ID';
    } else {
      grant.funderIdentifier = identifier;
      grant.funderIdentifierType = 'Other';
    }
  }
  const awardNumber = stringProperty(p, 'awardNumber');
  if (awardNumber) grant.awardNumber = awardNumber;
  const awardTitle = stringProperty(p, 'awardTitle', 'title') ?? node.label ?? undefined;
  if (awardTitle) grant.awardTitle = awardTitle;
  const awardUri = stringProperty(p, 'awardUri', 'url');
  if (awardUri && isHttpUrl(awardUri)) grant.awardUri = awardUri;
  return grant;
}

// ───────────────────────────── the whole record ─────────────────────────────

function isoDate(value: Date): string {
  return value.toISOString().slice(0, 10);
}

function toCreatorInput(agent: AgentFacts, agents: Map<string, AgentFacts>): DataCiteCreatorInput {
  const affiliations = agent.affiliations
    .map((id) => agents.get(id))
    .filter((a): a is AgentFacts => a !== undefined)
    .map((a) => (a.ror ? { name: a.name, ror: a.ror } : { name: a.name }));
  const creator: DataCiteCreatorInput = { kind: agent.kind, name: agent.name, affiliations };
  if (agent.givenName) creator.givenName = agent.givenName;
  if (agent.familyName) creator.familyName = agent.familyName;
  if (agent.kind === 'person' && agent.orcid) creator.orcid = agent.orcid;
  if (agent.kind === 'organization' && agent.ror) creator.ror = agent.ror;
  return creator;
}

/**
 * The DataCite input for one dataset. The landing page is ours (`/datasets/<id>`), or the tombstone once withdrawn
 * (§12). A missing creator or publisher yields an empty name, which validateForPublish reports by field.
 */
export function buildDoiMetadataInput(source: DoiMetadataSource): DataCiteDatasetInput {
  const d = source.dataset;
  const agents = new Map(source.agents.map((a) => [a.id, a]));
  const nodes = new Map(source.nodes.map((n) => [n.id, n]));
  const creators = d.creators.map((id) => {
    const agent = agents.get(id);
    return agent ? toCreatorInput(agent, agents) : { kind: 'person' as const, name: '', affiliations: [] };
  });
  const publisherAgent = d.publisherId ? agents.get(d.publisherId) : undefined;
  const publisher = publisherAgent
    ? publisherAgent.ror
      ? { name: publisherAgent.name, ror: publisherAgent.ror }
      : { name: publisherAgent.name }
    : { name: '' };
  const grants = source.edges
    .filter((e) => e.relation === 'funding' && e.sourceId === d.id)
    .map((e) => nodes.get(e.targetId))
    .filter((n): n is DoiGraphNodeFacts => n !== undefined && n.type === 'Grant')
    .map(buildGrantFromNode)
    .filter((g): g is DataCiteGrantInput => g !== null)
    .sort((a, b) => `${a.funderName}|${a.awardNumber ?? ''}`.localeCompare(`${b.funderName}|${b.awardNumber ?? ''}`));
  const dates: DataCiteDateInput[] = [{ date: isoDate(d.createdAt), dateType: 'Issued' }];
  if (d.embargoUntil) dates.push({ date: d.embargoUntil, dateType: 'Available' });

  const input: DataCiteDatasetInput = {
    doi: source.doi,
    title: d.title,
    kind: d.kind,
    creators,
    publisher,
    publicationYear: d.publicationYear,
    license: d.license,
    keywords: d.keywords,
    grants,
    landingPageUrl: d.withdrawnAt
      ? buildTombstoneUrl(source.publicBaseUrl, d.id)
      : buildLandingPageUrl(source.publicBaseUrl, d.id),
    related: buildRelatedIdentifiers(source),
    dates,
  };
  if (d.description) input.description = d.description;
  if (d.organism) input.organism = { id: d.organism };
  if (d.imagingMethod) input.imagingMethod = { id: d.imagingMethod };
  if (d.accession) input.accession = d.accession;
  if (d.version) input.version = d.version;
  if (d.withdrawnAt) input.withdrawn = { date: isoDate(d.withdrawnAt), reason: d.withdrawnReason ?? 'withdrawn' };
  return input;
}

/** Ids of every agent the record needs: creators, their affiliations, and the publisher. */
export function collectAgentIds(creators: readonly AgentFacts[], publisherId: string | null): string[] {
  return [...new Set([...creators.flatMap((c) => c.affiliations), ...(publisherId ? [publisherId] : [])])];
}

// ───────────────────────────── job decisions ─────────────────────────────

/**
 * Identifies a desired record: the attributes (without `event`) and the target state. Equal hashes mean the provider
 * already holds exactly this, so a re-run only re-reads instead of sending again (§9.3 makes re-sending safe, not free).
 */
export function hashDesiredRecord(attributes: DataCiteAttributes, target: DoiTargetState): string {
  const rest: Record<string, unknown> = { ...attributes };
  delete rest['event'];
  return createHash('sha256')
    .update(canonicalize({ attributes: rest, target }) ?? '')
    .digest('hex');
}

/**
 * §10.3: while `registered` is null the DOI does not resolve. Re-check after as long as we have already waited
 * (doubling), at least `baseMs`, at most `capMs`.
 */
export function recheckDelayMs(waitedMs: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, Math.max(baseMs, Math.round(waitedMs)));
}

/** §10.3 and §11: give up re-checking a Handle that never registers after this long. */
export const HANDLE_RECHECK_LIMIT_MS = 24 * 3_600_000;

export interface DoiFailureDescription {
  code: string;
  status: number | null;
  reason: string;
  errors: Array<{ source: string | null; title: string }>;
}

/**
 * What curators and operators read about a DataCite failure: DataCite's errors verbatim, and for 401/403 a reason
 * naming the credentials to check (§7: park and alert ops; a retry cannot fix a password).
 */
export function describeDataCiteFailure(
  failure: DataCiteFailure,
  ctx: { repositoryId: string; prefix: string; reason?: string },
): DoiFailureDescription {
  let reason = ctx.reason ?? failure.reason;
  if (failure.code === 'BAD_CREDENTIALS') {
    reason =
      `DataCite rejected the repository credentials (DATACITE_REPOSITORY_ID=${ctx.repositoryId} / DATACITE_PASSWORD): ` +
      `${failure.reason}. Fix the credentials (a Fabrica password reset also changes the API password), then retry.`;
  } else if (failure.code === 'FORBIDDEN') {
    reason =
      `DataCite refused repository ${ctx.repositoryId} for prefix ${ctx.prefix}: ${failure.reason}. Check the credentials ` +
      `(DATACITE_REPOSITORY_ID / DATACITE_PASSWORD) and that DATACITE_PREFIX is assigned to that repository, then retry.`;
  }
  return { code: failure.code, status: failure.status, reason, errors: failure.errors };
}

// ───────────────────────────── versions ─────────────────────────────

/**
 * The version label of the next version: the trailing number of the previous one plus one (`1` -> `2`,
 * `v1.4` -> `v1.5`); an unlabelled first version counts as 1. Null when the previous label has no trailing number.
 */
export function nextVersionLabel(previous: string | null): string | null {
  if (previous === null || previous.trim() === '') return '2';
  const match = /^(.*?)(\d+)$/.exec(previous.trim());
  if (!match) return null;
  const [, head, digits] = match;
  const next = String(Number(digits) + 1);
  return `${head}${next.padStart(digits.length, '0')}`;
}

/** What a version copies from the previous one (the deposit fields of the datasets contract). */
export interface VersionSourceFacts extends DoiDatasetFacts {
  derivedFrom: string[];
  grants: string[];
  generatedBy: {
    software?: { name: string; version?: string; url?: string };
    method?: string;
    parameters?: Record<string, unknown>;
    activityId?: string;
  } | null;
}

export interface VersionFields {
  kind: 'image' | 'derived';
  title: string;
  description?: string;
  creators: string[];
  publisher?: string;
  publicationYear?: number;
  license: string;
  accession?: string;
  identifiers?: Array<{ scheme: 'doi' | 'url' | 'accession'; value: string }>;
  keywords?: string[];
  organism?: string;
  imagingMethod?: string;
  derivedFrom?: string[];
  generatedBy?: {
    software?: { name: string; version?: string; url?: string };
    method?: string;
    parameters?: Record<string, unknown>;
  };
  grants?: string[];
  embargoUntil?: string;
  landingPage?: string;
  version?: string;
}

/**
 * The deposit fields of a new version: the changes given, everything else copied from the previous version, except
 * the publication year (a new version is published when it is deposited) and the analysis activity (each version
 * gets its own). Without a version label, the previous one's trailing number plus one.
 */
export function buildVersionFields(previous: VersionSourceFacts, changes: Partial<VersionFields>): VersionFields {
  const copied: VersionFields = {
    kind: previous.kind,
    title: previous.title,
    creators: previous.creators,
    license: previous.license,
    identifiers: previous.identifiers,
    keywords: previous.keywords,
    derivedFrom: previous.derivedFrom,
    grants: previous.grants,
  };
  if (previous.description) copied.description = previous.description;
  if (previous.publisherId) copied.publisher = previous.publisherId;
  if (previous.accession) copied.accession = previous.accession;
  if (previous.organism) copied.organism = previous.organism;
  if (previous.imagingMethod) copied.imagingMethod = previous.imagingMethod;
  if (previous.generatedBy) {
    const { activityId: _activityId, ...generatedBy } = previous.generatedBy;
    if (Object.keys(generatedBy).length > 0) copied.generatedBy = generatedBy;
  }
  if (previous.embargoUntil) copied.embargoUntil = previous.embargoUntil;
  if (previous.landingPage) copied.landingPage = previous.landingPage;
  const given = Object.fromEntries(
    Object.entries(changes).filter(([, v]) => v !== undefined),
  ) as Partial<VersionFields>;
  const version = given.version ?? nextVersionLabel(previous.version);
  return { ...copied, ...given, ...(version ? { version } : {}) };
}

// ───────────────────────────── tombstone (§12) ─────────────────────────────

export interface TombstoneView {
  datasetId: string;
  doi: string | null;
  title: string;
  creators: string[];
  publicationYear: number;
  publisher: string | null;
  version: string | null;
  withdrawnAt: string;
  reason: string;
  citation: string;
  retention: string;
}

export const TOMBSTONE_RETENTION =
  'The data files are no longer distributed. The metadata record, its DOI and every ledger entry about this dataset are ' +
  'kept permanently; DOIs are never deleted.';

/** DataCite's recommended citation form: Creator (Year). Title. Version. Publisher. (Resource type). Identifier. */
export function buildDatasetCitation(args: {
  creators: string[];
  publicationYear: number;
  title: string;
  version: string | null;
  publisher: string | null;
  doi: string | null;
  fallbackUrl: string;
}): string {
  const creators = args.creators.length > 0 ? args.creators.join('; ') : 'Anonymous';
  const parts = [
    `${creators} (${args.publicationYear}).`,
    `${args.title.replace(/\.$/, '')}${args.version ? ` (Version ${args.version})` : ''} [Data set].`,
    ...(args.publisher ? [`${args.publisher}.`] : []),
    args.doi ? `https://doi.org/${args.doi}` : args.fallbackUrl,
  ];
  return parts.join(' ');
}

export function renderTombstoneHtml(view: TombstoneView): string {
  const doiLine = view.doi
    ? `<p>DOI: <a href="https://doi.org/${escapeHtml(view.doi)}">https://doi.org/${escapeHtml(view.doi)}</a></p>`
    : '';
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="robots" content="noindex">',
    `<title>Withdrawn: ${escapeHtml(view.title)}</title></head>`,
    '<body>',
    `<h1>This dataset has been withdrawn</h1>`,
    `<p><strong>${escapeHtml(view.title)}</strong></p>`,
    doiLine,
    `<p>Withdrawn on ${escapeHtml(view.withdrawnAt.slice(0, 10))}. Reason: ${escapeHtml(view.reason)}</p>`,
    `<p>Citation: ${escapeHtml(view.citation)}</p>`,
    `<p>${escapeHtml(view.retention)}</p>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
