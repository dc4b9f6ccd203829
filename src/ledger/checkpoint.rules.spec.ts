import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateKeyPairSync, sign } from 'node:crypto';
import {
  MAX_NOTE_SIGNATURES,
  computeKeyId,
  decodeBase64Strict,
  formatCheckpointBody,
  generateSigningKey,
  openNote,
  parseCheckpointBody,
  parseVerifierKey,
  privateKeyFromSeed,
  publicKeyRaw,
  seedFromPrivateKey,
  signNote,
  verifierKeyText,
} from './checkpoint.rules.js';
import { EMPTY_ROOT } from './ledger.rules.js';

interface SignedNoteExample {
  verifierKey: string;
  keyName: string;
  keyId: string;
  publicKey: string;
  noteText: string;
  signedNote: string;
  signature: string;
}

interface Vectors {
  roots: Array<{ treeSize: string; rootHash: string; rootBase64: string }>;
  signedNoteExample: SignedNoteExample;
}

// A copy under test/fixtures wins; otherwise the shared reference next to the repository.
function loadVectors(): Vectors {
  const candidates = ['test/fixtures/merkle-vectors.json', '../shared/reference/merkle-vectors.json'].map((p) =>
    resolve(process.cwd(), p),
  );
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) throw new Error(`merkle-vectors.json not found in ${candidates.join(', ')}`);
  return JSON.parse(readFileSync(found, 'utf8')) as Vectors;
}

const vectors = loadVectors();
const example = vectors.signedNoteExample;
const examplePublicKey = Buffer.from(example.publicKey, 'hex');
const ORIGIN = 'ledger.example.org/cell-images';
const ROOT_8 = Buffer.from(vectors.roots[8].rootHash, 'hex');

// RFC 8032 §7.1 TEST 1: secret key, public key and the signature of the empty message.
const RFC8032_SEED = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
const RFC8032_PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const RFC8032_SIGNATURE =
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';

const logKey = privateKeyFromSeed(RFC8032_SEED);
const logVerifier = { name: ORIGIN, publicKeyRaw: publicKeyRaw(logKey) };

describe('signed-note example (C2SP signed-note)', () => {
  it('parses the verifier key and recomputes its key ID and text form', () => {
    const parsed = parseVerifierKey(example.verifierKey);
    expect(parsed).toEqual({
      name: example.keyName,
      keyId: Buffer.from(example.keyId, 'hex'),
      publicKeyRaw: examplePublicKey,
    });
    expect(computeKeyId(example.keyName, examplePublicKey).toString('hex')).toBe('530d903a');
    expect(verifierKeyText(example.keyName, examplePublicKey)).toBe(example.verifierKey);
  });

  it('opens the example note and returns its text', () => {
    expect(openNote(example.signedNote, [{ name: example.keyName, publicKeyRaw: examplePublicKey }])).toEqual({
      body: 'This is an example message.\n',
      verifiedBy: [{ name: 'example.com/foo', keyId: '530d903a' }],
    });
  });

  it('carries key ID ‖ signature after an em dash', () => {
    const line = example.signedNote.split('\n')[2];
    expect(Buffer.from(line, 'utf8').subarray(0, 4)).toEqual(Buffer.from([0xe2, 0x80, 0x94, 0x20]));
    const decoded = decodeBase64Strict(line.split(' ')[2]);
    expect(decoded?.toString('hex')).toBe(example.keyId + example.signature);
  });

  const known = [{ name: example.keyName, publicKeyRaw: examplePublicKey }];
  const otherKey = publicKeyRaw(generateSigningKey());
  it.each([
    ['altered text', example.signedNote.replace('example message', 'example massage'), known],
    ['a hyphen for the em dash', example.signedNote.replace('\u2014', '-'), known],
    ['no blank line', example.signedNote.replace('\n\n', '\n'), known],
    ['no final newline', example.signedNote.slice(0, -1), known],
    ['a carriage return', example.signedNote.replace('.\n', '.\r\n'), known],
    ['no known signer', example.signedNote, [{ name: 'example.com/bar', publicKeyRaw: examplePublicKey }]],
    ['same name, other key', example.signedNote, [{ name: example.keyName, publicKeyRaw: otherKey }]],
    ['no verifiers', example.signedNote, []],
  ])('rejects the example with %s', (_case, note, verifiers) => {
    expect(openNote(note, verifiers)).toHaveProperty('error');
  });
});

