import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '../../core/database/bigint.transformer.js';
import type { CslItem } from '../publications.rules.js';

export type MetadataStatus = 'complete' | 'pending';

/** One author in byline order: the name as printed, the ORCID when known, and the person agent it is linked to. */
export interface PublicationAuthorRecord {
  family: string;
  given: string;
  orcid?: string;
  agentId: string;
}

/** A publication (article, preprint …). Its id is also its graph node id. */
@Entity({ name: 'publications' })
@Index('publications_doi_key', ['doi'], { unique: true, where: 'doi IS NOT NULL' })
export class PublicationEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  /** Lower-case bare DOI (10.NNNN/...). */
  @Column({ type: 'text', nullable: true })
  doi: string | null;

  /** Null while the metadata are pending (registered from a DOI alone). */
  @Column({ type: 'text', nullable: true })
  title: string | null;

  /** YYYY, YYYY-MM or YYYY-MM-DD. */
  @Column({ type: 'text', nullable: true })
  issued: string | null;

  @Column({ name: 'container_title', type: 'text', nullable: true })
  containerTitle: string | null;

  /** CSL item type (article-journal, manuscript …). */
  @Column({ name: 'csl_type', type: 'text', nullable: true })
  cslType: string | null;

  /** The cleaned CSL-JSON item, as parsed offline. */
  @Column({ type: 'jsonb', nullable: true })
  csl: CslItem | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  authors: PublicationAuthorRecord[];

  /** Person agent ids of the authors, in byline order (for "is this agent an author" queries). */
  @Column({ name: 'author_ids', type: 'uuid', array: true, default: () => "'{}'" })
  authorIds: string[];

  @Column({ name: 'metadata_status', type: 'text' })
  metadataStatus: MetadataStatus;

  /** The agent that registered the publication; it may claim reuses for it. Null with the admin token. */
  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'ledger_seq', type: 'bigint', transformer: bigintTransformer })
  ledgerSeq: bigint;
}
