import { createHash } from 'node:crypto';
import { privateKeyFromSeed, publicKeyRaw } from '../ledger/checkpoint.rules.js';
import {
  buildProofOptions,
  checkCredentialStructure,
  decodeBase58btc,
  deriveCredentialSeed,
  didKeyOf,
  didKeyVerificationMethod,
  ed25519PublicKeyMultibase,
  encodeBase58btc,
  hashForSigning,
  parseEd25519PublicKeyMultibase,
  parseEd25519SecretKeyMultibase,
  proofConfigDocument,
  resolveDidKeyVerificationMethod,
  signProofValue,
  verifyProofValue,
} from './data-integrity.rules.js';

// Key pair of the W3C vc-di-eddsa specification's examples ("Private and Public Keys for Signature").
const SPEC_SECRET = 'z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq';
const SPEC_PUBLIC = 'z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2';

describe('base58btc', () => {
  // Vectors from draft-msporny-base58 §5 and the Bitcoin alphabet's leading-zero rule.
  it.each([
    ['Hello World!', '2NEpo7TZRRrLZSi2U'],
    ['The quick brown fox jumps over the lazy dog.', 'USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z'],
  ])('encodes %j as %s and back', (text, encoded) => {
    expect(encodeBase58btc(Buffer.from(text, 'utf8'))).toBe(encoded);
    expect(decodeBase58btc(encoded)?.toString('utf8')).toBe(text);
  });

  it.each([
    [Buffer.from('0000287fb4cd', 'hex'), '11233QC4'],
    [Buffer.alloc(0), ''],
    [Buffer.from([0]), '1'],
    [Buffer.from([0xff]), '5Q'],
  ])('keeps leading zero bytes: %s <-> %s', (bytes, encoded) => {
    expect(encodeBase58btc(bytes)).toBe(encoded);
    expect(decodeBase58btc(encoded)?.equals(bytes)).toBe(true);
  });

  it.each(['0OIl', 'abc0', 'z+'])('refuses characters outside the alphabet in %s', (text) => {
    expect(decodeBase58btc(text)).toBeNull();
  });
});

describe('Multikey and did:key', () => {
  const seed = parseEd25519SecretKeyMultibase(SPEC_SECRET) as Buffer;
  const key = privateKeyFromSeed(seed);

  it('derives the specification public key from the specification secret key', () => {
    expect(seed).toHaveLength(32);
    expect(ed25519PublicKeyMultibase(publicKeyRaw(key))).toBe(SPEC_PUBLIC);
    expect(parseEd25519PublicKeyMultibase(SPEC_PUBLIC)?.equals(publicKeyRaw(key))).toBe(true);
  });

  it('names the key as did:key with the multibase as fragment and resolves it back', () => {
    const raw = publicKeyRaw(key);
    expect(didKeyOf(raw)).toBe(`did:key:${SPEC_PUBLIC}`);
    expect(didKeyVerificationMethod(raw)).toBe(`did:key:${SPEC_PUBLIC}#${SPEC_PUBLIC}`);
    expect(resolveDidKeyVerificationMethod(`did:key:${SPEC_PUBLIC}#${SPEC_PUBLIC}`)).toEqual({
      did: `did:key:${SPEC_PUBLIC}`,
      publicKeyRaw: raw,
    });
  });

  it.each([
    [`did:key:${SPEC_PUBLIC}`],
    [`did:key:${SPEC_PUBLIC}#key-1`],
    [`https://ledger.example.org/keys#${SPEC_PUBLIC}`],
    [`did:key:${SPEC_SECRET}#${SPEC_SECRET}`],
    [42],
  ])('does not resolve %s', (method) => {
    expect(resolveDidKeyVerificationMethod(method)).toBeNull();
  });

  it('derives a credential key that differs from the service key and is stable', () => {
    const derived = deriveCredentialSeed(seed);
    expect(derived).toHaveLength(32);
    expect(derived.equals(seed)).toBe(false);
    expect(deriveCredentialSeed(seed).equals(derived)).toBe(true);
  });
});

