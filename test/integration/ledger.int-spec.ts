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

  it('refuses to append outside a transaction', async () => {
    await expect(ledger.append(dataSource.manager, { kind: 'test.x', actor: null, payload: {} })).rejects.toThrow(
      /transaction/,
    );
  });

  it.each([
    ['UPDATE ledger_entries SET kind = $1 WHERE seq = 0', ['tampered']],
    ['DELETE FROM ledger_entries WHERE seq = 0', []],
    ['UPDATE ledger_nodes SET hash = $1 WHERE level = 1 AND idx = 0', [Buffer.alloc(32)]],
    ['TRUNCATE ledger_entries', []],
  ])('the database refuses %s', async (sql, params) => {
    await expect(dataSource.query(sql, params)).rejects.toThrow(/append-only/);
  });

  it('ledger audit passes on the live log, and names the exact seq of a forced change', async () => {
    await checkpoints.publish();
    const clean = await auditLedger(dataSource, verifiers());
    expect(clean).toMatchObject({ ok: true, problem: null });
    expect(clean.checkpoints).toBeGreaterThan(0);

    const client = await connect(t.db.url);
    try {
      // A stored subtree hash that disagrees with its leaves is named by the first leaf under it (level 1, idx 5: 10).
      await client.query('ALTER TABLE ledger_nodes DISABLE TRIGGER ledger_nodes_append_only');
      const original = await client.query<{ hash: Buffer }>('SELECT hash FROM ledger_nodes WHERE level = 1 AND idx = 5');
      await client.query('UPDATE ledger_nodes SET hash = $1 WHERE level = 1 AND idx = 5', [Buffer.alloc(32, 7)]);
      expect(await auditLedger(dataSource, verifiers())).toMatchObject({ ok: false, firstBadSeq: 10n });
      await client.query('UPDATE ledger_nodes SET hash = $1 WHERE level = 1 AND idx = 5', [original.rows[0].hash]);
      await client.query('ALTER TABLE ledger_nodes ENABLE TRIGGER ledger_nodes_append_only');
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
