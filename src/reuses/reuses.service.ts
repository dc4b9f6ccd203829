import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { AgentsService } from '../agents/agents.service.js';
import type { Principal } from '../auth/auth.decorators.js';
import { hasRole } from '../auth/auth.decorators.js';
import { MissingRoleError } from '../auth/auth.errors.js';
import type { Receipt } from '../core/database/receipt.js';
import { insertEntities } from '../core/database/sql.js';
import { decodeCursor, encodeCursor } from '../core/http/cursor.js';
import { ValidationFailedError } from '../core/http/problem.js';
import { DatasetsService } from '../datasets/datasets.service.js';
import { GraphNodeEntity } from '../graph/entities/graph-node.entity.js';
import { GraphService } from '../graph/graph.service.js';
import type { NewEdge } from '../graph/graph.service.js';
import { DATASET_TYPES } from '../graph/graph.vocabulary.js';
import { LedgerService } from '../ledger/ledger.service.js';
import type { PublicationEntity } from '../publications/entities/publication.entity.js';
import { PublicationsService } from '../publications/publications.service.js';
import { WebhooksService } from '../webhooks/webhooks.service.js';
import type { AgentReusesQuery } from './dto/agent-reuses.query.js';
import type { CreateReuseDto } from './dto/create-reuse.dto.js';
import { ReuseDatasetEntity } from './entities/reuse-dataset.entity.js';
import { ReuseEntity } from './entities/reuse.entity.js';
import { assessIndependence } from './independence.rules.js';
import type { IndependenceAssessment, IndependenceLevel } from './independence.rules.js';
import {
  DuplicateReuseError,
  NotDatasetOwnerError,
  NotPublicationAuthorError,
  PanelNotFromDatasetsError,
  ReuseNotFoundError,
  ReuseStateError,
  UnknownFigurePanelError,
} from './reuses.errors.js';
import { buildIndependenceInput, decideClaimEvidence, transitionReuse } from './reuses.rules.js';
import type { AgentFacts, DisputeOutcome, EvidenceLevel, ReuseAction, ReuseStatus, ReuseType } from './reuses.rules.js';

export interface ReuseRecord {
  reuse: ReuseEntity;
  datasets: ReuseDatasetEntity[];
  publication: PublicationEntity;
}

export interface AgentReuseRow {
  reuseId: string;
  type: ReuseType;
  evidence: EvidenceLevel;
  status: ReuseStatus;
  datasetId: string;
  path: string[];
  level: IndependenceLevel;
  reason: IndependenceAssessment['reason'];
  publication: { id: string; doi: string | null; title: string | null; issued: string | null };
  createdAt: Date;
  ledgerSeq: bigint;
}

type ReusePatch = Partial<
  Pick<
    ReuseEntity,
    | 'evidence'
    | 'status'
    | 'confirmedAt'
    | 'disputedAt'
    | 'disputedBy'
    | 'disputeReason'
    | 'resolvedAt'
    | 'resolvedOutcome'
  >
>;

/** How far the feed follows wasDerivedFrom downstream of an agent's dataset (nodes per path, the dataset included). */
const MAX_DERIVATION_PATH = 12;

