import { normalizeRor } from '../agents/agents.rules.js';
import { parseAccession } from '../datasets/datasets.rules.js';
import { normalizeDoi } from '../publications/publications.rules.js';
import { AUDIT_CSV_COLUMNS } from './compliance.rules.js';
import type {
  AuditRow,
  ComplianceDatasetRow,
  ComplianceStatus,
  CsvColumn,
  DoiState,
  GrantCompliance,
  PlannedDataRow,
} from './compliance.rules.js';

// Glue decisions for the grants HTTP feature (credit-and-compliance.md §6): funder identity, which plan item an
// output answers, which publications trigger due dates, what a status change is. Pure: dates are parameters.

/** DataCite 4.6 fundingReference.funderIdentifierType values this service records. */
export type FunderIdentifierType = 'ROR' | 'Crossref Funder ID';

export interface FunderIdentifier {
  identifier: string;
  type: FunderIdentifierType;
}

const CROSSREF_FUNDER_PREFIX = '10.13039/';

/**
 * A ROR id (checksum-validated) or a Crossref Funder ID (a DOI under 10.13039, bare digits accepted), in the
 * https form DataCite examples use; null for anything else.
 */
export function parseFunderIdentifier(value: string): FunderIdentifier | null {
  const trimmed = value.trim();
  const rorPath = /^(?:https?:\/\/)?(?:www\.)?ror\.org\/([^/]+)\/?$/i.exec(trimmed);
  if (rorPath || /^0[0-9a-z]{8}$/i.test(trimmed)) {
    const ror = normalizeRor(rorPath ? rorPath[1] : trimmed);
    return ror ? { identifier: ror, type: 'ROR' } : null;
  }
  const doi = /^\d+$/.test(trimmed) ? `${CROSSREF_FUNDER_PREFIX}${trimmed}` : normalizeDoi(trimmed);
  if (doi && doi.startsWith(CROSSREF_FUNDER_PREFIX) && doi.length > CROSSREF_FUNDER_PREFIX.length) {
    return { identifier: `https://doi.org/${doi}`, type: 'Crossref Funder ID' };
  }
  return null;
}

/**
 * A funder key acts for a funder organization when the key's agent IS that organization, or lists it among its
 * `affiliations` (a programme officer's person agent affiliated with the funder). Nothing else grants access.
 */
export function actsForFunder(
  agent: { id: string; affiliations: readonly string[] } | null,
  funderId: string,
): boolean {
  if (agent === null) return false;
  return agent.id === funderId || agent.affiliations.includes(funderId);
}

/** Data types compare case-insensitively with spaces collapsed, as compliance.rules.ts matches them. */
export function normalizeDataType(value: string | null | undefined): string {
  return (value ?? '').trim().toLowerCase().replace(/\s+/g, ' ');
}

/** Data types named twice in one plan (after normalisation): each type must be one RPPR C.5.c row. */
export function findDuplicateDataTypes(planned: readonly { dataType: string }[]): string[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const item of planned) {
    const key = normalizeDataType(item.dataType);
    if (seen.has(key)) duplicates.add(item.dataType);
    seen.add(key);
  }
  return [...duplicates];
}

const IMAGE_WORDS = /\b(?:images?|imaging|micrograph|microscop\w*|movies?|videos?|raw|acquisitions?|stacks?)\b/i;
const DERIVED_WORDS =
  /\b(?:derived|segmentations?|masks?|features?|tracks?|tracking|analys[ie]s|processed|quantifications?|measurements?|annotations?|tables?)\b/i;

/**
 * Which planned data type an output dataset answers. In order: the type assigned when the output was attached;
 * the only planned type when the plan has one; the single planned type whose words fit the dataset kind (image
 * data: "images", "microscopy"…; derived data: "segmentation", "features"…). Otherwise null: the dataset is listed
 * as unplanned rather than guessed into an item.
 */
