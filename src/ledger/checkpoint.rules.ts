import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { HASH_SIZE, parseIndex } from './ledger.rules.js';

// Pure C2SP tlog-checkpoint bodies inside C2SP signed notes, Ed25519 only (ledger.md §7).

/** Signature type byte of plain Ed25519 note signatures (C2SP signed-note, "Signature types"). */
export const ED25519_SIGNATURE_TYPE = 0x01;
/** The signed-note spec asks verifiers to cap signatures but to accept at least 16. */
export const MAX_NOTE_SIGNATURES = 100;
export const MAX_NOTE_LENGTH = 1_000_000;

const EM_DASH_PREFIX = '\u2014 ';
const KEY_ID_SIZE = 4;
const ED25519_KEY_SIZE = 32;
const ED25519_SIGNATURE_SIZE = 64;
// RFC 8410 PKCS#8 wrapping of a 32-byte Ed25519 seed; node:crypto has no raw-seed import.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point (C2SP signed-note text rules)
const CONTROL_EXCEPT_NEWLINE = /[\u0000-\u0009\u000B-\u001F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Unicode spaces as Go's unicode.IsSpace sees them (\s lacks U+0085), plus '+' which separates verifier-key parts.
const FORBIDDEN_IN_NAME = /[\s\u0085+]/u;

export interface NoteVerifier {
  readonly name: string;
  readonly publicKeyRaw: Buffer;
}

export interface VerifierKey extends NoteVerifier {
  readonly keyId: Buffer;
}

export interface NoteSignature {
  readonly name: string;
  /** 8 lowercase hex digits. */
  readonly keyId: string;
}

export type OpenedNote = { body: string; verifiedBy: NoteSignature[] } | { error: string };

export interface Checkpoint {
  readonly origin: string;
  readonly size: bigint;
  readonly root: Buffer;
  readonly extensions: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Checkpoint body (C2SP tlog-checkpoint "Note text")

export function formatCheckpointBody(origin: string, size: bigint, root: Buffer): string {
  if (!isValidKeyName(origin)) {
    throw new Error(`Checkpoint origin must be non-empty, without spaces, '+' or control characters`);
  }
  if (typeof size !== 'bigint' || size < 0n) throw new RangeError('Checkpoint size must be a non-negative bigint');
  if (!(root instanceof Uint8Array) || root.length !== HASH_SIZE) throw new Error('Checkpoint root must be 32 bytes');
  return `${origin}\n${size.toString(10)}\n${Buffer.from(root).toString('base64')}\n`;
}

/** Strict: ≥ 3 non-empty lines, canonical decimal size, root decoding to exactly 32 bytes. */
export function parseCheckpointBody(body: string): Checkpoint | { error: string } {
  if (typeof body !== 'string' || !body.endsWith('\n')) return { error: 'checkpoint body must end with a newline' };
  const textError = checkNoteCharacters(body);
  if (textError !== null) return { error: textError };
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3) return { error: 'checkpoint body needs origin, size and root lines' };
  if (lines.some((line) => line.length === 0)) return { error: 'checkpoint lines must be non-empty' };
  const [origin, sizeText, rootText, ...extensions] = lines;
  const size = parseIndex(sizeText);
  if (size === null) return { error: 'checkpoint size is not a canonical decimal' };
  const root = decodeBase64Strict(rootText);
  if (root === null || root.length !== HASH_SIZE) return { error: 'checkpoint root is not base64 of 32 bytes' };
  return { origin, size, root, extensions };
}

// ---------------------------------------------------------------------------------------------------------------
// Keys (C2SP signed-note "Ed25519 signatures")

/** First 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key). */
export function computeKeyId(name: string, publicKeyRaw: Buffer): Buffer {
  assertPublicKeyRaw(publicKeyRaw);
  return createHash('sha256')
    .update(Buffer.from(name, 'utf8'))
    .update(Buffer.from([0x0a, ED25519_SIGNATURE_TYPE]))
    .update(publicKeyRaw)
    .digest()
    .subarray(0, KEY_ID_SIZE);
}

/** `<name>+<8 hex digits of key ID>+<base64(0x01 ‖ public key)>` */
export function verifierKeyText(name: string, publicKeyRaw: Buffer): string {
  if (!isValidKeyName(name)) throw new Error(`Invalid note key name ${JSON.stringify(name)}`);
  const key = Buffer.concat([Buffer.from([ED25519_SIGNATURE_TYPE]), publicKeyRaw]);
  return `${name}+${computeKeyId(name, publicKeyRaw).toString('hex')}+${key.toString('base64')}`;
}

export function parseVerifierKey(text: string): VerifierKey | { error: string } {
  if (typeof text !== 'string') return { error: 'verifier key must be a string' };
  // Split at the first two '+' only: the base64 key itself may contain '+'.
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (first < 0 || second < 0) return { error: 'verifier key must be name+keyid+key' };
  const name = text.slice(0, first);
  const keyIdHex = text.slice(first + 1, second);
  const keyText = text.slice(second + 1);
  if (!isValidKeyName(name)) return { error: 'invalid key name' };
  if (!/^[0-9a-fA-F]{8}$/.test(keyIdHex)) return { error: 'key ID must be 8 hex digits' };
  const key = decodeBase64Strict(keyText);
  if (key === null || key.length !== 1 + ED25519_KEY_SIZE) return { error: 'key must be base64 of 33 bytes' };
  if (key[0] !== ED25519_SIGNATURE_TYPE) return { error: `unsupported signature type 0x${key[0].toString(16)}` };
  const publicKeyRaw = Buffer.from(key.subarray(1));
  const keyId = Buffer.from(keyIdHex, 'hex');
  if (!keyId.equals(computeKeyId(name, publicKeyRaw))) return { error: 'key ID does not match name and key' };
  return { name, keyId, publicKeyRaw };
}

export function generateSigningKey(): KeyObject {
  return generateKeyPairSync('ed25519').privateKey;
}

/** Raw 32-byte Ed25519 public key of a public or private KeyObject. */
export function publicKeyRaw(key: KeyObject): Buffer {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  assertEd25519(publicKey);
  const { x } = publicKey.export({ format: 'jwk' });
  if (typeof x !== 'string') throw new Error('Ed25519 key export lacks x');
  return Buffer.from(x, 'base64url');
}

/** Rebuilds a private key from its raw 32-byte seed (RFC 8032 §5.1.5 private key). */
export function privateKeyFromSeed(seed32: Buffer): KeyObject {
  if (!(seed32 instanceof Uint8Array) || seed32.length !== ED25519_KEY_SIZE) {
    throw new Error('Ed25519 seed must be 32 bytes');
  }
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed32]), format: 'der', type: 'pkcs8' });
}

