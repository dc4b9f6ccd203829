import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import canonicalize from 'canonicalize';
import { DataSource, In } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { AgentsService } from '../agents/agents.service.js';
import { returnedRows } from '../core/database/sql.js';
import { JobsService } from '../core/jobs/jobs.service.js';
import { DatasetNotFoundError } from '../datasets/datasets.errors.js';
import { GraphService } from '../graph/graph.service.js';
import type { GraphChange } from '../graph/graph.service.js';
import { aggregateDatasetMetrics, computeAgentMetrics } from './agent-metrics.rules.js';
import type { AgentMetrics, AggregateMetrics, DatasetCredit } from './agent-metrics.rules.js';
import { computeCohortPercentiles, computeDatasetMetrics } from './dataset-metrics.rules.js';
import type { CohortPercentile, DatasetMetrics } from './dataset-metrics.rules.js';
import { AgentMetricsEntity } from './entities/agent-metrics.entity.js';
import { DatasetMetricsEntity } from './entities/dataset-metrics.entity.js';
import type { CachedCredit } from './entities/dataset-metrics.entity.js';
import { buildLevelResolver, buildRuleInputs, createdDatasetRowsOf, explainDataset } from './metrics-inputs.rules.js';
import type { MetricsSnapshot, RuleInputs } from './metrics-inputs.rules.js';
import { MetricsInputsSubscriber } from './metrics-inputs.subscriber.js';
import { loadAffectedDatasetIds, loadMetricsNeighbourhood, loadMetricsSnapshot } from './metrics-loader.js';
import { GrantNotFoundError } from './metrics.errors.js';
import { METRICS_POLICY, policyRef } from './policy.rules.js';
import { WarmCredit } from './credit-state.js';
import type { MetricsPolicy, PolicyRef } from './policy.rules.js';
import { buildCreditGraphFromRows, computeTransitiveCredit, summarizeCredit } from './transitive-credit.rules.js';
import type { AffectedSubgraph, DatasetCreditSummary, RowCreditGraph } from './transitive-credit.rules.js';

export const METRICS_RECOMPUTE_JOB = 'metrics-recompute';
export const METRICS_EXPLAIN_JOB = 'metrics-explain';
const EXPLAIN_KEY = 'metrics-explain-pending';
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
  /** How the numbers were computed: a whole snapshot, the affected neighbourhoods, or the kept credit graph. */
  readonly path: 'all' | 'neighbourhood' | 'engine';
  readonly treeSize: string;
  readonly datasetsWritten: number;
  readonly agentsWritten: number;
  /** Credit-graph nodes whose totals were recomputed. */
  readonly nodesRecomputed: number;
}

/**
 * A dataset's credit as a run computed it. Without an explanation, the run computed the total only (the kept graph's
 * runs) and the row keeps the explanation it holds when the write commits; the explanation job rebuilds it.
 */
interface ComputedCredit {
  readonly summary: CachedCredit['summary'];
  readonly explanation?: CachedCredit['explanation'];
}

/** A cached row whose cohort percentile moved while its own inputs did not. */
interface CohortRow {
  readonly datasetId: string;
  readonly cohort: CohortPercentile;
}

/** What one recompute read and computed, ready to write. */
interface Recomputed {
  readonly computation: Computation;
  readonly datasetIds: readonly string[];
  readonly agentMetrics: readonly AgentMetrics[];
  readonly cohortRows: readonly CohortRow[];
  /** Datasets whose credit total moved and whose explanation the explanation job is to rebuild. */
  readonly unexplained: readonly string[];
  readonly path: RecomputeSummary['path'];
}