export function resolveDataType(
  dataset: { id: string; kind: 'image' | 'derived' },
  planned: readonly Pick<PlannedDataRow, 'dataType'>[],
  assigned: Readonly<Record<string, string>>,
): string | null {
  const explicit = assigned[dataset.id];
  if (explicit !== undefined) {
    return planned.find((p) => normalizeDataType(p.dataType) === normalizeDataType(explicit))?.dataType ?? explicit;
  }
  if (planned.length === 1) return planned[0].dataType;
  const fits = planned.filter((p) => {
    const image = IMAGE_WORDS.test(p.dataType);
    const derived = DERIVED_WORDS.test(p.dataType);
    return dataset.kind === 'image' ? image && !derived : derived;
  });
  return fits.length === 1 ? fits[0].dataType : null;
}

export type PublicationKind = 'article' | 'preprint';

const PREPRINT_SERVERS = /\b(?:bio|med|chem|psy|eco|soc)rxiv\b|\barxiv\b|research square|\bssrn\b|preprints?\b/i;

/**
 * NIH counts only peer-reviewed articles as the publication that sets a due date (NOT-OD-21-013). CSL 1.0.2 types
 * `article` (preprint, working paper), `manuscript` and `post` are not peer reviewed, nor is anything a preprint
 * server publishes. Unknown types count as articles: the earlier due date is the cautious reading.
 */
export function publicationKindOf(publication: {
  cslType: string | null;
  containerTitle: string | null;
  genre?: string | null;
}): PublicationKind {
  if (publication.cslType && ['article', 'manuscript', 'post', 'post-weblog'].includes(publication.cslType))
    return 'preprint';
  if (publication.genre && /preprint/i.test(publication.genre)) return 'preprint';
  if (publication.containerTitle && PREPRINT_SERVERS.test(publication.containerTitle)) return 'preprint';
  return 'article';
}

/** YYYY-MM-DD naming a real calendar day; null otherwise. */
export function parseDay(value: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!match) return null;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value.trim() ? value.trim() : null;
}

export function utcDayOf(now: Date): string {
  return now.toISOString().slice(0, 10);
}

export interface OutputDatasetFacts {
  id: string;
  kind: 'image' | 'derived';
  title: string;
  doi: string | null;
  doiState: DoiState;
  accession: string | null;
  license: string;
  /** When the dataset was deposited (ISO timestamp). */
  createdAt: string;
  /** Deposit day or embargo end (YYYY-MM-DD). */
  releasedAt: string;
  embargoUntil: string | null;
  withdrawnAt: string | null;
  /** When the DOI first became findable, when known. */
  findableAt: string | null;
}

const ARCHIVE_NAMES = {
  idr: 'Image Data Resource',
  'bioimage-archive': 'BioImage Archive',
  empiar: 'EMPIAR',
  bbbc: 'Broad Bioimage Benchmark Collection',
} as const;

/**
 * A ledger dataset as compliance.rules.ts sees it at `asOf`. An archive accession recorded in the ledger counts as
 * public from the dataset's release day (deposit or embargo end); a DOI from the day it became findable. A dataset
 * withdrawn by `asOf` is not shared whatever its identifiers.
 */
export function toComplianceDataset(
  facts: OutputDatasetFacts,
  dataType: string | null,
  asOf: string,
): ComplianceDatasetRow {
  const withdrawn = facts.withdrawnAt !== null && facts.withdrawnAt.slice(0, 10) <= asOf;
  const accessionPublic = Boolean(facts.accession) && !withdrawn;
  const findable = facts.doiState === 'findable' && !withdrawn;
  const candidates: string[] = [];
  if (accessionPublic) candidates.push(facts.releasedAt);
  if (findable) {
    const since = facts.findableAt ? facts.findableAt.slice(0, 10) : facts.releasedAt;
    candidates.push(since > facts.releasedAt ? since : facts.releasedAt);
  }
  candidates.sort();
  const archive = facts.accession ? parseAccession(facts.accession) : null;
  return {
    id: facts.id,
    dataType,
    title: facts.title,
    doi: facts.doi,
    doiState: withdrawn && facts.doiState === 'findable' ? 'registered' : facts.doiState,
    accession: facts.accession,
    accessionPublic,
    repository: archive ? ARCHIVE_NAMES[archive.scheme] : null,
    license: facts.license,
    registeredAt: facts.createdAt,
    released: candidates[0] ?? facts.releasedAt,
    embargoUntil: facts.embargoUntil,
  };
}

