import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '../../core/database/bigint.transformer.js';

/** The coordinator row: writers lock it to take the next gap-free sequence number inside their transaction. */
@Entity({ name: 'ledger_head' })
export class LedgerHeadEntity {
  @PrimaryColumn({ type: 'smallint' })
  id: number;

  @Column({ type: 'bigint', transformer: bigintTransformer })
  size: bigint;
}
