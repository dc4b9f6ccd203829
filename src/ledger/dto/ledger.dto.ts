export class LedgerEntryDto {
  /** Zero-based leaf index (decimal string). */
  seq: string;
  /** What happened, e.g. `dataset.deposited`, `reuse.asserted`, `doi.state_changed`. */
  kind: string;
  /** The entry's payload exactly as hashed. */
  payload: unknown;
  /** Agent id on whose authority the entry was written; null for the service itself. */
  actor: string | null;
  /** RFC 3339 time with milliseconds, exactly as hashed. */
  createdAt: string;
  /** Hex SHA-256(0x00 || RFC 8785 JSON of {seq, kind, payload, actor, createdAt}). */
  leafHash: string;
}

export class InclusionProofDto {
  seq: string;
  treeSize: string;
  leafHash: string;
  rootHash: string;
  /** RFC 9162 §2.1.3 audit path, hex, from the leaf up. */
  path: string[];
}

export class ConsistencyProofDto {
  from: string;
  to: string;
  fromRoot: string;
  toRoot: string;
  /** RFC 9162 §2.1.4 consistency proof, hex. */
  path: string[];
}

export class PublicKeyDto {
  keyName: string;
  algorithm: 'ed25519';
  /** Base64 of the raw 32-byte Ed25519 public key. */
  publicKey: string;
  /** 8 hex digits: first 4 bytes of SHA-256(keyName || 0x0A || 0x01 || publicKey). */
  keyId: string;
  /** C2SP signed-note verifier key: `<name>+<keyId>+<base64(0x01 || publicKey)>`. */
  verifierKey: string;
}
