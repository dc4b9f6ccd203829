import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { Relation as OrmRelation } from 'typeorm';
import { bigintTransformer } from '../../core/database/bigint.transformer.js';
import { DatasetEntity } from '../../datasets/entities/dataset.entity.js';
import type { IndependenceAssessment, IndependenceLevel } from '../independence.rules.js';
import { ReuseEntity } from './reuse.entity.js';

/** One dataset of a reuse, with its independence from the publication as judged when the reuse was registered. */
@Entity({ name: 'reuse_datasets' })
@Index('reuse_datasets_dataset_idx', ['datasetId'])
@Check('reuse_datasets_level_check', `"level" IN ('independent', 'same-lab', 'co-authored')`)
export class ReuseDatasetEntity {
  @PrimaryColumn({ name: 'reuse_id', type: 'uuid' })
  reuseId: string;

  @ManyToOne(() => ReuseEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'reuse_id' })
  reuse?: OrmRelation<ReuseEntity>;

  @PrimaryColumn({ name: 'dataset_id', type: 'uuid' })
  datasetId: string;

  @ManyToOne(() => DatasetEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'dataset_id' })
  dataset?: OrmRelation<DatasetEntity>;

  /** Order the datasets were named in. */
  @Column({ type: 'integer' })
  position: number;

  @Column({ type: 'text' })
  level: IndependenceLevel;

  /** Why: the matched person, shared ROR or shared grant (assessIndependence's reason). */
  @Column({ type: 'jsonb' })
  reason: IndependenceAssessment['reason'];

  /**
   * The `edge.created` entry of publication --usesDataFrom--> dataset. Graph edges are unique per (source, relation,
   * target), so a second reuse of the same pair (another type) points at the entry the first one wrote.
   */
  @Column({ name: 'edge_ledger_seq', type: 'bigint', transformer: bigintTransformer })
  edgeLedgerSeq: bigint;
}