@Injectable()
export class ReusesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly graph: GraphService,
    private readonly agents: AgentsService,
    private readonly datasets: DatasetsService,
    private readonly publications: PublicationsService,
    private readonly webhooks: WebhooksService,
  ) {}

  /**
   * Records a reuse claim (`reuse.asserted`, or `reuse.curated` from a curator) with each dataset's independence
   * from the publication, and its graph: see `writeGraph`.
   */
  async create(principal: Principal, dto: CreateReuseDto): Promise<ReuseRecord & { receipt: Receipt }> {
    return this.dataSource.transaction(async (manager) => {
      const publication = await this.publications.get(dto.publication, manager);
      const evidence = decideClaimEvidence({
        isCurator: hasRole(principal, 'curator'),
        agentId: principal.agentId,
        publicationAuthorIds: publication.authorIds,
        publicationDepositorId: publication.createdBy,
      });
      if (evidence === null) throw new NotPublicationAuthorError();
      const datasets = await this.datasets.getMany(dto.datasets, manager);
      const figurePanels = dto.evidence?.figurePanels ?? [];
      await this.assertPanelsShow(
        manager,
        figurePanels,
        datasets.map((d) => d.id),
      );
      // Claims for one publication are serialised so two identical ones cannot both pass the duplicate check.
      await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`reuse ${publication.id}`]);
      const duplicate = await manager.query<Array<{ reuse_id: string; dataset_id: string }>>(
        `SELECT rd.reuse_id, rd.dataset_id FROM reuse_datasets rd JOIN reuses r ON r.id = rd.reuse_id
         WHERE r.publication_id = $1 AND r.type = $2 AND rd.dataset_id = ANY($3::uuid[]) LIMIT 1`,
        [publication.id, dto.type, datasets.map((d) => d.id)],
      );
      if (duplicate.length > 0) throw new DuplicateReuseError(duplicate[0].reuse_id, duplicate[0].dataset_id);

      const assessments = await this.assess(manager, publication, datasets);
      const id = randomUUID();
      const evidenceText = dto.evidence?.text ?? null;
      const receipt = await this.ledger.append(manager, {
        kind: `reuse.${evidence}`,
        actor: principal.agentId,
        payload: {
          id,
          publication: publication.id,
          type: dto.type,
          evidence,
          datasets: datasets.map((d, i) => ({
            dataset: d.id,
            level: assessments[i].level,
            reason: assessments[i].reason,
          })),
          evidenceText,
          figurePanels,
        },
      });
      const reuse = manager.create(ReuseEntity, {
        id,
        publicationId: publication.id,
        type: dto.type,
        evidence,
        status: 'active',
        evidenceText,
        figurePanels,
        createdBy: principal.agentId,
        ledgerSeq: BigInt(receipt.seq),
        confirmedAt: null,
        disputedAt: null,
        disputedBy: null,
        disputeReason: null,
        resolvedAt: null,
        resolvedOutcome: null,
      });
      const edgeSeqs = await this.writeGraph(
        manager,
        principal,
        reuse,
        publication,
        datasets.map((d) => d.id),
        assessments,
      );
      await insertEntities(manager, ReuseEntity, reuse);
      const rows = datasets.map((d, position) =>
        manager.create(ReuseDatasetEntity, {
          reuseId: id,
          datasetId: d.id,
          position,
          level: assessments[position].level,
          reason: assessments[position].reason,
          edgeLedgerSeq: edgeSeqs[position],
        }),
      );
      await insertEntities(manager, ReuseDatasetEntity, rows);
      const record = await this.load(manager, id);
      await this.webhooks.emit(manager, 'reuse.created', {
        datasetIds: rows.map((r) => r.datasetId),
        ...eventOf(record),
      });
      return { ...record, receipt };
    });
  }

  /**
   * Evidence panels must exist and show one of the reused datasets: provenance.md §5, "evidence.figurePanels must be
   * panels whose wasDerivedFrom includes the dataset" (figures record panel --wasDerivedFrom--> sourceData).
   */
  private async assertPanelsShow(
    manager: EntityManager,
    panelIds: readonly string[],
    datasetIds: readonly string[],
  ): Promise<void> {
    if (panelIds.length === 0) return;
    const found = await manager.find(GraphNodeEntity, {
      where: { id: In([...panelIds]), type: 'FigurePanel' },
      select: { id: true },
    });
    const missing = panelIds.filter((id) => !found.some((f) => f.id === id));
    if (missing.length > 0) throw new UnknownFigurePanelError(missing);
    const edges = await this.graph.edgesAround(panelIds, manager);
    const unrelated = panelIds.filter(
      (panel) =>
        !edges.some((e) => e.sourceId === panel && e.relation === 'wasDerivedFrom' && datasetIds.includes(e.targetId)),
    );
    if (unrelated.length > 0) throw new PanelNotFromDatasetsError(unrelated);
  }

  /**
   * Graph shape of a reuse (provenance.md §5, ReuseEvent row): a ReuseEvent node (id = reuse id, described by the
   * reuse entry, so no separate node entry) that `used` each dataset and `wasAssociatedWith` each author of the
   * publication (the reusing people); the publication `wasGeneratedBy` it and `usesDataFrom` each dataset, the CiTO
   * edge credit follows (properties {reuseId, type, level}). Returns the ledger seq of each usesDataFrom edge.
   */
  private async writeGraph(
    manager: EntityManager,
    principal: Principal,
    reuse: ReuseEntity,
    publication: PublicationEntity,
    datasetIds: string[],
    assessments: IndependenceAssessment[],
  ): Promise<bigint[]> {
    const publicationNode = await this.graph.getNode(publication.id, manager);
    await this.graph.addNodes(
      manager,
      [
        {
          id: reuse.id,
          type: 'ReuseEvent',
          label: `${reuse.type} reuse in ${publication.title ?? publication.doi ?? publication.id}`,
          // The evidence level here is the one claimed; the reuses table holds the current level and status.
          properties: {
            reuseType: reuse.type,
            evidence: reuse.evidence,
            description: reuse.evidenceText,
            figurePanels: reuse.figurePanels,
          },
          // The reuse happened when the publication appeared (awards judge asOf by the works' own dates).
          occurredAt: publicationNode.occurredAt,
        },
      ],
      principal.agentId,
      reuse.ledgerSeq,
    );
    const edges: NewEdge[] = [
      ...datasetIds.map((datasetId, i) => ({
        sourceId: publication.id,
        relation: 'usesDataFrom' as const,
        targetId: datasetId,
        properties: { reuseId: reuse.id, type: reuse.type, level: assessments[i].level },
      })),
      ...datasetIds.map((datasetId) => ({ sourceId: reuse.id, relation: 'used' as const, targetId: datasetId })),
      { sourceId: publication.id, relation: 'wasGeneratedBy', targetId: reuse.id },
      ...publication.authorIds.map((agentId, position) => ({
        sourceId: reuse.id,
        relation: 'wasAssociatedWith' as const,
        targetId: agentId,
        properties: { position },
      })),
    ];
    const added = await this.graph.addEdges(manager, edges, principal.agentId);
    return datasetIds.map((_, i) => added[i].edge.ledgerSeq);
  }

  /**
   * Independence of each dataset from the publication (credit-and-compliance.md §2). Grants come from `funding`
   * edges out of the publication and dataset nodes (plus the dataset's own grant list); none when there are none.
   */
  private async assess(
    manager: EntityManager,
    publication: PublicationEntity,
    datasets: ReadonlyArray<{ id: string; creators: string[]; grants: string[] }>,
  ): Promise<IndependenceAssessment[]> {
    const funding = (await this.graph.edgesAround([publication.id, ...datasets.map((d) => d.id)], manager)).filter(
      (e) => e.relation === 'funding',
    );
    const grantsOf = (nodeId: string): string[] => funding.filter((e) => e.sourceId === nodeId).map((e) => e.targetId);
    const people = await this.agents.getMany(
      [...datasets.flatMap((d) => d.creators), ...publication.authorIds],
      manager,
    );
    const known = new Set(people.map((p) => p.id));
    const organizations = await this.agents.getMany(
      people.flatMap((p) => p.affiliations).filter((id) => !known.has(id)),
      manager,
    );
    const agents = new Map<string, AgentFacts>([...people, ...organizations].map((a) => [a.id, a]));
    return datasets.map((dataset) =>
      assessIndependence(
        buildIndependenceInput({
          datasetCreatorIds: dataset.creators,
          datasetGrantIds: [...dataset.grants, ...grantsOf(dataset.id)],
          publicationAuthors: publication.authors,
          publicationGrantIds: grantsOf(publication.id),
          agents,
        }),
      ),
    );
  }

  async get(id: string): Promise<ReuseRecord> {
    return this.load(this.dataSource.manager, id);
  }

  /** curator: asserted -> curated (`reuse.confirmed`). */
  async confirm(principal: Principal, id: string): Promise<ReuseRecord & { receipt: Receipt }> {
    return this.change(principal, id, { kind: 'confirm' });
  }

  /** Owner of a dataset named in the reuse, or a curator: active -> disputed (`reuse.disputed`). */
  async dispute(principal: Principal, id: string, reason: string): Promise<ReuseRecord & { receipt: Receipt }> {
    return this.change(principal, id, { kind: 'dispute' }, reason);
  }

  /** curator: disputed -> excluded (upheld) or active (rejected) (`reuse.resolved`). */
  async resolve(
    principal: Principal,
    id: string,
    outcome: DisputeOutcome,
  ): Promise<ReuseRecord & { receipt: Receipt }> {
    return this.change(principal, id, { kind: 'resolve', outcome });
  }

  private async change(
    principal: Principal,
    id: string,
    action: ReuseAction,
    reason?: string,
  ): Promise<ReuseRecord & { receipt: Receipt }> {
    return this.dataSource.transaction(async (manager) => {
      const reuse = await manager.findOne(ReuseEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!reuse) throw new ReuseNotFoundError(id);
      if (action.kind === 'dispute') {
        if (!hasRole(principal, 'curator')) await this.assertOwnsADataset(manager, principal, id);
      } else if (!hasRole(principal, 'curator')) {
        throw new MissingRoleError(['curator']);
      }
      const transition = transitionReuse({ evidence: reuse.evidence, status: reuse.status }, action);
      if (!transition.ok) throw new ReuseStateError(transition.code, transition.detail);
      const now = new Date();
      const patch: ReusePatch = { evidence: transition.next.evidence, status: transition.next.status };
      if (action.kind === 'confirm') patch.confirmedAt = now;
      if (action.kind === 'dispute') {
        Object.assign(patch, {
          disputedAt: now,
          disputedBy: principal.agentId,
          disputeReason: reason ?? null,
          resolvedAt: null,
          resolvedOutcome: null,
        });
      }
      if (action.kind === 'resolve') Object.assign(patch, { resolvedAt: now, resolvedOutcome: action.outcome });
      const receipt = await this.ledger.append(manager, {
        kind: transition.ledgerKind,
        actor: principal.agentId,
        payload: {
          id,
          from: { evidence: reuse.evidence, status: reuse.status },
          to: transition.next,
          ...(action.kind === 'dispute' ? { reason: reason ?? null } : {}),
          ...(action.kind === 'resolve' ? { outcome: action.outcome } : {}),
        },
      });
      await manager.update(ReuseEntity, { id }, patch);
      const record = await this.load(manager, id);
      if (action.kind !== 'confirm') {
        const details = action.kind === 'dispute' ? { reason: reason ?? null } : { outcome: action.outcome };
        await this.webhooks.emit(manager, action.kind === 'dispute' ? 'reuse.disputed' : 'reuse.resolved', {
          datasetIds: record.datasets.map((d) => d.datasetId),
          ...eventOf(record),
          ...details,
        });
      }
      return { ...record, receipt };
    });
  }

  private async assertOwnsADataset(manager: EntityManager, principal: Principal, reuseId: string): Promise<void> {
    if (principal.agentId === null) throw new NotDatasetOwnerError();
    const owned = await manager.query<unknown[]>(
      `SELECT 1 FROM reuse_datasets rd JOIN datasets d ON d.id = rd.dataset_id WHERE rd.reuse_id = $1 AND d.owner_id = $2 LIMIT 1`,
      [reuseId, principal.agentId],
    );
    if (owned.length === 0) throw new NotDatasetOwnerError();
  }

  private async load(manager: EntityManager, id: string): Promise<ReuseRecord> {
    const reuse = await manager.findOneBy(ReuseEntity, { id });
    if (!reuse) throw new ReuseNotFoundError(id);
    const datasets = await manager.find(ReuseDatasetEntity, { where: { reuseId: id }, order: { position: 'ASC' } });
    const publication = await this.publications.get(reuse.publicationId, manager);
    return { reuse, datasets, publication };
  }

  /**
   * Reuses of the datasets an agent created and of datasets derived from them (downstream along wasDerivedFrom,
   * shortest path kept), one item per reused dataset, newest claim first. Disputed and excluded reuses are listed
   * with their status.
   */
  async listForAgent(
    agentId: string,
    query: AgentReusesQuery,
  ): Promise<{ items: AgentReuseRow[]; nextCursor: string | null }> {
    await this.agents.get(agentId);
    const limit = query.limit ?? 50;
    const cursor = decodeFeedCursor(query.cursor);
    const rows = await this.dataSource.query<Array<Record<string, unknown>>>(
      `WITH RECURSIVE walk(node_id, path) AS (
         SELECT d.id, ARRAY[d.id] FROM datasets d WHERE $1::uuid = ANY(d.creators)
         UNION ALL
         SELECT e.source_id, w.path || e.source_id
         FROM walk w
         JOIN graph_edges e ON e.target_id = w.node_id AND e.relation = 'wasDerivedFrom' AND e.status = 'active'
         JOIN graph_nodes n ON n.id = e.source_id AND n.type = ANY($2::text[])
         WHERE NOT (e.source_id = ANY(w.path)) AND cardinality(w.path) < $3
       ),
       reach AS (
         SELECT DISTINCT ON (node_id) node_id, path FROM walk ORDER BY node_id, cardinality(path), path
       )
       SELECT r.id AS reuse_id, r.type, r.evidence, r.status, r.created_at, r.ledger_seq,
              rd.dataset_id, rd.level, rd.reason, reach.path::text[] AS path,
              p.id AS publication_id, p.doi, p.title, p.issued
       FROM reach
       JOIN reuse_datasets rd ON rd.dataset_id = reach.node_id
       JOIN reuses r ON r.id = rd.reuse_id
       JOIN publications p ON p.id = r.publication_id
       WHERE ($4::text IS NULL OR r.type = $4)
         AND ($5::text IS NULL OR rd.level = $5)
         AND ($6::bigint IS NULL OR (r.ledger_seq, rd.dataset_id) < ($6::bigint, $7::uuid))
       ORDER BY r.ledger_seq DESC, rd.dataset_id DESC
       LIMIT $8`,
      [
        agentId,
        [...DATASET_TYPES],
        MAX_DERIVATION_PATH,
        query.type ?? null,
        query.independence ?? null,
        cursor?.at ?? null,
        cursor?.id ?? null,
        limit + 1,
      ],
    );
    const items = rows.slice(0, limit).map((row): AgentReuseRow => ({
      reuseId: row.reuse_id as string,
      type: row.type as ReuseType,
      evidence: row.evidence as EvidenceLevel,
      status: row.status as ReuseStatus,
      datasetId: row.dataset_id as string,
      path: row.path as string[],
      level: row.level as IndependenceLevel,
      reason: row.reason as IndependenceAssessment['reason'],
      publication: {
        id: row.publication_id as string,
        doi: row.doi as string | null,
        title: row.title as string | null,
        issued: row.issued as string | null,
      },
      createdAt: row.created_at as Date,
      ledgerSeq: BigInt(row.ledger_seq as string),
    }));
    const last = items[items.length - 1];
    return {
      items,
      nextCursor:
        rows.length > limit && last ? encodeCursor({ at: last.ledgerSeq.toString(), id: last.datasetId }) : null,
    };
  }
}

/** What webhook receivers learn about a reuse (ids and levels; the full record is at GET /v1/reuses/:id). */
function eventOf(record: ReuseRecord): Record<string, unknown> {
  const { reuse, publication, datasets } = record;
  return {
    reuse: reuse.id,
    type: reuse.type,
    evidence: reuse.evidence,
    status: reuse.status,
    publication: { id: publication.id, doi: publication.doi, title: publication.title, issued: publication.issued },
    independence: datasets.map((d) => ({ dataset: d.datasetId, level: d.level })),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The feed's keyset is (reuse ledger seq, dataset id): unique, and in commit order, unlike timestamps. */
function decodeFeedCursor(value: string | undefined): { at: string; id: string } | null {
  const cursor = decodeCursor(value);
  if (cursor !== null && (!/^\d{1,19}$/.test(cursor.at) || !UUID.test(cursor.id))) {
    throw new ValidationFailedError(
      [{ field: 'cursor', message: 'is not a cursor this service issued' }],
      'INVALID_CURSOR',
    );
  }
  return cursor;
}