/** The raw 32-byte seed, so a key can be kept as base64 in a file or an environment variable. */
export function seedFromPrivateKey(key: KeyObject): Buffer {
  if (key.type !== 'private') throw new Error('Expected a private key');
  assertEd25519(key);
  const { d } = key.export({ format: 'jwk' });
  if (typeof d !== 'string') throw new Error('Ed25519 key export lacks d');
  return Buffer.from(d, 'base64url');
}

// ---------------------------------------------------------------------------------------------------------------
// Signed notes (C2SP signed-note "Format" and "Signatures")

/** body + blank line + `— <name> base64(keyID ‖ signature)`; the signed message is the body with its final newline. */
export function signNote(body: string, keyName: string, privateKey: KeyObject): string {
  if (typeof body !== 'string' || body.length === 0 || !body.endsWith('\n')) {
    throw new Error('Note text must be non-empty and end with a newline');
  }
  const textError = checkNoteCharacters(body);
  if (textError !== null) throw new Error(textError);
  if (!isValidKeyName(keyName)) throw new Error(`Invalid note key name ${JSON.stringify(keyName)}`);
  if (privateKey.type !== 'private') throw new Error('Expected a private key');
  assertEd25519(privateKey);
  const keyId = computeKeyId(keyName, publicKeyRaw(privateKey));
  const signature = sign(null, Buffer.from(body, 'utf8'), privateKey);
  return `${body}\n${EM_DASH_PREFIX}${keyName} ${Buffer.concat([keyId, signature]).toString('base64')}\n`;
}