describe('Ed25519 key helpers', () => {
  it('derives the RFC 8032 public key and signature from the seed', () => {
    expect(publicKeyRaw(logKey).toString('hex')).toBe(RFC8032_PUBLIC);
    expect(sign(null, Buffer.alloc(0), logKey).toString('hex')).toBe(RFC8032_SIGNATURE);
    expect(seedFromPrivateKey(logKey)).toEqual(RFC8032_SEED);
  });

  it('round-trips a generated key through its base64 seed', () => {
    const key = generateSigningKey();
    const seed = seedFromPrivateKey(key);
    expect(seed).toHaveLength(32);
    const restored = privateKeyFromSeed(Buffer.from(seed.toString('base64'), 'base64'));
    expect(publicKeyRaw(restored)).toEqual(publicKeyRaw(key));
  });

  it('refuses seeds that are not 32 bytes and keys that are not Ed25519', () => {
    expect(() => privateKeyFromSeed(Buffer.alloc(31))).toThrow(/32 bytes/);
    const x25519 = generateKeyPairSync('x25519').privateKey;
    expect(() => seedFromPrivateKey(x25519)).toThrow(/Ed25519/);
    expect(() => signNote('body\n', ORIGIN, x25519)).toThrow(/Ed25519/);
  });

  it.each([
    ['wrong key ID', example.verifierKey.replace('530d903a', '530d903b')],
    ['missing part', 'example.com/foo+530d903a'],
    ['extra part', `${example.verifierKey}+x`],
    [
      'type byte 0x02',
      `example.com/foo+530d903a+${Buffer.concat([Buffer.from([2]), examplePublicKey]).toString('base64')}`,
    ],
    ['short key', `example.com/foo+530d903a+${Buffer.from([1, 2, 3]).toString('base64')}`],
    ['truncated base64', example.verifierKey.slice(0, -1)],
    ['base64 with a space', example.verifierKey.replace('Aeky', 'Aeky ')],
    ['empty name', example.verifierKey.replace('example.com/foo', '')],
  ])('refuses a verifier key with %s', (_case, text) => {
    expect(parseVerifierKey(text)).toHaveProperty('error');
  });
});

describe('checkpoints', () => {
  const body = formatCheckpointBody(ORIGIN, 8n, ROOT_8);

  it('formats the body of ledger.md §7', () => {
    expect(body).toBe('ledger.example.org/cell-images\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n');
    expect(formatCheckpointBody(ORIGIN, 0n, EMPTY_ROOT)).toBe(`${ORIGIN}\n0\n${vectors.roots[0].rootBase64}\n`);
    expect(formatCheckpointBody(ORIGIN, (1n << 64n) - 1n, ROOT_8)).toContain('\n18446744073709551615\n');
  });

  it('signs, opens and parses a checkpoint', () => {
    const note = signNote(body, ORIGIN, logKey);
    const [text, signatureLine] = note.split('\n\n');
    expect(`${text}\n`).toBe(body);
    expect(signatureLine).toMatch(/^\u2014 ledger\.example\.org\/cell-images [A-Za-z0-9+/]{91}=\n$/);
    expect(decodeBase64Strict(signatureLine.split(' ')[2].trimEnd())?.subarray(0, 4)).toEqual(
      computeKeyId(ORIGIN, logVerifier.publicKeyRaw),
    );
    const opened = openNote(note, [logVerifier]);
    if (!('body' in opened)) throw new Error(opened.error);
    expect(parseCheckpointBody(opened.body)).toEqual({ origin: ORIGIN, size: 8n, root: ROOT_8, extensions: [] });
  });

  it('signs deterministically (Ed25519)', () => {
    expect(signNote(body, ORIGIN, logKey)).toBe(signNote(body, ORIGIN, logKey));
  });

  it('keeps empty lines inside the text and splits at the last blank line', () => {
    const text = 'first\n\nsecond\n';
    expect(openNote(signNote(text, ORIGIN, logKey), [logVerifier])).toMatchObject({ body: text });
  });

  it('ignores unknown signers and accepts 16 signatures', () => {
    const note = signNote(body, ORIGIN, logKey);
    const strangers = Array.from({ length: 15 }, (_, i) =>
      signNote(body, `witness.example/${i}`, generateSigningKey()).slice(body.length + 1),
    );
    const combined = note + strangers.join('');
    expect(combined.split('\u2014')).toHaveLength(17);
    expect(openNote(combined, [logVerifier])).toMatchObject({ body, verifiedBy: [{ name: ORIGIN }] });
  });

  it('accepts a cosigner it knows alongside the log key', () => {
    const witnessKey = generateSigningKey();
    const witness = { name: 'witness.example/w1', publicKeyRaw: publicKeyRaw(witnessKey) };
    const note = signNote(body, ORIGIN, logKey) + signNote(body, witness.name, witnessKey).slice(body.length + 1);
    const opened = openNote(note, [logVerifier, witness]);
    expect('body' in opened && opened.verifiedBy.map((s) => s.name)).toEqual([ORIGIN, witness.name]);
  });

  it('caps the number of signature lines', () => {
    const note = signNote(body, ORIGIN, logKey);
    const line = note.slice(body.length + 1);
    expect(openNote(body + '\n' + line.repeat(MAX_NOTE_SIGNATURES + 1), [logVerifier])).toEqual({
      error: 'too many signatures',
    });
  });

  it('rejects a duplicate, a bad known signature and a malformed line', () => {
    const note = signNote(body, ORIGIN, logKey);
    const line = note.slice(body.length + 1);
    expect(openNote(note + line, [logVerifier])).toHaveProperty('error');
    const sig = decodeBase64Strict(line.split(' ')[2].trimEnd()) ?? Buffer.alloc(0);
    sig[10] ^= 1;
    const forged = `${body}\n\u2014 ${ORIGIN} ${sig.toString('base64')}\n`;
    expect(openNote(forged, [logVerifier])).toHaveProperty('error');
    expect(openNote(`${note}\u2014 ${ORIGIN}\n`, [logVerifier])).toHaveProperty('error');
    expect(openNote(`${note}\u2014 ${ORIGIN} AAAA\n`, [logVerifier])).toHaveProperty('error');
  });

  it('rejects a checkpoint signed for another size', () => {
    const note = signNote(body, ORIGIN, logKey);
    expect(openNote(note.replace('\n8\n', '\n9\n'), [logVerifier])).toHaveProperty('error');
  });

  it('parses extension lines', () => {
    expect(parseCheckpointBody(`${body}ext one\next two\n`)).toMatchObject({ extensions: ['ext one', 'ext two'] });
  });

  const root = ROOT_8.toString('base64');
  it.each([
    ['empty', ''],
    ['two lines', `${ORIGIN}\n8\n`],
    ['no final newline', `${ORIGIN}\n8\n${root}`],
    ['leading zero', `${ORIGIN}\n08\n${root}\n`],
    ['negative size', `${ORIGIN}\n-1\n${root}\n`],
    ['size beyond 2^64 − 1', `${ORIGIN}\n18446744073709551616\n${root}\n`],
    ['31-byte root', `${ORIGIN}\n8\n${ROOT_8.subarray(1).toString('base64')}\n`],
    ['unpadded root', `${ORIGIN}\n8\n${root.replace(/=$/, '')}\n`],
    ['base64url root', `${ORIGIN}\n8\n${ROOT_8.toString('base64url')}=\n`],
    ['hex root', `${ORIGIN}\n8\n${ROOT_8.toString('hex')}\n`],
    ['empty origin', `\n8\n${root}\n`],
    ['empty extension line', `${ORIGIN}\n8\n${root}\n\n`],
    ['CRLF', `${ORIGIN}\r\n8\r\n${root}\r\n`],
  ])('rejects a body with %s', (_case, text) => {
    expect(parseCheckpointBody(text)).toHaveProperty('error');
  });

  it.each([
    ['a space in the origin', () => formatCheckpointBody('ledger example', 1n, ROOT_8)],
    ['a plus in the origin', () => formatCheckpointBody('ledger+x', 1n, ROOT_8)],
    ['a newline in the origin', () => formatCheckpointBody('a\nb', 1n, ROOT_8)],
    ['an empty origin', () => formatCheckpointBody('', 1n, ROOT_8)],
    ['a negative size', () => formatCheckpointBody(ORIGIN, -1n, ROOT_8)],
    ['a 31-byte root', () => formatCheckpointBody(ORIGIN, 1n, ROOT_8.subarray(1))],
    ['a body without final newline', () => signNote('text', ORIGIN, logKey)],
    ['an empty body', () => signNote('', ORIGIN, logKey)],
    ['a control character', () => signNote('a\tb\n', ORIGIN, logKey)],
    ['a key name with a space', () => signNote(body, 'a b', logKey)],
    ['a key name with a non-breaking space', () => signNote(body, 'a\u00a0b', logKey)],
  ])('refuses %s', (_case, call) => {
    expect(call).toThrow();
  });
});

