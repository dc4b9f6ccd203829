import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { Receipt } from '../core/database/receipt.js';
import {
  appendToFrontier,
  buildConsistencyProof,
  buildInclusionProof,
  buildRoot,
  canonicalizeEntry,
  consistencyProofKeys,
  EMPTY_ROOT,
  frontierOf,
  HASH_SIZE,
  hashLeaf,
  inclusionProofKeys,
  nodeKeyId,
  nodeLocation,
  rootKeys,
} from './ledger.rules.js';
import type { NodeKey } from './ledger.rules.js';
import { InvalidTreeRangeError, InvalidTreeSizeError, LedgerEntryNotFoundError } from './ledger.errors.js';

export interface AppendRequest {
  kind: string;
  payload: Record<string, unknown>;
  /** The agent id on whose authority the change was made; null for the service itself (jobs, boot). */
  actor: string | null;
}

export interface StoredEntry {
  seq: bigint;
  kind: string;
  payload: unknown;
  actor: string | null;
  createdAt: string;
  leafHash: Buffer;
  canonical: Buffer;
}

/** Entries per INSERT in appendMany: big enough to amortise a statement, small enough to pipeline. */
const APPEND_CHUNK = 256;

const INSERT_ENTRIES = `INSERT INTO ledger_entries (seq, kind, actor, created_at, canonical, payload, leaf_hash, subtree_hashes)
  SELECT e.seq, e.kind, e.actor, $1::timestamptz, e.canonical, (convert_from(e.canonical, 'UTF8')::jsonb) -> 'payload', e.leaf_hash, e.subtree_hashes
  FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bytea[], $6::bytea[], $7::bytea[]) AS e(seq, kind, actor, canonical, leaf_hash, subtree_hashes)`;

/** The node-postgres client under a TypeORM query runner (only what appendMany uses). */
interface PgClient {
  query(text: string, values: readonly unknown[]): Promise<unknown>;
}

/**
 * The Merkle log. `append` runs inside the caller's transaction, so the domain write, its ledger entry and its outbox
 * rows commit or roll back together. The coordinator row lock gives gap-free sequence numbers in commit order.
 */
@Injectable()
export class LedgerService {
  constructor(private readonly dataSource: DataSource) {}

  async append(manager: EntityManager, request: AppendRequest): Promise<Receipt> {
    const [receipt] = await this.appendMany(manager, [request]);
    return receipt;
  }

  /**
   * Appends several entries under one lock with one multi-row insert (imports and batches). Each row carries the
   * perfect subtrees its leaf completes (subtree_hashes), so the tree costs no rows or statements of its own.
   */
  async appendMany(manager: EntityManager, requests: readonly AppendRequest[], now = new Date()): Promise<Receipt[]> {
    if (requests.length === 0) return [];
    if (!manager.queryRunner?.isTransactionActive) throw new Error('ledger.append must run inside a transaction');
    const head: Array<{ size: string }> = await manager.query('SELECT size FROM ledger_head WHERE id = 1 FOR UPDATE');
    if (head.length === 0) throw new Error('ledger_head is missing: run the migrations');
    const start = BigInt(head[0].size);
    const frontier = frontierOf(start, lookupIn(await this.loadNodes(manager, rootKeys(start))));
    const createdAt = now.toISOString();
    const count = requests.length;
    const seqs = new Array<string>(count);
    const kinds = new Array<string>(count);
    const actors = new Array<string | null>(count);
    const canonicals = new Array<Buffer>(count);
    const leafHashes = new Array<Buffer>(count);
    const subtreeHashes = new Array<Buffer | null>(count);
    // Chunks are pipelined: while PostgreSQL inserts one chunk, this process canonicalises and hashes the next. The
    // driver's client sends a query at once when it is idle (TypeORM's query() would send it only after the loop).
    const client = (await manager.queryRunner.connect()) as PgClient;
    const inserts: Array<Promise<unknown>> = [];
    let seq = start;
    for (let from = 0; from < count; from += APPEND_CHUNK) {
      const to = Math.min(count, from + APPEND_CHUNK);
      for (let i = from; i < to; i++, seq++) {
        const request = requests[i];
        // Payloads arrive as DTO instances and Dates; the ledger stores their JSON form, which is what gets hashed.
        const payload: unknown = JSON.parse(JSON.stringify(request.payload));
        const canonical = canonicalizeEntry({ seq, kind: request.kind, payload, actor: request.actor, createdAt });
        const leafHash = hashLeaf(canonical);
        subtreeHashes[i] = appendToFrontier(frontier, seq, leafHash);
        seqs[i] = seq.toString();
        kinds[i] = request.kind;
        actors[i] = request.actor;
        canonicals[i] = canonical;
        leafHashes[i] = leafHash;
      }
      const insert = client.query(INSERT_ENTRIES, [
        createdAt,
        seqs.slice(from, to),
        kinds.slice(from, to),
        actors.slice(from, to),
        canonicals.slice(from, to),
        leafHashes.slice(from, to),
        subtreeHashes.slice(from, to),
      ]);
      // Awaited below with the others; a failure must not count as unhandled while the next chunk is hashed.
      insert.catch(() => undefined);
      inserts.push(insert);
    }
    // The first failure wins (a later chunk then fails only because the transaction is aborted).
    await Promise.all(inserts);
    const size = (start + BigInt(count)).toString();
    await manager.query('UPDATE ledger_head SET size = $1 WHERE id = 1', [size]);
    return seqs.map((s, i) => ({ seq: s, leafHash: leafHashes[i].toString('hex'), treeSize: size }));
  }

