import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { generateSigningKey, privateKeyFromSeed, seedFromPrivateKey } from './checkpoint.rules.js';

/**
 * The log's Ed25519 key: LEDGER_SIGNING_KEY (base64 seed) when given, else `<dataDir>/ledger-signing-key`, generated
 * on first start. Processes that share a database must share the key (set LEDGER_SIGNING_KEY for api and worker).
 */
export function loadOrCreateSigningKey(dataDir: string, fromEnv?: string): { key: KeyObject; source: string } {
  if (fromEnv) return { key: privateKeyFromSeed(Buffer.from(fromEnv, 'base64')), source: 'LEDGER_SIGNING_KEY' };
  const file = join(dataDir, 'ledger-signing-key');
  if (existsSync(file)) {
    return { key: privateKeyFromSeed(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')), source: file };
  }
  mkdirSync(dataDir, { recursive: true });
  const key = generateSigningKey();
  // 'wx' fails if a concurrent first start wrote the file meanwhile; then use theirs.
  try {
    writeFileSync(file, `${seedFromPrivateKey(key).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch {
    return { key: privateKeyFromSeed(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')), source: file };
  }
  return { key, source: `${file} (new)` };
}