interface Computation {
  readonly snapshot: MetricsSnapshot;
  readonly inputs: RuleInputs;
  readonly built: RowCreditGraph;
  readonly metrics: Map<string, DatasetMetrics>;
  readonly credit: Map<string, ComputedCredit>;
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
  /** The credit graph this worker keeps between jobs (null: none yet, or dropped after a change it cannot take). */
  private warm: WarmCredit | null = null;
  private warming: Promise<void> | null = null;
  /** What the last recompute in this process did (which path, how much it wrote). */
  lastRecompute: RecomputeSummary | null = null;

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
    this.jobs.register({
      name: METRICS_EXPLAIN_JOB,
      handler: async () => {
        await this.explainPending();
      },
      maxAttempts: 20,
      backoff: { baseMs: 500, maxMs: 60_000 },
    });
    this.graph.subscribe((manager, change) => this.onGraphChange(manager, change));
    this.dataSource.subscribers.push(new MetricsInputsSubscriber(this));
  }

  /**
   * Rows computed under another policy are not served, and the incremental job takes the rows it does not recompute
   * (cohorts, a person's other datasets) from the cache: recompute everything once at start when a row is stale, or
   * missing for a dataset no pending change will bring in.
   */
  async onApplicationBootstrap(): Promise<void> {
    const stale = await this.dataSource.query<unknown[]>(
      `SELECT 1 FROM dataset_metrics WHERE policy_hash <> $1
       UNION ALL SELECT 1 FROM agent_metrics WHERE policy_hash <> $1
       UNION ALL (SELECT 1 FROM datasets d
         WHERE NOT EXISTS (SELECT 1 FROM dataset_metrics m WHERE m.dataset_id = d.id)
           AND NOT EXISTS (SELECT 1 FROM metrics_dirty_nodes n WHERE n.node_id = d.id) LIMIT 1)
       LIMIT 1`,
      [this.policyRef.hash],
    );
    if (stale.length > 0) {
      this.logger.log(`metrics policy ${this.policyRef.version}: stale or missing rows, full recompute queued`);
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
   * `all`: every dataset and agent from one whole snapshot (npm run credit:recompute, a policy change). `dirty`: the
   * datasets the marked nodes can move (loadAffectedDatasetIds), computed from their neighbourhood alone
   * (loadMetricsNeighbourhood), the percentiles of their cohorts from the cached rows, and their creators: what it
   * reads grows with the change, not with the ledger.
   */
  async recompute(mode: 'all' | 'dirty'): Promise<RecomputeSummary> {
    const read = await this.dataSource
      .transaction('REPEATABLE READ', async (manager) => {
        const marks = await manager.query<Array<{ id: string; node_id: string }>>(
          'SELECT id::text AS id, node_id FROM metrics_dirty_nodes ORDER BY id',
        );
        const generation = await this.generation(manager);
        const result = mode === 'all' ? await this.readAll(manager) : await this.readDirty(manager, marks, generation);
        return { marks, generation, result };
      })
      .catch((error: unknown) => {
        // The kept graph may have taken a change this failed run does not write.
        this.warm = null;
        throw error;
      });
    const { computation, datasetIds, agentMetrics, cohortRows, unexplained, path } = read.result;
    try {
      await this.dataSource.transaction(async (manager) => {
        await this.lockRows(manager);
        await this.writeDatasetRows(manager, datasetIds, computation);
        await this.writeCohortRows(manager, cohortRows, computation);
        await this.writeAgentRows(manager, agentMetrics, computation);
        if (read.marks.length > 0) {
          await manager.query('DELETE FROM metrics_dirty_nodes WHERE id = ANY($1::bigint[])', [
            read.marks.map((m) => m.id),
          ]);
        }
        if (unexplained.length > 0) {
          await manager.query('INSERT INTO metrics_unexplained (dataset_id) SELECT unnest($1::uuid[])', [unexplained]);
          await this.jobs.enqueue(manager, METRICS_EXPLAIN_JOB, EXPLAIN_KEY, {});
        }
        // The graph a worker keeps stands for one generation: this one, if no other run wrote in between.
        const [bumped] = returnedRows<{ generation: string }>(
          await manager.query(
            `UPDATE metrics_state SET generation = generation + 1 WHERE id = 1 AND generation = $1
             RETURNING generation::text AS generation`,
            [read.generation],
          ),
        );
        if (bumped === undefined) {
          await manager.query('UPDATE metrics_state SET generation = generation + 1 WHERE id = 1');
          this.warm = null;
        } else if (this.warm !== null && path === 'engine') this.warm.generation = bumped.generation;
        else this.warm = null;
      });
    } catch (error) {
      // The kept graph may hold changes the tables now lack.
      this.warm = null;
      throw error;
    }
    if (this.warm === null && mode === 'dirty') this.warmUp();
    const summary: RecomputeSummary = {
      mode,
      path,
      treeSize: computation.snapshot.treeSize,
      datasetsWritten: datasetIds.length + cohortRows.length,
      agentsWritten: agentMetrics.length,
      nodesRecomputed: computation.nodesRecomputed,
    };
    this.lastRecompute = summary;
    this.logger.debug(summary, 'metrics recomputed');
    return summary;
  }

  /**
   * The recompute and the explanation jobs write overlapping rows in orders of their own (a dataset's row, then its
   * cohort's): one writer at a time, for the few milliseconds a write takes, rather than deadlocks and retries.
   */
  private async lockRows(manager: EntityManager): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', ['metrics rows']);
  }

  private async generation(manager: EntityManager): Promise<string> {
    const [row] = await manager.query<Array<{ generation: string }>>(
      'SELECT generation::text AS generation FROM metrics_state WHERE id = 1',
    );
    return row?.generation ?? '0';
  }

  /**
   * Builds the kept credit graph from a whole snapshot, after the job that found none (once per process, and again
   * after a change the engine cannot take), off the job's path: until it is ready, jobs read the neighbourhood way.
   */
  private warmUp(): void {
    if (this.warming !== null) return;
    this.warming = (async () => {
      try {
        const warm = await this.dataSource.transaction('REPEATABLE READ', async (manager) =>
          WarmCredit.build(await loadMetricsSnapshot(manager), this.policy, await this.generation(manager)),
        );
        const current = await this.generation(this.dataSource.manager);
        if (current === warm.generation) this.warm = warm;
      } catch (error) {
        this.logger.warn(`credit graph not kept: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        this.warming = null;
      }
    })();
  }

  /** Builds the kept graph if there is none and resolves when it is ready (true) or could not be kept (false). */
  async whenWarm(): Promise<boolean> {
    if (this.warm === null) this.warmUp();
    await this.warming;
    return this.warm !== null;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.warming;
  }

  private async readAll(manager: EntityManager): Promise<Recomputed> {
    const snapshot = await loadMetricsSnapshot(manager);
    const inputs = buildRuleInputs(snapshot);
    const built = buildCreditGraphFromRows(inputs.credit, this.policy, buildLevelResolver(snapshot, inputs.concepts));
    const computation = this.compute(snapshot, inputs, built, null, null);
    const agentIds = this.creatorsOf(snapshot);
    return {
      computation,
      datasetIds: inputs.datasets.map((d) => d.id),
      agentMetrics: this.agentMetricsFor(agentIds, computation),
      cohortRows: [],
      unexplained: [],
      path: 'all',
    };
  }

  private async readDirty(
    manager: EntityManager,
    marks: ReadonlyArray<{ node_id: string }>,
    generation: string,
  ): Promise<Recomputed> {
    const marked = [...new Set(marks.map((m) => m.node_id))];
    if (this.warm !== null && this.warm.generation !== generation) this.warm = null;
    if (this.warm !== null) {
      const fast = await this.readWithEngine(manager, this.warm, marked);
      if (fast !== null) return fast;
      this.warm = null;
    }
    const affected = await loadAffectedDatasetIds(manager, marked);
    const { computation, cohortRows } = await this.computeNeighbourhood(manager, affected);
    return {
      computation,
      datasetIds: affected,
      agentMetrics: await this.agentMetricsAround(manager, affected, computation),
      cohortRows,
      unexplained: [],
      path: 'neighbourhood',
    };
  }

  /**
   * The kept graph takes the change (a new paper, a claim confirmed, disputed or resolved, a retraction): credit
   * totals move by the changed works' buckets alone. The other metrics of the datasets the change touches come from
   * their near neighbourhood (reusers, panels, derived data: no cone), and the explanations of the datasets whose
   * totals moved are left to the explanation job. Null when the change is not the engine's to take.
   */
  private async readWithEngine(
    manager: EntityManager,
    warm: WarmCredit,
    marked: readonly string[],
  ): Promise<Recomputed | null> {
    const plan = await warm.plan(manager, marked);
    if (plan === null) return null;
    // Datasets the change names: all their metrics. Datasets it moves credit to further on: their credit alone.
    const touched = await loadAffectedDatasetIds(manager, marked, 'touched');
    // Their metrics only: the explanation a row holds stays as it is (ComputedCredit), so it is never read here.
    const cachedRows = async (ids: readonly string[]) =>
      new Map(
        (
          await manager.query<Array<{ dataset_id: string; metrics: DatasetMetrics }>>(
            `SELECT dataset_id, metrics FROM dataset_metrics WHERE dataset_id = ANY($1::uuid[]) AND policy_hash = $2`,
            [ids, this.policyRef.hash],
          )
        ).map((r) => [r.dataset_id, r]),
      );
    const cached = await cachedRows(touched.filter((id) => warm.holdsDataset(id)));
    // A held dataset without a row of its own is not the kept graph's to explain: the neighbourhood way.
    if (touched.some((id) => warm.holdsDataset(id) && !cached.has(id))) return null;
    const moved = warm.apply(plan);
    const further = [...moved].filter((id) => !touched.includes(id)).sort();
    for (const [id, row] of await cachedRows(further)) cached.set(id, row);
    if (further.some((id) => !cached.has(id))) {
      // Reached through the change but never computed: the neighbourhood way, and the graph (which took it) goes.
      this.warm = null;
      return null;
    }
    const snapshot = await loadMetricsNeighbourhood(manager, touched, this.policy.maxDepth, 'metrics');
    const inputs = buildRuleInputs(snapshot);
    const fresh = touched.filter((id) => !warm.holdsDataset(id));
    const credit = new Map<string, ComputedCredit>();
    let built = warm.built;
    if (fresh.length > 0) {
      // New datasets nothing reaches: their own (empty) credit from the near neighbourhood.
      built = buildCreditGraphFromRows(inputs.credit, this.policy, buildLevelResolver(snapshot, inputs.concepts));
      const nodes = Int32Array.from(fresh.flatMap((id) => built.datasetNode.get(id) ?? []));
      for (const [id, c] of this.compute(snapshot, inputs, built, { nodes }, new Set(fresh)).credit) credit.set(id, c);
    }
    for (const id of [...touched, ...further]) {
      if (!warm.holdsDataset(id)) continue;
      credit.set(id, { summary: { ...warm.summary(id), datasetId: id } });
    }
    const transitiveCredit = new Map([...credit].map(([id, c]) => [id, c.summary.transitiveCredit]));
    const all = computeDatasetMetrics(inputs.metrics, this.policy, { transitiveCredit });
    const metrics = new Map([...all].filter(([id]) => touched.includes(id)));
    // The rest keep every other figure: only their credit moved.
    for (const id of further) {
      const row = cached.get(id) as { metrics: DatasetMetrics };
      metrics.set(id, { ...row.metrics, transitiveCredit: transitiveCredit.get(id) ?? null });
    }
    const ids = [...touched, ...further];
    const computation: Computation = {
      snapshot,
      inputs,
      built,
      metrics,
      credit,
      nodesRecomputed: moved.size,
      computedAt: new Date(),
    };
    // Cohorts rank independent reuses, which only the touched datasets' can have changed.
    const cohortRows = await this.settleCohorts(manager, computation, touched);
    return {
      computation,
      datasetIds: ids,
      agentMetrics: await this.agentMetricsAround(manager, ids, computation),
      cohortRows,
      unexplained: [...moved].filter((id) => warm.holdsDataset(id)),
      path: 'engine',
    };
  }

  /**
   * Numbers of the given datasets from their neighbourhood: exact, but for the cohort percentile, which is then taken
   * over the cached rows of their cohorts (old and new) with their own fresh values. Rows of other cohort members whose
   * percentile moved come back in `cohortRows`.
   */
  private async computeNeighbourhood(
    manager: EntityManager,
    datasetIds: readonly string[],
  ): Promise<{ computation: Computation; cohortRows: CohortRow[] }> {
    const snapshot = await loadMetricsNeighbourhood(manager, datasetIds, this.policy.maxDepth);
    const inputs = buildRuleInputs(snapshot);
    const built = buildCreditGraphFromRows(inputs.credit, this.policy, buildLevelResolver(snapshot, inputs.concepts));
    const nodes = datasetIds.flatMap((id) => built.datasetNode.get(id) ?? []);
    const computation = this.compute(snapshot, inputs, built, { nodes: Int32Array.from(nodes) }, new Set(datasetIds));
    const cohortRows = await this.settleCohorts(manager, computation, datasetIds);
    return { computation, cohortRows };
  }

  /**
   * Percentiles of the cohorts the datasets leave or join, over every member's cached independent-reuse count and the
   * datasets' fresh ones (computeCohortPercentiles, as a whole recompute takes them). Sets the datasets' own cohort
   * figures in `computation.metrics` and returns the other members whose figures moved.
   */
  private async settleCohorts(
    manager: EntityManager,
    computation: Computation,
    datasetIds: readonly string[],
  ): Promise<CohortRow[]> {
    if (datasetIds.length === 0) return [];
    const fresh = new Map<string, DatasetMetrics>();
    for (const id of datasetIds) {
      const m = computation.metrics.get(id);
      if (m !== undefined) fresh.set(m.conceptId, m);
    }
    const old = await manager.query<Array<{ key: string }>>(
      `SELECT DISTINCT metrics->'cohort'->>'key' AS key FROM dataset_metrics
       WHERE dataset_id = ANY($1::uuid[]) AND policy_hash = $2`,
      [datasetIds, this.policyRef.hash],
    );
    const keys = [...new Set([...old.map((r) => r.key), ...[...fresh.values()].map((m) => m.cohort.key)])];
    // Members' figures only (not their rows: a row's explanation can be large), read by the cohort index.
    const members = await manager.query<
      Array<{ dataset_id: string; concept: string; key: string; value: number; cohort: CohortPercentile }>
    >(
      `SELECT dataset_id, metrics->>'conceptId' AS concept, metrics->'cohort'->>'key' AS key,
              (metrics->'reuses'->>'independent')::int AS value, metrics->'cohort' AS cohort
       FROM dataset_metrics
       WHERE metrics->'cohort'->>'key' = ANY($2::text[]) AND policy_hash = $1 AND NOT dataset_id = ANY($3::uuid[])`,
      [this.policyRef.hash, keys, datasetIds],
    );
    const items = new Map<string, { id: string; cohort: string; value: number }>();
    for (const r of members) {
      if (!fresh.has(r.concept) && !items.has(r.concept))
        items.set(r.concept, { id: r.concept, cohort: r.key, value: r.value });
    }
    for (const [concept, m] of fresh)
      items.set(concept, { id: concept, cohort: m.cohort.key, value: m.reuses.independent });
    const percentiles = computeCohortPercentiles([...items.values()], this.policy.cohort.minSize);
    for (const id of datasetIds) {
      const m = computation.metrics.get(id);
      if (m !== undefined)
        computation.metrics.set(id, { ...m, cohort: percentiles.get(m.conceptId) as CohortPercentile });
    }
    return members.flatMap((r) => {
      if (fresh.has(r.concept)) return [];
      const cohort = percentiles.get(r.concept) as CohortPercentile;
      return canonicalize(cohort) === canonicalize(r.cohort) ? [] : [{ datasetId: r.dataset_id, cohort }];
    });
  }

  /**
   * Metrics of the people who created the given datasets, over every dataset they created: the computation's fresh
   * numbers where it has them, the cached rows for the rest.
   */
  private async agentMetricsAround(
    manager: EntityManager,
    datasetIds: readonly string[],
    computation: Computation,
  ): Promise<AgentMetrics[]> {
    const creators = await manager.query<Array<{ id: string }>>(
      `SELECT DISTINCT c AS id FROM datasets d, unnest(d.creators) AS c JOIN agents a ON a.id = c
       WHERE d.id = ANY($1::uuid[]) AND a.kind = 'person' ORDER BY 1`,
      [datasetIds],
    );
    const agentIds = creators.map((r) => r.id);
    if (agentIds.length === 0) return [];
    const created = await manager.query<Array<{ id: string; creators: string[] }>>(
      'SELECT id, creators::text[] AS creators FROM datasets WHERE creators && $1::uuid[] ORDER BY id',
      [agentIds],
    );
    const kinds = new Map(
      (
        await manager.query<Array<{ id: string; kind: 'person' | 'organization' }>>(
          'SELECT id, kind FROM agents WHERE id = ANY($1::uuid[])',
          [[...new Set(created.flatMap((d) => d.creators))]],
        )
      ).map((a) => [a.id, a.kind]),
    );
    const uncomputed = created
      .map((d) => d.id)
      .filter((id) => !computation.metrics.has(id) || !computation.credit.has(id));
    // The summary, not the whole credit: an explanation can run to hundreds of paths.
    const cached = await manager.query<
      Array<{ dataset_id: string; metrics: DatasetMetrics; summary: DatasetCreditSummary }>
    >(
      `SELECT dataset_id, metrics, credit->'summary' AS summary FROM dataset_metrics
       WHERE dataset_id = ANY($1::uuid[]) AND policy_hash = $2`,
      [uncomputed, this.policyRef.hash],
    );
    const metrics = new Map<string, DatasetMetrics>();
    const credit = new Map<string, DatasetCredit>();
    for (const r of cached) {
      metrics.set(r.dataset_id, r.metrics);
      credit.set(r.dataset_id, r.summary);
    }
    for (const d of created) {
      const m = computation.metrics.get(d.id);
      const c = computation.credit.get(d.id);
      if (m !== undefined && c !== undefined) {
        metrics.set(d.id, m);
        credit.set(d.id, c.summary);
      }
    }
    const rows = created.map((d) => ({
      id: d.id,
      conceptId: metrics.get(d.id)?.conceptId ?? d.id,
      creators: d.creators.map((agentId) => ({ agentId, kind: kinds.get(agentId) ?? ('person' as const) })),
    }));
    return agentIds.map((agentId) => computeAgentMetrics(agentId, rows, metrics, credit, this.policy));
  }

  /**
   * Numbers of the datasets in `only` (every dataset of the snapshot when null), with credit computed for the
   * `affected` nodes (all when null): each dataset's total depends on its own cone alone.
   */
  private compute(
    snapshot: MetricsSnapshot,
    inputs: RuleInputs,
    built: RowCreditGraph,
    affected: AffectedSubgraph | null,
    only: ReadonlySet<string> | null,
  ): Computation {
    const totals = computeTransitiveCredit(
      built.graph,
      built.levelOf,
      this.policy,
      affected === null ? {} : { affected },
    );
    const credit = new Map<string, CachedCredit>();
    const byConcept = new Map<number, CachedCredit>();
    for (const d of inputs.datasets) {
      if (only !== null && !only.has(d.id)) continue;
      const node = built.datasetNode.get(d.id) as number;
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
    }
    const transitiveCredit = new Map([...credit].map(([id, c]) => [id, c.summary.transitiveCredit]));
    const all = computeDatasetMetrics(inputs.metrics, this.policy, { transitiveCredit });
    // Numbers of datasets outside `only` were taken over a part of the ledger: not answers.
    const metrics = only === null ? all : new Map([...all].filter(([id]) => only.has(id)));
    const nodesRecomputed = totals.nodes.length;
    return { snapshot, inputs, built, metrics, credit, nodesRecomputed, computedAt: new Date() };
  }

  /** The people who created any dataset of the snapshot. */
  private creatorsOf(snapshot: MetricsSnapshot): string[] {
    const people = new Set(snapshot.agents.filter((a) => a.kind === 'person').map((a) => a.id));
    const ids = new Set<string>();
    for (const d of snapshot.datasets) for (const c of d.creators) if (people.has(c)) ids.add(c);
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

  /**
   * Rows of the given datasets. A credit without an explanation goes into the row's credit as its summary alone: the
   * explanation stays as the row has it when this commits (the explanation job may have written a newer one since
   * this run read anything).
   */
  private async writeDatasetRows(
    manager: EntityManager,
    ids: readonly string[],
    computation: Computation,
  ): Promise<void> {
    const rows = ids.flatMap((datasetId) => {
      const metrics = computation.metrics.get(datasetId);
      const credit = computation.credit.get(datasetId);
      return metrics === undefined || credit === undefined ? [] : [{ datasetId, metrics, credit }];
    });
    for (let start = 0; start < rows.length; start += 500) {
      const batch = rows.slice(start, start + 500);
      // An older computation finishing late must not overwrite a newer one.
      await manager.query(
        `INSERT INTO dataset_metrics (dataset_id, metrics, credit, policy_version, policy_hash, tree_size, computed_at)
         SELECT * FROM unnest($1::uuid[], $2::jsonb[], $3::jsonb[], $4::text[], $5::text[], $6::bigint[], $7::timestamptz[])
         ON CONFLICT (dataset_id) DO UPDATE SET metrics = EXCLUDED.metrics,
           credit = CASE WHEN EXCLUDED.credit ? 'explanation' THEN EXCLUDED.credit
             ELSE jsonb_set(dataset_metrics.credit, '{summary}', EXCLUDED.credit->'summary') END,
           policy_version = EXCLUDED.policy_version, policy_hash = EXCLUDED.policy_hash, tree_size = EXCLUDED.tree_size,
           computed_at = EXCLUDED.computed_at
         WHERE dataset_metrics.tree_size <= EXCLUDED.tree_size OR dataset_metrics.policy_hash <> EXCLUDED.policy_hash`,
        [
          batch.map((r) => r.datasetId),
          batch.map((r) => JSON.stringify(r.metrics)),
          batch.map((r) => JSON.stringify(r.credit)),
          batch.map(() => this.policyRef.version),
          batch.map(() => this.policyRef.hash),
          batch.map(() => computation.snapshot.treeSize),
          batch.map(() => computation.computedAt.toISOString()),
        ],
      );
    }
  }

  /** New cohort figures into rows whose other numbers stand, stamped with the computation's tree size and time. */
  private async writeCohortRows(
    manager: EntityManager,
    rows: readonly CohortRow[],
    computation: Computation,
  ): Promise<void> {
    for (let start = 0; start < rows.length; start += 500) {
      const batch = rows.slice(start, start + 500);
      await manager.query(
        `UPDATE dataset_metrics m SET metrics = jsonb_set(m.metrics, '{cohort}', c.cohort), tree_size = $3,
           computed_at = $4
         FROM unnest($1::uuid[], $2::jsonb[]) AS c(dataset_id, cohort)
         WHERE m.dataset_id = c.dataset_id AND m.policy_hash = $5 AND m.tree_size <= $3`,
        [
          batch.map((r) => r.datasetId),
          batch.map((r) => JSON.stringify(r.cohort)),
          computation.snapshot.treeSize,
          computation.computedAt.toISOString(),
          this.policyRef.hash,
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

  /**
   * Rebuilds the cached explanations the fast recompute left behind (metrics_unexplained) from each dataset's whole
   * cone, as a whole recompute builds them. Returns how many rows it wrote.
   */
  async explainPending(): Promise<number> {
    const read = await this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const marks = await manager.query<Array<{ id: string; dataset_id: string }>>(
        'SELECT id::text AS id, dataset_id FROM metrics_unexplained ORDER BY id',
      );
      const ids = await manager.query<Array<{ id: string }>>(
        'SELECT id FROM datasets WHERE id = ANY($1::uuid[]) ORDER BY id',
        [[...new Set(marks.map((m) => m.dataset_id))]],
      );
      const datasetIds = ids.map((r) => r.id);
      if (datasetIds.length === 0) return { marks, explanations: new Map<string, unknown>() };
      const snapshot = await loadMetricsNeighbourhood(manager, datasetIds, this.policy.maxDepth);
      const inputs = buildRuleInputs(snapshot);
      const built = buildCreditGraphFromRows(inputs.credit, this.policy, buildLevelResolver(snapshot, inputs.concepts));
      const byConcept = new Map<number, CachedCredit['explanation']>();
      const explanations = new Map<string, unknown>();
      for (const id of datasetIds) {
        const node = built.datasetNode.get(id) as number;
        let shared = byConcept.get(node);
        if (shared === undefined) {
          shared = explainDataset(built, id, inputs.panels, this.policy, MAX_LISTED_PATHS);
          byConcept.set(node, shared);
        }
        explanations.set(id, { ...shared, datasetId: id });
      }
      return { marks, explanations };
    });
    const ids = [...read.explanations.keys()];
    await this.dataSource.transaction(async (manager) => {
      await this.lockRows(manager);
      for (let start = 0; start < ids.length; start += 500) {
        const batch = ids.slice(start, start + 500);
        await manager.query(
          `UPDATE dataset_metrics m SET credit = jsonb_set(m.credit, '{explanation}', e.explanation)
           FROM unnest($1::uuid[], $2::jsonb[]) AS e(dataset_id, explanation)
           WHERE m.dataset_id = e.dataset_id AND m.policy_hash = $3`,
          [batch, batch.map((id) => JSON.stringify(read.explanations.get(id))), this.policyRef.hash],
        );
      }
      if (read.marks.length > 0) {
        await manager.query('DELETE FROM metrics_unexplained WHERE id = ANY($1::bigint[])', [
          read.marks.map((m) => m.id),
        ]);
      }
    });
    return ids.length;
  }

  /** Numbers for the given datasets straight from their neighbourhood in the tables, nothing written (no row yet). */
  private async computeOnRead(datasetIds: readonly string[]): Promise<Computation> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const { computation } = await this.computeNeighbourhood(manager, datasetIds);
      return computation;
    });
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
      // Reads compute from the neighbourhood, explanation included.
      credit: computation.credit.get(datasetId) as CachedCredit,
      policy: this.policyRef,
      treeSize: computation.snapshot.treeSize,
      computedAt: computation.computedAt,
    };
  }
}
