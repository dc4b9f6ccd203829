import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import canonicalize from 'canonicalize';
import { DataSource, In } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { AgentsService } from '../agents/agents.service.js';
import { JobsService } from '../core/jobs/jobs.service.js';
import { DatasetNotFoundError } from '../datasets/datasets.errors.js';
import { GraphService } from '../graph/graph.service.js';
import type { GraphChange } from '../graph/graph.service.js';
import { aggregateDatasetMetrics, computeAgentMetrics } from './agent-metrics.rules.js';
import type { AgentMetrics, AggregateMetrics, DatasetCredit } from './agent-metrics.rules.js';
import { computeDatasetMetrics } from './dataset-metrics.rules.js';
import type { DatasetMetrics } from './dataset-metrics.rules.js';
import { AgentMetricsEntity } from './entities/agent-metrics.entity.js';
import { DatasetMetricsEntity } from './entities/dataset-metrics.entity.js';
import type { CachedCredit } from './entities/dataset-metrics.entity.js';
import {
  buildLevelResolver,
  buildRuleInputs,
  createdDatasetRowsOf,
  creditNodesOf,
  explainDataset,
} from './metrics-inputs.rules.js';
import type { MetricsSnapshot, RuleInputs } from './metrics-inputs.rules.js';
import { MetricsInputsSubscriber } from './metrics-inputs.subscriber.js';
import { loadMetricsSnapshot, loadNeighbourIds } from './metrics-loader.js';
import { GrantNotFoundError } from './metrics.errors.js';
import { METRICS_POLICY, policyRef } from './policy.rules.js';
import type { MetricsPolicy, PolicyRef } from './policy.rules.js';
import {
  affectedSubgraph,
  buildCreditGraphFromRows,
  computeTransitiveCredit,
  summarizeCredit,
} from './transitive-credit.rules.js';
import type { AffectedSubgraph, RowCreditGraph } from './transitive-credit.rules.js';

export const METRICS_RECOMPUTE_JOB = 'metrics-recompute';
const DIRTY_KEY = 'metrics-recompute-dirty';
const ALL_KEY = 'metrics-recompute-all';
/** Paths listed per dataset (all of them are summed; pathCount says how many exist). */
const MAX_LISTED_PATHS = 500;
const ATTRIBUTIONS: ReadonlySet<string> = new Set(['wasAttributedTo', 'wasAssociatedWith']);

export interface DatasetMetricsView {
  readonly datasetId: string;
  readonly metrics: DatasetMetrics;
  readonly credit: CachedCredit;
  readonly policy: PolicyRef;
  readonly treeSize: string;
  readonly computedAt: Date;
}

export interface AgentMetricsView {
  readonly metrics: AgentMetrics;
  readonly treeSize: string;
  readonly computedAt: Date;
}

export interface GrantMetricsView {
  readonly grantId: string;
  readonly datasetIds: readonly string[];
  readonly metrics: AggregateMetrics;
  readonly treeSize: string;
  readonly computedAt: Date | null;
}

export interface RecomputeSummary {
  readonly mode: 'all' | 'dirty';
  readonly treeSize: string;
  readonly datasetsWritten: number;
  readonly agentsWritten: number;
  /** Credit-graph nodes whose totals were recomputed. */
  readonly nodesRecomputed: number;
}

interface Computation {
  readonly snapshot: MetricsSnapshot;
  readonly inputs: RuleInputs;
  readonly built: RowCreditGraph;
  readonly metrics: Map<string, DatasetMetrics>;
  readonly credit: Map<string, CachedCredit>;
  /** Datasets whose credit was recomputed (not taken from the cache). */
  readonly recomputed: Set<string>;
  readonly nodesRecomputed: number;
  readonly computedAt: Date;
}

/**
 * Reuse, citation and credit metrics (credit-and-compliance.md §3–4). Numbers live in `dataset_metrics` and
 * `agent_metrics`, kept current by the `metrics-recompute` job: every graph change marks its nodes dirty in the
 * writer's transaction, and the job recomputes the credit of the affected sub-graph only. Reads fall back to an
 * in-memory computation when no row of the current policy exists yet, so an answer is never staler than the job.
 */
