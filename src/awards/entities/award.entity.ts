import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '../../core/database/bigint.transformer.js';
import type { AwardKind, NominationEvidence } from '../awards.rules.js';

/** A symbiont- or parasite-style recognition a curator granted, with the signed credential handed out for it. */
@Entity({ name: 'awards' })
@Index('awards_kind_agent_year_key', ['kind', 'agentId', 'year'], { unique: true })
@Index('awards_agent_idx', ['agentId'])
@Check('awards_kind_check', `"kind" IN ('symbiont', 'parasite')`)
export class AwardEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  kind: AwardKind;

  @Column({ name: 'agent_id', type: 'uuid' })
  agentId: string;

  @Column({ type: 'integer' })
  year: number;

  /** The curator's citation text, when given. */
  @Column({ type: 'text', nullable: true })
  citation: string | null;

  /** The nomination evidence the service recomputed when the award was granted. */
  @Column({ type: 'jsonb' })
  evidence: NominationEvidence;

  /** The evidence object the curator submitted, kept as given. */
  @Column({ name: 'submitted_evidence', type: 'jsonb' })
  submittedEvidence: Record<string, unknown>;

  /** The signed W3C Verifiable Credential (Open Badges 3.0 shape). */
  @Column({ type: 'jsonb' })
  credential: Record<string, unknown>;

  @Column({ name: 'granted_by', type: 'uuid', nullable: true })
  grantedBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** The `award.granted` entry. */
  @Column({ name: 'ledger_seq', type: 'bigint', transformer: bigintTransformer })
  ledgerSeq: bigint;
}
