import { isOpenLicense } from '../datasets/datasets.rules.js';
import { normalizeDoi } from '../publications/publications.rules.js';

export type IdentifierType = 'doi' | 'idr' | 'bioimage-archive' | 'empiar' | 'bbbc' | 'url';

export interface ExtractedIdentifier {
  type: IdentifierType;
  /** Normalised: bare lower-case DOI, `idr0013`, `S-BIAD123`, `EMPIAR-10001`, `BBBC021`, or the URL. */
  value: string;
  /** The text as written. */
  raw: string;
}

export type StatementCategory = 'specific' | 'on-request' | 'in-supplement' | 'not-applicable' | 'none';

export interface StatementPhrase {
  kind: 'identifier' | 'repository' | 'on-request' | 'in-supplement' | 'not-applicable';
  text: string;
}

export interface StatementClassification {
  category: StatementCategory;
  matched: StatementPhrase[];
}

export type Severity = 'pass' | 'warn' | 'fail';
export type VerificationPolicy = 'plos' | 'springer-nature' | 'cell-press' | 'default';
export type DoiState = 'none' | 'pending' | 'draft' | 'registered' | 'findable' | 'failed';

export interface Finding {
  code: FindingCode;
  severity: Severity;
  message: string;
}

/** Default severities: credit-and-compliance.md §7, plus codes for checks that table leaves implicit. */
const DEFAULT_SEVERITIES = {
  STATEMENT_OK: 'pass',
  IDENTIFIER_RESOLVES: 'pass',
  DOI_FINDABLE: 'pass',
  ACCESSION_PUBLIC: 'pass',
  LICENSE_OPEN: 'pass',
  RELATION_PRESENT: 'pass',
  METADATA_COMPLETE: 'pass',
  REVIEWER_ACCESS_PROVIDED: 'pass',
  STATEMENT_MISSING: 'fail',
  STATEMENT_ON_REQUEST_ONLY: 'fail',
  IDENTIFIER_NONE_FOUND: 'fail',
  IDENTIFIER_UNPARSEABLE: 'fail',
  EMBARGO_AFTER_PUBLICATION: 'fail',
  IDENTIFIER_NOT_FOUND: 'fail',
  DOI_DRAFT: 'fail',
  DOI_NOT_REGISTERED: 'fail',
  DATASET_WITHDRAWN: 'fail',
  LICENSE_MISSING: 'fail',
  STATEMENT_NOT_SPECIFIC: 'warn',
  STATEMENT_SUPPLEMENT_ONLY: 'warn',
  STATEMENT_PARTLY_ON_REQUEST: 'warn',
  STATEMENT_NOT_APPLICABLE: 'warn',
  DOI_REGISTERED_NOT_FINDABLE: 'warn',
  IDENTIFIER_NOT_IN_LEDGER: 'warn',
  LICENSE_NOT_OPEN: 'warn',
  EMBARGO_ACTIVE_AT_SUBMISSION: 'warn',
  REVIEWER_ACCESS_MISSING: 'warn',
  RELATION_MISSING: 'warn',
  REPOSITORY_NOT_DOMAIN_SPECIFIC: 'warn',
  METADATA_INCOMPLETE: 'warn',
} as const satisfies Record<string, Severity>;

export type FindingCode = keyof typeof DEFAULT_SEVERITIES;
export const FINDING_CODES = Object.keys(DEFAULT_SEVERITIES) as FindingCode[];

export interface VerificationProfile {
  id: VerificationPolicy;
  summary: string;
  severities: Readonly<Record<FindingCode, Severity>>;
}