@Injectable()
export class MetricsService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('metrics');
  readonly policy: MetricsPolicy = METRICS_POLICY;
  readonly policyRef: PolicyRef = policyRef(METRICS_POLICY);

  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobsService,
    private readonly graph: GraphService,
    private readonly agents: AgentsService,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: METRICS_RECOMPUTE_JOB,
      handler: async (payload) => {
        await this.recompute(payload.scope === 'all' ? 'all' : 'dirty');
      },
      maxAttempts: 20,
      backoff: { baseMs: 500, maxMs: 60_000 },
    });
    this.graph.subscribe((manager, change) => this.onGraphChange(manager, change));
    this.dataSource.subscribers.push(new MetricsInputsSubscriber(this));
  }

  /** Rows computed under another policy are not served; recompute them all once at start. */
  async onApplicationBootstrap(): Promise<void> {
    const stale = await this.dataSource.query<unknown[]>(
      `SELECT 1 FROM dataset_metrics WHERE policy_hash <> $1
       UNION ALL SELECT 1 FROM agent_metrics WHERE policy_hash <> $1 LIMIT 1`,
      [this.policyRef.hash],
    );
    if (stale.length > 0) {
      this.logger.log(`metrics policy changed to ${this.policyRef.version}: full recompute queued`);
      await this.dataSource.transaction((manager) => this.requestFullRecompute(manager));
    }
  }

  private async onGraphChange(manager: EntityManager, change: GraphChange): Promise<void> {
    await this.requestRecompute(manager, [
      ...change.nodes.map((n) => n.id),
      // Crediting a work to a person changes that work, not the person's other works.
      ...change.edges.flatMap((e) => (ATTRIBUTIONS.has(e.relation) ? [e.sourceId] : [e.sourceId, e.targetId])),
    ]);
  }

  /**
   * Marks graph nodes (datasets, publications, panels, or any node next to them) whose metrics may have changed and
   * queues the incremental recompute, inside the caller's transaction. Graph changes, reuse status changes and
   * citation rows call it through hooks; call it directly for any other change that adds no graph edge.
   */
  async requestRecompute(manager: EntityManager, nodeIds: readonly string[]): Promise<void> {
    const ids = [...new Set(nodeIds)];
    if (ids.length === 0) return;
    await manager.query(`INSERT INTO metrics_dirty_nodes (node_id) SELECT unnest($1::uuid[])`, [ids]);
    await this.jobs.enqueue(manager, METRICS_RECOMPUTE_JOB, DIRTY_KEY, { scope: 'dirty' });
  }

  async requestFullRecompute(manager: EntityManager): Promise<void> {
    await this.jobs.enqueue(manager, METRICS_RECOMPUTE_JOB, ALL_KEY, { scope: 'all' });
  }

  /** Everything the metrics read, in one consistent snapshot (awards build their nominations on it). */
  async snapshot(): Promise<MetricsSnapshot> {
    return this.dataSource.transaction('REPEATABLE READ', (manager) => loadMetricsSnapshot(manager));
  }

  // -------------------------------------------------------------------------------------------------------------
  // Recompute.
  // -------------------------------------------------------------------------------------------------------------

  /**
   * `all`: every dataset and agent (npm run credit:recompute). `dirty`: the credit of the sub-graph the marked nodes
   * can affect (affectedSubgraph), then every dataset whose numbers differ from its row, and their creators. Falls
   * back to `all` when the cache lacks a row it would need.
   */
  async recompute(mode: 'all' | 'dirty'): Promise<RecomputeSummary> {
    const read = await this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const marks = await manager.query<Array<{ id: string; node_id: string }>>(
        'SELECT id::text AS id, node_id FROM metrics_dirty_nodes ORDER BY id',
      );
      const snapshot = await loadMetricsSnapshot(manager);
      const cached = await manager.find(DatasetMetricsEntity);
      const inputs = buildRuleInputs(snapshot);
      const built = buildCreditGraphFromRows(inputs.credit, this.policy, buildLevelResolver(snapshot, inputs.concepts));
      let changed: number[] | null = null;
      if (mode === 'dirty') {
        const direct = creditNodesOf([...new Set(marks.map((m) => m.node_id))], built, inputs.panels);
        // Agents, figures, grants, reuse events: their neighbours are what the credit graph knows.
        const widened = creditNodesOf(await loadNeighbourIds(manager, direct.unknown), built, inputs.panels);
        changed = [...new Set([...direct.nodes, ...widened.nodes])];
      }
      return { marks, snapshot, cached, inputs, built, changed };
    });
    const current = new Map(
      read.cached.filter((row) => row.policyHash === this.policyRef.hash).map((row) => [row.datasetId, row]),
    );
    let affected: AffectedSubgraph | null =
      read.changed === null ? null : affectedSubgraph(read.changed, read.built.graph, this.policy);
    if (affected !== null) {
      const computed = new Set(affected.nodes);
      const uncached = read.inputs.datasets.some(
        (d) => !current.has(d.id) && !computed.has(read.built.datasetNode.get(d.id) as number),
      );
      if (uncached) affected = null;
    }
    const computation = this.compute(read.snapshot, read.inputs, read.built, affected, current, null);
    const cachedMetrics = new Map([...current].map(([id, row]) => [id, row.metrics]));
    const datasetIds = read.inputs.datasets
      .map((d) => d.id)
      .filter(
        (id) =>
          affected === null ||
          computation.recomputed.has(id) ||
          canonicalize(cachedMetrics.get(id)) !== canonicalize(computation.metrics.get(id)),
      );
    const agentIds = this.creatorsOf(read.snapshot, affected === null ? null : new Set(datasetIds));
    const agentMetrics = this.agentMetricsFor(agentIds, computation);
    await this.dataSource.transaction(async (manager) => {
      await this.writeDatasetRows(manager, datasetIds, computation);
      await this.writeAgentRows(manager, agentMetrics, computation);
      if (read.marks.length > 0) {
        await manager.query('DELETE FROM metrics_dirty_nodes WHERE id = ANY($1::bigint[])', [
          read.marks.map((m) => m.id),
        ]);
      }
    });
    const summary: RecomputeSummary = {
      mode: affected === null ? 'all' : 'dirty',
      treeSize: read.snapshot.treeSize,
      datasetsWritten: datasetIds.length,
      agentsWritten: agentMetrics.length,
      nodesRecomputed: computation.nodesRecomputed,
    };
    this.logger.debug(summary, 'metrics recomputed');
    return summary;
  }

  /**
   * Credit for the affected nodes (all when `affected` is null), the rest from the cache; dataset metrics for all.
   * `only` restricts which explanations are built (reads need one dataset's).
   */
  private compute(
    snapshot: MetricsSnapshot,
    inputs: RuleInputs,
    built: RowCreditGraph,
    affected: AffectedSubgraph | null,
    cache: ReadonlyMap<string, DatasetMetricsEntity>,
    only: ReadonlySet<string> | null,
  ): Computation {
    const totals = computeTransitiveCredit(
      built.graph,
      built.levelOf,
      this.policy,
      affected === null ? {} : { affected },
    );
    const credit = new Map<string, CachedCredit>();
    const recomputed = new Set<string>();
    const byConcept = new Map<number, CachedCredit>();
    for (const d of inputs.datasets) {
      if (only !== null && !only.has(d.id)) continue;
      const node = built.datasetNode.get(d.id) as number;
      if (totals.slotOf(node) >= 0) {
        let shared = byConcept.get(node);
        if (shared === undefined) {
          shared = {
            summary: summarizeCredit(built, totals, d.id, this.policy),
            explanation: explainDataset(built, d.id, inputs.panels, this.policy, MAX_LISTED_PATHS),
          };
          byConcept.set(node, shared);
        }
        credit.set(d.id, {
          summary: { ...shared.summary, datasetId: d.id },
          explanation: { ...shared.explanation, datasetId: d.id },
        });
        recomputed.add(d.id);
      } else {
        const row = cache.get(d.id);
        if (row) credit.set(d.id, row.credit);
      }
    }
    const transitiveCredit = new Map([...credit].map(([id, c]) => [id, c.summary.transitiveCredit]));
    const metrics = computeDatasetMetrics(inputs.metrics, this.policy, { transitiveCredit });
    const nodesRecomputed = totals.nodes.length;
    return { snapshot, inputs, built, metrics, credit, recomputed, nodesRecomputed, computedAt: new Date() };
  }

  /** Creators of the given datasets (all datasets when null). */
  private creatorsOf(snapshot: MetricsSnapshot, datasetIds: ReadonlySet<string> | null): string[] {
    const people = new Set(snapshot.agents.filter((a) => a.kind === 'person').map((a) => a.id));
    const ids = new Set<string>();
    for (const d of snapshot.datasets) {
      if (datasetIds !== null && !datasetIds.has(d.id)) continue;
      for (const c of d.creators) if (people.has(c)) ids.add(c);
    }
    return [...ids].sort();
  }

  private agentMetricsFor(agentIds: readonly string[], computation: Computation): AgentMetrics[] {
    if (agentIds.length === 0) return [];
    const created = createdDatasetRowsOf(computation.snapshot, computation.inputs.concepts);
    const credit = new Map<string, DatasetCredit>(
      [...computation.credit].map(([id, c]) => [
        id,
        { transitiveCredit: c.summary.transitiveCredit, selfShare: c.summary.selfShare },
      ]),
    );
    return agentIds.map((agentId) =>
      computeAgentMetrics(
        agentId,
        created.filter((d) => d.creators.some((c) => c.agentId === agentId)),
        computation.metrics,
        credit,
        this.policy,
      ),
    );
  }

  private async writeDatasetRows(
    manager: EntityManager,
    ids: readonly string[],
    computation: Computation,
  ): Promise<void> {
    const rows = ids.filter((id) => computation.metrics.has(id) && computation.credit.has(id));
    for (let start = 0; start < rows.length; start += 500) {
      const batch = rows.slice(start, start + 500);
      // An older computation finishing late must not overwrite a newer one.
      await manager.query(
        `INSERT INTO dataset_metrics (dataset_id, metrics, credit, policy_version, policy_hash, tree_size, computed_at)
         SELECT * FROM unnest($1::uuid[], $2::jsonb[], $3::jsonb[], $4::text[], $5::text[], $6::bigint[], $7::timestamptz[])
         ON CONFLICT (dataset_id) DO UPDATE SET metrics = EXCLUDED.metrics, credit = EXCLUDED.credit,
           policy_version = EXCLUDED.policy_version, policy_hash = EXCLUDED.policy_hash, tree_size = EXCLUDED.tree_size,
           computed_at = EXCLUDED.computed_at
         WHERE dataset_metrics.tree_size <= EXCLUDED.tree_size OR dataset_metrics.policy_hash <> EXCLUDED.policy_hash`,
        [
          batch,
          batch.map((id) => JSON.stringify(computation.metrics.get(id))),
          batch.map((id) => JSON.stringify(computation.credit.get(id))),
          batch.map(() => this.policyRef.version),
          batch.map(() => this.policyRef.hash),
          batch.map(() => computation.snapshot.treeSize),
          batch.map(() => computation.computedAt.toISOString()),
        ],
      );
    }
  }

  private async writeAgentRows(
    manager: EntityManager,
    metrics: readonly AgentMetrics[],
    computation: Computation,
  ): Promise<void> {
    for (let start = 0; start < metrics.length; start += 500) {
      const batch = metrics.slice(start, start + 500);
      await manager.query(
        `INSERT INTO agent_metrics (agent_id, metrics, policy_version, policy_hash, tree_size, computed_at)
         SELECT * FROM unnest($1::uuid[], $2::jsonb[], $3::text[], $4::text[], $5::bigint[], $6::timestamptz[])
         ON CONFLICT (agent_id) DO UPDATE SET metrics = EXCLUDED.metrics, policy_version = EXCLUDED.policy_version,
           policy_hash = EXCLUDED.policy_hash, tree_size = EXCLUDED.tree_size, computed_at = EXCLUDED.computed_at
         WHERE agent_metrics.tree_size <= EXCLUDED.tree_size OR agent_metrics.policy_hash <> EXCLUDED.policy_hash`,
        [
          batch.map((m) => m.agentId),
          batch.map((m) => JSON.stringify(m)),
          batch.map(() => this.policyRef.version),
          batch.map(() => this.policyRef.hash),
          batch.map(() => computation.snapshot.treeSize),
          batch.map(() => computation.computedAt.toISOString()),
        ],
      );
    }
  }

  /** Numbers for the given datasets straight from the ledger's tables, nothing written (no usable row yet). */
  private async computeOnRead(datasetIds: readonly string[]): Promise<Computation> {
    const snapshot = await this.snapshot();
    const inputs = buildRuleInputs(snapshot);
    const built = buildCreditGraphFromRows(inputs.credit, this.policy, buildLevelResolver(snapshot, inputs.concepts));
    const nodes = datasetIds.map((id) => built.datasetNode.get(id)).filter((n): n is number => n !== undefined);
    // Only the requested nodes need exact totals: the publications that reach them are what affectedSubgraph gives.
    const affected = affectedSubgraph(nodes, built.graph, this.policy);
    return this.compute(snapshot, inputs, built, affected, new Map(), new Set(datasetIds));
  }

  // -------------------------------------------------------------------------------------------------------------
  // Reads.
  // -------------------------------------------------------------------------------------------------------------

  async datasetMetrics(datasetId: string): Promise<DatasetMetricsView> {
    // One round trip on the hot path: the dataset's existence and its cached row together (no foreign key ties them).
    const [found] = await this.dataSource.query<
      Array<{
        metrics: DatasetMetrics | null;
        credit: CachedCredit | null;
        policy_version: string | null;
        policy_hash: string | null;
        tree_size: string | null;
        computed_at: Date | null;
      }>
    >(
      `SELECT m.metrics, m.credit, m.policy_version, m.policy_hash, m.tree_size::text AS tree_size, m.computed_at
       FROM datasets d LEFT JOIN dataset_metrics m ON m.dataset_id = d.id WHERE d.id = $1`,
      [datasetId],
    );
    if (found === undefined) throw new DatasetNotFoundError(datasetId);
    if (found.policy_hash === this.policyRef.hash && found.metrics !== null && found.credit !== null) {
      return {
        datasetId,
        metrics: found.metrics,
        credit: found.credit,
        policy: { version: found.policy_version as string, hash: found.policy_hash },
        treeSize: found.tree_size as string,
        computedAt: found.computed_at as Date,
      };
    }
    const computation = await this.computeOnRead([datasetId]);
    return this.viewFrom(datasetId, computation);
  }

  async agentMetrics(agentId: string): Promise<AgentMetricsView> {
    await this.agents.get(agentId);
    const row = await this.dataSource.manager.findOneBy(AgentMetricsEntity, { agentId });
    if (row && row.policyHash === this.policyRef.hash) {
      return { metrics: row.metrics, treeSize: row.treeSize.toString(), computedAt: row.computedAt };
    }
    const created = await this.dataSource.query<Array<{ id: string }>>(
      'SELECT id FROM datasets WHERE $1 = ANY(creators)',
      [agentId],
    );
    if (created.length === 0) {
      const [head] = await this.dataSource.query<Array<{ size: string }>>(
        'SELECT size::text AS size FROM ledger_head WHERE id = 1',
      );
      return {
        metrics: computeAgentMetrics(agentId, [], new Map(), new Map(), this.policy),
        treeSize: head?.size ?? '0',
        computedAt: new Date(),
      };
    }
    const computation = await this.computeOnRead(created.map((r) => r.id));
    const [metrics] = this.agentMetricsFor([agentId], computation);
    return { metrics, treeSize: computation.snapshot.treeSize, computedAt: computation.computedAt };
  }

  /** Dataset metrics aggregated over the datasets with a `funding` edge to the grant. */
  async grantMetrics(grantId: string): Promise<GrantMetricsView> {
    const grant = await this.dataSource.query<unknown[]>(`SELECT 1 FROM graph_nodes WHERE id = $1 AND type = 'Grant'`, [
      grantId,
    ]);
    if (grant.length === 0) throw new GrantNotFoundError(grantId);
    const funded = await this.dataSource.query<Array<{ id: string }>>(
      `SELECT DISTINCT e.source_id AS id FROM graph_edges e JOIN datasets d ON d.id = e.source_id
       WHERE e.target_id = $1 AND e.relation = 'funding' AND e.status = 'active' ORDER BY 1`,
      [grantId],
    );
    const ids = funded.map((r) => r.id);
    const rows =
      ids.length === 0
        ? []
        : await this.dataSource.manager.findBy(
            DatasetMetricsEntity,
            ids.map((datasetId) => ({ datasetId })),
          );
    const views = new Map(
      rows.filter((r) => r.policyHash === this.policyRef.hash).map((r) => [r.datasetId, this.viewOf(r)]),
    );
    const missing = ids.filter((id) => !views.has(id));
    if (missing.length > 0) {
      const computation = await this.computeOnRead(missing);
      for (const id of missing) views.set(id, this.viewFrom(id, computation));
    }
    const all = [...views.values()];
    const [head] = await this.dataSource.query<Array<{ size: string }>>(
      'SELECT size::text AS size FROM ledger_head WHERE id = 1',
    );
    return {
      grantId,
      datasetIds: ids,
      metrics: aggregateDatasetMetrics(
        all.map((v) => v.metrics),
        this.policy,
      ),
      // Rows are recomputed whenever their inputs change, so each holds at least up to the newest row's size.
      treeSize:
        all.length === 0
          ? (head?.size ?? '0')
          : all
              .map((v) => BigInt(v.treeSize))
              .reduce((a, b) => (a > b ? a : b))
              .toString(),
      computedAt: all.length === 0 ? null : new Date(Math.max(...all.map((v) => v.computedAt.getTime()))),
    };
  }

  /**
   * The aggregate of `grantMetrics` for many grants at once (a funder's audit): one read of the funding edges, one of
   * the cached rows and at most one on-read computation for all datasets still lacking a row. Unknown ids aggregate
   * nothing rather than failing: callers pass grants they have just read.
   */
  async grantMetricsMany(grantIds: readonly string[]): Promise<Map<string, AggregateMetrics>> {
    const out = new Map<string, AggregateMetrics>();
    if (grantIds.length === 0) return out;
    const funded = await this.dataSource.query<Array<{ grant_id: string; id: string }>>(
      `SELECT DISTINCT e.target_id AS grant_id, e.source_id AS id FROM graph_edges e JOIN datasets d ON d.id = e.source_id
       WHERE e.target_id = ANY($1::uuid[]) AND e.relation = 'funding' AND e.status = 'active' ORDER BY 1, 2`,
      [[...new Set(grantIds)]],
    );
    const ids = [...new Set(funded.map((r) => r.id))].sort();
    const views = new Map<string, DatasetMetricsView>();
    if (ids.length > 0) {
      const cached = await this.dataSource.manager.findBy(DatasetMetricsEntity, { datasetId: In(ids) });
      for (const row of cached) if (row.policyHash === this.policyRef.hash) views.set(row.datasetId, this.viewOf(row));
      const missing = ids.filter((id) => !views.has(id));
      if (missing.length > 0) {
        const computation = await this.computeOnRead(missing);
        for (const id of missing) views.set(id, this.viewFrom(id, computation));
      }
    }
    const byGrant = new Map<string, DatasetMetrics[]>();
    for (const r of funded) {
      const list = byGrant.get(r.grant_id) ?? [];
      list.push((views.get(r.id) as DatasetMetricsView).metrics);
      byGrant.set(r.grant_id, list);
    }
    for (const grantId of grantIds) out.set(grantId, aggregateDatasetMetrics(byGrant.get(grantId) ?? [], this.policy));
    return out;
  }

  private viewOf(row: DatasetMetricsEntity): DatasetMetricsView {
    return {
      datasetId: row.datasetId,
      metrics: row.metrics,
      credit: row.credit,
      policy: { version: row.policyVersion, hash: row.policyHash },
      treeSize: row.treeSize.toString(),
      computedAt: row.computedAt,
    };
  }

  private viewFrom(datasetId: string, computation: Computation): DatasetMetricsView {
    return {
      datasetId,
      metrics: computation.metrics.get(datasetId) as DatasetMetrics,
      credit: computation.credit.get(datasetId) as CachedCredit,
      policy: this.policyRef,
      treeSize: computation.snapshot.treeSize,
      computedAt: computation.computedAt,
    };
  }
}
