import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { buildOpenApiDocument, createHttpApp } from '../src/app.factory.js';
import { parseEnv } from '../src/core/config/env.schema.js';

// npm run openapi — writes openapi.json from the built app (the Swagger CLI plugin adds DTO schemas at build time);
// `--check` fails when the committed file differs, so the published contract never drifts silently.
const config = parseEnv({ LOG_LEVEL: 'silent', PUBLIC_BASE_URL: 'http://127.0.0.1:3000' });
const app = await createHttpApp(
  {
    config,
    databaseUrl: 'postgres://unused@127.0.0.1/unused',
    dispatch: { relay: false, workers: false },
    applicationName: 'openapi',
  },
  { preview: true, logger: false },
);
const document = `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
const file = new URL('../../openapi.json', import.meta.url);
if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    // missing file counts as drift
  }
  if (committed !== document) {
    process.stderr.write('openapi.json is out of date: run `npm run openapi` and commit the result\n');
    process.exit(1);
  }
  process.stdout.write('openapi.json is up to date\n');
} else {
  writeFileSync(file, document);
  process.stdout.write(`wrote ${file.pathname}\n`);
}
process.exit(0);
