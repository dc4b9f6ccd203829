import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { Relation as OrmRelation } from 'typeorm';
import { bigintTransformer } from '../../core/database/bigint.transformer.js';
import type { Relation } from '../graph.vocabulary.js';
import { GraphNodeEntity } from './graph-node.entity.js';

export type EdgeStatus = 'active' | 'retracted';

/** A typed edge source --relation--> target; each one is its own ledger entry (`edge.created`). */
@Entity({ name: 'graph_edges' })
@Index('graph_edges_unique', ['sourceId', 'relation', 'targetId'], { unique: true })
@Index('graph_edges_target_idx', ['targetId', 'relation'])
export class GraphEdgeEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'source_id', type: 'uuid' })
  sourceId: string;

  @ManyToOne(() => GraphNodeEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'source_id' })
  source?: OrmRelation<GraphNodeEntity>;

  @Column({ type: 'text' })
  relation: Relation;

  @Column({ name: 'target_id', type: 'uuid' })
  targetId: string;

  @ManyToOne(() => GraphNodeEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'target_id' })
  target?: OrmRelation<GraphNodeEntity>;

  /** Edge qualifiers (role, credit share, reuse id …). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  properties: Record<string, unknown>;

  @Column({ type: 'text', default: 'active' })
  status: EdgeStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'ledger_seq', type: 'bigint', transformer: bigintTransformer })
  ledgerSeq: bigint;
}
