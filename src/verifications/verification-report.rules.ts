import { createHash, createPublicKey, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { canonicalizeJson } from '../ledger/ledger.rules.js';
import { isOpenLicense } from '../datasets/datasets.rules.js';
import { verdictOf } from './verifications.rules.js';
import type {
  DoiState,
  ExtractedIdentifier,
  Finding,
  IdentifierAssessmentInput,
  IdentifierType,
  Severity,
  StatementAssessment,
  StatementCategory,
  StatementPhrase,
  VerificationPolicy,
  VerificationProfile,
} from './verifications.rules.js';

// From lookups to a signed report (credit-and-compliance.md §7). verifications.rules.ts judges statements and
// identifiers; this file decides what the ledger's facts mean for them, assembles the report and signs it.

export const REPORT_TYPE = 'DataAvailabilityVerification';
export const REPORT_VERSION = 'verification-1';

/** Dataset facts a verification reads from the ledger. */
export interface LedgerDatasetFacts {
  id: string;
  kind: 'image' | 'derived';
  title: string;
  creators: readonly string[];
  license: string;
  organism: string | null;
  imagingMethod: string | null;
  derivedFrom: readonly string[];
  generatedBy: { method?: string; software?: { name: string } } | null;
  accession: string | null;
  doi: string | null;
  doiState: DoiState;
  embargoUntil: string | null;
  withdrawn: boolean;
}

/**
 * The minimum REMBI (Sarkans et al., Nat Methods 2021) metadata this service can check on its own records. Image
 * data: Study (title, authors, licence), Biosample (organism) and Image Acquisition (imaging method). Derived data:
 * Study, plus Analysed Data (what it came from and how it was produced).
 */
export function missingRembiFields(dataset: LedgerDatasetFacts): string[] {
  const missing: string[] = [];
  if (dataset.title.trim() === '') missing.push('title');
  if (dataset.creators.length === 0) missing.push('creators');
  if (dataset.license.trim() === '') missing.push('license');
  if (dataset.kind === 'image') {
    if (!dataset.organism) missing.push('organism');
    if (!dataset.imagingMethod) missing.push('imagingMethod');
  } else {
    if (dataset.derivedFrom.length === 0) missing.push('derivedFrom');
    if (!dataset.generatedBy?.method && !dataset.generatedBy?.software) missing.push('generatedBy');
  }
  return missing;
}

/** A ledger dataset as the lookup returns it, before choosing. */
export interface DatasetCandidate {
  id: string;
  doi: string | null;
  accession: string | null;
  withdrawn: boolean;
  /** ISO timestamp of the deposit. */
  createdAt: string;
}

/**
 * Which of the datasets an identifier may name is meant: the one whose own DOI it is, else one that is not
 * withdrawn, newest first (versions share an accession), id as the last tie-break.
 */
export function pickDatasetMatch<T extends DatasetCandidate>(
  identifier: ExtractedIdentifier,
  candidates: readonly T[],
): { dataset: T; ownDoi: boolean } | null {
  if (candidates.length === 0) return null;
  const own =
    identifier.type === 'doi'
      ? candidates.find((c) => c.doi !== null && c.doi.toLowerCase() === identifier.value)
      : undefined;
  if (own) return { dataset: own, ownDoi: true };
  const sorted = [...candidates].sort(
    (a, b) =>
      Number(a.withdrawn) - Number(b.withdrawn) ||
      (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return { dataset: sorted[0], ownDoi: false };
}

const UUID_IN_PATH =
  /^\/(?:id|v1\/datasets|v1\/nodes)\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i;

/** The dataset id in one of this service's own URLs (PUBLIC_BASE_URL/id/<uuid>, /v1/datasets/<uuid>); else null. */
export function datasetIdFromUrl(url: string, publicBaseUrl: string): string | null {
  let parsed: URL;
  let base: URL;
  try {
    parsed = new URL(url);
    base = new URL(publicBaseUrl);
  } catch {
    return null;
  }
  if (parsed.origin !== base.origin) return null;
  const prefix = base.pathname.replace(/\/$/, '');
  if (!parsed.pathname.startsWith(prefix)) return null;
  return UUID_IN_PATH.exec(parsed.pathname.slice(prefix.length))?.[1]?.toLowerCase() ?? null;
}

/** A submission or publication date: YYYY-MM-DD (kept as is) or an RFC 3339 timestamp (as ISO UTC); else null. */
export function normalizeReportDate(value: string): string | null {
  const trimmed = value.trim();
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed);
  if (day) {
    const date = new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])));
    return date.toISOString().slice(0, 10) === trimmed ? trimmed : null;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/i.test(trimmed)) return null;
  const ms = Date.parse(trimmed);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** What the ledger knows about one identifier. */
