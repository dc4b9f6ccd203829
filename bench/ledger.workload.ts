// The Merkle log against the database's own speed: appends (single, concurrent, batched) next to raw INSERTs of the
// same rows into a copy of the entries table without the tree, then proofs at growing log sizes next to a point read.
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { canonicalizeEntry, hashLeaf, verifyConsistency, verifyInclusion } from '../src/ledger/ledger.rules.js';
import { LedgerService } from '../src/ledger/ledger.service.js';
import { createEntryStream, createRng } from './generator.js';
import type { LedgerAppend } from './generator.js';
import { runHttpLoad, startBareServer } from './http-load.js';
import { call } from './environment.js';
import type { BenchContext } from './profile.js';
import { compare, measure } from './report.js';

// LedgerService.appendMany's insert minus the subtree_hashes column (the copy of the table has it too and leaves it
// NULL), one statement for the whole batch (appendMany splits a batch into pipelined chunks of 256): the baseline
// writes the same bytes into the same columns and indexes, and skips only the Merkle work (head lock, frontier read,
// hashing, the subtree hashes each row carries).
const RAW_INSERT = `INSERT INTO bench.raw_entries (seq, kind, actor, created_at, canonical, payload, leaf_hash)
  SELECT e.seq, e.kind, e.actor, $1::timestamptz, e.canonical, (convert_from(e.canonical, 'UTF8')::jsonb) -> 'payload', e.leaf_hash
  FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bytea[], $6::bytea[]) AS e(seq, kind, actor, canonical, leaf_hash)`;

interface RawRow {
  seq: string;
  kind: string;
  actor: string | null;
  canonical: Buffer;
  leafHash: Buffer;
}

const sizeLabel = (n: number): string => `1e${Math.round(Math.log10(n))}`;

