import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations.js';

/** The ONE options builder: the api, the worker, the tests and the typeorm CLI all connect through it. */
export function buildDataSourceOptions(
  url: string,
  overrides: { poolSize?: number; applicationName?: string } = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    uuidExtension: 'pgcrypto',
    extra: { max: overrides.poolSize ?? 10, application_name: overrides.applicationName ?? 'cell-image-ledger' },
  };
}
