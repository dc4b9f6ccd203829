import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintTransformer } from '../../core/database/bigint.transformer.js';

export type AgentKind = 'person' | 'organization';
export type CareerStage = 'trainee' | 'early-career' | 'established';

@Entity({ name: 'agents' })
@Index('agents_orcid_key', ['orcid'], { unique: true, where: 'orcid IS NOT NULL' })
@Index('agents_ror_key', ['ror'], { unique: true, where: 'ror IS NOT NULL' })
export class AgentEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  kind: AgentKind;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'given_name', type: 'text', nullable: true })
  givenName: string | null;

  @Column({ name: 'family_name', type: 'text', nullable: true })
  familyName: string | null;

  /** https://orcid.org/0000-0000-0000-000X, checksum-validated. */
  @Column({ type: 'text', nullable: true })
  orcid: string | null;

  /** https://ror.org/0xxxxxxxx */
  @Column({ type: 'text', nullable: true })
  ror: string | null;

  /** Organizations (agent ids) this person is affiliated with. */
  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  affiliations: string[];

  @Column({ name: 'career_stage', type: 'text', nullable: true })
  careerStage: CareerStage | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'ledger_seq', type: 'bigint', transformer: bigintTransformer })
  ledgerSeq: bigint;
}
