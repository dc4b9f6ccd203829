import { MetricsService } from '../../src/metrics/metrics.service.js';
import type { TestApp } from './app.js';
import { connect } from './db.js';

/**
 * Every cached metrics row as a whole recompute writes it: the incremental job, which reads only what a change can
 * move, must leave nothing stale and nothing different (`npm run credit:recompute` is the reference).
 */
export async function expectRowsOfWholeRecompute(t: TestApp): Promise<number> {
  await t.drainJobs();
  const db = await connect(t.db.url);
  try {
    const read = async () => ({
      datasets: (await db.query('SELECT dataset_id, metrics, credit FROM dataset_metrics ORDER BY dataset_id')).rows,
      agents: (await db.query('SELECT agent_id, metrics FROM agent_metrics ORDER BY agent_id')).rows,
    });
    const incremental = await read();
    await t.app.get(MetricsService).recompute('all');
    const whole = await read();
    expect(incremental).toEqual(whole);
    return whole.datasets.length;
  } finally {
    await db.end();
  }
}