export type IdentifierMatch =
  | {
      kind: 'dataset';
      dataset: LedgerDatasetFacts;
      /** The identifier is the DOI this service minted for the dataset (so its DataCite state is ours to report). */
      ownDoi: boolean;
      /** A dataset-article relation is recorded; null when no article is named. */
      relationPresent: boolean | null;
      /** A private review link was given for it. */
      reviewerAccess: boolean | null;
    }
  | { kind: 'publication'; publication: { id: string; doi: string | null } }
  | { kind: 'none' };

export interface ReportItem {
  identifier: string;
  identifierType: IdentifierType;
  /** As written in the statement or the request. */
  raw: string;
  found: boolean;
  dataset: string | null;
  publication: string | null;
  doiState: DoiState | null;
  license: string | null;
  openLicense: boolean | null;
  embargoUntil: string | null;
  findings: Finding[];
}

/** Profiles that need every identifier verifiable at decision time (PLOS, Cell Press STAR Methods). */
const STRICT_PROFILES: readonly VerificationPolicy[] = ['plos', 'cell-press'];

/**
 * An identifier the ledger does not know. The service never calls resolvers during a request, so it cannot say
 * the identifier resolves: strict profiles fail it (IDENTIFIER_NOT_FOUND), the others warn that it is outside the
 * ledger (IDENTIFIER_NOT_IN_LEDGER). Never passed silently.
 */
export function assessUnknownIdentifier(profile: VerificationProfile, identifier: ExtractedIdentifier): Finding[] {
  if (STRICT_PROFILES.includes(profile.id)) {
    return [
      {
        code: 'IDENTIFIER_NOT_FOUND',
        severity: profile.severities.IDENTIFIER_NOT_FOUND,
        message: `${identifier.value} is not recorded in the ledger and could not be verified (the ${profile.id} profile needs verifiable data).`,
      },
    ];
  }
  return [
    {
      code: 'IDENTIFIER_NOT_IN_LEDGER',
      severity: profile.severities.IDENTIFIER_NOT_IN_LEDGER,
      message: `${identifier.value} is not recorded in the ledger: whether it resolves was not checked, and reuse of it is not tracked.`,
    },
  ];
}

/** A publication DOI in a data statement points at an article, not at data: found, but no data checks apply. */
export function assessPublicationIdentifier(profile: VerificationProfile, identifier: ExtractedIdentifier): Finding[] {
  return [
    {
      code: 'IDENTIFIER_RESOLVES',
      severity: profile.severities.IDENTIFIER_RESOLVES,
      message: `${identifier.value} is a publication recorded in the ledger, not a dataset.`,
    },
  ];
}

/** The input assessIdentifier needs for a ledger dataset. */
export function datasetAssessmentInput(
  identifier: ExtractedIdentifier,
  match: Extract<IdentifierMatch, { kind: 'dataset' }>,
  dates: { submittedAt: string; expectedPublicationDate: string | null },
): IdentifierAssessmentInput {
  const d = match.dataset;
  return {
    identifier: identifier.value,
    type: identifier.type,
    found: true,
    // An archive DOI recorded beside the dataset (10.6019/S-BIAD…) is the archive's: its DataCite state is not ours.
    doiState: identifier.type === 'doi' ? (match.ownDoi ? d.doiState : null) : null,
    withdrawn: d.withdrawn,
    license: d.license,
    embargoUntil: d.embargoUntil,
    expectedPublicationDate: dates.expectedPublicationDate,
    submittedAt: dates.submittedAt,
    rembiComplete: { missing: missingRembiFields(d) },
    reviewerAccess: match.reviewerAccess,
    relationPresent: match.relationPresent,
    imageData: d.kind === 'image',
    accession: d.accession,
  };
}

/** One report item from an identifier, what the ledger knows and the findings about it. */
export function buildReportItem(
  identifier: ExtractedIdentifier,
  match: IdentifierMatch,
  findings: Finding[],
): ReportItem {
  const dataset = match.kind === 'dataset' ? match.dataset : null;
  return {
    identifier: identifier.value,
    identifierType: identifier.type,
    raw: identifier.raw,
    found: match.kind !== 'none',
    dataset: dataset?.id ?? null,
    publication: match.kind === 'publication' ? match.publication.id : null,
    // Our DataCite state, except for an archive DOI recorded beside the dataset (its state is the archive's).
    doiState: match.kind === 'dataset' && !(identifier.type === 'doi' && !match.ownDoi) ? match.dataset.doiState : null,
    license: dataset?.license ?? null,
    openLicense: dataset ? isOpenLicense(dataset.license) : null,
    embargoUntil: dataset?.embargoUntil ?? null,
    findings,
  };
}

export interface VerificationReport {
  type: typeof REPORT_TYPE;
  version: string;
  id: string;
  manuscriptId: string;
  journal: string | null;
  policy: VerificationPolicy;
  profile: { id: VerificationPolicy; summary: string };
  statement: string;
  statementCategory: StatementCategory;
  statementPhrases: StatementPhrase[];
  statementFindings: Finding[];
  items: ReportItem[];
  verdict: Severity;
  submittedAt: string;
  expectedPublicationDate: string | null;
  articleDoi: string | null;
  /** The report this one supersedes (same manuscript, same journal key). */
  previous: string | null;
  issuedAt: string;
  /** The service that issued it (its public base URL). */
  issuer: string;
  /** The ledger size the lookups saw: the facts behind the report are entries below it. */
  ledgerTreeSize: string;
}