/** Journal policies as data: each profile only moves severities (credit-and-compliance.md §7, "Profiles"). */
export const VERIFICATION_PROFILES: Readonly<Record<VerificationPolicy, VerificationProfile>> = {
  default: {
    id: 'default',
    summary: 'Statement names a repository or identifier; data findable, openly licensed, public at publication.',
    severities: DEFAULT_SEVERITIES,
  },
  plos: {
    id: 'plos',
    summary: 'All data needed to replicate the findings public at publication, without restriction.',
    severities: {
      ...DEFAULT_SEVERITIES,
      STATEMENT_NOT_SPECIFIC: 'fail',
      STATEMENT_PARTLY_ON_REQUEST: 'fail',
      LICENSE_NOT_OPEN: 'fail',
    },
  },
  'springer-nature': {
    id: 'springer-nature',
    summary: 'A data availability statement is required; some data types must go to mandated repositories.',
    severities: {
      ...DEFAULT_SEVERITIES,
      // Springer Nature's own template statements include "available from the corresponding author on
      // reasonable request" for journals on its less strict policy types: flag it, do not block it.
      STATEMENT_ON_REQUEST_ONLY: 'warn',
    },
  },
  'cell-press': {
    id: 'cell-press',
    summary: 'STAR Methods "Deposited data" with accession or DOI, and reviewer access before publication.',
    severities: {
      ...DEFAULT_SEVERITIES,
      STATEMENT_NOT_SPECIFIC: 'fail',
      STATEMENT_SUPPLEMENT_ONLY: 'fail',
      REVIEWER_ACCESS_MISSING: 'fail',
    },
  },
};

// --- identifiers -------------------------------------------------------------------------------------------

// Accession checks from provenance.md §7 (IDR idrNNNN; BioImage Archive S-BIAD<n>, older S-BSST<n>; EMPIAR
// five digits or more; BBBC three digits).
const ACCESSIONS: Array<{ type: IdentifierType; pattern: RegExp; normalize: (match: RegExpExecArray) => string }> = [
  { type: 'idr', pattern: /\bidr(\d{4})(?!\d)/gi, normalize: (m) => `idr${m[1]}` },
  { type: 'bioimage-archive', pattern: /\bS-(BIAD|BSST)(\d+)\b/gi, normalize: (m) => `S-${m[1].toUpperCase()}${m[2]}` },
  { type: 'empiar', pattern: /\bEMPIAR-(\d{5,})\b/gi, normalize: (m) => `EMPIAR-${m[1]}` },
  { type: 'bbbc', pattern: /\bBBBC(\d{3})(?!\d)/gi, normalize: (m) => `BBBC${m[1]}` },
];