export async function runLedgerWorkloads(ctx: BenchContext): Promise<void> {
  const { profile, pool } = ctx;
  const dataSource = ctx.app.app.get(DataSource);
  const ledger = ctx.app.app.get(LedgerService);
  const nextEntry = createEntryStream(ctx.seed);
  const take = (n: number): LedgerAppend[] => Array.from({ length: n }, nextEntry);
  let rawSeq = 0n;
  const createdAt = new Date().toISOString();
  // Canonical bytes and leaf hashes are computed before the clock starts: the baseline is only the database's work.
  const toRaw = (entries: readonly LedgerAppend[]): RawRow[] =>
    entries.map((e) => {
      const seq = rawSeq;
      rawSeq += 1n;
      const payload: unknown = JSON.parse(JSON.stringify(e.payload));
      const canonical = canonicalizeEntry({ seq, kind: e.kind, payload, actor: e.actor, createdAt });
      return { seq: seq.toString(), kind: e.kind, actor: e.actor, canonical, leafHash: hashLeaf(canonical) };
    });
  const rawInsert = (rows: readonly RawRow[]) =>
    pool.query(RAW_INSERT, [
      createdAt,
      rows.map((r) => r.seq),
      rows.map((r) => r.kind),
      rows.map((r) => r.actor),
      rows.map((r) => r.canonical),
      rows.map((r) => r.leafHash),
    ]);
  const appendOne = (entry: LedgerAppend) => dataSource.transaction((m) => ledger.append(m, entry));
  const appendBatch = (entries: LedgerAppend[]) => dataSource.transaction((m) => ledger.appendMany(m, entries));

  await pool.query('CREATE SCHEMA IF NOT EXISTS bench');
  await pool.query('CREATE TABLE bench.raw_entries (LIKE public.ledger_entries INCLUDING ALL)');

  const fillTo = async (target: number): Promise<void> => {
    let size = Number(await ledger.size());
    const started = performance.now();
    const from = size;
    while (size < target) {
      const n = Math.min(profile.fillBatch, target - size);
      await appendBatch(take(n));
      size += n;
    }
    if (size > from) {
      const seconds = (performance.now() - started) / 1000;
      ctx.log(
        `  filled the log ${from} -> ${size} entries in ${seconds.toFixed(1)} s (${Math.round((size - from) / seconds)} entries/s)`,
      );
      // Proofs are measured in steady state: not while autovacuum and the checkpointer digest the bulk load.
      await pool.query('VACUUM ANALYZE ledger_entries');
      await pool.query('CHECKPOINT');
    }
  };

  const proofSizes = [...profile.proofSizes].sort((a, b) => a - b);
  await fillTo(proofSizes[0]);
  await measureProofs(ctx, ledger, proofSizes[0], proofSizes.length === 1);

  // ── single appends, one transaction each (the shape of every API write) ──
  for (const e of take(profile.appendSingle.warmup)) await appendOne(e);
  for (const row of toRaw(take(profile.appendSingle.warmup))) await rawInsert([row]);
  const single: number[] = [];
  const singleRaw: number[] = [];
  for (let r = 0; r < profile.reps; r += 1) {
    const entries = take(profile.appendSingle.perRep);
    const raw = toRaw(entries);
    let t0 = performance.now();
    for (const e of entries) await appendOne(e);
    single.push(entries.length / ((performance.now() - t0) / 1000));
    t0 = performance.now();
    for (const row of raw) await rawInsert([row]);
    singleRaw.push(raw.length / ((performance.now() - t0) / 1000));
  }
  ctx.results.ledger_append_single = compare(
    measure(single, 'entries/s', 'LedgerService.append, one entry per transaction, one writer'),
    measure(
      singleRaw,
      'rows/s',
      'raw INSERT of the same rows into a copy of ledger_entries (same columns and indexes, no tree), one row per transaction',
    ),
    'higher',
  );

  // ── concurrent single appends: writers queue on the head row lock, raw INSERTs share commits ──
  const { writers, perRep } = profile.appendConcurrent;
  const concurrent: number[] = [];
  const concurrentRaw: number[] = [];
  const inParallel = async (n: number, task: (i: number) => Promise<unknown>): Promise<void> => {
    let next = 0;
    await Promise.all(
      Array.from({ length: writers }, async () => {
        while (next < n) {
          const i = next;
          next += 1;
          await task(i);
        }
      }),
    );
  };
  for (let r = 0; r <= profile.reps; r += 1) {
    const entries = take(perRep);
    const raw = toRaw(entries);
    let t0 = performance.now();
    await inParallel(entries.length, (i) => appendOne(entries[i]));
    const rate = entries.length / ((performance.now() - t0) / 1000);
    t0 = performance.now();
    await inParallel(raw.length, (i) => rawInsert([raw[i]]));
    const rawRate = raw.length / ((performance.now() - t0) / 1000);
    // Repetition 0 is the warm-up.
    if (r > 0) {
      concurrent.push(rate);
      concurrentRaw.push(rawRate);
    }
  }
  ctx.results.ledger_append_concurrent = compare(
    measure(concurrent, 'entries/s', `LedgerService.append, one entry per transaction, ${writers} concurrent writers`),
    measure(concurrentRaw, 'rows/s', `raw single-row INSERTs of the same rows, ${writers} concurrent connections`),
    'higher',
    { writers },
  );

  // ── batched appends: the import path ──
  const { batchSize, batchesPerRep } = profile.appendBatched;
  const batched: number[] = [];
  const batchedRaw: number[] = [];
  for (let r = 0; r <= profile.reps; r += 1) {
    const batches = Array.from({ length: batchesPerRep }, () => take(batchSize));
    const raw = batches.map(toRaw);
    let t0 = performance.now();
    for (const b of batches) await appendBatch(b);
    const rate = (batchSize * batchesPerRep) / ((performance.now() - t0) / 1000);
    t0 = performance.now();
    for (const b of raw) await rawInsert(b);
    const rawRate = (batchSize * batchesPerRep) / ((performance.now() - t0) / 1000);
    if (r > 0) {
      batched.push(rate);
      batchedRaw.push(rawRate);
    }
  }
  ctx.results.ledger_append_batched = compare(
    measure(batched, 'entries/s', `LedgerService.appendMany, ${batchSize} entries per transaction`),
    measure(
      batchedRaw,
      'rows/s',
      `raw multi-row INSERT (unnest) of the same rows, ${batchSize} per statement, no tree`,
    ),
    'higher',
    { batchSize, goal: '>= 0.5 x raw INSERT' },
  );

  for (const size of proofSizes.slice(1)) {
    await fillTo(size);
    await measureProofs(ctx, ledger, size, size === proofSizes[proofSizes.length - 1]);
  }
}

