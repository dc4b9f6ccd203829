import type { EntityManager, EntityTarget } from 'typeorm';
/**
 * TypeORM's postgres driver returns `[rows, affectedCount]` for UPDATE/DELETE … RETURNING and plain `rows` for
 * SELECT/INSERT; this gives the rows either way.
 */
export function returnedRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}

/**
 * `EntityManager.insert` with full entity instances: TypeORM's deep-partial type rejects entities whose jsonb
 * columns are typed `Record<string, unknown>`, although it inserts them fine.
 */
export async function insertEntities<T extends object>(
  manager: EntityManager,
  target: EntityTarget<T>,
  rows: T | T[],
): Promise<void> {
  await manager.insert(target, rows);
}
