import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/env.schema.js';
import {
  computeKeyId,
  formatCheckpointBody,
  openNote,
  publicKeyRaw,
  signNote,
  verifierKeyText,
} from './checkpoint.rules.js';
import { verifyConsistency } from './ledger.rules.js';
import { LedgerService } from './ledger.service.js';
import { loadOrCreateSigningKey } from './signing-key.js';

export interface SignedCheckpoint {
  size: bigint;
  root: Buffer;
  note: string;
  signedAt: Date;
}

// Any constant works; it only has to be the same in every process that signs.
const CHECKPOINT_LOCK = 7_254_119_001;

/**
 * Publishes C2SP checkpoints: at most every CHECKPOINT_INTERVAL_SECONDS while the log grows, and on demand. Before
 * signing size N it proves consistency with the last signed size, so two inconsistent checkpoints never exist.
 */
@Injectable()
export class CheckpointService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ledger');
  private readonly key: KeyObject;
  private readonly publicKey: Buffer;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const { key, source } = loadOrCreateSigningKey(config.LEDGER_DATA_DIR, config.LEDGER_SIGNING_KEY);
    this.key = key;
    this.publicKey = publicKeyRaw(key);
    this.logger.log(`ledger signing key ${this.publicKeyInfo().keyId} from ${source}`);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.publishIfDue().catch((error: unknown) => this.logger.error({ err: error }, 'checkpoint publication failed'));
    }, this.config.CHECKPOINT_INTERVAL_SECONDS * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  get signingKey(): KeyObject {
    return this.key;
  }

  publicKeyInfo(): { keyName: string; algorithm: 'ed25519'; publicKey: string; keyId: string; verifierKey: string } {
    const name = this.config.LEDGER_ORIGIN;
    return {
      keyName: name,
      algorithm: 'ed25519',
      publicKey: this.publicKey.toString('base64'),
      keyId: computeKeyId(name, this.publicKey).toString('hex'),
      verifierKey: verifierKeyText(name, this.publicKey),
    };
  }

  async latest(): Promise<SignedCheckpoint | null> {
    const rows: Array<{ size: string; root: Buffer; note: string; signed_at: Date }> = await this.dataSource.query(
      'SELECT size, root, note, signed_at FROM ledger_checkpoints ORDER BY size DESC LIMIT 1',
    );
    return rows.length > 0 ? toCheckpoint(rows[0]) : null;
  }

  /** The newest checkpoint, signing a fresh one first when the log grew and the last one is older than the interval. */
  async current(): Promise<SignedCheckpoint> {
    const last = await this.latest();
    const size = await this.ledger.size();
    const stale =
      !last ||
      (last.size < size && Date.now() - last.signedAt.getTime() >= this.config.CHECKPOINT_INTERVAL_SECONDS * 1000);
    if (stale) return this.publish();
    return last;
  }

  async publishIfDue(): Promise<void> {
    const last = await this.latest();
    if (last && last.size === (await this.ledger.size())) return;
    await this.publish();
  }

  /** Signs the current tree head (on demand); returns the existing checkpoint when the size has not moved. */
  async publish(): Promise<SignedCheckpoint> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [CHECKPOINT_LOCK]);
      const rows: Array<{ size: string; root: Buffer; note: string; signed_at: Date }> = await manager.query(
        'SELECT size, root, note, signed_at FROM ledger_checkpoints ORDER BY size DESC LIMIT 1',
      );
      const last = rows.length > 0 ? toCheckpoint(rows[0]) : null;
      const size = await this.ledger.size(manager);
      if (last && last.size >= size) return last;
      const root = await this.ledger.root(size, manager);
      if (last && last.size > 0n) {
        const proof = await this.ledger.consistencyProof(last.size, size);
        if (!proof.toRoot.equals(root) || !verifyConsistency(last.size, size, last.root, root, proof.path)) {
          throw new Error(`refusing to sign size ${size}: not consistent with checkpoint ${last.size}`);
        }
      }
      const note = signNote(
        formatCheckpointBody(this.config.LEDGER_ORIGIN, size, root),
        this.config.LEDGER_ORIGIN,
        this.key,
      );
      const signedAt = new Date();
      await manager.query(
        'INSERT INTO ledger_checkpoints (size, root, note, key_id, signed_at) VALUES ($1, $2, $3, $4, $5)',
        [size.toString(), root, note, this.publicKeyInfo().keyId, signedAt],
      );
      return { size, root, note, signedAt };
    });
  }

  /** True when the note carries a valid signature by this log's key. */
  verifyNote(note: string): boolean {
    return !('error' in openNote(note, [{ name: this.config.LEDGER_ORIGIN, publicKeyRaw: this.publicKey }]));
  }
}

function toCheckpoint(row: { size: string; root: Buffer; note: string; signed_at: Date }): SignedCheckpoint {
  return { size: BigInt(row.size), root: row.root, note: row.note, signedAt: row.signed_at };
}
