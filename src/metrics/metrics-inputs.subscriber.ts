import type { EntityManager, EntitySubscriberInterface, InsertEvent, UpdateEvent } from 'typeorm';
import { CitationEntity } from '../citations/entities/citation.entity.js';
import { ReuseEntity } from '../reuses/entities/reuse.entity.js';

export interface RecomputeRequester {
  requestRecompute(manager: EntityManager, nodeIds: readonly string[]): Promise<void>;
  requestFullRecompute(manager: EntityManager): Promise<void>;
}

/**
 * Changes to metric inputs that add no graph edge: a reuse confirmed, disputed or resolved (an UPDATE of `reuses`),
 * and a citation whose citing work is not registered here (a `citations` row without a citesAsDataSource edge).
 * TypeORM calls these hooks inside the writer's transaction, so the dirty marks commit or roll back with the change,
 * and the modules that own those tables need not know the metrics exist (they sit below metrics).
 */
export class MetricsInputsSubscriber implements EntitySubscriberInterface {
  constructor(private readonly metrics: RecomputeRequester) {}

  async afterUpdate(event: UpdateEvent<unknown>): Promise<void> {
    if (event.metadata.target !== ReuseEntity) return;
    // UPDATE events carry the new values, not the row: the rows this transaction changed are those with its xid.
    const rows = await event.manager.query<Array<{ dataset_id: string; publication_id: string }>>(
      `SELECT rd.dataset_id, r.publication_id FROM reuses r JOIN reuse_datasets rd ON rd.reuse_id = r.id
       WHERE r.xmin = pg_current_xact_id()::xid`,
    );
    if (rows.length === 0) {
      // Updated inside a savepoint (another xid): recompute everything rather than miss it.
      await this.metrics.requestFullRecompute(event.manager);
      return;
    }
    await this.metrics.requestRecompute(event.manager, [
      ...new Set(rows.flatMap((r) => [r.dataset_id, r.publication_id])),
    ]);
  }

  async afterInsert(event: InsertEvent<unknown>): Promise<void> {
    if (event.metadata.target !== CitationEntity) return;
    const cited = (event.entity as Partial<CitationEntity> | undefined)?.citedDatasetId;
    if (typeof cited === 'string') await this.metrics.requestRecompute(event.manager, [cited]);
  }
}
