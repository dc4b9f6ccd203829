import { resolve } from 'node:path';

/** Shared by global setup and test files: where the test PostgreSQL server is and how databases are named. */
export interface TestServer {
  /** A URL to the server's maintenance database, used to create and drop per-file databases. */
  adminUrl: string;
  template: string;
  /** Per-file databases are named `<prefix>_<random>`. */
  prefix: string;
}

export const TEST_SERVER_ENV = 'LEDGER_TEST_SERVER';
export const EMBEDDED_TEST_DIR = resolve('.data/test');

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export function readTestServer(): TestServer {
  const raw = process.env[TEST_SERVER_ENV];
  if (!raw)
    throw new Error(`${TEST_SERVER_ENV} is not set: run the tests through jest (global setup prepares the database)`);
  return JSON.parse(raw) as TestServer;
}

/** Refuse to touch a database whose name does not say it is for tests. */
export function assertTestDatabaseName(name: string): void {
  if (!/test/i.test(name))
    throw new Error(`refusing to use database "${name}" for tests: its name must contain "test"`);
}
