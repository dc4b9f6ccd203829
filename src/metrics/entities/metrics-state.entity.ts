import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One row (id 1): how many incremental recomputes have written rows. A worker that keeps the credit graph in memory
 * between jobs knows the count its graph is current at; a different count means another worker wrote since, and the
 * graph is rebuilt rather than trusted.
 */
@Entity({ name: 'metrics_state' })
export class MetricsStateEntity {
  @PrimaryColumn({ type: 'smallint' })
  id: number;

  @Column({ type: 'bigint' })
  generation: string;
}

/**
 * A dataset whose credit total is current but whose cached explanation (paths, exclusions) is not yet: the fast
 * recompute leaves it here for the explanation job, which walks the dataset's whole cone.
 */
@Entity({ name: 'metrics_unexplained' })
export class MetricsUnexplainedEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Column({ name: 'dataset_id', type: 'uuid' })
  datasetId: string;

  @CreateDateColumn({ name: 'marked_at', type: 'timestamptz' })
  markedAt: Date;
}