export interface ReportFrame {
  id: string;
  manuscriptId: string;
  journal: string | null;
  profile: VerificationProfile;
  statement: string;
  submittedAt: string;
  expectedPublicationDate: string | null;
  articleDoi: string | null;
  previous: string | null;
  issuedAt: string;
  issuer: string;
  ledgerTreeSize: string;
}

/** The report: verdict = worst severity over the statement's and every item's findings. */
export function assembleReport(
  frame: ReportFrame,
  statement: StatementAssessment,
  items: ReportItem[],
): VerificationReport {
  return {
    type: REPORT_TYPE,
    version: REPORT_VERSION,
    id: frame.id,
    manuscriptId: frame.manuscriptId,
    journal: frame.journal,
    policy: frame.profile.id,
    profile: { id: frame.profile.id, summary: frame.profile.summary },
    statement: frame.statement,
    statementCategory: statement.category,
    statementPhrases: statement.matched,
    statementFindings: statement.findings,
    items,
    verdict: verdictOf([...statement.findings, ...items.flatMap((i) => i.findings)]),
    submittedAt: frame.submittedAt,
    expectedPublicationDate: frame.expectedPublicationDate,
    articleDoi: frame.articleDoi,
    previous: frame.previous,
    issuedAt: frame.issuedAt,
    issuer: frame.issuer,
    ledgerTreeSize: frame.ledgerTreeSize,
  };
}

// --- signature ---------------------------------------------------------------------------------------------

export interface ReportSignature {
  algorithm: 'ed25519';
  /** The ledger key id (GET /v1/ledger/public-key `keyId`). */
  keyId: string;
  /** Base64 Ed25519 signature (RFC 8032) over the signing bytes. */
  value: string;
}

/** Members added around the signed document, never signed themselves. */
const UNSIGNED_MEMBERS = ['signature', 'receipt'];

/**
 * What is signed: the UTF-8 RFC 8785 canonical JSON of the report without `signature` and `receipt` (the receipt
 * is issued after signing and proves the report existed at decision time).
 */
export function reportSigningBytes(document: Readonly<Record<string, unknown>>): Buffer {
  const signed = Object.fromEntries(Object.entries(document).filter(([key]) => !UNSIGNED_MEMBERS.includes(key)));
  return Buffer.from(canonicalizeJson(signed), 'utf8');
}

/** Hex SHA-256 of the signing bytes: what the `verification.issued` ledger entry records. */
export function hashReport(document: Readonly<Record<string, unknown>>): string {
  return createHash('sha256').update(reportSigningBytes(document)).digest('hex');
}

export function signReport(
  document: Readonly<Record<string, unknown>>,
  privateKey: KeyObject,
  keyId: string,
): ReportSignature {
  return {
    algorithm: 'ed25519',
    keyId,
    value: sign(null, reportSigningBytes(document), privateKey).toString('base64'),
  };
}

export type SignatureCheck =
  | 'SIGNATURE_VALID'
  | 'SIGNATURE_MISSING'
  | 'ALGORITHM_UNSUPPORTED'
  | 'KEY_UNKNOWN'
  | 'SIGNATURE_INVALID'
  | 'DOCUMENT_INVALID';

/**
 * Offline verification, as any holder of a report can do it: take the public key from GET /v1/ledger/public-key
 * (raw 32-byte Ed25519, base64), drop `signature` and `receipt`, canonicalise with RFC 8785, and check the
 * Ed25519 signature. `keyId`, when given, must match the signature's.
 */
export function verifyReportSignature(
  document: Readonly<Record<string, unknown>>,
  publicKeyRaw: Buffer,
  keyId?: string,
): { verified: boolean; check: SignatureCheck } {
  const signature = document.signature;
  if (typeof signature !== 'object' || signature === null) return { verified: false, check: 'SIGNATURE_MISSING' };
  const { algorithm, keyId: signedKeyId, value } = signature as Record<string, unknown>;
  if (algorithm !== 'ed25519') return { verified: false, check: 'ALGORITHM_UNSUPPORTED' };
  if (keyId !== undefined && signedKeyId !== keyId) return { verified: false, check: 'KEY_UNKNOWN' };
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]{86}==$/.test(value))
    return { verified: false, check: 'SIGNATURE_INVALID' };
  let bytes: Buffer;
  try {
    bytes = reportSigningBytes(document);
  } catch {
    return { verified: false, check: 'DOCUMENT_INVALID' };
  }
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: publicKeyRaw.toString('base64url') },
    format: 'jwk',
  });
  const ok = verify(null, bytes, key, Buffer.from(value, 'base64'));
  return ok ? { verified: true, check: 'SIGNATURE_VALID' } : { verified: false, check: 'SIGNATURE_INVALID' };
}