/**
 * Splits at the last blank line, ignores signatures whose (name, key ID) is unknown, verifies every known one and
 * rejects the note if any known one fails (the spec's SHOULD) or none verifies (its MUST). Never throws.
 */
export function openNote(note: string, verifiers: readonly NoteVerifier[]): OpenedNote {
  try {
    if (typeof note !== 'string') return { error: 'note must be a string' };
    if (note.length > MAX_NOTE_LENGTH) return { error: 'note too large' };
    const textError = checkNoteCharacters(note);
    if (textError !== null) return { error: textError };
    const split = note.lastIndexOf('\n\n');
    if (split < 0) return { error: 'malformed note: no blank line before the signatures' };
    const body = note.slice(0, split + 1);
    const block = note.slice(split + 2);
    if (block.length === 0 || !block.endsWith('\n')) return { error: 'malformed note: no signature lines' };
    const lines = block.slice(0, -1).split('\n');
    if (lines.length > MAX_NOTE_SIGNATURES) return { error: 'too many signatures' };

    const known = verifiers.map((v) => ({ name: v.name, keyId: computeKeyId(v.name, v.publicKeyRaw), key: v }));
    const message = Buffer.from(body, 'utf8');
    const verifiedBy: NoteSignature[] = [];
    for (const line of lines) {
      const parsed = parseSignatureLine(line);
      if (parsed === null) return { error: 'malformed signature line' };
      const match = known.find((k) => k.name === parsed.name && k.keyId.equals(parsed.keyId));
      if (match === undefined) continue;
      const keyIdHex = parsed.keyId.toString('hex');
      if (verifiedBy.some((s) => s.name === parsed.name && s.keyId === keyIdHex)) {
        return { error: `duplicate signature from ${parsed.name}` };
      }
      if (!verifyEd25519(message, match.key.publicKeyRaw, parsed.signature)) {
        return { error: `invalid signature from known key ${parsed.name}+${keyIdHex}` };
      }
      verifiedBy.push({ name: parsed.name, keyId: keyIdHex });
    }
    if (verifiedBy.length === 0) return { error: 'no signature from a known key' };
    return { body, verifiedBy };
  } catch (error) {
    return { error: error instanceof Error ? error.message : 'invalid note' };
  }
}

function parseSignatureLine(line: string): { name: string; keyId: Buffer; signature: Buffer } | null {
  if (!line.startsWith(EM_DASH_PREFIX)) return null;
  const rest = line.slice(EM_DASH_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) return null;
  const name = rest.slice(0, space);
  if (!isValidKeyName(name)) return null;
  const decoded = decodeBase64Strict(rest.slice(space + 1));
  if (decoded === null || decoded.length <= KEY_ID_SIZE) return null;
  return { name, keyId: decoded.subarray(0, KEY_ID_SIZE), signature: decoded.subarray(KEY_ID_SIZE) };
}

function verifyEd25519(message: Buffer, publicKey: Buffer, signature: Buffer): boolean {
  if (signature.length !== ED25519_SIGNATURE_SIZE) return false;
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: publicKey.toString('base64url') },
    format: 'jwk',
  });
  return verify(null, message, key, signature);
}

export function isValidKeyName(name: string): boolean {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    !FORBIDDEN_IN_NAME.test(name) &&
    !CONTROL_EXCEPT_NEWLINE.test(name) &&
    !LONE_SURROGATE.test(name)
  );
}

function checkNoteCharacters(text: string): string | null {
  if (LONE_SURROGATE.test(text)) return 'note is not valid UTF-8';
  if (CONTROL_EXCEPT_NEWLINE.test(text)) return 'note contains control characters other than newline';
  return null;
}

/** Standard base64 with padding, refusing Node's lenient extras (whitespace, base64url, non-canonical bits). */
export function decodeBase64Strict(text: string): Buffer | null {
  if (!STRICT_BASE64.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}

function assertPublicKeyRaw(key: Buffer): void {
  if (!(key instanceof Uint8Array) || key.length !== ED25519_KEY_SIZE) {
    throw new Error('Ed25519 public key must be 32 bytes');
  }
}

function assertEd25519(key: KeyObject): void {
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`Expected an Ed25519 key, got ${key.asymmetricKeyType}`);
}