  /** The receipt of an entry written earlier (idempotent re-submissions answer with the original entry). */
  async receiptFor(seq: bigint, manager: EntityManager = this.dataSource.manager): Promise<Receipt> {
    const entry = await this.entry(seq);
    return {
      seq: seq.toString(),
      leafHash: entry.leafHash.toString('hex'),
      treeSize: (await this.size(manager)).toString(),
    };
  }

  async size(manager: EntityManager = this.dataSource.manager): Promise<bigint> {
    const rows: Array<{ size: string }> = await manager.query('SELECT size FROM ledger_head WHERE id = 1');
    return BigInt(rows[0]?.size ?? '0');
  }

  async root(size: bigint, manager: EntityManager = this.dataSource.manager): Promise<Buffer> {
    if (size === 0n) return Buffer.from(EMPTY_ROOT);
    const nodes = await this.loadNodes(manager, rootKeys(size));
    return buildRoot(size, lookupIn(nodes));
  }

  async entry(seq: bigint): Promise<StoredEntry> {
    const rows: Array<{ seq: string; kind: string; actor: string | null; canonical: Buffer; leaf_hash: Buffer }> =
      await this.dataSource.query('SELECT seq, kind, actor, canonical, leaf_hash FROM ledger_entries WHERE seq = $1', [
        seq.toString(),
      ]);
    if (rows.length === 0) throw new LedgerEntryNotFoundError(seq);
    return toStoredEntry(rows[0]);
  }

  /** Entries in [from, to) in order, for the verifier and the export (streams in pages). */
  async *entries(from = 0n, pageSize = 5000): AsyncGenerator<StoredEntry> {
    let next = from;
    for (;;) {
      const rows: Array<{ seq: string; kind: string; actor: string | null; canonical: Buffer; leaf_hash: Buffer }> =
        await this.dataSource.query(
          'SELECT seq, kind, actor, canonical, leaf_hash FROM ledger_entries WHERE seq >= $1 ORDER BY seq LIMIT $2',
          [next.toString(), pageSize],
        );
      for (const row of rows) yield toStoredEntry(row);
      if (rows.length < pageSize) return;
      next = BigInt(rows[rows.length - 1].seq) + 1n;
    }
  }

  async inclusionProof(seq: bigint, treeSize: bigint): Promise<{ leafHash: Buffer; rootHash: Buffer; path: Buffer[] }> {
    if (seq >= treeSize) {
      const current = await this.size();
      if (treeSize > current)
        throw new InvalidTreeSizeError(`treeSize ${treeSize} is beyond the current size ${current}`);
      throw new InvalidTreeSizeError(`treeSize ${treeSize} does not include seq ${seq}`);
    }
    const { size: current, nodes } = await this.proofNodes([
      ...inclusionProofKeys(seq, treeSize),
      ...rootKeys(treeSize),
      { level: 0, idx: seq },
    ]);
    if (treeSize > current)
      throw new InvalidTreeSizeError(`treeSize ${treeSize} is beyond the current size ${current}`);
    const lookup = lookupIn(nodes);
    return {
      leafHash: lookup({ level: 0, idx: seq }),
      rootHash: buildRoot(treeSize, lookup),
      path: buildInclusionProof(seq, treeSize, lookup),
    };
  }

