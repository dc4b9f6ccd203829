import './ts-resolve-hook.cjs';
import pg from 'pg';
import { readTestServer } from './test-env.js';

/**
 * Drops this run's template; stops the embedded server only when no other run is still using it (another run's
 * databases, named `<prefix>_…`, still exist).
 */
export default async function globalTeardown(): Promise<void> {
  const server = readTestServer();
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  let othersActive: boolean;
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${server.template}" WITH (FORCE)`);
    const others = await admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname LIKE $1 AND pid <> pg_backend_pid()`,
      [`${server.prefix}\\_%`],
    );
    othersActive = others.rows[0].n > 0;
  } finally {
    await admin.end();
  }
  if (!othersActive) await globalThis.__EMBEDDED_TEST_PG__?.stop();
}
