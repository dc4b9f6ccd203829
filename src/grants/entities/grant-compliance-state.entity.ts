import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Relation as OrmRelation } from 'typeorm';
import { bigintTransformer } from '../../core/database/bigint.transformer.js';
import type { ComplianceStatus } from '../compliance.rules.js';
import { GrantEntity } from './grant.entity.js';

/**
 * The last status recorded for a grant (scope `grant`, data type '') or one of its planned data types (scope
 * `item`). A report computed for today that differs appends `compliance.status_changed` and moves this row.
 */
@Entity({ name: 'grant_compliance_states' })
@Check('grant_compliance_states_scope_check', `"scope" IN ('grant', 'item')`)
@Check('grant_compliance_states_status_check', `"status" IN ('compliant', 'due', 'overdue', 'not-yet-due')`)
export class GrantComplianceStateEntity {
  @PrimaryColumn({ name: 'grant_id', type: 'uuid' })
  grantId: string;

  @ManyToOne(() => GrantEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'grant_id' })
  grant?: OrmRelation<GrantEntity>;

  @PrimaryColumn({ type: 'text' })
  scope: 'grant' | 'item';

  @PrimaryColumn({ name: 'data_type', type: 'text' })
  dataType: string;

  @Column({ type: 'text' })
  status: ComplianceStatus;

  /** The day the status was computed for. */
  @Column({ name: 'as_of', type: 'date' })
  asOf: string;

  /** The `compliance.status_changed` entry that recorded it. */
  @Column({ name: 'ledger_seq', type: 'bigint', transformer: bigintTransformer })
  ledgerSeq: bigint;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
