import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '../../core/database/bigint.transformer.js';

export type DatasetKind = 'image' | 'derived';
export type DoiState = 'none' | 'pending' | 'draft' | 'registered' | 'findable' | 'failed';

export interface DatasetIdentifier {
  scheme: 'doi' | 'url' | 'accession';
  value: string;
}

export interface GeneratedBy {
  software?: { name: string; version?: string; url?: string };
  method?: string;
  parameters?: Record<string, unknown>;
  /** The graph node of the analysis activity that generated the dataset. */
  activityId?: string;
}

/** An image or derived dataset. Its id is also its graph node id. */
// GIN over creators (a person's datasets): made by its migration, left alone by schema sync.
@Index('datasets_creators_gin', { synchronize: false })
@Entity({ name: 'datasets' })
export class DatasetEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  kind: DatasetKind;

  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** Agent ids, in author order. */
  @Column({ type: 'uuid', array: true })
  creators: string[];

  @Column({ name: 'publisher_id', type: 'uuid', nullable: true })
  publisherId: string | null;

  /** The depositing agent: it (or a curator) may change the dataset. Null when deposited with the admin token. */
  @Index('datasets_owner_idx')
  @Column({ name: 'owner_id', type: 'uuid', nullable: true })
  ownerId: string | null;

  @Column({ name: 'publication_year', type: 'integer' })
  publicationYear: number;

  /** SPDX licence id. */
  @Column({ type: 'text' })
  license: string;

  @Index('datasets_accession_idx')
  @Column({ type: 'text', nullable: true })
  accession: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  identifiers: DatasetIdentifier[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  keywords: string[];

  /** Ontology IRI (NCBITaxon). */
  @Column({ type: 'text', nullable: true })
  organism: string | null;

  /** Ontology IRI (FBbi). */
  @Column({ name: 'imaging_method', type: 'text', nullable: true })
  imagingMethod: string | null;

  @Column({ name: 'generated_by', type: 'jsonb', nullable: true })
  generatedBy: GeneratedBy | null;

  @Column({ name: 'derived_from', type: 'uuid', array: true, default: () => "'{}'" })
  derivedFrom: string[];

  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  grants: string[];

  @Column({ name: 'embargo_until', type: 'date', nullable: true })
  embargoUntil: string | null;

  @Column({ name: 'landing_page', type: 'text', nullable: true })
  landingPage: string | null;

  @Column({ type: 'text', nullable: true })
  version: string | null;

  /** Indexed: the metrics job follows version chains both ways. */
  @Index('datasets_previous_version_idx')
  @Column({ name: 'previous_version_id', type: 'uuid', nullable: true })
  previousVersionId: string | null;

  /** When the data became public (embargo end or deposit): awards and compliance judge dates by it. */
  @Column({ name: 'released_at', type: 'date' })
  releasedAt: string;

  @Index('datasets_doi_key', { unique: true, where: 'doi IS NOT NULL' })
  @Column({ type: 'text', nullable: true })
  doi: string | null;

  @Column({ name: 'doi_state', type: 'text', default: 'none' })
  doiState: DoiState;

  @Column({ name: 'withdrawn_at', type: 'timestamptz', nullable: true })
  withdrawnAt: Date | null;

  @Column({ name: 'withdrawn_reason', type: 'text', nullable: true })
  withdrawnReason: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'ledger_seq', type: 'bigint', transformer: bigintTransformer })
  ledgerSeq: bigint;
}
