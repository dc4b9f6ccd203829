import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A graph node whose metrics may have changed, written in the transaction that changed it. The recompute job reads
 * the marks, recomputes the affected part of the credit graph and deletes exactly the marks it saw, so a change
 * committed while it runs is picked up by the next run (a job payload would be overwritten when jobs coalesce).
 */
@Entity({ name: 'metrics_dirty_nodes' })
export class MetricsDirtyNodeEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Column({ name: 'node_id', type: 'uuid' })
  nodeId: string;

  @CreateDateColumn({ name: 'marked_at', type: 'timestamptz' })
  markedAt: Date;
}
