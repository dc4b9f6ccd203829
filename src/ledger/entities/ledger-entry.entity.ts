import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '../../core/database/bigint.transformer.js';

/** One leaf of the Merkle log. Append-only: a trigger rejects UPDATE, DELETE and TRUNCATE. */
@Entity({ name: 'ledger_entries' })
@Index('ledger_entries_kind_idx', ['kind', 'seq'])
@Check('ledger_entries_subtree_hashes_size', 'octet_length("subtree_hashes") % 32 = 0')
export class LedgerEntryEntity {
  @PrimaryColumn({ type: 'bigint', transformer: bigintTransformer })
  seq: bigint;

  @Column({ type: 'text' })
  kind: string;

  @Column({ type: 'text', nullable: true })
  actor: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** The RFC 8785 bytes the leaf hash was computed over, kept as written (jsonb would reorder keys). */
  @Column({ type: 'bytea' })
  canonical: Buffer;

  @Column({ type: 'jsonb' })
  payload: unknown;

  @Column({ name: 'leaf_hash', type: 'bytea' })
  leafHash: Buffer;

  /**
   * The perfect subtrees this leaf completes, levels 1..k (k = trailing one-bits of seq), 32-byte hashes concatenated;
   * null when k = 0. Node (level L ≥ 1, idx i) is on row (i + 1)·2^L − 1 at offset (L − 1)·32 (ledger.rules nodeLocation).
   */
  @Column({ name: 'subtree_hashes', type: 'bytea', nullable: true })
  subtreeHashes: Buffer | null;
}
