import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { Relation as OrmRelation } from 'typeorm';
import type { ValueTransformer } from 'typeorm';
import { bigintTransformer } from '../../core/database/bigint.transformer.js';
import { DatasetEntity } from '../../datasets/entities/dataset.entity.js';

/** int8 columns whose values stay within 2^53 (OMERO ids, byte sizes) as plain numbers. */
const numberTransformer: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/**
 * One image of a dataset (an OMERO image, a file, an OME-Zarr multiscale image). Its id is also its graph node id
 * (type ImagePart, linked dataset --hasPart--> image); credit for it accrues to the dataset that holds it.
 */
@Entity({ name: 'image_parts' })
@Index('image_parts_dataset_key', ['datasetId', 'key'], { unique: true })
@Index('image_parts_dataset_seq_idx', ['datasetId', 'ledgerSeq'])
export class ImagePartEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'dataset_id', type: 'uuid' })
  datasetId: string;

  @ManyToOne(() => DatasetEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'dataset_id' })
  dataset?: OrmRelation<DatasetEntity>;

  /** Identity within the dataset: JSON of [omeroId, uri, path] (re-registering it is a no-op). */
  @Column({ type: 'text' })
  key: string;

  @Column({ name: 'omero_id', type: 'bigint', nullable: true, transformer: numberTransformer })
  omeroId: number | null;

  @Column({ type: 'text', nullable: true })
  uri: string | null;

  @Column({ type: 'text', nullable: true })
  path: string | null;

  @Column({ type: 'text', nullable: true })
  sha256: string | null;

  @Column({ type: 'bigint', nullable: true, transformer: numberTransformer })
  size: number | null;

  @Column({ type: 'text', nullable: true })
  label: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** The image's `node.created` ledger entry; also the listing order. */
  @Column({ name: 'ledger_seq', type: 'bigint', transformer: bigintTransformer })
  ledgerSeq: bigint;
}
