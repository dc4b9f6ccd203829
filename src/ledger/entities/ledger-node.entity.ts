import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '../../core/database/bigint.transformer.js';

/**
 * The hash of the perfect subtree covering leaves [idx·2^level, (idx+1)·2^level), stored once it is complete, for
 * level ≥ 1: the leaves themselves are ledger_entries.leaf_hash.
 */
@Entity({ name: 'ledger_nodes' })
export class LedgerNodeEntity {
  @PrimaryColumn({ type: 'smallint' })
  level: number;

  @PrimaryColumn({ type: 'bigint', transformer: bigintTransformer })
  idx: bigint;

  @Column({ type: 'bytea' })
  hash: Buffer;
}