async function measureProofs(ctx: BenchContext, ledger: LedgerService, size: number, largest: boolean): Promise<void> {
  const { profile, pool } = ctx;
  const rng = createRng(ctx.seed + size);
  const n = profile.proofSamples;
  const seqs = Array.from({ length: n }, () => BigInt(rng.int(size)));
  const froms = Array.from({ length: n }, () => BigInt(1 + rng.int(size - 1)));
  const treeSize = BigInt(size);
  const root = await ledger.root(treeSize);

  for (let i = 0; i < 20; i += 1) await ledger.inclusionProof(seqs[i], treeSize);
  const inclusion: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const t0 = performance.now();
    const proof = await ledger.inclusionProof(seqs[i], treeSize);
    inclusion.push(performance.now() - t0);
    // A fast wrong proof is no result.
    if (
      i < 25 &&
      (!proof.rootHash.equals(root) || !verifyInclusion(seqs[i], treeSize, proof.leafHash, proof.path, proof.rootHash))
    ) {
      throw new Error(`inclusion proof for ${seqs[i]} in ${size} does not verify`);
    }
  }
  const consistency: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const t0 = performance.now();
    const proof = await ledger.consistencyProof(froms[i], treeSize);
    consistency.push(performance.now() - t0);
    if (i < 25 && !verifyConsistency(froms[i], treeSize, proof.fromRoot, proof.toRoot, proof.path)) {
      throw new Error(`consistency proof ${froms[i]} -> ${size} does not verify`);
    }
  }
  // The floor: one primary-key read of one stored node over a plain connection.
  for (let i = 0; i < 20; i += 1)
    await pool.query('SELECT leaf_hash FROM ledger_entries WHERE seq = $1', [seqs[i].toString()]);
  const pointRead: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const t0 = performance.now();
    await pool.query('SELECT leaf_hash FROM ledger_entries WHERE seq = $1', [seqs[i].toString()]);
    pointRead.push(performance.now() - t0);
  }
  const floor = measure(pointRead, 'ms', 'one primary-key SELECT of a stored leaf hash (pg, no transaction)', {
    p99: true,
  });
  const label = sizeLabel(size);
  const inclusionResult = compare(
    measure(
      inclusion,
      'ms',
      'LedgerService.inclusionProof(seq, treeSize): REPEATABLE READ transaction, one node query',
      { p99: true },
    ),
    floor,
    'lower',
    { entries: size, goal: 'p99 < 5 ms at 1e6' },
  );
  const consistencyResult = compare(
    measure(consistency, 'ms', 'LedgerService.consistencyProof(from, treeSize)', { p99: true }),
    floor,
    'lower',
    { entries: size },
  );
  ctx.results[`proof_inclusion_${label}`] = inclusionResult;
  ctx.results[`proof_consistency_${label}`] = consistencyResult;
  ctx.log(`  proofs at ${size}: inclusion p50 ${inclusionResult.median} ms p99 ${inclusionResult.p99} ms`);
  if (!largest) return;
  ctx.results.proof_inclusion = { ...inclusionResult };
  ctx.results.proof_consistency = { ...consistencyResult };

  // Over HTTP, one client at a time: what a verifier sees, next to a bare server returning a proof-sized constant.
  const targets = seqs.map((seq) => ({
    method: 'GET' as const,
    path: `/v1/ledger/entries/${seq}/inclusion?treeSize=${size}`,
  }));
  const sample = await call(ctx.app.origin, 'GET', targets[0].path);
  if (sample.status !== 200) throw new Error(`GET ${targets[0].path} answered ${sample.status}`);
  const load = { concurrency: 1, durationMs: 120_000, warmupMs: 300, maxRequests: n, okStatuses: [200] };
  const http = await runHttpLoad({ origin: ctx.app.origin, targets, ...load });
  const bare = await startBareServer(JSON.stringify(sample.body));
  try {
    const floorHttp = await runHttpLoad({ origin: bare.origin, targets, ...load });
    if (http.errors > 0) throw new Error(`inclusion over HTTP: ${http.errors} errors (${http.firstError ?? ''})`);
    ctx.results.proof_inclusion_http = compare(
      measure(http.latenciesMs, 'ms', 'GET /v1/ledger/entries/:seq/inclusion?treeSize=N, one client, keep-alive', {
        p99: true,
      }),
      measure(floorHttp.latenciesMs, 'ms', 'bare node:http server returning the same proof body', { p99: true }),
      'lower',
      { entries: size },
    );
  } finally {
    await bare.close();
  }
}
