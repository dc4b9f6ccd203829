import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import type { Principal } from '../auth/auth.decorators.js';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/env.schema.js';
import type { Receipt } from '../core/database/receipt.js';
import { insertEntities } from '../core/database/sql.js';
import { decodeCursor, pageOf } from '../core/http/cursor.js';
import { ValidationFailedError } from '../core/http/problem.js';
import { DatasetsService } from '../datasets/datasets.service.js';
import { GraphService } from '../graph/graph.service.js';
import { LedgerService } from '../ledger/ledger.service.js';
import type { ListImagesQuery, RegisterImagesDto } from './dto/register-images.dto.js';
import { ImagePartEntity } from './entities/image-part.entity.js';
import { ImagePartConflictError, InvalidImagePartsError } from './images.errors.js';
import { planImageParts, samePart } from './images.rules.js';
import type { PlannedImagePart } from './images.rules.js';

/** One INSERT / ledger batch per slice: far below PostgreSQL's 65,535 bind parameters per statement. */
const SLICE = 1000;

/**
 * Image parts of datasets. Each image is a graph node (ImagePart, `node.created` entry) linked from its dataset by
 * `hasPart` (`edge.created` entry), plus a row here for identity checks and paging. Credit never accrues to an image
 * itself: whatever cites, reuses or derives from an image counts for the dataset holding it (follow `hasPart`
 * backwards from the image).
 */
@Injectable()
export class ImagesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly graph: GraphService,
    private readonly datasets: DatasetsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get publicBaseUrl(): string {
    return this.config.PUBLIC_BASE_URL;
  }

  /** Registers images of a dataset (owner or curator). Images already registered with the same identity are skipped. */
  async register(
    principal: Principal,
    datasetId: string,
    dto: RegisterImagesDto,
  ): Promise<{ created: number; receipt: Receipt }> {
    const dataset = await this.datasets.get(datasetId);
    this.datasets.assertCanChange(principal, dataset);
    const plan = planImageParts(dto.images);
    if (!plan.ok) throw new InvalidImagePartsError(plan.problems);

    return this.dataSource.transaction(async (manager) => {
      // Concurrent registrations for one dataset queue here, so the identity check below sees the other's rows.
      await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`image-parts ${datasetId}`]);
      const existing = new Map<string, ImagePartEntity>();
      for (let i = 0; i < plan.parts.length; i += SLICE) {
        const keys = plan.parts.slice(i, i + SLICE).map((part) => part.key);
        for (const row of await manager.findBy(ImagePartEntity, { datasetId, key: In(keys) }))
          existing.set(row.key, row);
      }
      const fresh: PlannedImagePart[] = [];
      for (const part of plan.parts) {
        const stored = existing.get(part.key);
        if (stored === undefined) fresh.push(part);
        else if (!samePart(stored, part)) throw new ImagePartConflictError(part.index, stored.id);
      }
      if (fresh.length === 0) {
        const latest = [...existing.values()].reduce((a, b) => (a.ledgerSeq > b.ledgerSeq ? a : b));
        return { created: 0, receipt: await this.ledger.receiptFor(latest.ledgerSeq, manager) };
      }

      let last: Receipt | null = null;
      for (let i = 0; i < fresh.length; i += SLICE) {
        const slice = fresh.slice(i, i + SLICE).map((part) => ({ part, id: randomUUID() }));
        const added = await this.graph.addNodes(
          manager,
          slice.map(({ part, id }) => ({
            id,
            type: 'ImagePart' as const,
            label: part.label ?? part.path ?? part.uri ?? (part.omeroId === null ? null : `Image:${part.omeroId}`),
            properties: {
              dataset: datasetId,
              omeroId: part.omeroId,
              uri: part.uri,
              path: part.path,
              sha256: part.sha256,
              size: part.size,
              label: part.label,
            },
          })),
          principal.agentId,
        );
        const rows = slice.map(({ part, id }, index) =>
          manager.create(ImagePartEntity, {
            id,
            datasetId,
            key: part.key,
            omeroId: part.omeroId,
            uri: part.uri,
            path: part.path,
            sha256: part.sha256,
            size: part.size,
            label: part.label,
            ledgerSeq: added[index].node.ledgerSeq,
          }),
        );
        await insertEntities(manager, ImagePartEntity, rows);
        const edges = await this.graph.addEdges(
          manager,
          slice.map(({ id }) => ({ sourceId: datasetId, relation: 'hasPart' as const, targetId: id })),
          principal.agentId,
        );
        for (const { receipt } of edges) if (receipt !== null) last = receipt;
      }
      return { created: fresh.length, receipt: last as Receipt };
    });
  }

  /** Images of a dataset in registration order, keyset-paged. */
  async list(
    datasetId: string,
    query: ListImagesQuery,
  ): Promise<{ items: ImagePartEntity[]; nextCursor: string | null }> {
    await this.datasets.get(datasetId);
    const limit = query.limit ?? 100;
    const cursor = decodeCursor(query.cursor);
    if (cursor !== null && !/^\d{1,19}$/.test(cursor.at)) {
      throw new ValidationFailedError(
        [{ field: 'cursor', message: 'is not a cursor this service issued' }],
        'INVALID_CURSOR',
      );
    }
    const qb = this.dataSource.manager
      .createQueryBuilder(ImagePartEntity, 'i')
      .where('i.dataset_id = :datasetId', { datasetId });
    if (cursor !== null) qb.andWhere('i.ledger_seq > :seq', { seq: cursor.at });
    const items = await qb
      .orderBy('i.ledger_seq', 'ASC')
      .limit(limit + 1)
      .getMany();
    return pageOf(items, limit, (row) => ({ at: row.ledgerSeq.toString(), id: row.id }));
  }
}
