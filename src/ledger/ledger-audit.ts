import { DataSource } from 'typeorm';
import { openNote, parseCheckpointBody } from './checkpoint.rules.js';
import type { NoteVerifier } from './checkpoint.rules.js';
import {
  buildConsistencyProof,
  buildRoot,
  canonicalizeEntry,
  canonicalizeJson,
  EMPTY_ROOT,
  HASH_SIZE,
  hashChildren,
  hashLeaf,
  nodeKeyId,
  trailingOnes,
  verifyConsistency,
} from './ledger.rules.js';
import type { NodeKey } from './ledger.rules.js';

export interface AuditResult {
  ok: boolean;
  size: bigint;
  checkpoints: number;
  /** The first entry (or the first leaf under a bad node) where the stored log disagrees with itself. */
  firstBadSeq: bigint | null;
  problem: string | null;
}

const PAGE = 10_000;

/**
 * Recomputes the whole log from the stored canonical entries and compares every stored fact with it (ledger.md §8,
 * "Verify command"): gap-free seqs, canonical bytes vs. columns, leaf hashes, every perfect node, every checkpoint's
 * root and signature, consistency between consecutive checkpoints, and that domain rows point at existing entries.
 */
export async function auditLedger(dataSource: DataSource, verifiers: readonly NoteVerifier[]): Promise<AuditResult> {
  const fail = (size: bigint, checkpoints: number, seq: bigint | null, problem: string): AuditResult => ({
    ok: false,
    size,
    checkpoints,
    firstBadSeq: seq,
    problem,
  });
  const head: Array<{ size: string }> = await dataSource.query('SELECT size FROM ledger_head WHERE id = 1');
  const size = BigInt(head[0]?.size ?? '0');

  // 1–2. Entries: gap-free, canonical bytes agree with the columns, leaf hash recomputes.
  const leaves: Buffer[] = [];
  let expected = 0n;
  for (;;) {
    const rows: Array<{
      seq: string;
      kind: string;
      actor: string | null;
      created_at: Date;
      canonical: Buffer;
      payload: unknown;
      leaf_hash: Buffer;
    }> = await dataSource.query(
      'SELECT seq, kind, actor, created_at, canonical, payload, leaf_hash FROM ledger_entries WHERE seq >= $1 ORDER BY seq LIMIT $2',
      [expected.toString(), PAGE],
    );
    for (const row of rows) {
      const seq = BigInt(row.seq);
      if (seq !== expected) return fail(size, 0, expected, `seq ${expected} is missing (next stored is ${seq})`);
      let parsed: { seq: string; kind: string; actor: string | null; createdAt: string; payload: unknown };
      try {
        parsed = JSON.parse(row.canonical.toString('utf8')) as typeof parsed;
      } catch {
        return fail(size, 0, seq, `seq ${seq}: stored canonical bytes are not JSON`);
      }
      const rebuilt = canonicalizeEntry({
        seq,
        kind: parsed.kind,
        payload: parsed.payload,
        actor: parsed.actor,
        createdAt: parsed.createdAt,
      });
      if (!rebuilt.equals(row.canonical))
        return fail(size, 0, seq, `seq ${seq}: stored bytes are not RFC 8785 canonical`);
      if (parsed.seq !== row.seq || parsed.kind !== row.kind || parsed.actor !== row.actor) {
        return fail(size, 0, seq, `seq ${seq}: columns differ from the hashed entry`);
      }
      if (new Date(parsed.createdAt).getTime() !== row.created_at.getTime()) {
        return fail(size, 0, seq, `seq ${seq}: created_at differs from the hashed entry`);
      }
      if (!sameJson(row.payload, parsed.payload)) {
        return fail(size, 0, seq, `seq ${seq}: payload column differs from the hashed entry`);
      }
      const leaf = hashLeaf(row.canonical);
      if (!leaf.equals(row.leaf_hash)) return fail(size, 0, seq, `seq ${seq}: leaf hash does not match its entry`);
      leaves.push(leaf);
      expected++;
    }
    if (rows.length < PAGE) break;
  }
  if (expected !== size) return fail(size, 0, expected, `ledger_head says ${size} entries but ${expected} are stored`);

  // 3. Every perfect node, rebuilt level by level from the leaves, against the subtree_hashes stored on the entry
  // that completed it: row seq holds levels 1..trailingOnes(seq), nothing more or less. Of several bad nodes the one
  // whose leaves start first is named.
  const levels: Buffer[][] = [leaves];
  while (levels[levels.length - 1].length > 1) {
    const below = levels[levels.length - 1];
    const parents: Buffer[] = [];
    for (let i = 0; i + 1 < below.length; i += 2) parents.push(hashChildren(below[i], below[i + 1]));
    levels.push(parents);
  }
  const bad: { seq: bigint | null; problem: string } = { seq: null, problem: '' };
  const report = (seq: bigint, problem: string): void => {
    if (bad.seq === null || seq < bad.seq) Object.assign(bad, { seq, problem });
  };
  for (let next = 0n; next < size;) {
    const rows: Array<{ seq: string; subtree_hashes: Buffer | null }> = await dataSource.query(
      'SELECT seq, subtree_hashes FROM ledger_entries WHERE seq >= $1 AND seq < $2 ORDER BY seq LIMIT $3',
      [next.toString(), size.toString(), PAGE],
    );
    for (const row of rows) {
      const seq = BigInt(row.seq);
      const expectedCount = trailingOnes(seq);
      const stored = row.subtree_hashes;
      const storedCount = stored === null ? 0 : Math.floor(stored.length / HASH_SIZE);
      if (stored !== null && (expectedCount === 0 || stored.length % HASH_SIZE !== 0)) {
        const expected = expectedCount === 0 ? 'NULL' : `${expectedCount} hashes`;
        report(seq, `seq ${seq}: subtree_hashes holds ${stored.length} bytes, expected ${expected}`);
      } else if (storedCount > expectedCount) {
        report(seq, `seq ${seq}: subtree_hashes holds ${storedCount} hashes, expected ${expectedCount}`);
      } else if (storedCount < expectedCount) {
        // The first level it lacks is a missing node, named by the first leaf under it.
        const level = BigInt(storedCount + 1);
        const idx = seq >> level;
        report(
          idx << level,
          `seq ${seq}: subtree_hashes holds ${storedCount} hashes, expected ${expectedCount} (ledger node ${level}/${idx} is missing)`,
        );
      }
      if (stored === null) continue;
      for (let level = 1; level <= Math.min(storedCount, expectedCount); level++) {
        const idx = seq >> BigInt(level);
        const offset = (level - 1) * HASH_SIZE;
        if (!levels[level][Number(idx)].equals(stored.subarray(offset, offset + HASH_SIZE))) {
          report(
            idx << BigInt(level),
            `ledger node ${level}/${idx} (on seq ${seq}) does not match the entries under it`,
          );
        }
      }
    }
    if (rows.length < PAGE) break;
    next = BigInt(rows[rows.length - 1].seq) + 1n;
  }
  if (bad.seq !== null) return fail(size, 0, bad.seq, bad.problem);
  const lookup = (key: NodeKey): Buffer => {
    const hash = levels[key.level]?.[Number(key.idx)];
    if (!hash) throw new Error(`node ${nodeKeyId(key)} is not in the rebuilt tree`);
    return hash;
  };
  const rootAt = (n: bigint): Buffer => (n === 0n ? Buffer.from(EMPTY_ROOT) : buildRoot(n, lookup));

  // 4–5. Checkpoints: root, body, signature, and consistency with the previous one.
  const checkpoints: Array<{ size: string; root: Buffer; note: string }> = await dataSource.query(
    'SELECT size, root, note FROM ledger_checkpoints ORDER BY size',
  );
  let previous: { size: bigint; root: Buffer } | null = null;
  for (const [i, cp] of checkpoints.entries()) {
    const n = BigInt(cp.size);
    if (n > size) return fail(size, i, null, `checkpoint ${n} is beyond the log size ${size}`);
    const root = rootAt(n);
    if (!root.equals(cp.root)) return fail(size, i, null, `checkpoint ${n}: stored root differs from the rebuilt tree`);
    const opened = openNote(cp.note, verifiers);
    if ('error' in opened) return fail(size, i, null, `checkpoint ${n}: signature does not verify (${opened.error})`);
    const body = parseCheckpointBody(opened.body);
    if ('error' in body) return fail(size, i, null, `checkpoint ${n}: ${body.error}`);
    if (body.size !== n || !body.root.equals(root))
      return fail(size, i, null, `checkpoint ${n}: signed body does not match size and root`);
    if (previous && previous.size > 0n && previous.size < n) {
      const proof = buildConsistencyProof(previous.size, n, lookup);
      if (!verifyConsistency(previous.size, n, previous.root, root, proof)) {
        return fail(size, i, null, `checkpoints ${previous.size} and ${n} are not consistent`);
      }
    }
    previous = { size: n, root };
  }

  // 6. Domain rows point at entries that exist.
  const tables: Array<{ table_name: string }> = await dataSource.query(
    `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'ledger_seq'`,
  );
  for (const { table_name } of tables) {
    const bad: Array<{ ledger_seq: string }> = await dataSource.query(
      `SELECT ledger_seq FROM "${table_name}" WHERE ledger_seq >= $1 OR ledger_seq < 0 LIMIT 1`,
      [size.toString()],
    );
    if (bad.length > 0)
      return fail(
        size,
        checkpoints.length,
        BigInt(bad[0].ledger_seq),
        `${table_name} points at seq ${bad[0].ledger_seq}, which is not in the log`,
      );
  }
  return { ok: true, size, checkpoints: checkpoints.length, firstBadSeq: null, problem: null };
}

function sameJson(a: unknown, b: unknown): boolean {
  try {
    return canonicalizeJson(a) === canonicalizeJson(b);
  } catch {
    return false;
  }
}
