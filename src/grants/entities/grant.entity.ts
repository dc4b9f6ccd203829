import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { Relation as OrmRelation } from 'typeorm';
import { AgentEntity } from '../../agents/entities/agent.entity.js';
import { bigintTransformer } from '../../core/database/bigint.transformer.js';
import type { FunderPolicyId } from '../compliance.rules.js';
import type { FunderIdentifierType } from '../grants.rules.js';

/** One planned data type of the data management (or outputs management) plan, as approved. */
export interface PlannedDataRecord {
  dataType: string;
  repository: string | null;
  /** A plan deadline (Horizon Europe) or an earlier institute/NOFO date (NIH). */
  dueDate: string | null;
}

/** A no-cost extension: the `grant.created` or `grant.extended` entry that moved the end of the period. */
export interface GrantExtensionRecord {
  end: string;
  seq: string;
}

/** A funded award. Its id is also its `Grant` graph node id (datasets name it in `grants`, DOIs read its node). */
@Entity({ name: 'grants' })
@Index('grants_funder_award_key', ['funderId', 'awardNumber'], { unique: true })
@Index('grants_pi_idx', ['piId'])
@Check('grants_policy_check', `"policy" IN ('nih-dms-2023', 'wellcome', 'horizon-europe')`)
@Check('grants_period_check', `"end_date" >= "start_date"`)
export class GrantEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  /** The funder organization (an agent). */
  @Column({ name: 'funder_id', type: 'uuid' })
  funderId: string;

  @ManyToOne(() => AgentEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'funder_id' })
  funder?: OrmRelation<AgentEntity>;

  /** https://ror.org/… or https://doi.org/10.13039/…; null when neither is known. */
  @Column({ name: 'funder_identifier', type: 'text', nullable: true })
  funderIdentifier: string | null;

  @Column({ name: 'funder_identifier_type', type: 'text', nullable: true })
  funderIdentifierType: FunderIdentifierType | null;

  @Column({ name: 'award_number', type: 'text' })
  awardNumber: string;

  @Column({ type: 'text', nullable: true })
  title: string | null;

  @Column({ name: 'pi_id', type: 'uuid' })
  piId: string;

  @ManyToOne(() => AgentEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'pi_id' })
  pi?: OrmRelation<AgentEntity>;

  @Column({ name: 'start_date', type: 'date' })
  start: string;

  /** The original end of the performance period; extensions never edit it (credit-and-compliance.md §6). */
  @Column({ name: 'end_date', type: 'date' })
  end: string;

  /** No-cost extensions in ledger order; the latest sets the effective end. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  extensions: GrantExtensionRecord[];

  @Column({ type: 'text' })
  policy: FunderPolicyId;

  @Column({ name: 'planned_data', type: 'jsonb', default: () => "'[]'" })
  plannedData: PlannedDataRecord[];

  /** NIH: the DMS policy applies to applications from 2023-01-25. */
  @Column({ name: 'application_date', type: 'date', nullable: true })
  applicationDate: string | null;

  /** Dataset id -> planned data type, as assigned with `POST /v1/grants/:id/outputs {dataType}`. */
  @Column({ name: 'output_data_types', type: 'jsonb', default: () => "'{}'" })
  outputDataTypes: Record<string, string>;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** The `grant.created` entry. */
  @Column({ name: 'ledger_seq', type: 'bigint', transformer: bigintTransformer })
  ledgerSeq: bigint;
}
