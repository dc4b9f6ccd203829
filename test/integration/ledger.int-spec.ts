import type pg from 'pg';
import { DataSource } from 'typeorm';
import { parseCheckpointBody } from '../../src/ledger/checkpoint.rules.js';
import { CheckpointService } from '../../src/ledger/checkpoint.service.js';
import { auditLedger } from '../../src/ledger/ledger-audit.js';
import { merkleTreeHash, verifyConsistency, verifyInclusion } from '../../src/ledger/ledger.rules.js';
import { LedgerService } from '../../src/ledger/ledger.service.js';
import { verifyExport } from '../../src/ledger/receipt-verifier.rules.js';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';
import { connect } from '../support/db.js';

/** Overwrites one row's subtree_hashes with the append-only trigger lifted for the moment (tamper tests). */
async function tamperSubtreeHashes(client: pg.Client, seq: number, value: Buffer | null): Promise<void> {
  await client.query('ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only');
  try {
    await client.query('UPDATE ledger_entries SET subtree_hashes = $1 WHERE seq = $2', [value, seq]);
  } finally {
    await client.query('ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_append_only');
  }
}

describe('ledger (integration, real PostgreSQL)', () => {
  let t: TestApp;
  let ledger: LedgerService;
  let checkpoints: CheckpointService;
  let dataSource: DataSource;

  beforeAll(async () => {
    t = await createTestApp({ redis: 'off' });
    ledger = t.app.get(LedgerService);
    checkpoints = t.app.get(CheckpointService);
    dataSource = t.app.get(DataSource);
  });

  afterAll(async () => {
    await t.close();
  });

  const verifiers = () => [
    { name: t.config.LEDGER_ORIGIN, publicKeyRaw: Buffer.from(checkpoints.publicKeyInfo().publicKey, 'base64') },
  ];

  it('gives 8 concurrent writers × 25 writes unique, gap-free seqs whose proofs all verify', async () => {
    const start = await ledger.size();
    const writer = async (w: number) => {
      const receipts = [];
      for (let i = 0; i < 25; i++) {
        receipts.push(
          await dataSource.transaction((m) =>
            ledger.append(m, { kind: 'test.write', actor: null, payload: { writer: w, i } }),
          ),
        );
      }
      return receipts;
    };
    const receipts = (await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(writer))).flat();
    const seqs = receipts.map((r) => BigInt(r.seq)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => start + BigInt(i)));
    const size = await ledger.size();
    expect(size).toBe(start + 200n);
    const root = await ledger.root(size);
    for (const r of receipts) {
      const proof = await ledger.inclusionProof(BigInt(r.seq), size);
      expect(proof.rootHash.equals(root)).toBe(true);
      expect(verifyInclusion(BigInt(r.seq), size, Buffer.from(r.leafHash, 'hex'), proof.path, root)).toBe(true);
    }
    for (const m of [1n, start + 1n, start + 77n, size - 1n]) {
      const proof = await ledger.consistencyProof(m, size);
      expect(verifyConsistency(m, size, proof.fromRoot, proof.toRoot, proof.path)).toBe(true);
    }
  });

  it('leaves no gap when a writing transaction rolls back', async () => {
    const before = await ledger.size();
    await expect(
      dataSource.transaction(async (m) => {
        await ledger.append(m, { kind: 'test.doomed', actor: null, payload: {} });
        throw new Error('domain write failed');
      }),
    ).rejects.toThrow('domain write failed');
    const receipt = await dataSource.transaction((m) =>
      ledger.append(m, { kind: 'test.after', actor: null, payload: {} }),
    );
    expect(BigInt(receipt.seq)).toBe(before);
  });

  it('appends a batch of several pipelined chunks as one gap-free run that proofs and the audit accept', async () => {
    const start = await ledger.size();
    const receipts = await dataSource.transaction((m) =>
      ledger.appendMany(
        m,
        Array.from({ length: 700 }, (_, i) => ({ kind: 'test.batch', actor: null, payload: { i, at: new Date(0) } })),
      ),
    );
    expect(receipts.map((r) => BigInt(r.seq))).toEqual(Array.from({ length: 700 }, (_, i) => start + BigInt(i)));
    const size = await ledger.size();
    expect(size).toBe(start + 700n);
    const root = await ledger.root(size);
    for (const i of [0, 255, 256, 511, 512, 699]) {
      const r = receipts[i];
      const proof = await ledger.inclusionProof(BigInt(r.seq), size);
      expect(verifyInclusion(BigInt(r.seq), size, Buffer.from(r.leafHash, 'hex'), proof.path, root)).toBe(true);
    }
    expect((await ledger.entry(start + 600n)).payload).toEqual({ i: 600, at: '1970-01-01T00:00:00.000Z' });
    expect(await auditLedger(dataSource, verifiers())).toMatchObject({ ok: true });
  });

  it('writes nothing of a batch whose later chunk fails, and reports the failure', async () => {
    const before = await ledger.size();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    // Entry 300 sits in the second chunk: the first chunk's INSERT is already on its way when it throws.
    await expect(
      dataSource.transaction((m) =>
        ledger.appendMany(
          m,
          Array.from({ length: 400 }, (_, i) => ({
            kind: 'test.doomed-batch',
            actor: null,
            payload: i === 300 ? cyclic : { i },
          })),
        ),
      ),
    ).rejects.toThrow(/circular/i);
    expect(await ledger.size()).toBe(before);
    const rows = await dataSource.query(
      `SELECT count(*)::int AS n FROM ledger_entries WHERE kind = 'test.doomed-batch'`,
    );
    expect(rows[0].n).toBe(0);
  });

  it('refuses to append outside a transaction', async () => {
    await expect(ledger.append(dataSource.manager, { kind: 'test.x', actor: null, payload: {} })).rejects.toThrow(
      /transaction/,
    );
  });

  it.each([
    ['UPDATE ledger_entries SET kind = $1 WHERE seq = 0', ['tampered']],
    ['DELETE FROM ledger_entries WHERE seq = 0', []],
    ['UPDATE ledger_entries SET subtree_hashes = $1 WHERE seq = 1', [Buffer.alloc(32)]],
    ['TRUNCATE ledger_entries', []],
  ])('the database refuses %s', async (sql, params) => {
    await expect(dataSource.query(sql, params)).rejects.toThrow(/append-only/);
  });

  it('ledger audit names a row whose subtree_hashes hold more or fewer hashes than its leaf completed', async () => {
    const client = await connect(t.db.url);
    const tamper = (seq: number, value: Buffer | null) => tamperSubtreeHashes(client, seq, value);
    try {
      // seq 23 (binary 10111) completes 1/11, 2/5 and 3/2: three hashes.
      const { rows } = await client.query<{ subtree_hashes: Buffer }>(
        'SELECT subtree_hashes FROM ledger_entries WHERE seq = 23',
      );
      const original = rows[0].subtree_hashes;
      expect(original).toHaveLength(96);

      // One short: node 3/2 (leaves 16..23) is missing.
      await tamper(23, original.subarray(0, 64));
      expect(await auditLedger(dataSource, verifiers())).toMatchObject({
        ok: false,
        firstBadSeq: 16n,
        problem: expect.stringMatching(/seq 23: .*2 hashes, expected 3.*3\/2 is missing/) as unknown,
      });
      // One too many (the right hashes, then one more).
      await tamper(23, Buffer.concat([original, Buffer.alloc(32, 1)]));
      expect(await auditLedger(dataSource, verifiers())).toMatchObject({
        ok: false,
        firstBadSeq: 23n,
        problem: expect.stringContaining('seq 23: subtree_hashes holds 4 hashes, expected 3') as unknown,
      });
      // None at all.
      await tamper(23, null);
      expect(await auditLedger(dataSource, verifiers())).toMatchObject({ ok: false, firstBadSeq: 22n });
      await tamper(23, original);

      // An even seq completes nothing: its column must be NULL.
      await tamper(24, Buffer.alloc(32));
      expect(await auditLedger(dataSource, verifiers())).toMatchObject({
        ok: false,
        firstBadSeq: 24n,
        problem: expect.stringContaining('seq 24: subtree_hashes holds 32 bytes, expected NULL') as unknown,
      });
      await tamper(24, null);

      // The database itself refuses a length that is not a whole number of hashes.
      await expect(tamper(23, original.subarray(0, 40))).rejects.toThrow(/ledger_entries_subtree_hashes_size/);
      expect(await auditLedger(dataSource, verifiers())).toMatchObject({ ok: true });
    } finally {
      await client.end();
    }
  });

  it('ledger audit passes on the live log, and names the exact seq of a forced change', async () => {
    await checkpoints.publish();
    const clean = await auditLedger(dataSource, verifiers());
    expect(clean).toMatchObject({ ok: true, problem: null });
    expect(clean.checkpoints).toBeGreaterThan(0);

    const client = await connect(t.db.url);
    try {
      // A stored subtree hash that disagrees with its leaves is named by the first leaf under it. Node 2/2 (leaves
      // 8..11) is the second hash on seq 11, the leaf that completed it; node 1/5 (leaves 10, 11) the first.
      const tamper = (seq: number, value: Buffer | null) => tamperSubtreeHashes(client, seq, value);
      const stored = await client.query<{ subtree_hashes: Buffer }>(
        'SELECT subtree_hashes FROM ledger_entries WHERE seq = 11',
      );
      const original = stored.rows[0].subtree_hashes;
      expect(original).toHaveLength(64);
      const withHash = (level: number, hash: Buffer) => {
        const copy = Buffer.from(original);
        hash.copy(copy, (level - 1) * 32);
        return copy;
      };
      await tamper(11, withHash(2, Buffer.alloc(32, 7)));
      expect(await auditLedger(dataSource, verifiers())).toMatchObject({
        ok: false,
        firstBadSeq: 8n,
        problem: expect.stringContaining('ledger node 2/2') as unknown,
      });
      await tamper(11, withHash(1, Buffer.alloc(32, 7)));
      expect(await auditLedger(dataSource, verifiers())).toMatchObject({
        ok: false,
        firstBadSeq: 10n,
        problem: expect.stringContaining('ledger node 1/5') as unknown,
      });
      await tamper(11, original);
      expect(await auditLedger(dataSource, verifiers())).toMatchObject({ ok: true });

      await client.query('ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only');
      await client.query(`UPDATE ledger_entries SET payload = '{"writer": 99, "i": 0}'::jsonb WHERE seq = 57`);
      await client.query('ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_append_only');
    } finally {
      await client.end();
    }
    const tampered = await auditLedger(dataSource, verifiers());
    expect(tampered.ok).toBe(false);
    expect(tampered.firstBadSeq).toBe(57n);
  });

  it('an export rebuilt by the pure verifier alone matches the signed checkpoint', async () => {
    const note = (await checkpoints.publish()).note;
    const lines: string[] = [];
    for await (const e of ledger.entries()) {
      lines.push(
        JSON.stringify({
          seq: e.seq.toString(),
          kind: e.kind,
          payload: e.payload,
          actor: e.actor,
          createdAt: e.createdAt,
          leafHash: e.leafHash.toString('hex'),
        }),
      );
    }
    const body = parseCheckpointBody(note.slice(0, note.lastIndexOf('\n\n') + 1));
    if ('error' in body) throw new Error(body.error);
    expect(body.size).toBeGreaterThan(200n);
    expect(verifyExport(lines, note, checkpoints.publicKeyInfo().verifierKey)).toEqual({ ok: true, size: body.size });
    const leaves = lines.map((l) => Buffer.from((JSON.parse(l) as { leafHash: string }).leafHash, 'hex'));
    expect(merkleTreeHash(leaves.slice(0, Number(body.size))).equals(body.root)).toBe(true);
    const forged = [...lines];
    forged[3] = forged[3].replace('"test.write"', '"test.forged"');
    expect(verifyExport(forged, note, checkpoints.publicKeyInfo().verifierKey)).toMatchObject({ ok: false });
  });
});
