import { createHash, createPublicKey, hkdfSync, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

// Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite (W3C vc-di-eddsa §3.1), Multikey encodings
// (W3C Controlled Identifiers §2.2.2) and did:key (did:key method §3.1). The RDF canonicalization itself needs
// jsonld and a document loader, so it happens in the service; everything around it is here.

export const DATA_INTEGRITY_PROOF = 'DataIntegrityProof';
export const EDDSA_RDFC_2022 = 'eddsa-rdfc-2022';
export const ASSERTION_METHOD = 'assertionMethod';

/** Multicodec varint prefixes: ed25519-pub (0xed) and ed25519-priv (0x1300). */
const ED25519_PUB_PREFIX = Buffer.from([0xed, 0x01]);
const ED25519_PRIV_PREFIX = Buffer.from([0x80, 0x26]);

const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const BASE58_INDEX = new Map([...BASE58_ALPHABET].map((c, i) => [c, i]));

/** Bitcoin base58: leading zero bytes become leading '1's (draft-msporny-base58 §3). */
export function encodeBase58btc(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros += 1;
  // Little-endian base-58 digits of the big-endian number.
  const digits: number[] = [];
  for (let i = zeros; i < bytes.length; i += 1) {
    let carry = bytes[i];
    for (let j = 0; j < digits.length; j += 1) {
      carry += digits[j] << 8;
      digits[j] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = Math.floor(carry / 58);
    }
  }
  let out = '1'.repeat(zeros);
  for (let i = digits.length - 1; i >= 0; i -= 1) out += BASE58_ALPHABET[digits[i]];
  return out;
}

/** null when a character is outside the alphabet. */
export function decodeBase58btc(text: string): Buffer | null {
  let zeros = 0;
  while (zeros < text.length && text[zeros] === '1') zeros += 1;
  const bytes: number[] = [];
  for (let i = zeros; i < text.length; i += 1) {
    const value = BASE58_INDEX.get(text[i]);
    if (value === undefined) return null;
    let carry = value;
    for (let j = 0; j < bytes.length; j += 1) {
      carry += bytes[j] * 58;
      bytes[j] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  return Buffer.concat([Buffer.alloc(zeros), Buffer.from(bytes.reverse())]);
}

/** Multibase with the base58-btc header 'z'. */
export function encodeMultibase(bytes: Uint8Array): string {
  return `z${encodeBase58btc(bytes)}`;
}

export function decodeMultibase(text: string): Buffer | null {
  return typeof text === 'string' && text.startsWith('z') ? decodeBase58btc(text.slice(1)) : null;
}

/** Multikey `publicKeyMultibase` of a raw Ed25519 public key: "z6Mk…". */
export function ed25519PublicKeyMultibase(publicKeyRaw: Uint8Array): string {
  if (publicKeyRaw.length !== 32) throw new Error('an Ed25519 public key has 32 bytes');
  return encodeMultibase(Buffer.concat([ED25519_PUB_PREFIX, publicKeyRaw]));
}

export function parseEd25519PublicKeyMultibase(text: string): Buffer | null {
  const bytes = decodeMultibase(text);
  if (bytes === null || bytes.length !== 34 || !bytes.subarray(0, 2).equals(ED25519_PUB_PREFIX)) return null;
  return Buffer.from(bytes.subarray(2));
}

/** Multikey `secretKeyMultibase` (the 32-byte seed): used by the spec's test vectors. */
export function parseEd25519SecretKeyMultibase(text: string): Buffer | null {
  const bytes = decodeMultibase(text);
  if (bytes === null || bytes.length !== 34 || !bytes.subarray(0, 2).equals(ED25519_PRIV_PREFIX)) return null;
  return Buffer.from(bytes.subarray(2));
}

/** did:key of an Ed25519 key: the DID document is derived from the identifier, nothing is fetched. */
export function didKeyOf(publicKeyRaw: Uint8Array): string {
  return `did:key:${ed25519PublicKeyMultibase(publicKeyRaw)}`;
}

/** The key's verification method in its did:key document: `did:key:z6Mk…#z6Mk…`. */
export function didKeyVerificationMethod(publicKeyRaw: Uint8Array): string {
  const multibase = ed25519PublicKeyMultibase(publicKeyRaw);
  return `did:key:${multibase}#${multibase}`;
}

/** The raw public key behind a did:key verification method, or null when it is not one (or the fragment differs). */
export function resolveDidKeyVerificationMethod(
  verificationMethod: unknown,
): { did: string; publicKeyRaw: Buffer } | null {
  if (typeof verificationMethod !== 'string') return null;
  const match = /^did:key:(z[1-9A-HJ-NP-Za-km-z]+)#(z[1-9A-HJ-NP-Za-km-z]+)$/.exec(verificationMethod);
  if (!match || match[1] !== match[2]) return null;
  const publicKeyRaw = parseEd25519PublicKeyMultibase(match[1]);
  return publicKeyRaw === null ? null : { did: `did:key:${match[1]}`, publicKeyRaw };
}

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function ed25519PublicKeyFromRaw(publicKeyRaw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKeyRaw]), format: 'der', type: 'spki' });
}

