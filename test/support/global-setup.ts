import './ts-resolve-hook.cjs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { defaultEmbeddedPort } from '../../src/core/config/env.schema.js';
import { runMigrations } from '../../src/core/database/bootstrap.js';
import { startEmbeddedPostgres } from '../../src/core/database/embedded.js';
import { assertTestDatabaseName, EMBEDDED_TEST_DIR, TEST_SERVER_ENV, withDatabase } from './test-env.js';

declare global {
  var __EMBEDDED_TEST_PG__: { stop(): Promise<void> } | undefined;
}

/**
 * Migrates one template database per run; each test file then clones it (CREATE DATABASE … TEMPLATE, ~0.2 s).
 * With DATABASE_URL the real server is used (its database name must contain "test"); without, an embedded one.
 */
export default async function globalSetup(): Promise<void> {
  let baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) {
    const embedded = await startEmbeddedPostgres({
      dataDir: EMBEDDED_TEST_DIR,
      port: Number(process.env.EMBEDDED_PG_PORT ?? defaultEmbeddedPort(EMBEDDED_TEST_DIR)),
      database: 'ledger_test',
    });
    globalThis.__EMBEDDED_TEST_PG__ = embedded;
    baseUrl = embedded.url;
  }
  const dbName = decodeURIComponent(new URL(baseUrl).pathname.slice(1)) || 'ledger_test';
  assertTestDatabaseName(dbName);
  // One template per run, so concurrent runs against one server (two terminals, two checkouts) never clash.
  const template = `${dbName}_tpl_${randomBytes(4).toString('hex')}`;
  const adminUrl = withDatabase(baseUrl, 'postgres');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${template}"`);
  } finally {
    await admin.end();
  }
  await runMigrations(withDatabase(baseUrl, template));
  process.env[TEST_SERVER_ENV] = JSON.stringify({ adminUrl, template, prefix: dbName });
}
