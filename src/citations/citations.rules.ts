import { parseAccession } from '../datasets/datasets.rules.js';
import { normalizeDoi } from '../publications/publications.rules.js';
import type { DatasetCitationInput, DatasetCreatorName } from './dataset-citation.rules.js';
import type { ImportedLink } from './link-import.rules.js';

/** The dataset fields a citation needs (a DatasetEntity fits). */
export interface CitableDataset {
  id: string;
  title: string;
  creators: readonly string[];
  publisherId: string | null;
  publicationYear: number;
  version: string | null;
  doi: string | null;
  doiState: string;
  landingPage: string | null;
  accession: string | null;
}

/** The agent fields a citation needs (an AgentEntity fits). */
export interface CitableAgent {
  id: string;
  kind: 'person' | 'organization';
  name: string;
  givenName: string | null;
  familyName: string | null;
  orcid: string | null;
}

/**
 * The citation input for a dataset: creators in author order, the publisher's name, and the DOI only once it is
 * `findable` (a draft or registered DOI may not resolve for readers; until then the landing page is cited).
 */
export function buildDatasetCitationInput(
  dataset: CitableDataset,
  agents: readonly CitableAgent[],
  publicBaseUrl: string,
): DatasetCitationInput {
  const byId = new Map(agents.map((a) => [a.id, a]));
  const creators = dataset.creators
    .map((id) => byId.get(id))
    .filter((a): a is CitableAgent => a !== undefined)
    .map(toCreatorName);
  const publisher = dataset.publisherId ? (byId.get(dataset.publisherId)?.name ?? null) : null;
  return {
    id: dataset.id,
    title: dataset.title,
    creators,
    publisher,
    publicationYear: dataset.publicationYear,
    version: dataset.version,
    doi: dataset.doiState === 'findable' ? dataset.doi : null,
    landingPage: dataset.landingPage ?? `${publicBaseUrl}/datasets/${dataset.id}`,
    accession: dataset.accession,
  };
}

function toCreatorName(agent: CitableAgent): DatasetCreatorName {
  // Only a person with a recorded family name is split; anyone else is printed as recorded (CSL literal).
  if (agent.kind === 'person' && agent.familyName) {
    return { family: agent.familyName, given: agent.givenName, orcid: agent.orcid };
  }
  return { name: agent.name };
}

/** What to look our datasets up by, for the cited side of a batch of links. */
export interface DatasetLookup {
  ids: string[];
  dois: string[];
  accessions: string[];
  urls: string[];
}

export function collectDatasetLookup(
  links: readonly Pick<ImportedLink, 'cited' | 'citedScheme'>[],
  publicBaseUrl: string,
): DatasetLookup {
  const ids = new Set<string>();
  const dois = new Set<string>();
  const accessions = new Set<string>();
  const urls = new Set<string>();
  for (const link of links) {
    if (link.citedScheme === 'doi') {
      dois.add(link.cited);
      const accession = accessionOfDoi(link.cited);
      if (accession !== null) accessions.add(accession);
    } else {
      urls.add(link.cited);
      const id = ownDatasetId(link.cited, publicBaseUrl);
      if (id !== null) ids.add(id);
    }
  }
  return { ids: [...ids], dois: [...dois], accessions: [...accessions], urls: [...urls] };
}

/**
 * The accession an EMBL-EBI DOI stands for: BioImage Archive and EMPIAR mint `10.6019/<accession>`
 * (datasets.rules parseAccession); other archives' DOIs carry no accession.
 */
export function accessionOfDoi(doi: string): string | null {
  const match = /^10\.6019\/(.+)$/i.exec(doi.trim());
  return match ? (parseAccession(match[1])?.value ?? null) : null;
}

/** The dataset id in one of this service's own URLs (`<base>/datasets/<id>` or `<base>/id/<id>`). */
export function ownDatasetId(url: string, publicBaseUrl: string): string | null {
  const base = publicBaseUrl.replace(/\/+$/, '').toLowerCase();
  const value = url.trim().toLowerCase();
  if (!value.startsWith(`${base}/`)) return null;
  const match = /^(?:datasets|id)\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/.exec(
    value.slice(base.length + 1),
  );
  return match ? match[1] : null;
}

/** The dataset fields matching uses (a DatasetEntity fits). */
export interface CandidateDataset {
  id: string;
  doi: string | null;
  accession: string | null;
  landingPage: string | null;
  identifiers: ReadonlyArray<{ scheme: string; value: string }>;
  createdAt: Date;
}

/**
 * Which of our datasets a cited identifier names, by decreasing certainty: our own URL, our DOI, a DOI listed among
 * the dataset's identifiers, the accession an archive DOI stands for, then the landing page or a listed URL. Among
 * equally good matches (versions sharing an accession) the earliest deposit wins, so a re-import picks the same one.
 */
export function matchCitedDataset(
  cited: { identifier: string; scheme: 'doi' | 'url' },
  candidates: readonly CandidateDataset[],
  publicBaseUrl: string,
): string | null {
  let best: { rank: number; candidate: CandidateDataset } | null = null;
  for (const candidate of candidates) {
    const rank = matchRank(cited, candidate, publicBaseUrl);
    if (rank === null) continue;
    if (best === null || rank < best.rank || (rank === best.rank && compareDeposits(candidate, best.candidate) < 0)) {
      best = { rank, candidate };
    }
  }
  return best?.candidate.id ?? null;
}

function matchRank(
  cited: { identifier: string; scheme: 'doi' | 'url' },
  d: CandidateDataset,
  publicBaseUrl: string,
): number | null {
  if (cited.scheme === 'url') {
    if (ownDatasetId(cited.identifier, publicBaseUrl) === d.id) return 0;
    const url = normalizeUrl(cited.identifier);
    if (d.landingPage !== null && normalizeUrl(d.landingPage) === url) return 4;
    if (d.identifiers.some((i) => i.scheme === 'url' && normalizeUrl(i.value) === url)) return 4;
    return null;
  }
  const doi = cited.identifier;
  if (d.doi !== null && normalizeDoi(d.doi) === doi) return 1;
  if (d.identifiers.some((i) => i.scheme === 'doi' && normalizeDoi(i.value) === doi)) return 2;
  const accession = accessionOfDoi(doi);
  if (accession !== null && d.accession === accession) return 3;
  return null;
}

function compareDeposits(a: CandidateDataset, b: CandidateDataset): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id);
}

function normalizeUrl(value: string): string {
  try {
    return new URL(value.trim()).href;
  } catch {
    return value.trim();
  }
}

/** The IRI a citing work's graph node would have: publications with a DOI use the DOI resolver IRI. */
export function citingIri(link: Pick<ImportedLink, 'citing' | 'citingScheme'>): string {
  return link.citingScheme === 'doi' ? `https://doi.org/${link.citing}` : link.citing;
}

/** A link date as a timestamp: a bare date is midnight UTC. */
export function toOccurredAt(value: string | null): Date | null {
  if (value === null) return null;
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
}
