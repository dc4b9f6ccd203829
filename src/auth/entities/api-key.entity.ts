import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { Relation } from 'typeorm';
import { AgentEntity } from '../../agents/entities/agent.entity.js';
import { bigintTransformer } from '../../core/database/bigint.transformer.js';

export type Role = 'admin' | 'curator' | 'depositor' | 'funder' | 'journal';
export const ROLES: readonly Role[] = ['admin', 'curator', 'depositor', 'funder', 'journal'];

/** An API key; only the SHA-256 of the token is stored, the token itself is shown once. */
@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'agent_id', type: 'uuid' })
  agentId: string;

  @ManyToOne(() => AgentEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'agent_id' })
  agent?: Relation<AgentEntity>;

  @Index('api_keys_token_hash_key', { unique: true })
  @Column({ name: 'token_hash', type: 'bytea' })
  tokenHash: Buffer;

  @Column({ type: 'text', array: true })
  roles: Role[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'ledger_seq', type: 'bigint', transformer: bigintTransformer })
  ledgerSeq: bigint;
}
