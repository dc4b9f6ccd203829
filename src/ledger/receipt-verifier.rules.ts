import { openNote, parseCheckpointBody, parseVerifierKey } from './checkpoint.rules.js';
import { canonicalizeEntry, hashLeaf, merkleTreeHash, verifyInclusion } from './ledger.rules.js';

/**
 * What a third party needs to trust one fact, with nothing but the log's public verifier key: the entry as the API
 * returns it, its inclusion proof, and a signed checkpoint. Pure; used by scripts/verify-receipt.ts and the tests.
 */
export interface ReceiptEvidence {
  entry: { seq: string; kind: string; payload: unknown; actor: string | null; createdAt: string; leafHash?: string };
  inclusion: { seq: string; treeSize: string; leafHash: string; rootHash: string; path: string[] };
  checkpoint: string;
  verifierKey: string;
}

export function verifyReceiptEvidence(evidence: ReceiptEvidence): { ok: true } | { ok: false; reason: string } {
  const key = parseVerifierKey(evidence.verifierKey);
  if ('error' in key) return { ok: false, reason: `verifier key: ${key.error}` };
  const opened = openNote(evidence.checkpoint, [key]);
  if ('error' in opened) return { ok: false, reason: `checkpoint: ${opened.error}` };
  const body = parseCheckpointBody(opened.body);
  if ('error' in body) return { ok: false, reason: `checkpoint: ${body.error}` };
  const leaf = hashLeaf(canonicalizeEntry({ ...evidence.entry }));
  if (evidence.entry.leafHash !== undefined && leaf.toString('hex') !== evidence.entry.leafHash) {
    return { ok: false, reason: 'the entry does not hash to its leafHash' };
  }
  if (leaf.toString('hex') !== evidence.inclusion.leafHash)
    return { ok: false, reason: 'the proof is for another leaf' };
  if (BigInt(evidence.inclusion.treeSize) !== body.size)
    return { ok: false, reason: 'the proof is for another tree size than the checkpoint' };
  const ok = verifyInclusion(
    BigInt(evidence.entry.seq),
    body.size,
    leaf,
    evidence.inclusion.path.map((h) => Buffer.from(h, 'hex')),
    body.root,
  );
  return ok ? { ok: true } : { ok: false, reason: 'the inclusion proof does not lead to the signed root' };
}

/** Rebuilds the tree from an export (JSON Lines) and checks it against a signed checkpoint of the same or smaller size. */
export function verifyExport(
  lines: readonly string[],
  checkpoint: string,
  verifierKey: string,
): { ok: true; size: bigint } | { ok: false; reason: string } {
  const key = parseVerifierKey(verifierKey);
  if ('error' in key) return { ok: false, reason: `verifier key: ${key.error}` };
  const opened = openNote(checkpoint, [key]);
  if ('error' in opened) return { ok: false, reason: `checkpoint: ${opened.error}` };
  const body = parseCheckpointBody(opened.body);
  if ('error' in body) return { ok: false, reason: `checkpoint: ${body.error}` };
  const leaves: Buffer[] = [];
  for (const [i, line] of lines.entries()) {
    if (BigInt(i) >= body.size) break;
    const entry = JSON.parse(line) as {
      seq: string;
      kind: string;
      payload: unknown;
      actor: string | null;
      createdAt: string;
      leafHash: string;
    };
    if (entry.seq !== String(i)) return { ok: false, reason: `line ${i + 1} has seq ${entry.seq}` };
    const leaf = hashLeaf(canonicalizeEntry(entry));
    if (leaf.toString('hex') !== entry.leafHash) return { ok: false, reason: `seq ${i} does not hash to its leafHash` };
    leaves.push(leaf);
  }
  if (BigInt(leaves.length) !== body.size)
    return { ok: false, reason: `the export has ${leaves.length} entries, the checkpoint ${body.size}` };
  return merkleTreeHash(leaves).equals(body.root)
    ? { ok: true, size: body.size }
    : { ok: false, reason: 'the rebuilt root differs from the signed root' };
}
