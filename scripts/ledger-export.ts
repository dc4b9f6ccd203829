import 'reflect-metadata';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { DataSource } from 'typeorm';
import { parseEnv } from '../src/core/config/env.schema.js';
import { resolveDatabase } from '../src/core/database/bootstrap.js';
import { buildDataSourceOptions } from '../src/core/database/data-source.js';

// npm run ledger:export [-- --out file.jsonl] — every entry as JSON Lines {seq, kind, payload, actor, createdAt,
// leafHash}: exactly the fields the leaf hash covers, so a third party can rebuild the tree and check a checkpoint.
const config = parseEnv(process.env);
const outIndex = process.argv.indexOf('--out');
const out: Writable = outIndex > 0 ? createWriteStream(process.argv[outIndex + 1]) : process.stdout;
const database = await resolveDatabase(config, (line) => process.stderr.write(`${line}\n`));
const dataSource = new DataSource(
  buildDataSourceOptions(database.url, { poolSize: 1, applicationName: 'ledger-export' }),
);
await dataSource.initialize();
try {
  let next = 0n;
  for (;;) {
    const rows: Array<{ seq: string; canonical: Buffer; leaf_hash: Buffer }> = await dataSource.query(
      'SELECT seq, canonical, leaf_hash FROM ledger_entries WHERE seq >= $1 ORDER BY seq LIMIT 5000',
      [next.toString()],
    );
    for (const row of rows) {
      const entry = JSON.parse(row.canonical.toString('utf8')) as Record<string, unknown>;
      if (!out.write(`${JSON.stringify({ ...entry, leafHash: row.leaf_hash.toString('hex') })}\n`)) {
        await new Promise((resolve) => out.once('drain', resolve));
      }
    }
    if (rows.length < 5000) break;
    next = BigInt(rows[rows.length - 1].seq) + 1n;
  }
} finally {
  if (out !== process.stdout) await new Promise((resolve) => out.end(resolve));
  await dataSource.destroy();
  await database.stop();
}