describe('decodeBase64Strict', () => {
  it.each([
    ['', ''],
    ['Zg==', '66'],
    ['Zm8=', '666f'],
    ['Zm9v', '666f6f'],
  ])('decodes %j', (text, expectedHex) => {
    expect(decodeBase64Strict(text)?.toString('hex')).toBe(expectedHex);
  });

  it.each(['Zg', 'Zh==', 'Zm9v\n', 'Zm 9v', 'Zm9-', 'Zg=', '===='])('refuses %j', (text) => {
    expect(decodeBase64Strict(text)).toBeNull();
  });
});

describe('verifier keys whose base64 contains "+"', () => {
  it('parses and verifies them (the key text is split at the first two "+" only)', () => {
    let found: { name: string; raw: Buffer; key: ReturnType<typeof privateKeyFromSeed> } | null = null;
    for (let i = 0; i < 500 && !found; i++) {
      const key = privateKeyFromSeed(Buffer.alloc(32, i));
      const raw = publicKeyRaw(key);
      if (verifierKeyText('ledger.test/log', raw).split('+').length > 3) found = { name: 'ledger.test/log', raw, key };
    }
    if (!found) throw new Error('no seed in 0..499 gives a "+" in the base64 key');
    const text = verifierKeyText(found.name, found.raw);
    const parsed = parseVerifierKey(text);
    expect(parsed).toMatchObject({ name: found.name });
    if ('error' in parsed) throw new Error(parsed.error);
    expect(parsed.publicKeyRaw.equals(found.raw)).toBe(true);
    const note = signNote('ledger.test/log\n1\n' + Buffer.alloc(32).toString('base64') + '\n', found.name, found.key);
    expect(openNote(note, [parsed])).toMatchObject({ body: expect.any(String) });
  });
});
