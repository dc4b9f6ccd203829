import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '../../core/database/bigint.transformer.js';

/** The hash of the perfect subtree covering leaves [idx·2^level, (idx+1)·2^level), stored once it is complete. */
@Entity({ name: 'ledger_nodes' })
export class LedgerNodeEntity {
  @PrimaryColumn({ type: 'smallint' })
  level: number;

  @PrimaryColumn({ type: 'bigint', transformer: bigintTransformer })
  idx: bigint;

  @Column({ type: 'bytea' })
  hash: Buffer;
}
