import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

// Pure core of the Merkle log: entry canonicalisation, RFC 9162 hashing, the perfect-subtree storage model, proof
// planning and building, and the RFC 9162 verifiers. Every index and size is a bigint (see ledger.md §6).

export const HASH_SIZE = 32;
export const MAX_UINT64 = (1n << 64n) - 1n;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);
const DECIMAL_INDEX = /^(0|[1-9][0-9]*)$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Root of the empty tree, SHA-256 of the empty string (RFC 9162 §2.1.1). Copy it before handing it out. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** A stored perfect subtree: the hash of leaves [idx·2^level, (idx+1)·2^level). */
export interface NodeKey {
  readonly level: number;
  readonly idx: bigint;
}

export interface StoredNode extends NodeKey {
  readonly hash: Buffer;
}

export type NodeLookup = (key: NodeKey) => Buffer;

/** Half-open leaf range [start, end). */
export interface LeafRange {
  readonly start: bigint;
  readonly end: bigint;
}

export interface LedgerEntryFields {
  readonly seq: bigint | string;
  readonly kind: string;
  readonly payload: unknown;
  readonly actor: string | null;
  readonly createdAt: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Indices

/** Parses a query or path parameter; null unless it is a canonical decimal in [0, 2^64 − 1]. */
export function parseIndex(s: string): bigint | null {
  if (typeof s !== 'string' || s.length > 20 || !DECIMAL_INDEX.test(s)) return null;
  const value = BigInt(s);
  return value <= MAX_UINT64 ? value : null;
}

export function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

export function popCount(x: bigint): number {
  let count = 0;
  for (let v = x; v > 0n; v >>= 1n) if ((v & 1n) === 1n) count++;
  return count;
}

export function trailingZeros(x: bigint): number {
  if (x === 0n) return 0;
  let count = 0;
  for (let v = x; (v & 1n) === 0n; v >>= 1n) count++;
  return count;
}

export function isPowerOfTwo(x: bigint): boolean {
  return x > 0n && (x & (x - 1n)) === 0n;
}

/** RFC 9162 §2.1.1: k is the largest power of two strictly smaller than n (n > 1). */
export function largestPowerOfTwoBelow(n: bigint): bigint {
  if (n < 2n) throw new RangeError(`no power of two below ${n}`);
  return 1n << BigInt(bitLength(n - 1n) - 1);
}

export function nodeKeyId(key: NodeKey): string {
  return `${key.level}/${key.idx}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Entries (ledger.md §1)

/**
 * UTF-8 bytes of the RFC 8785 canonical JSON of the entry. The payload must be plain JSON: finite numbers, integers
 * within ±(2^53 − 1) (larger ones silently lose digits in JavaScript: send them as decimal strings), no bigint,
 * no Date or class instances, no cycles, no lone surrogates. Object members set to undefined are omitted as
 * JSON.stringify does; undefined in arrays is refused because JSON.stringify would turn it into null.
 */
export function canonicalizeEntry(entry: LedgerEntryFields): Buffer {
  const seq = normaliseSeq(entry.seq);
  assertWellFormedString(entry.kind, 'kind');
  if (entry.kind.length === 0) throw new Error('Ledger entry kind must not be empty');
  if (entry.actor !== null) assertWellFormedString(entry.actor, 'actor');
  assertWellFormedString(entry.createdAt, 'createdAt');
  if (entry.payload === undefined) throw new Error('Ledger entry payload must be JSON (use null for none)');
  assertPlainJson(entry.payload, 'payload', new Set(), true);
  // Every member has been checked above (more strictly than canonicalizeJson would): serialise without a second walk.
  return Buffer.from(
    canonicalizeChecked({
      seq: seq.toString(10),
      kind: entry.kind,
      payload: entry.payload,
      actor: entry.actor,
      createdAt: entry.createdAt,
    }),
    'utf8',
  );
}

/** RFC 8785 JSON Canonicalization Scheme of a plain JSON value (no integer-range policy, unlike entries). */
export function canonicalizeJson(value: unknown): string {
  assertPlainJson(value, '$', new Set(), false);
  return canonicalizeChecked(value);
}

function canonicalizeChecked(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('Value has no JSON representation');
  return text;
}

function normaliseSeq(seq: bigint | string): bigint {
  if (typeof seq === 'string') {
    const parsed = parseIndex(seq);
    if (parsed === null)
      throw new Error(`Ledger entry seq must be a canonical decimal string, got ${JSON.stringify(seq)}`);
    return parsed;
  }
  if (typeof seq !== 'bigint' || seq < 0n || seq > MAX_UINT64) {
    throw new Error(`Ledger entry seq must be a non-negative bigint, got ${String(seq)}`);
  }
  return seq;
}

function assertWellFormedString(value: unknown, path: string): asserts value is string {
  if (typeof value !== 'string') throw new Error(`${path} must be a string`);
  if (LONE_SURROGATE.test(value)) throw new Error(`${path} contains a lone surrogate (not valid UTF-8)`);
}

function assertPlainJson(value: unknown, path: string, ancestors: Set<object>, safeIntegersOnly: boolean): void {
  switch (typeof value) {
    case 'string':
      assertWellFormedString(value, path);
      return;
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`${path} is ${value}: JSON has no non-finite numbers`);
      if (safeIntegersOnly && Number.isInteger(value) && !Number.isSafeInteger(value)) {
        throw new Error(`${path} is an integer beyond 2^53 − 1 (${value}): encode it as a decimal string`);
      }
      return;
    case 'bigint':
      throw new Error(`${path} is a bigint: encode it as a decimal string`);
    case 'undefined':
    case 'function':
    case 'symbol':
      throw new Error(`${path} is ${typeof value}, which has no JSON representation`);
    case 'object':
      break;
  }
  if (value === null) return;
  const object = value;
  if (ancestors.has(object)) throw new Error(`${path} is a circular reference`);
  ancestors.add(object);
  if (Array.isArray(object)) {
    // An index loop, not forEach: holes in sparse arrays must be refused too.
    for (let i = 0; i < object.length; i++) {
      const item: unknown = object[i];
      if (item === undefined) throw new Error(`${path}[${i}] is undefined or a hole`);
      assertPlainJson(item, `${path}[${i}]`, ancestors, safeIntegersOnly);
    }
  } else {
    const proto: unknown = Object.getPrototypeOf(object);
    if (proto !== Object.prototype && proto !== null) {
      throw new Error(`${path} is not a plain object (convert Dates and class instances to strings or plain data)`);
    }
    for (const [key, member] of Object.entries(object)) {
      assertWellFormedString(key, `${path} key`);
      if (member === undefined) continue;
      assertPlainJson(member, `${path}.${key}`, ancestors, safeIntegersOnly);
    }
  }
  ancestors.delete(object);
}

// ---------------------------------------------------------------------------------------------------------------
// Hashes (RFC 9162 §2.1.1)

export function hashLeaf(input: Buffer): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(input).digest();
}

export function hashChildren(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

function isHash(value: unknown): value is Buffer {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}

/** Brute-force MTH over leaf hashes, straight from the definition; O(n) hashes. */
export function merkleTreeHash(leafHashes: readonly Buffer[]): Buffer {
  return mthOf(leafHashes, 0, leafHashes.length);
}

function mthOf(leafHashes: readonly Buffer[], start: number, end: number): Buffer {
  const n = end - start;
  if (n === 0) return Buffer.from(EMPTY_ROOT);
  if (n === 1) return Buffer.from(leafHashes[start]);
  const k = Number(largestPowerOfTwoBelow(BigInt(n)));
  return hashChildren(mthOf(leafHashes, start, start + k), mthOf(leafHashes, start + k, end));
}

// ---------------------------------------------------------------------------------------------------------------
// Perfect-subtree storage (ledger.md §8)

/** Left siblings (level, idx) that appending leaf `seq` combines with; all are perfect nodes of the size-seq tree. */
export function appendSiblingKeys(seq: bigint): NodeKey[] {
  assertIndex(seq, 'seq');
  const keys: NodeKey[] = [];
  for (let level = 0, idx = seq; (idx & 1n) === 1n; level++, idx >>= 1n) keys.push({ level, idx: idx - 1n });
  return keys;
}

/** Parents completed by appending leaf `seq`: carry upward while the index is odd. */
export function nodesCompletedByAppend(seq: bigint): NodeKey[] {
  return appendSiblingKeys(seq).map((sibling) => ({ level: sibling.level + 1, idx: sibling.idx >> 1n }));
}

/**
 * The nodes to insert when appending leaf `seq`: the leaf itself at level 0, then every newly completed parent.
 * `getLeftSibling(level, idx)` receives the sibling's own key (one of appendSiblingKeys(seq)).
 */
export function appendLeaf(
  seq: bigint,
  leafHash: Buffer,
  getLeftSibling: (level: number, idx: bigint) => Buffer,
): StoredNode[] {
  if (!isHash(leafHash)) throw new Error('Leaf hash must be 32 bytes');
  const nodes: StoredNode[] = [{ level: 0, idx: seq, hash: leafHash }];
  let hash = leafHash;
  for (const sibling of appendSiblingKeys(seq)) {
    const left = getLeftSibling(sibling.level, sibling.idx);
    if (!isHash(left)) throw new Error(`Missing or malformed ledger node ${nodeKeyId(sibling)}`);
    hash = hashChildren(left, hash);
    nodes.push({ level: sibling.level + 1, idx: sibling.idx >> 1n, hash });
  }
  return nodes;
}

/** Trailing one-bits of seq: appending leaf seq completes the parents at levels 1..trailingOnes(seq). */
export function trailingOnes(seq: bigint): number {
  assertIndex(seq, 'seq');
  let count = 0;
  for (let v = seq; (v & 1n) === 1n; v >>= 1n) count++;
  return count;
}

/** Where a stored node lives: a row of ledger_entries and, above level 0, a slice of its subtree_hashes. */
export interface NodeLocation {
  /** The entry row holding the node. */
  readonly seq: bigint;
  /** null for a leaf (the row's leaf_hash); otherwise the byte offset of the hash inside the row's subtree_hashes. */
  readonly offset: number | null;
}

/**
 * Leaf (0, i) is the leaf_hash of entry i. Node (L ≥ 1, i) is completed by appending leaf (i + 1)·2^L − 1, the last
 * leaf under it, and stored on that entry's row: bytes [(L − 1)·32, L·32) of subtree_hashes, which holds the hashes
 * of levels 1..trailingOnes(seq) in order (the inverse of appendLeaf).
 */
export function nodeLocation(key: NodeKey): NodeLocation {
  const { level, idx } = key;
  if (!Number.isSafeInteger(level) || level < 0 || level > 64) throw new RangeError(`Invalid node level ${level}`);
  assertIndex(idx, 'idx');
  if (level === 0) return { seq: idx, offset: null };
  const seq = ((idx + 1n) << BigInt(level)) - 1n;
  if (seq > MAX_UINT64) throw new RangeError(`Node ${nodeKeyId(key)} lies beyond the largest tree`);
  return { seq, offset: (level - 1) * HASH_SIZE };
}

/** The subtree_hashes value of the row appended as `nodes` (appendLeaf's result): levels 1..k, null when k = 0. */
export function packSubtreeHashes(nodes: readonly StoredNode[]): Buffer | null {
  if (nodes.length <= 1) return null;
  return Buffer.concat(
    nodes.slice(1).map((node) => node.hash),
    (nodes.length - 1) * HASH_SIZE,
  );
}

/**
 * The right edge of a tree of size n, all an append needs: frontier[L] is the root of the tree's perfect subtree at
 * level L when bit L of n is set (one of rootKeys(n)), and undefined otherwise.
 */
export type Frontier = Array<Buffer | undefined>;

export function frontierOf(n: bigint, lookup: NodeLookup): Frontier {
  const frontier: Frontier = [];
  for (const key of rootKeys(n)) frontier[key.level] = fetchNode(key, lookup);
  return frontier;
}

/**
 * Appends leaf `seq` to the frontier of the size-seq tree, in place, and returns the row's subtree_hashes: the
 * parents appendLeaf completes (levels 1..trailingOnes(seq)) concatenated, or null when there are none.
 */
export function appendToFrontier(frontier: Frontier, seq: bigint, leafHash: Buffer): Buffer | null {
  if (!isHash(leafHash)) throw new Error('Leaf hash must be 32 bytes');
  const k = trailingOnes(seq);
  if (frontier[k] !== undefined)
    throw new Error(`The frontier holds a level-${k} node: it is not the tree of size ${seq}`);
  let hash = leafHash;
  let packed: Buffer | null = null;
  if (k > 0) {
    packed = Buffer.allocUnsafe(k * HASH_SIZE);
    for (let level = 0; level < k; level++) {
      const left = frontier[level];
      if (!isHash(left)) {
        throw new Error(`Missing or malformed ledger node ${level}/${(seq >> BigInt(level)) - 1n}`);
      }
      hash = hashChildren(left, hash);
      hash.copy(packed, level * HASH_SIZE);
      frontier[level] = undefined;
    }
  }
  frontier[k] = hash;
  return packed;
}

/**
 * Stored perfect nodes covering [start, end), largest first. Folding them right to left gives MTH(D[start:end])
 * whenever start is a multiple of the largest power of two in (end − start), which holds for every range the RFC
 * 9162 recursion visits (each is perfect, or ends at the tree size and starts on a boundary of its size class).
 */
export function perfectSubtreesForRange(start: bigint, end: bigint): NodeKey[] {
  assertIndex(start, 'start');
  if (typeof end !== 'bigint' || end < start) throw new RangeError(`Invalid range [${start}, ${end})`);
  const size = end - start;
  if (size === 0n) return [];
  const top = bitLength(size) - 1;
  if (start % (1n << BigInt(top)) !== 0n) {
    throw new RangeError(`Range [${start}, ${end}) is not a right-edge range of an RFC 9162 subtree`);
  }
  const keys: NodeKey[] = [];
  let position = start;
  for (let level = top; level >= 0; level--) {
    const width = 1n << BigInt(level);
    if ((size & width) !== 0n) {
      keys.push({ level, idx: position >> BigInt(level) });
      position += width;
    }
  }
  return keys;
}

/** MTH(D[start:end]) from stored nodes: acc = H(0x01 ‖ left ‖ acc), right to left. */
export function buildRangeHash(start: bigint, end: bigint, lookup: NodeLookup): Buffer {
  return foldNodes(perfectSubtreesForRange(start, end), lookup);
}

function foldNodes(keys: readonly NodeKey[], lookup: NodeLookup): Buffer {
  if (keys.length === 0) return Buffer.from(EMPTY_ROOT);
  let acc = fetchNode(keys[keys.length - 1], lookup);
  for (let i = keys.length - 2; i >= 0; i--) acc = hashChildren(fetchNode(keys[i], lookup), acc);
  return acc;
}

function fetchNode(key: NodeKey, lookup: NodeLookup): Buffer {
  const hash = lookup(key);
  if (!isHash(hash)) throw new Error(`Missing or malformed ledger node ${nodeKeyId(key)}`);
  return hash;
}

function keysOfRanges(ranges: readonly LeafRange[]): NodeKey[] {
  const seen = new Map<string, NodeKey>();
  for (const range of ranges) {
    for (const key of perfectSubtreesForRange(range.start, range.end)) seen.set(nodeKeyId(key), key);
  }
  return [...seen.values()];
}

export function rootKeys(n: bigint): NodeKey[] {
  return perfectSubtreesForRange(0n, n);
}

/** Root of the tree of size n: its binary digits name the perfect subtrees, folded right to left. */
export function buildRoot(n: bigint, lookup: NodeLookup): Buffer {
  return foldNodes(rootKeys(n), lookup);
}

/** The subtree ranges whose MTHs form PATH(m, D[0:n]), leaf to root (RFC 9162 §2.1.3.1). */
export function inclusionProofRanges(m: bigint, n: bigint): LeafRange[] {
  assertIndex(m, 'm');
  if (typeof n !== 'bigint' || m >= n) throw new RangeError(`Leaf ${m} is not in a tree of size ${n}`);
  const topDown: LeafRange[] = [];
  let start = 0n;
  let end = n;
  while (end - start > 1n) {
    const k = largestPowerOfTwoBelow(end - start);
    if (m < start + k) {
      topDown.push({ start: start + k, end });
      end = start + k;
    } else {
      topDown.push({ start, end: start + k });
      start += k;
    }
  }
  return topDown.reverse();
}

export function inclusionProofKeys(m: bigint, n: bigint): NodeKey[] {
  return keysOfRanges(inclusionProofRanges(m, n));
}

export function buildInclusionProof(m: bigint, n: bigint, lookup: NodeLookup): Buffer[] {
  return inclusionProofRanges(m, n).map((range) => buildRangeHash(range.start, range.end, lookup));
}

/** The subtree ranges whose MTHs form PROOF(m, D[0:n]) for 0 < m ≤ n (RFC 9162 §2.1.4.1); empty when m = n. */
export function consistencyProofRanges(m: bigint, n: bigint): LeafRange[] {
  assertIndex(m, 'm');
  if (typeof n !== 'bigint' || m === 0n || m > n) throw new RangeError(`No consistency proof from ${m} to ${n}`);
  const topDown: LeafRange[] = [];
  let start = 0n;
  let end = n;
  let complete = true;
  for (;;) {
    const size = end - start;
    const oldSize = m - start;
    if (oldSize === size) {
      if (!complete) topDown.push({ start, end });
      break;
    }
    const k = largestPowerOfTwoBelow(size);
    if (oldSize <= k) {
      topDown.push({ start: start + k, end });
      end = start + k;
    } else {
      topDown.push({ start, end: start + k });
      start += k;
      complete = false;
    }
  }
  return topDown.reverse();
}

export function consistencyProofKeys(m: bigint, n: bigint): NodeKey[] {
  return keysOfRanges(consistencyProofRanges(m, n));
}

export function buildConsistencyProof(m: bigint, n: bigint, lookup: NodeLookup): Buffer[] {
  return consistencyProofRanges(m, n).map((range) => buildRangeHash(range.start, range.end, lookup));
}

function assertIndex(value: bigint, name: string): void {
  if (typeof value !== 'bigint' || value < 0n) throw new RangeError(`${name} must be a non-negative bigint`);
}

// ---------------------------------------------------------------------------------------------------------------
// Reference generators: in-memory recursion straight from RFC 9162 §2.1.3.1 and §2.1.4.1 (tests, verifier CLI)

export function generateInclusionProof(m: bigint, leafHashes: readonly Buffer[]): Buffer[] {
  if (typeof m !== 'bigint' || m < 0n || m >= BigInt(leafHashes.length)) {
    throw new RangeError(`Leaf ${m} is not in a tree of size ${leafHashes.length}`);
  }
  return pathOf(Number(m), leafHashes, 0, leafHashes.length);
}

function pathOf(m: number, leaves: readonly Buffer[], start: number, end: number): Buffer[] {
  const n = end - start;
  if (n === 1) return [];
  const k = Number(largestPowerOfTwoBelow(BigInt(n)));
  if (m < k) return [...pathOf(m, leaves, start, start + k), mthOf(leaves, start + k, end)];
  return [...pathOf(m - k, leaves, start + k, end), mthOf(leaves, start, start + k)];
}

export function generateConsistencyProof(m: bigint, leafHashes: readonly Buffer[]): Buffer[] {
  if (typeof m !== 'bigint' || m <= 0n || m > BigInt(leafHashes.length)) {
    throw new RangeError(`No consistency proof from ${m} to ${leafHashes.length}`);
  }
  return subproofOf(Number(m), leafHashes, 0, leafHashes.length, true);
}

function subproofOf(m: number, leaves: readonly Buffer[], start: number, end: number, complete: boolean): Buffer[] {
  const n = end - start;
  if (m === n) return complete ? [] : [mthOf(leaves, start, end)];
  const k = Number(largestPowerOfTwoBelow(BigInt(n)));
  if (m <= k) return [...subproofOf(m, leaves, start, start + k, complete), mthOf(leaves, start + k, end)];
  return [...subproofOf(m - k, leaves, start + k, end, false), mthOf(leaves, start, start + k)];
}

// ---------------------------------------------------------------------------------------------------------------
// Verifiers (RFC 9162 §2.1.3.2 and §2.1.4.2, with the length checks of the Go reference; ledger.md §3–5)

/** Expected inclusion proof length for 0 ≤ m < n. */
export function inclusionProofLength(m: bigint, n: bigint): number {
  if (typeof m !== 'bigint' || typeof n !== 'bigint' || m < 0n || m >= n) {
    throw new RangeError(`Leaf ${m} is not in a tree of size ${n}`);
  }
  const inner = bitLength(m ^ (n - 1n));
  return inner + popCount(m >> BigInt(inner));
}

/** Expected consistency proof length for 0 < m ≤ n (0 when m = n). */
export function consistencyProofLength(m: bigint, n: bigint): number {
  if (typeof m !== 'bigint' || typeof n !== 'bigint' || m <= 0n || m > n) {
    throw new RangeError(`No consistency proof from ${m} to ${n}`);
  }
  if (m === n) return 0;
  const f = bitLength((m - 1n) ^ (n - 1n));
  return (isPowerOfTwo(m) ? 0 : 1) + (f - trailingZeros(m)) + popCount((m - 1n) >> BigInt(f));
}

export function verifyInclusion(index: bigint, size: bigint, leafHash: Buffer, proof: Buffer[], root: Buffer): boolean {
  try {
    if (typeof index !== 'bigint' || typeof size !== 'bigint' || index < 0n || index >= size) return false;
    if (!isHash(leafHash) || !isHash(root) || !Array.isArray(proof) || !proof.every(isHash)) return false;
    if (proof.length !== inclusionProofLength(index, size)) return false;
    let fn = index;
    let sn = size - 1n;
    let r: Buffer = Buffer.from(leafHash);
    for (const p of proof) {
      if (sn === 0n) return false;
      if ((fn & 1n) === 1n || fn === sn) {
        r = hashChildren(p, r);
        if ((fn & 1n) === 0n) {
          while ((fn & 1n) === 0n && fn !== 0n) {
            fn >>= 1n;
            sn >>= 1n;
          }
        }
      } else {
        r = hashChildren(r, p);
      }
      fn >>= 1n;
      sn >>= 1n;
    }
    return sn === 0n && r.equals(root);
  } catch {
    return false;
  }
}

/**
 * m = 0 is refused even when n = 0: a proof from the empty tree says nothing (ledger.md §5); callers skip that
 * step instead.
 */
export function verifyConsistency(m: bigint, n: bigint, oldRoot: Buffer, newRoot: Buffer, proof: Buffer[]): boolean {
  try {
    if (typeof m !== 'bigint' || typeof n !== 'bigint' || m <= 0n || n < m) return false;
    if (!isHash(oldRoot) || !isHash(newRoot) || !Array.isArray(proof) || !proof.every(isHash)) return false;
    if (m === n) return proof.length === 0 && Buffer.from(oldRoot).equals(newRoot);
    if (proof.length === 0 || proof.length !== consistencyProofLength(m, n)) return false;
    // §2.1.4.2 step 2: when m is a power of two the old root is itself a node on the path.
    const path = isPowerOfTwo(m) ? [oldRoot, ...proof] : proof;
    let fn = m - 1n;
    let sn = n - 1n;
    while ((fn & 1n) === 1n) {
      fn >>= 1n;
      sn >>= 1n;
    }
    let fr: Buffer = Buffer.from(path[0]);
    let sr: Buffer = Buffer.from(path[0]);
    for (const c of path.slice(1)) {
      if (sn === 0n) return false;
      if ((fn & 1n) === 1n || fn === sn) {
        fr = hashChildren(c, fr);
        sr = hashChildren(c, sr);
        if ((fn & 1n) === 0n) {
          while ((fn & 1n) === 0n && fn !== 0n) {
            fn >>= 1n;
            sn >>= 1n;
          }
        }
      } else {
        sr = hashChildren(sr, c);
      }
      fn >>= 1n;
      sn >>= 1n;
    }
    return fr.equals(oldRoot) && sr.equals(newRoot) && sn === 0n;
  } catch {
    return false;
  }
}
