import { DataSource } from 'typeorm';
import { parseEnv } from '../config/env.schema.js';
import { buildDataSourceOptions } from './data-source.js';

// The typeorm CLI (db:generate, db:migrate, db:check) runs against DATABASE_URL; locally point it at a scratch
// database, e.g. postgres://postgres@127.0.0.1:5432/ledger_dev.
const { DATABASE_URL } = parseEnv(process.env);
if (!DATABASE_URL) throw new Error('DATABASE_URL is required for the migration commands');

export default new DataSource(buildDataSourceOptions(DATABASE_URL, { applicationName: 'cell-image-ledger-cli' }));
