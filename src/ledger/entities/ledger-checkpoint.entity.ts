import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '../../core/database/bigint.transformer.js';

/** A signed C2SP checkpoint (signed note) for one tree size. */
@Entity({ name: 'ledger_checkpoints' })
export class LedgerCheckpointEntity {
  @PrimaryColumn({ type: 'bigint', transformer: bigintTransformer })
  size: bigint;

  @Column({ type: 'bytea' })
  root: Buffer;

  @Column({ type: 'text' })
  note: string;

  @Column({ name: 'key_id', type: 'text' })
  keyId: string;

  @Column({ name: 'signed_at', type: 'timestamptz' })
  signedAt: Date;
}
