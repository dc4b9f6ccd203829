import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { AgentEntity } from '../agents/entities/agent.entity.js';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/env.schema.js';
import type { Receipt } from '../core/database/receipt.js';
import { insertEntities } from '../core/database/sql.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { GraphEdgeEntity } from './entities/graph-edge.entity.js';
import { GraphNodeEntity } from './entities/graph-node.entity.js';
import { DerivationCycleError, NodeNotFoundError } from './graph.errors.js';
import { ACYCLIC_RELATIONS } from './graph.vocabulary.js';
import type { NodeType, Relation } from './graph.vocabulary.js';

export interface NewNode {
  id?: string;
  iri?: string;
  type: NodeType;
  label?: string | null;
  properties?: Record<string, unknown>;
  occurredAt?: Date | null;
}

export interface NewEdge {
  sourceId: string;
  relation: Relation;
  targetId: string;
  properties?: Record<string, unknown>;
}

export interface AddedEdge {
  edge: GraphEdgeEntity;
  /** null when the identical edge already existed (adding edges is idempotent). */
  receipt: Receipt | null;
}

/** What changed in one transaction: listeners (DOI re-sends, credit recomputes, webhooks) enqueue follow-up jobs. */
export interface GraphChange {
  nodes: GraphNodeEntity[];
  edges: GraphEdgeEntity[];
  actor: string | null;
}

export type GraphChangeListener = (manager: EntityManager, change: GraphChange) => Promise<void>;

export interface Lineage {
  root: GraphNodeEntity;
  nodes: GraphNodeEntity[];
  edges: GraphEdgeEntity[];
  /** True when nodes exist beyond the requested depth. */
  truncated: boolean;
}

/**
 * The provenance graph store. Every node and every edge is a ledger entry (`node.created`, `edge.created`), written
 * in the caller's transaction. Features (datasets, figures, publications, reuses, provenance import) write through
 * this service; nothing else writes graph rows.
 */
