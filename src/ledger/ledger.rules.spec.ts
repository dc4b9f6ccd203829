import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  EMPTY_ROOT,
  MAX_UINT64,
  appendLeaf,
  appendSiblingKeys,
  appendToFrontier,
  buildConsistencyProof,
  buildInclusionProof,
  buildRangeHash,
  buildRoot,
  canonicalizeEntry,
  canonicalizeJson,
  consistencyProofKeys,
  consistencyProofLength,
  frontierOf,
  generateConsistencyProof,
  generateInclusionProof,
  hashChildren,
  hashLeaf,
  inclusionProofKeys,
  inclusionProofLength,
  merkleTreeHash,
  nodeKeyId,
  nodeLocation,
  nodesCompletedByAppend,
  packSubtreeHashes,
  parseIndex,
  perfectSubtreesForRange,
  rootKeys,
  trailingOnes,
  verifyConsistency,
  verifyInclusion,
} from './ledger.rules.js';
import type { Frontier, NodeKey, NodeLookup, StoredNode } from './ledger.rules.js';

interface InclusionVector {
  description?: string;
  file: string;
  leafIndex: string;
  treeSize: string;
  leafHash: string;
  rootHash: string;
  path: string[];
}

interface ConsistencyVector {
  description?: string;
  file: string;
  oldSize: string;
  newSize: string;
  oldRoot: string;
  newRoot: string;
  path: string[];
}

interface MerkleVectors {
  emptyTreeRoot: string;
  leafInputs: string[];
  leafHashes: string[];
  nodeHashesByLevel: { levels: string[][] };
  roots: Array<{ treeSize: string; rootHash: string; rootBase64: string }>;
  inclusionProofs: Array<InclusionVector & { leafInput: string }>;
  consistencyProofs: ConsistencyVector[];
  invalidInclusionProofs: { items: InclusionVector[] };
  invalidConsistencyProofs: { items: ConsistencyVector[] };
}

// A copy under test/fixtures wins; otherwise the shared reference next to the repository.
function loadVectors(): MerkleVectors {
  const candidates = ['test/fixtures/merkle-vectors.json', '../shared/reference/merkle-vectors.json'].map((p) =>
    resolve(process.cwd(), p),
  );
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) throw new Error(`merkle-vectors.json not found in ${candidates.join(', ')}`);
  return JSON.parse(readFileSync(found, 'utf8')) as MerkleVectors;
}

const vectors = loadVectors();
const hex = (s: string): Buffer => {
  if (!/^([0-9a-f]{2})*$/.test(s)) throw new Error(`not hex: ${s}`);
  return Buffer.from(s, 'hex');
};
const toHex = (b: Buffer): string => b.toString('hex');
const vectorLeafHashes = vectors.leafInputs.map((input) => hashLeaf(hex(input)));

/**
 * Simulates ledger_entries as the service fills it (leaf_hash and subtree_hashes per row, via appendToFrontier) and
 * reads nodes back through nodeLocation; `nodes` lists every node the rows hold, by key.
 */
function buildStorage(leafHashes: readonly Buffer[]): { nodes: Map<string, Buffer>; lookup: NodeLookup } {
  const rows: Array<{ leafHash: Buffer; subtreeHashes: Buffer | null }> = [];
  const frontier: Frontier = [];
  leafHashes.forEach((leafHash, i) => {
    rows.push({ leafHash, subtreeHashes: appendToFrontier(frontier, BigInt(i), leafHash) });
  });
  const get = (key: NodeKey): Buffer => {
    const { seq, offset } = nodeLocation(key);
    const row = rows[Number(seq)];
    const hash =
      row === undefined ? undefined : offset === null ? row.leafHash : row.subtreeHashes?.subarray(offset, offset + 32);
    if (hash === undefined || hash.length !== 32) throw new Error(`node ${nodeKeyId(key)} not stored`);
    return hash;
  };
  const nodes = new Map<string, Buffer>();
  rows.forEach((row, seq) => {
    nodes.set(`0/${seq}`, row.leafHash);
    for (let level = 1; row.subtreeHashes !== null && level * 32 <= row.subtreeHashes.length; level++) {
      nodes.set(`${level}/${seq >> level}`, row.subtreeHashes.subarray((level - 1) * 32, level * 32));
    }
  });
  return { nodes, lookup: get };
}

const flipByte = (proof: Buffer[], at: number): Buffer[] =>
  proof.map((p, i) => {
    if (i !== at) return p;
    const copy = Buffer.from(p);
    copy[7] ^= 0x01;
    return copy;
  });

const flipped = (hash: Buffer): Buffer => flipByte([hash], 0)[0];

