import 'reflect-metadata';
import { createHttpApp } from './app.factory.js';
import { loadConfigOrExit } from './core/config/boot.js';
import { resolveAdminToken, resolveDatabase, runMigrations } from './core/database/bootstrap.js';

// Boot lines are plain stderr text: they are read by a person starting the service, before the JSON logger exists.
const say = (line: string) => process.stderr.write(`[ledger] ${line}\n`);

async function main(): Promise<void> {
  let config = loadConfigOrExit(say);
  const database = await resolveDatabase(config, say);
  const applied = await runMigrations(database.url);
  if (applied.length > 0) say(`applied migrations: ${applied.join(', ')}`);
  config = { ...config, LEDGER_ADMIN_TOKEN: resolveAdminToken(config, say) };
  say(
    config.REDIS_URL
      ? `jobs go through Redis at ${new URL(config.REDIS_URL).host}; run \`npm run start:worker\` to process them`
      : 'no REDIS_URL: jobs run in-process',
  );
  if (config.DOI_PROVIDER === 'fake')
    say(`DOI_PROVIDER=fake: DOIs (prefix ${config.DATACITE_PREFIX}) are not registered anywhere`);

  const app = await createHttpApp({
    config,
    databaseUrl: database.url,
    dispatch: { relay: true, workers: !config.REDIS_URL },
    applicationName: 'cell-image-ledger-api',
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping`);
    await app.close();
    await database.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  await app.listen({ port: config.PORT, host: config.HOST });
  say(`serving on http://${config.HOST}:${config.PORT} (API docs at /docs)`);
}

main().catch((error: unknown) => {
  say(`failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
