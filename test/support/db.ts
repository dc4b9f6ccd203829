import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { readTestServer, withDatabase } from './test-env.js';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh database for one test file, cloned from the migrated template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = readTestServer();
  const name = `${server.prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${server.template}"`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: withDatabase(server.adminUrl, name),
    async drop() {
      const client = new pg.Client({ connectionString: server.adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A direct connection for assertions on rows (never for arranging state the API could create). */
export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}
