import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { Relation as OrmRelation } from 'typeorm';
import { bigintTransformer } from '../../core/database/bigint.transformer.js';
import { PublicationEntity } from '../../publications/entities/publication.entity.js';
import type { DisputeOutcome, EvidenceLevel, ReuseStatus, ReuseType } from '../reuses.rules.js';

/**
 * A claim that a publication analysed datasets. Its id is also the id of its ReuseEvent graph node. Metrics read
 * this table with `reuse_datasets`: the literal values of `status`, `evidence` and `type` are part of that contract.
 */
@Entity({ name: 'reuses' })
@Index('reuses_publication_idx', ['publicationId'])
@Check('reuses_status_check', `"status" IN ('active', 'disputed', 'excluded')`)
@Check('reuses_evidence_check', `"evidence" IN ('asserted', 'curated')`)
@Check(
  'reuses_type_check',
  `"type" IN ('benchmarking', 'training', 'secondary-analysis', 'integration', 'replication')`,
)
export class ReuseEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'publication_id', type: 'uuid' })
  publicationId: string;

  @ManyToOne(() => PublicationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'publication_id' })
  publication?: OrmRelation<PublicationEntity>;

  @Column({ type: 'text' })
  type: ReuseType;

  /** `curated` when registered by a curator/admin or confirmed; `asserted` otherwise. */
  @Column({ type: 'text' })
  evidence: EvidenceLevel;

  /** `disputed` and `excluded` reuses stay visible but do not count. */
  @Column({ type: 'text', default: 'active' })
  status: ReuseStatus;

  @Column({ name: 'evidence_text', type: 'text', nullable: true })
  evidenceText: string | null;

  /** FigurePanel node ids given as evidence. */
  @Column({ name: 'figure_panels', type: 'uuid', array: true, default: () => "'{}'" })
  figurePanels: string[];

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** The `reuse.asserted` / `reuse.curated` entry. */
  @Column({ name: 'ledger_seq', type: 'bigint', transformer: bigintTransformer })
  ledgerSeq: bigint;

  @Column({ name: 'confirmed_at', type: 'timestamptz', nullable: true })
  confirmedAt: Date | null;

  @Column({ name: 'disputed_at', type: 'timestamptz', nullable: true })
  disputedAt: Date | null;

  @Column({ name: 'disputed_by', type: 'uuid', nullable: true })
  disputedBy: string | null;

  @Column({ name: 'dispute_reason', type: 'text', nullable: true })
  disputeReason: string | null;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  @Column({ name: 'resolved_outcome', type: 'text', nullable: true })
  resolvedOutcome: DisputeOutcome | null;
}