const URL_PATTERN = /https?:\/\/[^\s<>"'`{}|\\^]+/gi;
const DOI_IN_TEXT = /\b(?:doi:\s*)?10\.\d{4,9}\/[^\s"'<>]+/gi;
const DOI_HOST = /^https?:\/\/(?:www\.|dx\.)?doi\.org\//i;

/**
 * Identifiers in free text, in order of appearance, each once: DOIs (bare, `doi:`, doi.org and dx.doi.org
 * URLs), image-archive accessions and other http(s) URLs. A URL naming an accession counts as that accession;
 * trailing sentence punctuation and unbalanced closing brackets are not part of an identifier.
 */
export function extractIdentifiers(text: string): ExtractedIdentifier[] {
  const found: Array<ExtractedIdentifier & { index: number }> = [];
  let rest = text;
  const mask = (index: number, length: number): void => {
    rest = rest.slice(0, index) + ' '.repeat(length) + rest.slice(index + length);
  };

  for (const match of text.matchAll(URL_PATTERN)) {
    const raw = trimTrailing(match[0]);
    const identifier = classifyUrl(raw);
    if (identifier !== null) found.push({ ...identifier, index: match.index });
    mask(match.index, match[0].length);
  }
  for (const match of rest.matchAll(DOI_IN_TEXT)) {
    const raw = trimTrailing(match[0]);
    const doi = normalizeDoi(raw);
    if (doi !== null) found.push({ type: 'doi', value: doi, raw, index: match.index });
    mask(match.index, match[0].length);
  }
  for (const { type, pattern, normalize } of ACCESSIONS) {
    for (const match of rest.matchAll(pattern)) {
      found.push({ type, value: normalize(match), raw: match[0], index: match.index });
    }
  }

  const seen = new Set<string>();
  return found
    .sort((a, b) => a.index - b.index)
    .filter((identifier) => {
      const key = `${identifier.type} ${identifier.value}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map(({ type, value, raw }) => ({ type, value, raw }));
}

/** One identifier given on its own (the request's `identifiers[]`); null when it is none of the known kinds. */
export function parseIdentifier(value: string): ExtractedIdentifier | null {
  const raw = value.trim();
  if (/^https?:\/\//i.test(raw)) return /\s/.test(raw) ? null : classifyUrl(raw);
  const doi = normalizeDoi(raw);
  if (doi !== null) return { type: 'doi', value: doi, raw };
  for (const { type, pattern, normalize } of ACCESSIONS) {
    const exact = new RegExp(`^(?:${pattern.source})$`, 'i').exec(raw);
    if (exact) return { type, value: normalize(exact), raw };
  }
  return null;
}

function classifyUrl(raw: string): ExtractedIdentifier | null {
  if (DOI_HOST.test(raw)) {
    const doi = normalizeDoi(raw);
    if (doi !== null) return { type: 'doi', value: doi, raw };
  }
  for (const { type, pattern, normalize } of ACCESSIONS) {
    const match = new RegExp(pattern.source, 'i').exec(raw);
    if (match) return { type, value: normalize(match), raw };
  }
  try {
    return { type: 'url', value: new URL(raw).href, raw };
  } catch {
    return null;
  }
}

function trimTrailing(value: string): string {
  let result = value;
  for (;;) {
    const before = result;
    result = result.replace(/[.,;:!?'"]+$/, '');
    for (const [open, close] of [
      ['(', ')'],
      ['[', ']'],
    ] as const) {
      // DOIs may contain brackets, e.g. 10.1016/S0092-8674(00)81234-5: keep a closing one only when balanced.
      if (result.endsWith(close) && count(result, close) > count(result, open)) result = result.slice(0, -1);
    }
    if (result === before) return result;
  }
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

// --- statements --------------------------------------------------------------------------------------------

const PHRASES: Array<{ kind: Exclude<StatementPhrase['kind'], 'identifier'>; pattern: RegExp }> = [
  { kind: 'on-request', pattern: /\b(?:up)?on (?:a )?(?:reasonable |justified |written |formal )?request\b/gi },
  { kind: 'on-request', pattern: /\bby request\b/gi },
  {
    kind: 'on-request',
    pattern:
      /\b(?:available|obtained|obtainable|provided) from the (?:corresponding |senior |lead |first |last )?authors?\b/gi,
  },
  { kind: 'on-request', pattern: /\bcontact(?:ing)? the (?:corresponding |senior |lead |first |last )?authors?\b/gi },
  {
    kind: 'in-supplement',
    pattern:
      /\bsupplementa(?:ry|l) (?:information|materials?|data|data ?sets?|files?|tables?|figures?|movies?|videos?)\b/gi,
  },
  { kind: 'in-supplement', pattern: /\bsupporting information\b/gi },
  {
    kind: 'in-supplement',
    pattern:
      /\b(?:included|contained|provided|presented|reported|available) (?:with)?in (?:the|this) (?:published )?(?:paper|article|manuscript)\b/gi,
  },
  { kind: 'in-supplement', pattern: /\bsource data (?:are|is) provided with this (?:paper|article)\b/gi },
  { kind: 'not-applicable', pattern: /\bnot applicable\b/gi },
  {
    kind: 'not-applicable',
    pattern:
      /\bno (?:new )?(?:data|datasets?|data sets?) (?:were|was) (?:generated|created|collected|produced|analy[sz]ed)\b/gi,
  },
  { kind: 'not-applicable', pattern: /\bdoes not (?:contain|include|report|use) (?:any )?(?:new )?data\b/gi },
  {
    kind: 'repository',
    pattern:
      /\b(?:Image Data Resource|BioImage Archive|BioStudies|Electron Microscopy Public Image Archive|Broad Bioimage Benchmark Collection|Cell Image Library|EMDataResource|Protein Data Bank|Zenodo|figshare|Dryad|Mendeley Data|Dataverse|Open Science Framework|Gene Expression Omnibus|ArrayExpress|European Nucleotide Archive|Sequence Read Archive|GitHub|Software Heritage)\b/gi,
  },
  // Acronyms only in capitals: "geo" or "ena" in running text are not repositories.
  { kind: 'repository', pattern: /\b(?:IDR|EMPIAR|BBBC|SSBD|EMDB|PDB|OSF|GEO|PRIDE|ENA|SRA)\b/g },
];

/**
 * What a data availability statement offers, judged from its words: `specific` when it names an identifier or a
 * repository; otherwise `on-request`, `in-supplement`, `not-applicable` (in that order when several match), else
 * `none`. `matched` lists every phrase found, so a specific statement that also says "on request" shows it.
 */
export function classifyStatement(text: string): StatementClassification {
  const matched: Array<StatementPhrase & { index: number }> = [];
  for (const identifier of extractIdentifiers(text)) {
    matched.push({ kind: 'identifier', text: identifier.raw, index: text.indexOf(identifier.raw) });
  }
  const identifierSpans = matched.map(({ index, text: raw }) => [index, index + raw.length] as const);
  for (const { kind, pattern } of PHRASES) {
    for (const match of text.matchAll(pattern)) {
      // "EMPIAR" inside "EMPIAR-10001" is the identifier already listed, not a second finding.
      if (identifierSpans.some(([start, end]) => match.index >= start && match.index < end)) continue;
      matched.push({ kind, text: match[0], index: match.index });
    }
  }
  matched.sort((a, b) => a.index - b.index);
  const has = (kind: StatementPhrase['kind']): boolean => matched.some((phrase) => phrase.kind === kind);
  const category: StatementCategory =
    has('identifier') || has('repository')
      ? 'specific'
      : has('on-request')
        ? 'on-request'
        : has('in-supplement')
          ? 'in-supplement'
          : has('not-applicable')
            ? 'not-applicable'
            : 'none';
  return { category, matched: matched.map(({ kind, text: phrase }) => ({ kind, text: phrase })) };
}

export interface StatementAssessment extends StatementClassification {
  /** From the statement and the request's `identifiers[]`, each once. */
  identifiers: ExtractedIdentifier[];
  unparseable: string[];
  findings: Finding[];
}

/** Checks 1 and 2 of credit-and-compliance.md §7: the statement, and the identifiers it and the request name. */
export function assessStatement(
  profile: VerificationProfile,
  statement: string,
  extraIdentifiers: readonly string[] = [],
): StatementAssessment {
  const classification = classifyStatement(statement);
  const identifiers = extractIdentifiers(statement);
  const unparseable: string[] = [];
  for (const extra of extraIdentifiers) {
    const parsed = parseIdentifier(extra);
    if (parsed === null) unparseable.push(extra);
    else if (!identifiers.some((known) => known.type === parsed.type && known.value === parsed.value)) {
      identifiers.push(parsed);
    }
  }

  const findings: Finding[] = [];
  const add = (code: FindingCode, message: string): void => {
    findings.push(finding(profile, code, message));
  };
  const phrases = (kind: StatementPhrase['kind']): string =>
    classification.matched
      .filter((phrase) => phrase.kind === kind)
      .map((phrase) => `"${phrase.text}"`)
      .join(', ');

  if (statement.trim() === '') {
    add('STATEMENT_MISSING', 'No data availability statement was given.');
  } else {
    switch (classification.category) {
      case 'specific':
        add('STATEMENT_OK', 'The statement names where the data are.');
        if (phrases('on-request') !== '') {
          add('STATEMENT_PARTLY_ON_REQUEST', `Part of the data is offered only on request (${phrases('on-request')}).`);
        }
        break;
      case 'on-request':
        add('STATEMENT_ON_REQUEST_ONLY', `Data are offered only on request (${phrases('on-request')}).`);
        break;
      case 'in-supplement':
        add(
          'STATEMENT_SUPPLEMENT_ONLY',
          `Data are said to be in the article or its supplement (${phrases('in-supplement')}).`,
        );
        break;
      case 'not-applicable':
        add('STATEMENT_NOT_APPLICABLE', `The statement says no data apply (${phrases('not-applicable')}); confirm.`);
        break;
      case 'none':
        add('STATEMENT_NOT_SPECIFIC', 'The statement names no repository, identifier or access route.');
        break;
    }
  }
  if (identifiers.length === 0 && classification.category !== 'not-applicable') {
    add('IDENTIFIER_NONE_FOUND', 'No DOI, accession or URL was found in the statement or the identifiers given.');
  }
  for (const value of unparseable) {
    add('IDENTIFIER_UNPARSEABLE', `"${value}" is not a DOI, a known accession or an http(s) URL.`);
  }
  return { ...classification, identifiers, unparseable, findings };
}

// --- per identifier ----------------------------------------------------------------------------------------

export interface IdentifierAssessmentInput {
  identifier: string;
  type: IdentifierType;
  /** Known to the ledger. */
  found: boolean;
  /** Resolves outside the ledger (checked by the caller); unknown when null. */
  resolves?: boolean | null;
  /** The DOI's DataCite state, from the ledger or a DataCite lookup. */
  doiState?: DoiState | null;
  withdrawn?: boolean | null;
  /** SPDX id. */
  license?: string | null;
  embargoUntil?: string | null;
  expectedPublicationDate?: string | null;
  submittedAt?: string | null;
  /** REMBI fields still missing from the dataset's metadata. */
  rembiComplete?: { missing: string[] } | null;
  /** A private review link or similar exists while the data are not public. */
  reviewerAccess?: boolean | null;
  /** A dataset–article relation exists (DataCite IsSupplementTo/IsCitedBy, a ledger reuse or figure link). */
  relationPresent?: boolean | null;
  /** The data are images, so an image archive is the expected home. */
  imageData?: boolean | null;
  /** The ledger dataset's archive accession, if any. */
  accession?: string | null;
}

/** Checks 3 to 7 of credit-and-compliance.md §7 for one identifier. */
export function assessIdentifier(profile: VerificationProfile, item: IdentifierAssessmentInput): Finding[] {
  const findings: Finding[] = [];
  const add = (code: FindingCode, message: string): void => {
    findings.push(finding(profile, code, message));
  };
  const name = item.identifier;
  const resolvesElsewhere = item.resolves === true || item.doiState === 'findable' || item.doiState === 'registered';

  if (item.found) {
    add('IDENTIFIER_RESOLVES', `${name} is recorded in the ledger.`);
  } else if (resolvesElsewhere) {
    add(
      'IDENTIFIER_NOT_IN_LEDGER',
      `${name} resolves but is not recorded in the ledger, so reuse of it is not tracked.`,
    );
  } else {
    add('IDENTIFIER_NOT_FOUND', `${name} is neither in the ledger nor known to resolve.`);
    return findings;
  }

  const submittedDay = utcDay(item.submittedAt);
  const embargoDay = utcDay(item.embargoUntil);
  const publicationDay = utcDay(item.expectedPublicationDate);
  const embargoAfterPublication = embargoDay !== null && publicationDay !== null && embargoDay > publicationDay;
  const embargoAtSubmission = embargoDay !== null && submittedDay !== null && embargoDay > submittedDay;

  if (item.withdrawn === true) {
    add('DATASET_WITHDRAWN', `${name} has been withdrawn.`);
  } else if (item.type === 'doi' && item.doiState) {
    switch (item.doiState) {
      case 'findable':
        add('DOI_FINDABLE', `${name} is findable in DataCite.`);
        break;
      case 'registered':
        add(
          'DOI_REGISTERED_NOT_FINDABLE',
          `${name} resolves but is hidden from the DataCite index (state registered).`,
        );
        break;
      case 'draft':
        add('DOI_DRAFT', `${name} is a draft DOI and does not resolve.`);
        break;
      case 'none':
      case 'pending':
      case 'failed':
        add('DOI_NOT_REGISTERED', `${name} is not registered with DataCite (state ${item.doiState}).`);
        break;
    }
  } else if (isAccession(item.type) && !embargoAtSubmission && !embargoAfterPublication) {
    add('ACCESSION_PUBLIC', `${name} is a public archive accession.`);
  }

  if (item.license) {
    if (isOpenLicense(item.license)) add('LICENSE_OPEN', `${item.license} is an open licence.`);
    else add('LICENSE_NOT_OPEN', `${item.license} is not an open licence (non-commercial, no-derivatives or unknown).`);
  } else if (item.found) {
    add('LICENSE_MISSING', `${name} has no licence.`);
  }

  if (embargoAfterPublication) {
    add(
      'EMBARGO_AFTER_PUBLICATION',
      `The embargo on ${name} ends ${embargoDay}, after the expected publication ${publicationDay}.`,
    );
  } else if (embargoAtSubmission) {
    add(
      'EMBARGO_ACTIVE_AT_SUBMISSION',
      `The embargo on ${name} runs until ${embargoDay}, after submission on ${submittedDay}.`,
    );
  }
  const notPublicYet =
    embargoAfterPublication ||
    embargoAtSubmission ||
    // A registered DOI resolves (only the index hides it); draft, none, pending and failed do not.
    (item.type === 'doi' && !!item.doiState && item.doiState !== 'findable' && item.doiState !== 'registered');
  if (notPublicYet && item.withdrawn !== true) {
    if (item.reviewerAccess === true) add('REVIEWER_ACCESS_PROVIDED', `Reviewers can access ${name} before release.`);
    else add('REVIEWER_ACCESS_MISSING', `${name} is not public yet and no reviewer access is recorded.`);
  }

  if (item.rembiComplete) {
    const missing = item.rembiComplete.missing;
    if (missing.length > 0) add('METADATA_INCOMPLETE', `REMBI metadata missing: ${missing.join(', ')}.`);
    else add('METADATA_COMPLETE', 'REMBI metadata complete.');
  }
  if (item.relationPresent === true) add('RELATION_PRESENT', `${name} is linked to the article.`);
  else if (item.relationPresent === false) add('RELATION_MISSING', `No relation links ${name} to the article.`);

  if (item.imageData === true && !isInImageArchive(item)) {
    add(
      'REPOSITORY_NOT_DOMAIN_SPECIFIC',
      `${name} holds images outside an image archive (IDR, BioImage Archive, EMPIAR).`,
    );
  }
  return findings;
}

const SEVERITY_RANK: Record<Severity, number> = { pass: 0, warn: 1, fail: 2 };

/** The worst severity among the findings; `pass` when there are none. */
export function verdictOf(findings: readonly Pick<Finding, 'severity'>[]): Severity {
  return findings.reduce<Severity>(
    (worst, { severity }) => (SEVERITY_RANK[severity] > SEVERITY_RANK[worst] ? severity : worst),
    'pass',
  );
}

function finding(profile: VerificationProfile, code: FindingCode, message: string): Finding {
  return { code, severity: profile.severities[code], message };
}

function isAccession(type: IdentifierType): boolean {
  return type === 'idr' || type === 'bioimage-archive' || type === 'empiar' || type === 'bbbc';
}

// IDR DOIs use prefix 10.17867; BioImage Archive and EMPIAR DOIs are 10.6019/<accession> (provenance.md §7).
const IMAGE_ARCHIVE_DOI = /^10\.(?:17867\/|6019\/(?:s-biad|s-bsst|empiar-))/;
const IMAGE_ARCHIVE_HOSTS = ['idr.openmicroscopy.org', 'bbbc.broadinstitute.org'];
const EBI_IMAGE_PATHS = /^\/(?:bioimage-archive|biostudies\/bioimages|empiar|emdb\/empiar)\b/;

function isInImageArchive(item: IdentifierAssessmentInput): boolean {
  if (isAccession(item.type)) return true;
  const accession = item.accession ? parseIdentifier(item.accession) : null;
  if (accession !== null && isAccession(accession.type)) return true;
  if (item.type === 'doi') return IMAGE_ARCHIVE_DOI.test(normalizeDoi(item.identifier) ?? '');
  if (item.type === 'url') {
    try {
      const url = new URL(item.identifier);
      return (
        IMAGE_ARCHIVE_HOSTS.includes(url.hostname) ||
        (url.hostname === 'www.ebi.ac.uk' && EBI_IMAGE_PATHS.test(url.pathname))
      );
    } catch {
      return false;
    }
  }
  return false;
}

function utcDay(value: string | null | undefined): string | null {
  if (!value) return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString().slice(0, 10);
}
