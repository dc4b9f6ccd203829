import { ReceiptDto } from '../../core/http/receipt.dto.js';
import type {
  DoiState,
  IdentifierType,
  Severity,
  StatementCategory,
  VerificationPolicy,
} from '../verifications.rules.js';
import type { SignatureCheck } from '../verification-report.rules.js';
import type { VerificationEntity } from '../entities/verification.entity.js';

export class FindingDto {
  /** Stable UPPER_SNAKE reason code (credit-and-compliance.md §7). */
  code: string;
  severity: Severity;
  message: string;
}

export class VerificationItemDto {
  /** Normalised identifier: bare lower-case DOI, accession or URL. */
  identifier: string;
  identifierType: IdentifierType;
  raw: string;
  /** Known to the ledger (a dataset or a publication). */
  found: boolean;
  dataset: string | null;
  publication: string | null;
  doiState: DoiState | null;
  license: string | null;
  openLicense: boolean | null;
  embargoUntil: string | null;
  findings: FindingDto[];
}

export class ReportSignatureDto {
  algorithm: 'ed25519';
  /** GET /v1/ledger/public-key `keyId`. */
  keyId: string;
  /** Base64 Ed25519 signature over the RFC 8785 JSON of the report without `signature` and `receipt`. */
  value: string;
}

export class VerificationProfileDto {
  id: VerificationPolicy;
  summary: string;
}

export class StatementPhraseDto {
  /** identifier, repository, on-request, in-supplement or not-applicable. */
  kind: string;
  text: string;
}

export class VerificationReportDto {
  type: string;
  version: string;
  id: string;
  manuscriptId: string;
  journal: string | null;
  policy: VerificationPolicy;
  profile: VerificationProfileDto;
  statement: string;
  statementCategory: StatementCategory;
  statementPhrases: StatementPhraseDto[];
  statementFindings: FindingDto[];
  items: VerificationItemDto[];
  /** Worst severity over all findings. */
  verdict: Severity;
  submittedAt: string;
  expectedPublicationDate: string | null;
  articleDoi: string | null;
  /** The report this one supersedes for the same manuscript. */
  previous: string | null;
  issuedAt: string;
  issuer: string;
  ledgerTreeSize: string;
  signature: ReportSignatureDto;
  /** The `verification.issued` entry (it records the report's SHA-256). */
  receipt: ReceiptDto;
}

export class SignatureVerificationDto {
  verified: boolean;
  check: SignatureCheck;
  keyId: string;
  /** Hex SHA-256 of the signed bytes: compare with the `verification.issued` entry's `reportHash`. */
  reportHash: string | null;
}

export function toVerificationReportDto(row: VerificationEntity): VerificationReportDto {
  return { ...row.report, signature: { ...row.signature }, receipt: { ...row.receipt } };
}