  async consistencyProof(from: bigint, to: bigint): Promise<{ fromRoot: Buffer; toRoot: Buffer; path: Buffer[] }> {
    if (from === 0n)
      throw new InvalidTreeRangeError('from must be at least 1: a proof from the empty tree proves nothing');
    if (from > to) throw new InvalidTreeRangeError(`from ${from} is larger than to ${to}`);
    const keys = [...rootKeys(from), ...rootKeys(to), ...(from < to ? consistencyProofKeys(from, to) : [])];
    const { size: current, nodes } = await this.proofNodes(keys);
    if (to > current) throw new InvalidTreeRangeError(`to ${to} is beyond the current size ${current}`);
    const lookup = lookupIn(nodes);
    return {
      fromRoot: buildRoot(from, lookup),
      toRoot: buildRoot(to, lookup),
      path: from < to ? buildConsistencyProof(from, to, lookup) : [],
    };
  }

  /**
   * The current size and the stored nodes for `keys`, in one statement: one snapshot without a transaction, one round
   * trip (entries below the size never change, so the nodes are those of every tree size up to it).
   */
  private async proofNodes(keys: readonly NodeKey[]): Promise<{ size: bigint; nodes: Map<string, Buffer> }> {
    const read = await readNodes(this.dataSource.manager, keys, true);
    if (read.size === null) throw new Error('ledger_head is missing: run the migrations');
    return { size: read.size, nodes: read.nodes };
  }

  async loadNodes(manager: EntityManager, keys: readonly NodeKey[]): Promise<Map<string, Buffer>> {
    return (await readNodes(manager, keys, false)).nodes;
  }
}

/**
 * Stored nodes by key id, one statement: a leaf is its entry's leaf_hash, a perfect subtree a 32-byte slice of the
 * subtree_hashes of the entry that completed it. Only those bytes leave the server (a proof then allocates little,
 * so the collector rarely pauses it). With `withSize`, the same statement reads the log's size, and only entries
 * below it: one snapshot without a transaction.
 */
async function readNodes(
  manager: EntityManager,
  keys: readonly NodeKey[],
  withSize: boolean,
): Promise<{ size: bigint | null; nodes: Map<string, Buffer> }> {
  if (keys.length === 0 && !withSize) return { size: null, nodes: new Map() };
  const located = keys.map((key) => nodeLocation(key));
  const lookup = `SELECT k.i, CASE WHEN k.off < 0 THEN e.leaf_hash ELSE substring(e.subtree_hashes FROM k.off + 1 FOR 32) END AS hash
    FROM unnest($1::bigint[], $2::int[]) WITH ORDINALITY AS k(seq, off, i)
    JOIN ledger_entries e ON e.seq = k.seq`;
  const rows: Array<{ size?: string; i: string | null; hash: Buffer | null }> = await manager.query(
    withSize
      ? `SELECT h.size::text AS size, n.i::text AS i, n.hash FROM ledger_head h
         LEFT JOIN LATERAL (${lookup} WHERE e.seq < h.size) n ON true WHERE h.id = 1`
      : `SELECT n.i::text AS i, n.hash FROM (${lookup}) n`,
    [located.map((at) => at.seq.toString()), located.map((at) => at.offset ?? -1)],
  );
  const nodes = new Map<string, Buffer>();
  for (const row of rows) {
    if (row.i === null || row.hash === null || row.hash.length !== HASH_SIZE) continue;
    nodes.set(nodeKeyId(keys[Number(row.i) - 1]), row.hash);
  }
  return { size: withSize && rows.length > 0 ? BigInt(rows[0].size as string) : null, nodes };
}

function lookupIn(nodes: Map<string, Buffer>) {
  return (key: NodeKey): Buffer => {
    const hash = nodes.get(nodeKeyId(key));
    if (!hash) throw new Error(`ledger node ${key.level}/${key.idx} is missing`);
    return hash;
  };
}

function toStoredEntry(row: {
  seq: string;
  kind: string;
  actor: string | null;
  canonical: Buffer;
  leaf_hash: Buffer;
}): StoredEntry {
  const parsed = JSON.parse(row.canonical.toString('utf8')) as { payload: unknown; createdAt: string };
  return {
    seq: BigInt(row.seq),
    kind: row.kind,
    actor: row.actor,
    payload: parsed.payload,
    createdAt: parsed.createdAt,
    leafHash: row.leaf_hash,
    canonical: row.canonical,
  };
}
