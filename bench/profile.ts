import type pg from 'pg';
import type { BenchApp } from './environment.js';
import type { WorkloadEntry } from './report.js';

/** How much of everything a run does. `quick` stays under five minutes on a 2-core machine, build included. */
export interface Profile {
  name: 'quick' | 'full';
  /** Measured repetitions per workload (after one warm-up). */
  reps: number;
  appendSingle: { perRep: number; warmup: number };
  appendConcurrent: { writers: number; perRep: number };
  appendBatched: { batchSize: number; batchesPerRep: number };
  /** Log sizes at which proofs are measured; the log is filled up to the largest. */
  proofSizes: number[];
  proofSamples: number;
  fillBatch: number;
  http: { durationMs: number; warmupMs: number; concurrency: number; reps: number };
  /** Credit graph sizes (nodes) for the full recompute in a child process. */
  creditSizes: number[];
  creditReps: number;
  incrementalRuns: number;
  /** Wall-clock cap on the incremental runs of one size (at least 10 runs are made). */
  incrementalBudgetMs: number;
  /** The service's metrics job on ledgers loaded into the tables: sizes (nodes), new papers timed, untimed first. */
  metricsJob: { sizes: number[]; changes: number; warmUp: number };
  /** Size of the synthetic ledger deposited through the API for the HTTP workloads. */
  apiLedgerSize: number;
  provenance: { nodesPerDocument: number; documents: number; lineageSamples: number };
  doi: { latencySamples: number; throughputDois: number; rateLimit: number; rateWindowSeconds: number };
  verificationSamples: number;
  audit: { grants: number; samples: number };
}

export const PROFILES: Record<Profile['name'], Profile> = {
  quick: {
    name: 'quick',
    reps: 5,
    appendSingle: { perRep: 200, warmup: 50 },
    appendConcurrent: { writers: 8, perRep: 300 },
    appendBatched: { batchSize: 1000, batchesPerRep: 4 },
    proofSizes: [10_000, 100_000],
    proofSamples: 300,
    fillBatch: 10_000,
    http: { durationMs: 1_500, warmupMs: 500, concurrency: 32, reps: 3 },
    creditSizes: [10_000, 100_000],
    creditReps: 3,
    incrementalRuns: 100,
    incrementalBudgetMs: 20_000,
    metricsJob: { sizes: [10_000], changes: 20, warmUp: 5 },
    apiLedgerSize: 500,
    provenance: { nodesPerDocument: 200, documents: 5, lineageSamples: 100 },
    doi: { latencySamples: 20, throughputDois: 60, rateLimit: 10, rateWindowSeconds: 1 },
    verificationSamples: 20,
    audit: { grants: 200, samples: 5 },
  },
  full: {
    name: 'full',
    reps: 5,
    appendSingle: { perRep: 500, warmup: 100 },
    appendConcurrent: { writers: 8, perRep: 800 },
    appendBatched: { batchSize: 1000, batchesPerRep: 10 },
    proofSizes: [10_000, 100_000, 1_000_000],
    proofSamples: 1_000,
    fillBatch: 20_000,
    http: { durationMs: 3_000, warmupMs: 1_000, concurrency: 32, reps: 5 },
    creditSizes: [10_000, 100_000, 1_000_000],
    creditReps: 2,
    incrementalRuns: 200,
    incrementalBudgetMs: 60_000,
    metricsJob: { sizes: [10_000, 100_000], changes: 40, warmUp: 5 },
    apiLedgerSize: 3_000,
    provenance: { nodesPerDocument: 1_000, documents: 7, lineageSamples: 300 },
    doi: { latencySamples: 60, throughputDois: 200, rateLimit: 20, rateWindowSeconds: 1 },
    verificationSamples: 60,
    audit: { grants: 10_000, samples: 5 },
  },
};

export interface BenchContext {
  profile: Profile;
  seed: number;
  app: BenchApp;
  databaseUrl: string;
  /** Plain pg connections to the same database, for baselines. */
  pool: pg.Pool;
  results: Record<string, WorkloadEntry>;
  log(line: string): void;
}