@Injectable()
export class GraphService {
  private readonly listeners: GraphChangeListener[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Modules above the graph (DOIs, metrics, webhooks) subscribe at init; the graph never imports them. Listeners run
   * inside the writing transaction and should only enqueue outbox jobs.
   */
  subscribe(listener: GraphChangeListener): void {
    this.listeners.push(listener);
  }

  private async changed(manager: EntityManager, change: GraphChange): Promise<void> {
    if (change.nodes.length === 0 && change.edges.length === 0) return;
    for (const listener of this.listeners) await listener(manager, change);
  }

  localIri(id: string): string {
    return `${this.config.PUBLIC_BASE_URL}/id/${id}`;
  }

  /** Agents become graph nodes with their own id; their ledger entry is `agent.created`, so none is added here. */
  async ensureAgentNodes(manager: EntityManager, agents: readonly AgentEntity[]): Promise<void> {
    if (agents.length === 0) return;
    await manager.query(
      `INSERT INTO graph_nodes (id, iri, type, label, properties, ledger_seq)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::bigint[])
       ON CONFLICT (id) DO NOTHING`,
      [
        agents.map((a) => a.id),
        agents.map((a) => a.orcid ?? a.ror ?? this.localIri(a.id)),
        agents.map((a) => (a.kind === 'person' ? 'Person' : 'Organization')),
        agents.map((a) => a.name),
        agents.map((a) =>
          JSON.stringify({
            givenName: a.givenName,
            familyName: a.familyName,
            orcid: a.orcid,
            ror: a.ror,
            affiliations: a.affiliations,
          }),
        ),
        agents.map((a) => a.ledgerSeq.toString()),
      ],
    );
  }

  /**
   * Adds nodes, one `node.created` ledger entry each, unless `ledgerSeq` is given (the feature wrote a richer entry,
   * e.g. `dataset.deposited`, that already describes the node).
   */
  async addNodes(
    manager: EntityManager,
    nodes: readonly NewNode[],
    actor: string | null,
    ledgerSeq?: bigint,
  ): Promise<Array<{ node: GraphNodeEntity; receipt: Receipt | null }>> {
    const rows = nodes.map((n) => {
      const id = n.id ?? randomUUID();
      return manager.create(GraphNodeEntity, {
        id,
        iri: n.iri ?? this.localIri(id),
        type: n.type,
        label: n.label ?? null,
        properties: n.properties ?? {},
        occurredAt: n.occurredAt ?? null,
      });
    });
    const receipts =
      ledgerSeq === undefined
        ? await this.ledger.appendMany(
            manager,
            rows.map((r) => ({
              kind: 'node.created',
              actor,
              payload: {
                id: r.id,
                iri: r.iri,
                type: r.type,
                label: r.label,
                properties: r.properties,
                occurredAt: r.occurredAt ? r.occurredAt.toISOString() : null,
              },
            })),
          )
        : rows.map(() => null);
    rows.forEach((r, i) => {
      r.ledgerSeq = ledgerSeq ?? BigInt((receipts[i] as Receipt).seq);
    });
    if (rows.length > 0) await insertEntities(manager, GraphNodeEntity, rows);
    await this.changed(manager, { nodes: rows, edges: [], actor });
    return rows.map((node, i) => ({ node, receipt: receipts[i] }));
  }

  /**
   * Adds edges (idempotent: an identical existing edge is returned as is), one `edge.created` ledger entry each, then
   * refuses the whole transaction if an acyclic relation (derivation, revision, part-of) now has a cycle.
   */
  async addEdges(manager: EntityManager, edges: readonly NewEdge[], actor: string | null): Promise<AddedEdge[]> {
    if (edges.length === 0) return [];
    const ids = [...new Set(edges.flatMap((e) => [e.sourceId, e.targetId]))];
    const nodes = await manager.find(GraphNodeEntity, { where: { id: In(ids) }, select: { id: true, iri: true } });
    const iriOf = new Map(nodes.map((n) => [n.id, n.iri]));
    const missing = ids.find((id) => !iriOf.has(id));
    if (missing) throw new NodeNotFoundError(missing);

    const existing = await manager.query<Array<Record<string, unknown>>>(
      `SELECT e.* FROM graph_edges e
       JOIN unnest($1::uuid[], $2::text[], $3::uuid[]) AS k(s, r, t) ON e.source_id = k.s AND e.relation = k.r AND e.target_id = k.t`,
      [edges.map((e) => e.sourceId), edges.map((e) => e.relation), edges.map((e) => e.targetId)],
    );
    const key = (s: string, r: string, t: string) => `${s}|${r}|${t}`;
    const found = new Map<string, GraphEdgeEntity>();
    for (const row of existing) {
      found.set(key(row.source_id as string, row.relation as string, row.target_id as string), toEdge(row));
    }
    const fresh: GraphEdgeEntity[] = [];
    const seen = new Set<string>();
    for (const e of edges) {
      const k = key(e.sourceId, e.relation, e.targetId);
      if (found.has(k) || seen.has(k)) continue;
      seen.add(k);
      fresh.push(
        manager.create(GraphEdgeEntity, {
          id: randomUUID(),
          sourceId: e.sourceId,
          relation: e.relation,
          targetId: e.targetId,
          properties: e.properties ?? {},
          status: 'active',
        }),
      );
    }
    const receipts = await this.ledger.appendMany(
      manager,
      fresh.map((e) => ({
        kind: 'edge.created',
        actor,
        payload: {
          id: e.id,
          source: iriOf.get(e.sourceId) as string,
          relation: e.relation,
          target: iriOf.get(e.targetId) as string,
          properties: e.properties,
        },
      })),
    );
    fresh.forEach((e, i) => {
      e.ledgerSeq = BigInt(receipts[i].seq);
    });
    if (fresh.length > 0) {
      await insertEntities(manager, GraphEdgeEntity, fresh);
      await this.assertAcyclic(manager, fresh);
      await this.changed(manager, { nodes: [], edges: fresh, actor });
    }
    const freshByKey = new Map(
      fresh.map((e, i) => [key(e.sourceId, e.relation, e.targetId), { edge: e, receipt: receipts[i] }]),
    );
    return edges.map((e) => {
      const k = key(e.sourceId, e.relation, e.targetId);
      return freshByKey.get(k) ?? { edge: found.get(k) ?? (freshByKey.get(k)?.edge as GraphEdgeEntity), receipt: null };
    });
  }

  /** A new edge s -> t of an acyclic relation closes a cycle iff s is reachable from t along that relation. */
  private async assertAcyclic(manager: EntityManager, added: readonly GraphEdgeEntity[]): Promise<void> {
    for (const relation of ACYCLIC_RELATIONS) {
      const batch = added.filter((e) => e.relation === relation);
      if (batch.length === 0) continue;
      const rows: Array<{ path: string[] }> = await manager.query(
        `WITH RECURSIVE walk(start_id, node_id, path) AS (
           SELECT k.s, k.t, ARRAY[k.s, k.t] FROM unnest($1::uuid[], $2::uuid[]) AS k(s, t)
           UNION ALL
           SELECT w.start_id, e.target_id, w.path || e.target_id
           FROM walk w JOIN graph_edges e ON e.source_id = w.node_id AND e.relation = $3 AND e.status = 'active'
           WHERE NOT (e.target_id = ANY(w.path[2:])) AND cardinality(w.path) < 10000
         )
         SELECT path::text[] AS path FROM walk WHERE node_id = start_id LIMIT 1`,
        [batch.map((e) => e.sourceId), batch.map((e) => e.targetId), relation],
      );
      if (rows.length > 0) throw new DerivationCycleError(relation, rows[0].path);
    }
  }

  async getNode(id: string, manager: EntityManager = this.dataSource.manager): Promise<GraphNodeEntity> {
    const node = await manager.findOneBy(GraphNodeEntity, { id });
    if (!node) throw new NodeNotFoundError(id);
    return node;
  }

  async findNodesByIri(
    iris: readonly string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<GraphNodeEntity[]> {
    if (iris.length === 0) return [];
    return manager.findBy(GraphNodeEntity, { iri: In([...iris]) });
  }

  async getNodes(ids: readonly string[], manager: EntityManager = this.dataSource.manager): Promise<GraphNodeEntity[]> {
    if (ids.length === 0) return [];
    return manager.findBy(GraphNodeEntity, { id: In([...new Set(ids)]) });
  }

  /** Active edges touching any of the nodes, in either direction. */
  async edgesAround(
    ids: readonly string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<GraphEdgeEntity[]> {
    if (ids.length === 0) return [];
    const rows = await manager.query<Array<Record<string, unknown>>>(
      `SELECT * FROM graph_edges WHERE status = 'active' AND (source_id = ANY($1::uuid[]) OR target_id = ANY($1::uuid[]))`,
      [[...ids]],
    );
    return rows.map(toEdge);
  }

  /**
   * Upstream: what the node was derived from / made of (follow edges source -> target). Downstream: what was built on
   * it (follow edges target -> source). Bounded depth; a path never revisits a node, so cycles cannot loop.
   */
  async lineage(
    id: string,
    direction: 'upstream' | 'downstream',
    depth: number,
    relations?: readonly Relation[],
  ): Promise<Lineage> {
    const root = await this.getNode(id);
    const [from, to] = direction === 'upstream' ? ['source_id', 'target_id'] : ['target_id', 'source_id'];
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `WITH RECURSIVE walk(edge_id, node_id, depth, path) AS (
         SELECT e.id, e.${to}, 1, ARRAY[$1::uuid, e.${to}]
         FROM graph_edges e WHERE e.${from} = $1 AND e.status = 'active' AND ($3::text[] IS NULL OR e.relation = ANY($3))
         UNION ALL
         SELECT e.id, e.${to}, w.depth + 1, w.path || e.${to}
         FROM walk w JOIN graph_edges e ON e.${from} = w.node_id AND e.status = 'active' AND ($3::text[] IS NULL OR e.relation = ANY($3))
         WHERE w.depth < $2 + 1 AND NOT (e.${to} = ANY(w.path))
       )
       SELECT DISTINCT ON (e.id) e.*, w.depth AS walk_depth FROM walk w JOIN graph_edges e ON e.id = w.edge_id
       ORDER BY e.id, w.depth`,
      [id, depth, relations ? [...relations] : null],
    );
    const within = rows.filter((r) => Number(r.walk_depth) <= depth);
    const edges = within.map(toEdge);
    const nodeIds = new Set<string>([id]);
    for (const e of edges) {
      nodeIds.add(e.sourceId);
      nodeIds.add(e.targetId);
    }
    const nodes = await this.getNodes([...nodeIds]);
    return { root, nodes, edges, truncated: rows.length > within.length };
  }
}

export function toEdge(row: Record<string, unknown>): GraphEdgeEntity {
  const edge = new GraphEdgeEntity();
  edge.id = row.id as string;
  edge.sourceId = row.source_id as string;
  edge.relation = row.relation as Relation;
  edge.targetId = row.target_id as string;
  edge.properties = (row.properties ?? {}) as Record<string, unknown>;
  edge.status = row.status as GraphEdgeEntity['status'];
  edge.createdAt = row.created_at as Date;
  edge.ledgerSeq = BigInt(row.ledger_seq as string);
  return edge;
}