/**
 * The credential key is derived from the service key with HKDF-SHA256 (RFC 5869) under its own label, so it is a
 * separate Ed25519 key (credit-and-compliance.md §5: not the checkpoint key) that every process sharing the
 * service key derives identically, with no extra secret to distribute.
 */
export function deriveCredentialSeed(serviceSeed: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', serviceSeed, Buffer.alloc(0), 'cell-image-ledger credential key v1', 32));
}

export interface ProofOptions {
  readonly type: typeof DATA_INTEGRITY_PROOF;
  readonly cryptosuite: typeof EDDSA_RDFC_2022;
  readonly created: string;
  readonly verificationMethod: string;
  readonly proofPurpose: typeof ASSERTION_METHOD;
}

export interface DataIntegrityProof extends ProofOptions {
  readonly proofValue: string;
}

/** `created` as an XML Schema dateTime in UTC without fractional seconds, as the spec's examples write it. */
export function formatProofDate(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

export function buildProofOptions(verificationMethod: string, created: Date): ProofOptions {
  return {
    type: DATA_INTEGRITY_PROOF,
    cryptosuite: EDDSA_RDFC_2022,
    created: formatProofDate(created),
    verificationMethod,
    proofPurpose: ASSERTION_METHOD,
  };
}

/** vc-di-eddsa §3.3.5: the proof options, minus proofValue, under the secured document's @context. */
export function proofConfigDocument(
  proof: Readonly<Record<string, unknown>>,
  context: unknown,
): Record<string, unknown> {
  const { proofValue: _omitted, ...options } = proof;
  return { '@context': context, ...options };
}

/** vc-di-eddsa §3.3.4: SHA-256(canonical proof config) ‖ SHA-256(canonical document), 64 bytes. */
export function hashForSigning(canonicalProofConfig: string, canonicalDocument: string): Buffer {
  return Buffer.concat([
    createHash('sha256').update(canonicalProofConfig, 'utf8').digest(),
    createHash('sha256').update(canonicalDocument, 'utf8').digest(),
  ]);
}

export function signProofValue(privateKey: KeyObject, hashData: Buffer): string {
  return encodeMultibase(sign(null, hashData, privateKey));
}

export function verifyProofValue(publicKeyRaw: Uint8Array, hashData: Buffer, proofValue: string): boolean {
  const signature = decodeMultibase(proofValue);
  if (signature === null || signature.length !== 64 || publicKeyRaw.length !== 32) return false;
  return verify(null, hashData, ed25519PublicKeyFromRaw(publicKeyRaw), signature);
}

// ---------------------------------------------------------------------------------------------------------------
// Verification checks (credit-and-compliance.md §5 suggests the codes).
// ---------------------------------------------------------------------------------------------------------------

export type CheckCode =
  | 'CONTEXTS_ALLOWED'
  | 'PROOF_PRESENT'
  | 'CRYPTOSUITE_SUPPORTED'
  | 'VERIFICATION_METHOD_RESOLVED'
  | 'ISSUER_KEY_KNOWN'
  | 'CANONICALIZATION_OK'
  | 'SIGNATURE_VALID';

export interface VerificationCheck {
  readonly code: CheckCode;
  readonly status: 'pass' | 'fail' | 'skipped';
  readonly message: string;
}

export interface StructuralVerdict {
  readonly checks: VerificationCheck[];
  /** Present when the structure allows a signature check. */
  readonly proof?: Record<string, unknown>;
  readonly document?: Record<string, unknown>;
  readonly publicKeyRaw?: Buffer;
}

const XSD_DATE_TIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pass(code: CheckCode, message: string): VerificationCheck {
  return { code, status: 'pass', message };
}

function fail(code: CheckCode, message: string): VerificationCheck {
  return { code, status: 'fail', message };
}

/**
 * Everything that can be checked before canonicalization: the contexts are ones the service ships (VC 2.0 first,
 * as VC Data Model 2.0 §4.3 requires), there is exactly one proof of a supported kind, its did:key resolves and is
 * the issuer's and one of ours.
 */
export function checkCredentialStructure(
  credential: unknown,
  allowedContexts: readonly string[],
  knownPublicKeys: readonly Uint8Array[],
): StructuralVerdict {
  const checks: VerificationCheck[] = [];
  if (!isRecord(credential)) return { checks: [fail('CONTEXTS_ALLOWED', 'the credential is not a JSON object')] };
  const context = credential['@context'];
  const contexts = Array.isArray(context) ? context : [context];
  const unknown = contexts.filter((c) => typeof c !== 'string' || !allowedContexts.includes(c));
  if (unknown.length > 0 || contexts[0] !== allowedContexts[0]) {
    checks.push(
      fail(
        'CONTEXTS_ALLOWED',
        unknown.length > 0
          ? `contexts not shipped with this service: ${unknown.map((c) => (typeof c === 'string' ? c : 'inline context')).join(', ')}`
          : `the first context must be ${allowedContexts[0]}`,
      ),
    );
  } else {
    checks.push(pass('CONTEXTS_ALLOWED', 'every context is a shipped, offline copy'));
  }

  const proof = credential.proof;
  if (!isRecord(proof) || typeof proof.proofValue !== 'string') {
    checks.push(
      fail('PROOF_PRESENT', Array.isArray(proof) ? 'exactly one proof is supported' : 'no proof with a proofValue'),
    );
    return { checks };
  }
  checks.push(pass('PROOF_PRESENT', 'one Data Integrity proof'));

  const suiteProblems: string[] = [];
  if (proof.type !== DATA_INTEGRITY_PROOF) suiteProblems.push(`type is ${String(proof.type)}`);
  if (proof.cryptosuite !== EDDSA_RDFC_2022) suiteProblems.push(`cryptosuite is ${String(proof.cryptosuite)}`);
  if (proof.proofPurpose !== ASSERTION_METHOD) suiteProblems.push(`proofPurpose is ${String(proof.proofPurpose)}`);
  if (typeof proof.created !== 'string' || !XSD_DATE_TIME.test(proof.created))
    suiteProblems.push('created is not a dateTime');
  if (!proof.proofValue.startsWith('z')) suiteProblems.push('proofValue is not base58-btc multibase');
  checks.push(
    suiteProblems.length === 0
      ? pass('CRYPTOSUITE_SUPPORTED', `${DATA_INTEGRITY_PROOF} with ${EDDSA_RDFC_2022}`)
      : fail('CRYPTOSUITE_SUPPORTED', suiteProblems.join('; ')),
  );

  const resolved = resolveDidKeyVerificationMethod(proof.verificationMethod);
  if (resolved === null) {
    checks.push(
      fail('VERIFICATION_METHOD_RESOLVED', 'verificationMethod is not an Ed25519 did:key verification method'),
    );
    return { checks };
  }
  checks.push(pass('VERIFICATION_METHOD_RESOLVED', `Ed25519 key ${resolved.did}`));

  const issuer = credential.issuer;
  const issuerId = isRecord(issuer) ? issuer.id : issuer;
  const known = knownPublicKeys.some((k) => Buffer.from(k).equals(resolved.publicKeyRaw));
  if (issuerId !== resolved.did) {
    checks.push(
      fail('ISSUER_KEY_KNOWN', `the proof's key (${resolved.did}) is not the issuer's (${String(issuerId)})`),
    );
  } else if (!known) {
    checks.push(fail('ISSUER_KEY_KNOWN', 'the issuer key is not one this service issues with'));
  } else {
    checks.push(pass('ISSUER_KEY_KNOWN', "issued with this service's credential key"));
  }

  const { proof: _proof, ...document } = credential;
  return suiteProblems.length === 0 ? { checks, proof, document, publicKeyRaw: resolved.publicKeyRaw } : { checks };
}
