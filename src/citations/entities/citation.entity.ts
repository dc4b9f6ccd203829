import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { Relation } from 'typeorm';
import { bigintTransformer } from '../../core/database/bigint.transformer.js';
import { DatasetEntity } from '../../datasets/entities/dataset.entity.js';
import type { LinkFormat, LinkRelation } from '../link-import.rules.js';

/**
 * A reference from a work to a dataset (credit-and-compliance.md §1): counted apart from reuses, because a
 * reference is not evidence that the data were analysed. Metrics read `cited_dataset_id`, `citing_identifier`,
 * `relation`, `occurred_at` and `ledger_seq`: keep those names stable.
 */
@Entity({ name: 'citations' })
@Index('citations_link_key', ['citingIdentifier', 'citedIdentifier', 'relation'], { unique: true })
@Index('citations_cited_dataset_idx', ['citedDatasetId'])
export class CitationEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  /** Bare lower-case DOI or an http(s) URL. */
  @Column({ name: 'citing_identifier', type: 'text' })
  citingIdentifier: string;

  @Column({ name: 'citing_scheme', type: 'text' })
  citingScheme: 'doi' | 'url';

  @Column({ name: 'cited_identifier', type: 'text' })
  citedIdentifier: string;

  @Column({ name: 'cited_scheme', type: 'text' })
  citedScheme: 'doi' | 'url';

  /** As read from the citing side (DataCite relationType): References, Cites, IsSupplementedBy, IsRelatedTo. */
  @Column({ type: 'text' })
  relation: LinkRelation;

  /** When the link was published or the event occurred; a bare date is midnight UTC. Null when not given. */
  @Column({ name: 'occurred_at', type: 'timestamptz', nullable: true })
  occurredAt: Date | null;

  /** Link provider (Scholix) or event source (DataCite `source-id`). */
  @Column({ type: 'text' })
  source: string;

  @Column({ type: 'text' })
  format: LinkFormat;

  /** The DataCite event id, when there is one. */
  @Column({ name: 'external_id', type: 'text', nullable: true })
  externalId: string | null;

  /** Our dataset the cited identifier names (DOI, listed identifier, accession or landing page); null if none. */
  @Column({ name: 'cited_dataset_id', type: 'uuid', nullable: true })
  citedDatasetId: string | null;

  @ManyToOne(() => DatasetEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'cited_dataset_id' })
  citedDataset?: Relation<DatasetEntity>;

  /** The Publication graph node whose IRI is the citing DOI or URL, when it was registered before the import. */
  @Index('citations_citing_publication_idx')
  @Column({ name: 'citing_publication_id', type: 'uuid', nullable: true })
  citingPublicationId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'ledger_seq', type: 'bigint', transformer: bigintTransformer })
  ledgerSeq: bigint;
}
