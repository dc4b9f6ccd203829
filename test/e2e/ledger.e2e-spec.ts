import { openNote, parseCheckpointBody, parseVerifierKey } from '../../src/ledger/checkpoint.rules.js';
import { verifyConsistency } from '../../src/ledger/ledger.rules.js';
import { verifyReceiptEvidence } from '../../src/ledger/receipt-verifier.rules.js';
import { admin, createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';
import { createPerson } from '../support/factories.js';

describe('ledger HTTP API (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    for (let i = 0; i < 5; i++) await createPerson(t);
  });

  afterAll(async () => {
    await t.close();
  });

  it('serves a C2SP checkpoint signed by the published key', async () => {
    const key = await t.http.get('/v1/ledger/public-key').expect(200);
    expect(key.body).toMatchObject({ keyName: 'ledger.test/cell-images', algorithm: 'ed25519' });
    expect(key.body.keyId).toMatch(/^[0-9a-f]{8}$/);
    const res = await t.http.get('/v1/ledger/checkpoint').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const verifier = parseVerifierKey(key.body.verifierKey);
    if ('error' in verifier) throw new Error(verifier.error);
    expect(Buffer.from(key.body.publicKey, 'base64').equals(verifier.publicKeyRaw)).toBe(true);
    const opened = openNote(res.text, [verifier]);
    if ('error' in opened) throw new Error(opened.error);
    const body = parseCheckpointBody(opened.body);
    if ('error' in body) throw new Error(body.error);
    expect(body.origin).toBe('ledger.test/cell-images');
    expect(body.size).toBeGreaterThanOrEqual(5n);
    expect(res.text).toContain('\n\n\u2014 ledger.test/cell-images ');
  });

  it('lets a third party verify a write receipt with nothing but the public key', async () => {
    const write = await t.http
      .post('/v1/agents')
      .set(admin)
      .send({ kind: 'organization', name: 'Image Data Resource' })
      .expect(201);
    const { seq } = write.body.receipt;
    await t.http.post('/v1/ledger/checkpoint').set(admin).expect(200);
    const [entry, checkpoint, key] = await Promise.all([
      t.http.get(`/v1/ledger/entries/${seq}`).expect(200),
      t.http.get('/v1/ledger/checkpoint').expect(200),
      t.http.get('/v1/ledger/public-key').expect(200),
    ]);
    const inclusion = await t.http.get(`/v1/ledger/entries/${seq}/inclusion`).expect(200);
    expect(entry.body.leafHash).toBe(write.body.receipt.leafHash);
    const evidence = {
      entry: entry.body,
      inclusion: inclusion.body,
      checkpoint: checkpoint.text,
      verifierKey: key.body.verifierKey,
    };
    expect(verifyReceiptEvidence(evidence)).toEqual({ ok: true });
    expect(
      verifyReceiptEvidence({
        ...evidence,
        entry: { ...entry.body, payload: { ...entry.body.payload, name: 'Forged' } },
      }),
    ).toMatchObject({
      ok: false,
    });
  });

  it('serves consistency proofs that verify between two tree sizes', async () => {
    const cp = await t.http.get('/v1/ledger/checkpoint').expect(200);
    const to = cp.text.split('\n')[1];
    const res = await t.http.get(`/v1/ledger/consistency?from=3&to=${to}`).expect(200);
    const ok = verifyConsistency(
      3n,
      BigInt(to),
      Buffer.from(res.body.fromRoot, 'hex'),
      Buffer.from(res.body.toRoot, 'hex'),
      res.body.path.map((p: string) => Buffer.from(p, 'hex')),
    );
    expect(ok).toBe(true);
    const same = await t.http.get(`/v1/ledger/consistency?from=${to}&to=${to}`).expect(200);
    expect(same.body.path).toEqual([]);
  });

  it.each([
    ['/v1/ledger/entries/abc', 400, 'INVALID_INDEX'],
    ['/v1/ledger/entries/007', 400, 'INVALID_INDEX'],
    ['/v1/ledger/entries/99999999', 404, 'LEDGER_ENTRY_NOT_FOUND'],
    ['/v1/ledger/entries/0/inclusion?treeSize=99999999', 400, 'INVALID_TREE_SIZE'],
    ['/v1/ledger/entries/3/inclusion?treeSize=3', 400, 'INVALID_TREE_SIZE'],
    ['/v1/ledger/entries/0/inclusion?treeSize=-1', 400, 'INVALID_INDEX'],
    ['/v1/ledger/consistency?from=4&to=2', 400, 'INVALID_TREE_RANGE'],
    ['/v1/ledger/consistency?from=0&to=2', 400, 'INVALID_TREE_RANGE'],
    ['/v1/ledger/consistency?from=1&to=99999999', 400, 'INVALID_TREE_RANGE'],
    ['/v1/ledger/consistency?from=x&to=2', 400, 'INVALID_INDEX'],
    ['/v1/ledger/consistency?to=2', 400, 'INVALID_INDEX'],
  ])('GET %s -> %i %s', async (path, status, code) => {
    const res = await t.http.get(path);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe(code);
  });

  it('only admins can force a checkpoint', async () => {
    const res = await t.http.post('/v1/ledger/checkpoint');
    expect(res.status).toBe(401);
  });
});
