import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { z } from 'zod';

const url = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      `must be a URL (${protocols.join(', ')})`,
    );

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(emptyToUndefined, schema.optional());

export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    LEDGER_DATA_DIR: z.string().default('./.data'),
    DATABASE_URL: optional(url(['postgres:', 'postgresql:'])),
    EMBEDDED_PG_PORT: optional(z.coerce.number().int().min(1024).max(65535)),
    REDIS_URL: optional(url(['redis:', 'rediss:'])),
    REDIS_QUEUE_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .default('cil'),
    LEDGER_ADMIN_TOKEN: optional(z.string().min(16, 'must be at least 16 characters')),
    LEDGER_ORIGIN: z
      .string()
      .regex(/^[^\s+]+$/, 'must be a schema-less log name without spaces or "+" (C2SP tlog-checkpoint)')
      .default('ledger.localhost'),
    LEDGER_SIGNING_KEY: optional(
      z.string().refine((v) => Buffer.from(v, 'base64').length === 32, 'must be a base64 32-byte Ed25519 seed'),
    ),
    CHECKPOINT_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(10),
    DOI_PROVIDER: z.enum(['fake', 'datacite']).default('fake'),
    DATACITE_API_URL: url(['https:', 'http:']).default('https://api.test.datacite.org'),
    DATACITE_REPOSITORY_ID: optional(z.string()),
    DATACITE_PASSWORD: optional(z.string()),
    DATACITE_PREFIX: z
      .string()
      .regex(/^10\.\d{4,9}$/, 'must be a DOI prefix like 10.80000')
      .default('10.80000'),
    DATACITE_CONTACT_EMAIL: z.email().default('ledger-admin@example.org'),
    DATACITE_RATE_LIMIT: z.coerce.number().int().min(1).default(3000),
    DATACITE_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(300),
    // One deadline per DataCite request, connect + read (datacite.md §11: connect 10–30 s, read about 60 s).
    DATACITE_TIMEOUT_MS: z.coerce.number().int().min(100).default(70_000),
    // Backoff base for DOI job retries and for re-checking a DOI whose Handle is not registered yet (§10.3, §11).
    DATACITE_RETRY_BASE_MS: z.coerce.number().int().min(10).default(2_000),
    PUBLIC_BASE_URL: optional(url(['http:', 'https:'])),
    BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(1024 * 1024),
    /** POST /v1/provenance: most JSON objects, deepest nesting and time budget of one document's expansion. */
    PROVENANCE_MAX_NODES: z.coerce.number().int().min(1).default(5000),
    PROVENANCE_MAX_DEPTH: z.coerce.number().int().min(2).max(1000).default(32),
    PROVENANCE_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(2000),
    JOBS_IN_PROCESS_POLL_MS: z.coerce.number().int().min(10).default(500),
    WEBHOOK_ALLOW_PRIVATE: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    /** Per webhook attempt: connect, send and read the response status within this time. */
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    /** First retry delay of a failed webhook delivery; it doubles per attempt, capped at one hour. */
    WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).default(30_000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((env, ctx) => {
    if (env.DOI_PROVIDER === 'datacite') {
      for (const key of ['DATACITE_REPOSITORY_ID', 'DATACITE_PASSWORD'] as const) {
        if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required when DOI_PROVIDER=datacite' });
      }
    }
  });

export type RawEnv = z.infer<typeof envSchema>;

export interface AppConfig extends RawEnv {
  LEDGER_DATA_DIR: string;
  PUBLIC_BASE_URL: string;
  /** The port the embedded PostgreSQL listens on when DATABASE_URL is unset. */
  EMBEDDED_PG_PORT: number;
}

/**
 * Derives the embedded server's default port from the data directory, so two checkouts on one machine (each with its
 * own ./.data) never pick the same port, and 5432 (a system PostgreSQL) is never chosen.
 */
export function defaultEmbeddedPort(dataDir: string): number {
  const digest = createHash('sha256').update(resolve(dataDir)).digest();
  return 20000 + (digest.readUInt32BE(0) % 20000);
}

export class ConfigError extends Error {}

/** Parses the environment once; throws a ConfigError naming every bad variable. */
export function parseEnv(env: Record<string, string | undefined>): AppConfig {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const raw = result.data;
  const dataDir = resolve(raw.LEDGER_DATA_DIR);
  return {
    ...raw,
    LEDGER_DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: raw.EMBEDDED_PG_PORT ?? defaultEmbeddedPort(dataDir),
    PUBLIC_BASE_URL: (
      raw.PUBLIC_BASE_URL ?? `http://${raw.HOST === '0.0.0.0' ? '127.0.0.1' : raw.HOST}:${raw.PORT}`
    ).replace(/\/+$/, ''),
  };
}