export interface RecordedStatus {
  scope: 'grant' | 'item';
  /** '' for the grant itself. */
  dataType: string;
  status: ComplianceStatus;
}

export interface StatusChange extends RecordedStatus {
  from: ComplianceStatus | null;
  dueDate: string | null;
  overdueDays: number | null;
}

/**
 * Statuses in the report that differ from the last recorded ones (a first report records every status, from
 * null). Grant first, then items in plan order, so entries read in a stable order.
 */
export function diffComplianceStatuses(report: GrantCompliance, recorded: readonly RecordedStatus[]): StatusChange[] {
  const last = new Map(recorded.map((r) => [`${r.scope}|${normalizeDataType(r.dataType)}`, r.status]));
  const current: StatusChange[] = [
    {
      scope: 'grant',
      dataType: '',
      status: report.status,
      from: null,
      dueDate: report.dueDate,
      overdueDays: report.worstOverdueDays,
    },
    ...report.items.map((item): StatusChange => ({
      scope: 'item',
      dataType: item.dataType,
      status: item.status,
      from: null,
      dueDate: item.dueDate,
      overdueDays: item.overdueDays,
    })),
  ];
  return current
    .map((c) => ({ ...c, from: last.get(`${c.scope}|${normalizeDataType(c.dataType)}`) ?? null }))
    .filter((c) => c.from !== c.status);
}

export interface ReuseFigures {
  /** Output datasets of the grant (funding edges). */
  datasets: number;
  /** Distinct citing works, summed over the datasets. */
  citations: number;
  /** Counted reuse records (one per publication-dataset pair), and their split by independence. */
  reuses: number;
  independent: number;
  sameLab: number;
  coAuthored: number;
  /** Distinct independent reusing groups over all the datasets. */
  independentGroups: number;
}

export const NO_REUSE: ReuseFigures = Object.freeze({
  datasets: 0,
  citations: 0,
  reuses: 0,
  independent: 0,
  sameLab: 0,
  coAuthored: 0,
  independentGroups: 0,
});

/** The fixed audit columns, then reuse figures per grant appended at the end (the CSV contract only grows). */
export function auditCsvColumns(reuseByAward: ReadonlyMap<string, ReuseFigures>): CsvColumn<AuditRow>[] {
  const figure = (key: keyof ReuseFigures) => (row: AuditRow) => (reuseByAward.get(row.awardNumber) ?? NO_REUSE)[key];
  return [
    ...AUDIT_CSV_COLUMNS,
    { header: 'output_datasets', value: figure('datasets') },
    { header: 'citations', value: figure('citations') },
    { header: 'reuses', value: figure('reuses') },
    { header: 'reuses_independent', value: figure('independent') },
    { header: 'reuses_same_lab', value: figure('sameLab') },
    { header: 'reuses_co_authored', value: figure('coAuthored') },
    { header: 'independent_groups', value: figure('independentGroups') },
  ];
}

/**
 * Content negotiation for the audit (RFC 9110 §12.5.1): CSV when `text/csv` is acceptable and preferred at least as
 * much as JSON; JSON otherwise (including no Accept header).
 */
export function wantsCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  let csv = -1;
  let json = -1;
  for (const range of accept.split(',')) {
    const [type, ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    const weight = Number.isFinite(q) ? q : 0;
    if (type === 'text/csv') csv = Math.max(csv, weight);
    if (type === 'application/json' || type === '*/*' || type === 'application/*') json = Math.max(json, weight);
  }
  return csv > 0 && csv >= json;
}