describe('eddsa-rdfc-2022 hashing and signing', () => {
  const seed = parseEd25519SecretKeyMultibase(SPEC_SECRET) as Buffer;
  const key = privateKeyFromSeed(seed);
  const raw = publicKeyRaw(key);

  it('hashes proof config first, then the document (64 bytes)', () => {
    const hash = hashForSigning('config', 'document');
    expect(hash).toHaveLength(64);
    expect(hash.subarray(0, 32)).toEqual(createHash('sha256').update('config').digest());
    expect(hash.subarray(32)).toEqual(createHash('sha256').update('document').digest());
  });

  it('builds proof options and a proof config under the document context, without proofValue', () => {
    const options = buildProofOptions(didKeyVerificationMethod(raw), new Date('2025-03-04T05:06:07.890Z'));
    expect(options).toEqual({
      type: 'DataIntegrityProof',
      cryptosuite: 'eddsa-rdfc-2022',
      created: '2025-03-04T05:06:07Z',
      verificationMethod: `did:key:${SPEC_PUBLIC}#${SPEC_PUBLIC}`,
      proofPurpose: 'assertionMethod',
    });
    expect(proofConfigDocument({ ...options, proofValue: 'zabc' }, ['https://www.w3.org/ns/credentials/v2'])).toEqual({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      ...options,
    });
  });

  it('signs and verifies; a changed byte or another key fails', () => {
    const data = hashForSigning('a', 'b');
    const proofValue = signProofValue(key, data);
    expect(proofValue.startsWith('z')).toBe(true);
    expect(verifyProofValue(raw, data, proofValue)).toBe(true);
    expect(verifyProofValue(raw, hashForSigning('a', 'c'), proofValue)).toBe(false);
    const other = publicKeyRaw(privateKeyFromSeed(deriveCredentialSeed(seed)));
    expect(verifyProofValue(other, data, proofValue)).toBe(false);
    expect(verifyProofValue(raw, data, 'not-multibase')).toBe(false);
  });
});

describe('checkCredentialStructure', () => {
  const raw = publicKeyRaw(privateKeyFromSeed(parseEd25519SecretKeyMultibase(SPEC_SECRET) as Buffer));
  const allowed = [
    'https://www.w3.org/ns/credentials/v2',
    'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
  ];
  const good = {
    '@context': allowed,
    id: 'urn:uuid:9b3f7d6e-0000-4000-8000-000000000000',
    issuer: { id: didKeyOf(raw), type: ['Profile'], name: 'Ledger' },
    proof: { ...buildProofOptions(didKeyVerificationMethod(raw), new Date('2025-01-01T00:00:00Z')), proofValue: 'z3' },
  };
  const statusOf = (credential: unknown, keys: Uint8Array[] = [raw]) =>
    Object.fromEntries(checkCredentialStructure(credential, allowed, keys).checks.map((c) => [c.code, c.status]));

  it('passes a well-formed credential and hands back document and proof', () => {
    const verdict = checkCredentialStructure(good, allowed, [raw]);
    expect(verdict.checks.every((c) => c.status === 'pass')).toBe(true);
    expect(verdict.document).not.toHaveProperty('proof');
    expect(verdict.proof).toEqual(good.proof);
    expect(verdict.publicKeyRaw?.equals(raw)).toBe(true);
  });

  it.each([
    ['a remote context', 'CONTEXTS_ALLOWED', { ...good, '@context': [...allowed, 'https://example.org/ctx'] }],
    ['an inline context', 'CONTEXTS_ALLOWED', { ...good, '@context': [...allowed, { x: 'http://example.org/x' }] }],
    ['VC 2.0 not first', 'CONTEXTS_ALLOWED', { ...good, '@context': [...allowed].reverse() }],
    [
      'another cryptosuite',
      'CRYPTOSUITE_SUPPORTED',
      { ...good, proof: { ...good.proof, cryptosuite: 'ecdsa-rdfc-2019' } },
    ],
    ['another purpose', 'CRYPTOSUITE_SUPPORTED', { ...good, proof: { ...good.proof, proofPurpose: 'authentication' } }],
    ['a bad created', 'CRYPTOSUITE_SUPPORTED', { ...good, proof: { ...good.proof, created: 'yesterday' } }],
    [
      'a URL key',
      'VERIFICATION_METHOD_RESOLVED',
      { ...good, proof: { ...good.proof, verificationMethod: 'https://x.example/key' } },
    ],
    ['another issuer', 'ISSUER_KEY_KNOWN', { ...good, issuer: 'did:key:z6MkotherIssuer' }],
  ])('fails %s at %s', (_what, code, credential) => {
    expect(statusOf(credential)[code]).toBe('fail');
  });

  it('fails a key this service does not issue with', () => {
    expect(statusOf(good, [Buffer.alloc(32, 7)]).ISSUER_KEY_KNOWN).toBe('fail');
  });

  it.each([
    ['no proof', { ...good, proof: undefined }],
    ['two proofs', { ...good, proof: [good.proof, good.proof] }],
    ['not an object', 'credential'],
  ])('reports %s without a signature check', (_what, credential) => {
    const verdict = checkCredentialStructure(credential, allowed, [raw]);
    expect(verdict.checks.some((c) => c.status === 'fail')).toBe(true);
    expect(verdict.proof).toBeUndefined();
  });
});
