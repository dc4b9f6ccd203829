import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '../../core/database/bigint.transformer.js';
import type { DatasetMetrics } from '../dataset-metrics.rules.js';
import type { DatasetCreditSummary, RowCreditExplanation } from '../transitive-credit.rules.js';

export interface CachedCredit {
  summary: DatasetCreditSummary;
  explanation: RowCreditExplanation;
}

/**
 * Metrics and credit of one dataset as the recompute job last computed them. A cache: everything here can be
 * recomputed from the ledger (`npm run credit:recompute`), so it carries no ledger entry of its own.
 */
// On (metrics->'cohort'->>'key', policy_hash): a cohort's cached members. Made by its migration, left alone by sync.
@Index('dataset_metrics_cohort_idx', { synchronize: false })
@Entity({ name: 'dataset_metrics' })
export class DatasetMetricsEntity {
  @PrimaryColumn({ name: 'dataset_id', type: 'uuid' })
  datasetId: string;

  @Column({ type: 'jsonb' })
  metrics: DatasetMetrics;

  @Column({ type: 'jsonb' })
  credit: CachedCredit;

  @Column({ name: 'policy_version', type: 'text' })
  policyVersion: string;

  /** SHA-256 of the policy's canonical JSON: a row computed under another policy is not served. */
  @Column({ name: 'policy_hash', type: 'text' })
  policyHash: string;

  /** Ledger size the inputs were read at. */
  @Column({ name: 'tree_size', type: 'bigint', transformer: bigintTransformer })
  treeSize: bigint;

  @Column({ name: 'computed_at', type: 'timestamptz' })
  computedAt: Date;
}