describe('RFC 9162 test vectors', () => {
  const storage = buildStorage(vectorLeafHashes);

  it('has the documented number of probes', () => {
    expect(vectors.invalidInclusionProofs.items.length + vectors.invalidConsistencyProofs.items.length).toBe(182);
  });

  it('hashes the empty tree to SHA-256("")', () => {
    expect(toHex(EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(EMPTY_ROOT)).toBe(vectors.emptyTreeRoot);
    expect(toHex(merkleTreeHash([]))).toBe(vectors.emptyTreeRoot);
    expect(toHex(buildRoot(0n, storage.lookup))).toBe(vectors.emptyTreeRoot);
  });

  it.each(vectors.leafInputs.map((input, i) => [i, input]))('hashes leaf input %i (%s)', (i, input) => {
    expect(toHex(hashLeaf(hex(input)))).toBe(vectors.leafHashes[i]);
  });

  it.each(vectors.roots.map((r) => [r.treeSize, r]))('computes the root of size %s', (_size, r) => {
    const n = Number(r.treeSize);
    expect(toHex(merkleTreeHash(vectorLeafHashes.slice(0, n)))).toBe(r.rootHash);
    expect(toHex(buildRoot(BigInt(n), storage.lookup))).toBe(r.rootHash);
    expect(buildRoot(BigInt(n), storage.lookup).toString('base64')).toBe(r.rootBase64);
  });

  it('stores exactly the perfect subtree hashes of the 8-leaf tree', () => {
    const expected = new Map<string, string>();
    vectors.nodeHashesByLevel.levels.forEach((hashes, level) =>
      hashes.forEach((h, idx) => expected.set(`${level}/${idx}`, h)),
    );
    const actual = new Map([...storage.nodes].map(([k, v]) => [k, toHex(v)]));
    expect(actual).toEqual(expected);
    expect(actual.size).toBe(15);
  });

  it.each(vectors.inclusionProofs.map((v) => [v.file, v]))('accepts, generates and builds %s', (_file, v) => {
    const m = BigInt(v.leafIndex);
    const n = BigInt(v.treeSize);
    const path = v.path.map(hex);
    expect(toHex(hashLeaf(hex(v.leafInput)))).toBe(v.leafHash);
    expect(verifyInclusion(m, n, hex(v.leafHash), path, hex(v.rootHash))).toBe(true);
    // Most probes use the 8 shared leaves; one single-leaf probe brings its own leaf.
    const leaves = v.leafInput === vectors.leafInputs[Number(m)] ? vectorLeafHashes : [hex(v.leafHash)];
    const { lookup } = buildStorage(leaves.slice(0, Number(n)));
    expect(generateInclusionProof(m, leaves.slice(0, Number(n))).map(toHex)).toEqual(v.path);
    expect(buildInclusionProof(m, n, lookup).map(toHex)).toEqual(v.path);
    expect(toHex(buildRoot(n, lookup))).toBe(v.rootHash);
    expect(inclusionProofLength(m, n)).toBe(v.path.length);
  });

  it.each(vectors.consistencyProofs.map((v) => [v.file, v]))('accepts, generates and builds %s', (_file, v) => {
    const m = BigInt(v.oldSize);
    const n = BigInt(v.newSize);
    const path = v.path.map(hex);
    expect(verifyConsistency(m, n, hex(v.oldRoot), hex(v.newRoot), path)).toBe(true);
    expect(generateConsistencyProof(m, vectorLeafHashes.slice(0, Number(n))).map(toHex)).toEqual(v.path);
    expect(buildConsistencyProof(m, n, storage.lookup).map(toHex)).toEqual(v.path);
    expect(consistencyProofLength(m, n)).toBe(v.path.length);
  });

  it.each(vectors.invalidInclusionProofs.items.map((v) => [v.file, v]))('rejects inclusion probe %s', (_file, v) => {
    const accepted = verifyInclusion(
      BigInt(v.leafIndex),
      BigInt(v.treeSize),
      hex(v.leafHash),
      v.path.map(hex),
      hex(v.rootHash),
    );
    expect(accepted).toBe(false);
  });

  it.each(vectors.invalidConsistencyProofs.items.map((v) => [v.file, v]))('rejects consistency probe %s', (_f, v) => {
    const accepted = verifyConsistency(
      BigInt(v.oldSize),
      BigInt(v.newSize),
      hex(v.oldRoot),
      hex(v.newRoot),
      v.path.map(hex),
    );
    expect(accepted).toBe(false);
  });
});

describe('perfect-node model against brute force', () => {
  const MAX = 300;
  const leafHashes = Array.from({ length: MAX }, (_, i) => hashLeaf(Buffer.from(`entry ${i}`, 'utf8')));
  const storage = buildStorage(leafHashes);

  /** Records every key a build asks for, to prove the planned keys suffice for one query. */
  function recordingLookup(): { lookup: NodeLookup; asked: Set<string> } {
    const asked = new Set<string>();
    return {
      asked,
      lookup: (key) => {
        asked.add(nodeKeyId(key));
        return storage.lookup(key);
      },
    };
  }

  it('stores every perfect subtree of 300 leaves and nothing else', () => {
    let expectedCount = 0;
    for (let level = 0; 2 ** level <= MAX; level++) expectedCount += Math.floor(MAX / 2 ** level);
    expect(storage.nodes.size).toBe(expectedCount);
    const wrong: string[] = [];
    for (const [id, hash] of storage.nodes) {
      const [level, idx] = id.split('/').map(Number);
      const width = 2 ** level;
      if (!hash.equals(merkleTreeHash(leafHashes.slice(idx * width, (idx + 1) * width)))) wrong.push(id);
    }
    expect(wrong).toEqual([]);
  });

  it('builds every root for sizes 1..300 equal to the brute-force MTH', () => {
    const wrong: number[] = [];
    for (let n = 1; n <= MAX; n++) {
      const { lookup, asked } = recordingLookup();
      const root = buildRoot(BigInt(n), lookup);
      const planned = new Set(rootKeys(BigInt(n)).map(nodeKeyId));
      if (!root.equals(merkleTreeHash(leafHashes.slice(0, n)))) wrong.push(n);
      if ([...asked].some((k) => !planned.has(k))) wrong.push(-n);
    }
    expect(wrong).toEqual([]);
  });

  function checkInclusion(m: number, n: number, failures: string[], root: Buffer): void {
    const M = BigInt(m);
    const N = BigInt(n);
    const { lookup, asked } = recordingLookup();
    const proof = buildInclusionProof(M, N, lookup);
    const reference = generateInclusionProof(M, leafHashes.slice(0, n));
    const planned = inclusionProofKeys(M, N);
    const plannedIds = new Set(planned.map(nodeKeyId));
    const leaf = leafHashes[m];
    const problems: string[] = [];
    if (proof.map(toHex).join() !== reference.map(toHex).join()) problems.push('differs from reference');
    if (proof.length !== inclusionProofLength(M, N)) problems.push('length formula');
    if ([...asked].some((k) => !plannedIds.has(k))) problems.push('unplanned key');
    if (planned.length > 2 * Math.max(1, Math.ceil(Math.log2(n)))) problems.push('too many keys');
    if (!verifyInclusion(M, N, leaf, proof, root)) problems.push('valid proof rejected');
    if (proof.length > 0) {
      if (verifyInclusion(M, N, leaf, flipByte(proof, 0), root)) problems.push('flipped first accepted');
      if (verifyInclusion(M, N, leaf, flipByte(proof, proof.length - 1), root)) problems.push('flipped last accepted');
      if (verifyInclusion(M, N, leaf, proof.slice(1), root)) problems.push('missing element accepted');
    }
    if (verifyInclusion(M, N, leaf, [...proof, leaf], root)) problems.push('extra element accepted');
    if (verifyInclusion(M, N, leaf, [leaf, ...proof], root)) problems.push('prepended element accepted');
    if (n > 1 && verifyInclusion(M, N, leafHashes[(m + 1) % n], proof, root)) problems.push('other leaf accepted');
    if (verifyInclusion(M, N, leaf, proof, flipped(root))) problems.push('wrong root accepted');
    if ((m ^ 1) < n && verifyInclusion(BigInt(m ^ 1), N, leaf, proof, root)) problems.push('sibling index accepted');
    if (verifyInclusion(N, N, leaf, proof, root)) problems.push('index = size accepted');
    if (problems.length > 0) failures.push(`incl ${m}/${n}: ${problems.join(', ')}`);
  }

  function checkConsistency(m: number, n: number, failures: string[], roots: Buffer[]): void {
    const M = BigInt(m);
    const N = BigInt(n);
    const { lookup, asked } = recordingLookup();
    const proof = buildConsistencyProof(M, N, lookup);
    const reference = generateConsistencyProof(M, leafHashes.slice(0, n));
    const plannedIds = new Set(consistencyProofKeys(M, N).map(nodeKeyId));
    const [oldRoot, newRoot] = [roots[m], roots[n]];
    const problems: string[] = [];
    if (proof.map(toHex).join() !== reference.map(toHex).join()) problems.push('differs from reference');
    if (proof.length !== consistencyProofLength(M, N)) problems.push('length formula');
    if ([...asked].some((k) => !plannedIds.has(k))) problems.push('unplanned key');
    if (plannedIds.size > 2 * Math.ceil(Math.log2(n + 1)) + 1) problems.push('too many keys');
    if (!verifyConsistency(M, N, oldRoot, newRoot, proof)) problems.push('valid proof rejected');
    if (proof.length > 0) {
      if (verifyConsistency(M, N, oldRoot, newRoot, flipByte(proof, 0))) problems.push('flipped first accepted');
      const last = proof.length - 1;
      if (verifyConsistency(M, N, oldRoot, newRoot, flipByte(proof, last))) problems.push('flipped last accepted');
      if (verifyConsistency(M, N, oldRoot, newRoot, proof.slice(0, -1))) problems.push('missing element accepted');
      if (verifyConsistency(M, N, newRoot, oldRoot, proof)) problems.push('swapped roots accepted');
      if (verifyConsistency(M - 1n, N, oldRoot, newRoot, proof)) problems.push('wrong old size accepted');
    }
    if (verifyConsistency(M, N, oldRoot, newRoot, [...proof, oldRoot])) problems.push('extra element accepted');
    if (verifyConsistency(M, N, flipped(oldRoot), newRoot, proof)) problems.push('wrong old root accepted');
    if (verifyConsistency(M, N, oldRoot, flipped(newRoot), proof)) problems.push('wrong new root accepted');
    if (problems.length > 0) failures.push(`cons ${m}->${n}: ${problems.join(', ')}`);
  }

  const roots = Array.from({ length: MAX + 1 }, (_, n) => merkleTreeHash(leafHashes.slice(0, n)));
  const SAMPLED_SIZES = [100, 127, 128, 129, 200, 255, 256, 257, 299, 300];
  const sampleOld = (n: number): number[] => [
    ...new Set([1, 2, 3, 63, 64, 65, Math.floor(n / 2), n - 2, n - 1, n].filter((m) => m >= 1 && m <= n)),
  ];

  it('builds, plans and verifies every inclusion proof for n ≤ 70, and tampering fails', () => {
    const failures: string[] = [];
    for (let n = 1; n <= 70; n++) for (let m = 0; m < n; m++) checkInclusion(m, n, failures, roots[n]);
    expect(failures).toEqual([]);
  });

  it('builds, plans and verifies sampled inclusion proofs up to n = 300', () => {
    const failures: string[] = [];
    for (const n of SAMPLED_SIZES)
      for (const m of sampleOld(n).map((x) => x - 1)) checkInclusion(m, n, failures, roots[n]);
    expect(failures).toEqual([]);
  });

  it('builds, plans and verifies every consistency proof for n ≤ 70, and tampering fails', () => {
    const failures: string[] = [];
    for (let n = 1; n <= 70; n++) for (let m = 1; m <= n; m++) checkConsistency(m, n, failures, roots);
    expect(failures).toEqual([]);
  });

  it('builds, plans and verifies sampled consistency proofs up to n = 300', () => {
    const failures: string[] = [];
    for (const n of SAMPLED_SIZES) for (const m of sampleOld(n)) checkConsistency(m, n, failures, roots);
    expect(failures).toEqual([]);
  });

  it('computes MTH of right-edge ranges from stored nodes', () => {
    expect(buildRangeHash(4n, 7n, storage.lookup)).toEqual(merkleTreeHash(leafHashes.slice(4, 7)));
    expect(buildRangeHash(256n, 300n, storage.lookup)).toEqual(merkleTreeHash(leafHashes.slice(256, 300)));
    expect(buildRangeHash(9n, 9n, storage.lookup)).toEqual(EMPTY_ROOT);
  });
});

describe('proof lengths (hand-computed)', () => {
  it.each([
    [0n, 1n, 0],
    [2n, 3n, 1],
    [1n, 5n, 3],
    [4n, 5n, 1],
    [0n, 8n, 3],
    [5n, 8n, 3],
    [6n, 7n, 2],
  ])('inclusion of leaf %s in size %s has %i hashes', (m, n, length) => {
    expect(inclusionProofLength(m, n)).toBe(length);
  });

  it.each([
    [3n, 3n, 0],
    [1n, 8n, 3],
    [2n, 5n, 2],
    [4n, 8n, 1],
    [6n, 7n, 3],
    [6n, 8n, 3],
    [3n, 4n, 3],
  ])('consistency from %s to %s has %i hashes', (m, n, length) => {
    expect(consistencyProofLength(m, n)).toBe(length);
  });

  it.each([
    [1n, 1n],
    [5n, 3n],
  ])('refuses an inclusion length for leaf %s of size %s', (m, n) => {
    expect(() => inclusionProofLength(m, n)).toThrow(RangeError);
  });

  it.each([
    [0n, 3n],
    [4n, 3n],
  ])('refuses a consistency length from %s to %s', (m, n) => {
    expect(() => consistencyProofLength(m, n)).toThrow(RangeError);
  });
});

describe('64-bit indices', () => {
  // A tree whose leaves are all equal is cheap at any size: the node at level L is z[L] whatever its index.
  const z: Buffer[] = [hashLeaf(Buffer.from('same', 'utf8'))];
  for (let level = 1; level <= 64; level++) z.push(hashChildren(z[level - 1], z[level - 1]));
  const lookup: NodeLookup = (key) => z[key.level];
  const TWO_63 = 1n << 63n;
  const TWO_64 = 1n << 64n;

  it('parses the 2^64 − 1 index and refuses anything beyond', () => {
    expect(parseIndex('18446744073709551615')).toBe(MAX_UINT64);
    expect(parseIndex('18446744073709551616')).toBeNull();
  });

  it('has 63 siblings for the last leaf of a 2^64 − 1 tree', () => {
    expect(inclusionProofLength(MAX_UINT64 - 1n, MAX_UINT64)).toBe(63);
    // leaf 0 sits in the left 2^63 subtree (63 siblings) and needs the right edge as well
    expect(inclusionProofLength(0n, MAX_UINT64)).toBe(64);
    expect(inclusionProofLength(MAX_UINT64, TWO_64)).toBe(64);
  });

  it.each([
    [0n, MAX_UINT64],
    [MAX_UINT64 - 1n, MAX_UINT64],
    [TWO_63, MAX_UINT64],
    [TWO_63 - 1n, TWO_63 + 1n],
    [MAX_UINT64, TWO_64],
    [12345678901234567n, MAX_UINT64 - 2n],
  ])('builds and verifies the inclusion of leaf %s in size %s', (m, n) => {
    const proof = buildInclusionProof(m, n, lookup);
    const root = buildRoot(n, lookup);
    expect(proof).toHaveLength(inclusionProofLength(m, n));
    expect(inclusionProofKeys(m, n).length).toBeLessThanOrEqual(128);
    expect(verifyInclusion(m, n, z[0], proof, root)).toBe(true);
    expect(verifyInclusion(n, n, z[0], proof, root)).toBe(false);
  });

  it('gives the 2^64 tree the level-64 node as root', () => {
    expect(buildRoot(TWO_64, lookup)).toEqual(z[64]);
    expect(rootKeys(TWO_64)).toEqual([{ level: 64, idx: 0n }]);
  });

  it.each([
    [TWO_63, MAX_UINT64],
    [MAX_UINT64 - 2n, MAX_UINT64],
    [1n, MAX_UINT64],
    [TWO_63 + 1n, TWO_64],
  ])('builds and verifies the consistency from %s to %s', (m, n) => {
    const proof = buildConsistencyProof(m, n, lookup);
    expect(proof).toHaveLength(consistencyProofLength(m, n));
    expect(verifyConsistency(m, n, buildRoot(m, lookup), buildRoot(n, lookup), proof)).toBe(true);
    expect(verifyConsistency(m + 1n, n, buildRoot(m, lookup), buildRoot(n, lookup), proof)).toBe(false);
  });

  it('completes 64 parents when leaf 2^64 − 1 is appended', () => {
    const parents = nodesCompletedByAppend(MAX_UINT64);
    expect(parents).toHaveLength(64);
    expect(parents[63]).toEqual({ level: 64, idx: 0n });
    expect(parents[0]).toEqual({ level: 1, idx: TWO_63 - 1n });
  });
});

describe('storage helpers', () => {
  it.each([
    [
      0n,
      7n,
      [
        [2, 0n],
        [1, 2n],
        [0, 6n],
      ],
    ],
    [
      4n,
      7n,
      [
        [1, 2n],
        [0, 6n],
      ],
    ],
    [
      8n,
      13n,
      [
        [2, 2n],
        [0, 12n],
      ],
    ],
    [6n, 8n, [[1, 3n]]],
    [16n, 32n, [[4, 1n]]],
    [5n, 5n, []],
  ])('decomposes [%s, %s) into stored nodes', (start, end, expected) => {
    const keys = perfectSubtreesForRange(start, end).map((k) => [k.level, k.idx]);
    expect(keys).toEqual(expected);
  });

  it.each([
    [3n, 5n],
    [2n, 7n],
    [5n, 4n],
  ])('refuses [%s, %s), which no RFC 9162 recursion visits', (start, end) => {
    expect(() => perfectSubtreesForRange(start, end)).toThrow(RangeError);
  });

  it.each([
    [0n, []],
    [1n, [[1, 0n]]],
    [2n, []],
    [
      3n,
      [
        [1, 1n],
        [2, 0n],
      ],
    ],
    [5n, [[1, 2n]]],
    [
      7n,
      [
        [1, 3n],
        [2, 1n],
        [3, 0n],
      ],
    ],
  ])('appending leaf %s completes parents %j', (seq, expected) => {
    expect(nodesCompletedByAppend(seq).map((k) => [k.level, k.idx])).toEqual(expected);
  });

  it('appends leaf 3 by combining with (0,2) then (1,0)', () => {
    const leaves = [0, 1, 2, 3].map((i) => hashLeaf(Buffer.from([i])));
    const n10 = hashChildren(leaves[0], leaves[1]);
    const stored: Record<string, Buffer> = { '0/2': leaves[2], '1/0': n10 };
    const calls: string[] = [];
    const nodes = appendLeaf(3n, leaves[3], (level, idx) => {
      calls.push(`${level}/${idx}`);
      return stored[`${level}/${idx}`];
    });
    expect(calls).toEqual(['0/2', '1/0']);
    expect(appendSiblingKeys(3n).map(nodeKeyId)).toEqual(calls);
    const n11 = hashChildren(leaves[2], leaves[3]);
    expect(nodes).toEqual([
      { level: 0, idx: 3n, hash: leaves[3] },
      { level: 1, idx: 1n, hash: n11 },
      { level: 2, idx: 0n, hash: hashChildren(n10, n11) },
    ]);
  });

  it('refuses to build from a missing node', () => {
    expect(() => appendLeaf(1n, hashLeaf(Buffer.alloc(0)), () => Buffer.alloc(0))).toThrow(/0\/0/);
    expect(() => buildRoot(3n, () => undefined as unknown as Buffer)).toThrow(/Missing/);
  });

  it('refuses proofs outside the tree', () => {
    const lookup: NodeLookup = () => EMPTY_ROOT;
    expect(() => buildInclusionProof(3n, 3n, lookup)).toThrow(RangeError);
    expect(() => buildConsistencyProof(0n, 3n, lookup)).toThrow(RangeError);
    expect(() => buildConsistencyProof(4n, 3n, lookup)).toThrow(RangeError);
    expect(buildConsistencyProof(3n, 3n, lookup)).toEqual([]);
  });
});

describe('subtree hashes on the completing entry', () => {
  const MAX = 300;
  const leafHashes = Array.from({ length: MAX }, (_, i) => hashLeaf(Buffer.from(`row ${i}`, 'utf8')));
  /** appendLeaf's output for every seq < MAX, from a plain key → hash map (the reference model). */
  const appended: StoredNode[][] = [];
  const reference = new Map<string, Buffer>();
  leafHashes.forEach((leafHash, i) => {
    const nodes = appendLeaf(BigInt(i), leafHash, (level, idx) => reference.get(nodeKeyId({ level, idx }))!);
    for (const node of nodes) reference.set(nodeKeyId(node), node.hash);
    appended.push(nodes);
  });

  it.each([
    [0n, 0],
    [1n, 1],
    [2n, 0],
    [3n, 2],
    [11n, 2],
    [255n, 8],
    [MAX_UINT64, 64],
  ])('trailingOnes(%s) is %i', (seq, k) => {
    expect(trailingOnes(seq)).toBe(k);
    expect(nodesCompletedByAppend(seq)).toHaveLength(k);
  });

  it('inverts appendLeaf: every node appended with seq < 300 is located on that seq, at its level', () => {
    for (let seq = 0; seq < MAX; seq++) {
      appended[seq].forEach((node, position) => {
        expect(node.level).toBe(position);
        expect(nodeLocation(node)).toEqual({
          seq: BigInt(seq),
          offset: node.level === 0 ? null : (node.level - 1) * 32,
        });
      });
    }
  });

  it('locates every node of levels 0..9 with seq < 300 where appendLeaf put it', () => {
    let checked = 0;
    for (let level = 0; level <= 9; level++) {
      for (let idx = 0n; ; idx++) {
        const { seq, offset } = nodeLocation({ level, idx });
        if (seq >= BigInt(MAX)) break;
        const nodes = appended[Number(seq)];
        expect(nodes[level]).toMatchObject({ level, idx });
        expect(offset).toBe(level === 0 ? null : (level - 1) * 32);
        checked++;
      }
    }
    expect(checked).toBe(reference.size);
  });

  it('packs the parents appendLeaf completes, levels 1..k, and appendToFrontier writes the same bytes', () => {
    const frontier: Frontier = [];
    for (let seq = 0; seq < MAX; seq++) {
      const packed = packSubtreeHashes(appended[seq]);
      const k = trailingOnes(BigInt(seq));
      if (k === 0) expect(packed).toBeNull();
      else expect(packed).toEqual(Buffer.concat(appended[seq].slice(1).map((n) => n.hash)));
      expect(packed?.length ?? 0).toBe(32 * k);
      expect(appendToFrontier(frontier, BigInt(seq), leafHashes[seq])).toEqual(packed);
      // The frontier is the root decomposition of the size seq + 1 tree.
      const size = BigInt(seq + 1);
      const expected = frontierOf(size, (key) => reference.get(nodeKeyId(key))!);
      expect(frontier).toEqual(expected);
      expect(rootKeys(size).map((key) => key.level)).toEqual(
        frontier.flatMap((hash, level) => (hash === undefined ? [] : [level])).reverse(),
      );
    }
  });

  it('locates the level-64 root on seq 2^64 − 1 and refuses nodes beyond it', () => {
    expect(nodeLocation({ level: 64, idx: 0n })).toEqual({ seq: MAX_UINT64, offset: 63 * 32 });
    expect(nodeLocation({ level: 1, idx: (1n << 63n) - 1n })).toEqual({ seq: MAX_UINT64, offset: 0 });
    expect(() => nodeLocation({ level: 64, idx: 1n })).toThrow(RangeError);
    expect(() => nodeLocation({ level: 65, idx: 0n })).toThrow(RangeError);
    expect(() => nodeLocation({ level: -1, idx: 0n })).toThrow(RangeError);
    expect(() => nodeLocation({ level: 1, idx: -1n })).toThrow(RangeError);
  });

  it('refuses to append to a frontier of another size or with a missing node', () => {
    const frontier = frontierOf(3n, (key) => reference.get(nodeKeyId(key))!);
    expect(() => appendToFrontier([...frontier], 2n, leafHashes[2])).toThrow(/not the tree of size 2/);
    expect(() => appendToFrontier([undefined, frontier[1]], 3n, leafHashes[3])).toThrow(/0\/2/);
    expect(() => appendToFrontier([...frontier], 3n, Buffer.alloc(31))).toThrow(/32 bytes/);
  });
});

describe('verifiers never throw', () => {
  const leaf = hashLeaf(Buffer.from('x'));
  it.each([
    ['number index', () => verifyInclusion(0 as unknown as bigint, 1n, leaf, [], leaf)],
    ['negative index', () => verifyInclusion(-1n, 1n, leaf, [], leaf)],
    ['null proof', () => verifyInclusion(0n, 1n, leaf, null as unknown as Buffer[], leaf)],
    ['string hash in proof', () => verifyInclusion(0n, 2n, leaf, ['ab'] as unknown as Buffer[], leaf)],
    ['31-byte root', () => verifyInclusion(0n, 1n, leaf, [], leaf.subarray(1))],
    ['consistency m = 0, n = 0', () => verifyConsistency(0n, 0n, EMPTY_ROOT, EMPTY_ROOT, [])],
    ['consistency undefined roots', () => verifyConsistency(1n, 2n, undefined as unknown as Buffer, leaf, [leaf])],
    ['consistency m > n', () => verifyConsistency(3n, 2n, leaf, leaf, [leaf])],
  ])('rejects %s', (_name, call) => {
    expect(call()).toBe(false);
  });

  it('accepts the single-leaf tree with an empty proof and equal sizes with equal roots', () => {
    expect(verifyInclusion(0n, 1n, leaf, [], leaf)).toBe(true);
    expect(verifyConsistency(5n, 5n, leaf, Buffer.from(leaf), [])).toBe(true);
  });
});

describe('parseIndex', () => {
  it.each([
    ['0', 0n],
    ['7', 7n],
    ['9007199254740993', 9007199254740993n],
  ])('parses %s', (s, expected) => {
    expect(parseIndex(s)).toBe(expected);
  });

  it.each(['', '00', '01', '-1', '+1', '1.0', '1e3', ' 1', '1 ', '0x10', '١'])('refuses %j', (s) => {
    expect(parseIndex(s)).toBeNull();
  });
});

describe('canonicalizeEntry (RFC 8785)', () => {
  const base = { kind: 'dataset.registered', actor: null, createdAt: '2025-03-01T12:00:00.000Z' };

  it('orders members and encodes the entry as UTF-8', () => {
    const bytes = canonicalizeEntry({ ...base, seq: 5n, payload: { b: 1, a: [true, null, 'é'] } });
    expect(bytes.toString('utf8')).toBe(
      '{"actor":null,"createdAt":"2025-03-01T12:00:00.000Z","kind":"dataset.registered",' +
        '"payload":{"a":[true,null,"é"],"b":1},"seq":"5"}',
    );
    // é is C3 A9 in UTF-8
    expect(bytes.includes(Buffer.from([0x22, 0xc3, 0xa9, 0x22]))).toBe(true);
  });

  it('treats a decimal-string seq like the bigint and writes 2^64 − 1 exactly', () => {
    const entry = { ...base, actor: 'agent-1', payload: {} };
    expect(canonicalizeEntry({ ...entry, seq: '42' })).toEqual(canonicalizeEntry({ ...entry, seq: 42n }));
    expect(canonicalizeEntry({ ...entry, seq: MAX_UINT64 }).toString()).toContain('"seq":"18446744073709551615"');
  });

  it('hashes the canonical bytes as the leaf', () => {
    const bytes = canonicalizeEntry({ ...base, seq: 0n, payload: null });
    expect(hashLeaf(bytes)).toEqual(hashLeaf(Buffer.from(bytes.toString('utf8'), 'utf8')));
    expect(bytes.toString()).toBe(
      '{"actor":null,"createdAt":"2025-03-01T12:00:00.000Z","kind":"dataset.registered","payload":null,"seq":"0"}',
    );
  });

  it('omits undefined members as JSON does', () => {
    expect(canonicalizeEntry({ ...base, seq: 1n, payload: { a: 1, b: undefined } }).toString()).toContain(
      '"payload":{"a":1}',
    );
  });

  const circular: Record<string, unknown> = {};
  circular.self = circular;
  it.each([
    ['NaN', { n: Number.NaN }, /non-finite/],
    ['Infinity', { n: Infinity }, /non-finite/],
    ['bigint', { n: 1n }, /bigint/],
    ['unsafe integer', { n: 2 ** 53 }, /decimal string/],
    ['Date', { at: new Date(0) }, /plain object/],
    ['Map', new Map(), /plain object/],
    ['undefined in array', [1, undefined], /undefined/],
    ['hole in array', [1, , 3], /hole/], // eslint-disable-line no-sparse-arrays
    ['function', { f: () => 1 }, /function/],
    ['lone surrogate', { s: '\ud800' }, /surrogate/],
    ['lone surrogate key', { ['\udc00']: 1 }, /surrogate/],
    ['cycle', circular, /circular/],
    ['undefined payload', undefined, /payload/],
  ])('refuses %s in a payload', (_name, payload, message) => {
    expect(() => canonicalizeEntry({ ...base, seq: 1n, payload })).toThrow(message);
  });

  it.each([
    ['negative seq', -1n],
    ['leading zero', '01'],
    ['number seq', 3 as unknown as bigint],
  ])('refuses a %s', (_name, seq) => {
    expect(() => canonicalizeEntry({ ...base, seq, payload: null })).toThrow(/seq/);
  });
});

describe('canonicalizeJson (RFC 8785 examples)', () => {
  it('sorts keys by UTF-16 code units (§3.2.3)', () => {
    const input = {
      '\u20ac': 'Euro',
      '\r': 'CR',
      '\ufb33': 'Hebrew',
      '1': 'One',
      '\ud83d\ude00': 'Smiley',
      '\u0080': 'Control',
      '\u00f6': 'Latin',
    };
    expect(canonicalizeJson(input)).toBe(
      '{"\\r":"CR","1":"One","\u0080":"Control","ö":"Latin","€":"Euro","\ud83d\ude00":"Smiley","\ufb33":"Hebrew"}',
    );
  });

  it('serialises numbers the ECMAScript way (§3.2.2.3)', () => {
    // eslint-disable-next-line no-loss-of-precision -- RFC 8785's own example input is deliberately over-precise
    expect(canonicalizeJson([333333333.33333329, 1e30, 4.5, 2e-3, 0.000000000000000000000000001])).toBe(
      '[333333333.3333333,1e+30,4.5,0.002,1e-27]',
    );
    expect(canonicalizeJson([-0, 1e21, 1e-7, 0.000001, 100])).toBe('[0,1e+21,1e-7,0.000001,100]');
  });

  it('escapes only what JSON requires (§3.2.2.2)', () => {
    expect(canonicalizeJson(['\u20ac$\u000F\u000aA\'\u0042\u0022\u005c\\"/'])).toBe(
      '["€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"]',
    );
  });

  it('keeps literals and nested structures without whitespace', () => {
    expect(canonicalizeJson({ z: [null, true, false], a: { d: {}, c: [] } })).toBe(
      '{"a":{"c":[],"d":{}},"z":[null,true,false]}',
    );
  });
});
