import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '../../core/database/bigint.transformer.js';
import type { NodeType } from '../graph.vocabulary.js';

/**
 * A node of the provenance graph. Datasets, figures, publications … keep their own tables keyed by the same id; this
 * row is what the graph, lineage, exports and credit read. Agents are nodes with the agent's id.
 */
@Entity({ name: 'graph_nodes' })
@Index('graph_nodes_type_idx', ['type'])
export class GraphNodeEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  /** Stable IRI: PUBLIC_BASE_URL/id/<uuid>, or its DOI / ORCID / ROR / accession IRI. */
  @Index('graph_nodes_iri_key', { unique: true })
  @Column({ type: 'text' })
  iri: string;

  @Column({ type: 'text' })
  type: NodeType;

  @Column({ type: 'text', nullable: true })
  label: string | null;

  /** Type-specific properties as plain JSON (what JSON-LD exports render). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  properties: Record<string, unknown>;

  /** When the work itself happened (publication issued, dataset released): awards judge `asOf` by this. */
  @Column({ name: 'occurred_at', type: 'timestamptz', nullable: true })
  occurredAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'ledger_seq', type: 'bigint', transformer: bigintTransformer })
  ledgerSeq: bigint;
}
