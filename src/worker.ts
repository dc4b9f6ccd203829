import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { loadConfigOrExit } from './core/config/boot.js';
import { resolveDatabase, runMigrations } from './core/database/bootstrap.js';

const say = (line: string) => process.stderr.write(`[ledger-worker] ${line}\n`);

/** The worker process: no HTTP, only job handlers (DataCite calls, re-sends, recomputes, webhooks, checkpoints). */
async function main(): Promise<void> {
  const config = loadConfigOrExit(say);
  if (!config.DATABASE_URL) {
    say('the worker needs DATABASE_URL: without it the api process runs the embedded PostgreSQL and its jobs itself');
    process.exit(78);
  }
  if (!config.REDIS_URL) say('no REDIS_URL: this worker drains the outbox directly (sharing it with the api is safe)');
  const database = await resolveDatabase(config, say);
  await runMigrations(database.url);
  const app = await NestFactory.createApplicationContext(
    AppModule.forRoot({
      config,
      databaseUrl: database.url,
      dispatch: { relay: true, workers: true },
      applicationName: 'cell-image-ledger-worker',
    }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  await app.init();
  say('worker started');
  const stop = async (signal: string) => {
    say(`${signal}: stopping`);
    await app.close();
    await database.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  say(`failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
