import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '../../core/database/bigint.transformer.js';
import type { Receipt } from '../../core/database/receipt.js';
import type { Severity, VerificationPolicy } from '../verifications.rules.js';
import type { ReportSignature, VerificationReport } from '../verification-report.rules.js';

/**
 * A signed data-availability verification report. `report` is exactly the signed document; the signature covers its
 * RFC 8785 form and the `verification.issued` ledger entry carries its SHA-256.
 */
@Entity({ name: 'verifications' })
@Index('verifications_manuscript_idx', ['manuscriptId', 'createdBy', 'createdAt'])
@Check('verifications_verdict_check', `"verdict" IN ('pass', 'warn', 'fail')`)
export class VerificationEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'manuscript_id', type: 'text' })
  manuscriptId: string;

  @Column({ type: 'text', nullable: true })
  journal: string | null;

  @Column({ type: 'text' })
  policy: VerificationPolicy;

  @Column({ type: 'text' })
  verdict: Severity;

  /** The earlier report for the same manuscript from the same journal key, if any. */
  @Column({ name: 'previous_id', type: 'uuid', nullable: true })
  previousId: string | null;

  @Column({ type: 'jsonb' })
  report: VerificationReport;

  /** Hex SHA-256 of the report's RFC 8785 canonical JSON. */
  @Column({ name: 'report_hash', type: 'text' })
  reportHash: string;

  @Column({ type: 'jsonb' })
  signature: ReportSignature;

  @Column({ type: 'jsonb' })
  receipt: Receipt;

  /** The journal key's agent (null with the admin token): only it, curators and admins may read the report. */
  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** The `verification.issued` entry. */
  @Column({ name: 'ledger_seq', type: 'bigint', transformer: bigintTransformer })
  ledgerSeq: bigint;
}
