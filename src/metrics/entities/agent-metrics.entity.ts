import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '../../core/database/bigint.transformer.js';
import type { AgentMetrics } from '../agent-metrics.rules.js';

/** A person's metrics over the datasets they created, as the recompute job last computed them (a cache). */
@Entity({ name: 'agent_metrics' })
export class AgentMetricsEntity {
  @PrimaryColumn({ name: 'agent_id', type: 'uuid' })
  agentId: string;

  @Column({ type: 'jsonb' })
  metrics: AgentMetrics;

  @Column({ name: 'policy_version', type: 'text' })
  policyVersion: string;

  @Column({ name: 'policy_hash', type: 'text' })
  policyHash: string;

  @Column({ name: 'tree_size', type: 'bigint', transformer: bigintTransformer })
  treeSize: bigint;

  @Column({ name: 'computed_at', type: 'timestamptz' })
  computedAt: Date;
}
