import type { EntityManager } from 'typeorm';
import { CreditEngine, loneWorkOf, type PublicationEdge } from './credit-engine.rules.js';
import {
  buildLevelResolver,
  buildRuleInputs,
  conceptIdsOf,
  toPublicationRows,
  toReuseRows,
  type MetricsSnapshot,
  type SnapshotAgent,
  type SnapshotDataset,
  type SnapshotEdge,
  type SnapshotPublication,
  type SnapshotReuse,
} from './metrics-inputs.rules.js';
import {
  loadAffectedDatasetIds,
  loadAgents,
  loadDatasets,
  loadEdges,
  loadPublications,
  loadReuses,
} from './metrics-loader.js';
import { reuseExclusionReason, type MetricsPolicy } from './policy.rules.js';
import {
  buildCreditGraphFromRows,
  KIND_CODES,
  summarizeCredit,
  type DatasetCreditSummary,
  type LevelResolver,
  type RowCreditGraph,
  type RowLevelResolver,
} from './transitive-credit.rules.js';

// The credit graph kept in a worker's memory between recompute jobs, so that a new paper or a changed claim costs
// what its group-year bucket costs (CreditEngine), not a read of its datasets' whole cones. It stands for the tables
// as of one metrics generation (metrics_state): a worker that finds another generation in the database builds it
// afresh. Only changes the engine can apply go through it (publications and their claims, new datasets nothing
// reaches yet, people and grants that are new); anything else (a figure, a version, a derivation between held
// datasets, a changed person or dataset) goes the neighbourhood way and the graph is built again.

/** The wasDerivedFrom and funding edges out of each node, as `relation>target`. */
function inputsBySource(edges: readonly SnapshotEdge[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of edges) {
    if (e.relation !== 'wasDerivedFrom' && e.relation !== 'funding') continue;
    const list = out.get(e.sourceId);
    if (list === undefined) out.set(e.sourceId, [`${e.relation}>${e.targetId}`]);
    else list.push(`${e.relation}>${e.targetId}`);
  }
  return out;
}

/** What a dataset's credit depends on besides its consumers: its versions' creators and grants, its inputs, funding. */
function datasetFacts(dataset: SnapshotDataset, inputs: ReadonlyMap<string, readonly string[]>): string {
  const out = [...(inputs.get(dataset.id) ?? [])].sort();
  return JSON.stringify([dataset.previousVersionId, dataset.kind, dataset.creators, dataset.grants, out]);
}

function agentFacts(agent: SnapshotAgent): string {
  return JSON.stringify([
    agent.kind,
    agent.name,
    agent.givenName,
    agent.familyName,
    agent.orcid,
    agent.ror,
    agent.affiliations,
  ]);
}

/** A publication change as the engine takes it, with the resolver its pairs are judged by. */
interface PublicationChangePlan {
  readonly id: string;
  readonly node: number | null;
  readonly row: SnapshotPublication;
  readonly edges: PublicationEdge[];
  readonly creditOrigin: number;
  readonly resolve: RowLevelResolver;
  readonly place: { readonly group: string | null; readonly year: number };
}

export interface EnginePlan {
  readonly publications: readonly PublicationChangePlan[];
  /** Datasets the graph does not hold yet and nothing reaches: their own rows only. */
  readonly newDatasets: readonly string[];
}

export class WarmCredit {
  readonly engine: CreditEngine;
  private readonly fingerprints = new Map<string, string>();
  private readonly agents = new Map<string, string>();
  private readonly addedIds: string[] = [];
  private readonly added = new Map<string, number>();
  private readonly places = new Map<number, { readonly group: string | null; readonly year: number }>();
  private readonly resolvers = new Map<number, RowLevelResolver>();
  /** Dataset row ids per concept node (versions share their concept's numbers). */
  private readonly rowsOfNode = new Map<number, string[]>();

  private constructor(
    readonly built: RowCreditGraph,
    snapshot: MetricsSnapshot,
    private readonly policy: MetricsPolicy,
    public generation: string,
  ) {
    const n = built.graph.nodeCount;
    const levelOf: LevelResolver = (p, d, via, recorded) => {
      const resolve = this.resolvers.get(p);
      if (resolve === undefined) return built.levelOf(p, d, via, recorded);
      const id = p < n ? built.ids[p] : this.addedIds[p - n];
      return resolve(id, built.ids[d]) ?? recorded ?? policy.unknownIndependence;
    };
    this.engine = new CreditEngine(built.graph, levelOf, policy, { labels: built.labels });
    const inputs = inputsBySource(snapshot.edges);
    for (const d of snapshot.datasets) this.fingerprints.set(d.id, datasetFacts(d, inputs));
    for (const a of snapshot.agents) this.agents.set(a.id, agentFacts(a));
    for (const [id, node] of built.datasetNode) {
      const rows = this.rowsOfNode.get(node);
      if (rows === undefined) this.rowsOfNode.set(node, [id]);
      else rows.push(id);
    }
    for (let p = 0; p < n; p += 1) {
      if (built.graph.kind[p] !== KIND_CODES.publication) continue;
      const g = built.graph.group[p];
      this.places.set(p, { group: g < 0 ? null : built.labels.groups[g], year: built.graph.year[p] });
    }
  }

  /** The graph of a whole snapshot, at the given metrics generation (one full propagation). */
  static build(snapshot: MetricsSnapshot, policy: MetricsPolicy, generation: string): WarmCredit {
    const inputs = buildRuleInputs(snapshot);
    const built = buildCreditGraphFromRows(inputs.credit, policy, buildLevelResolver(snapshot, inputs.concepts));
    return new WarmCredit(built, snapshot, policy, generation);
  }

  holdsDataset(id: string): boolean {
    return this.built.datasetNode.has(id);
  }

  private publicationNode(id: string): number | null {
    return this.built.publicationNode.get(id) ?? this.added.get(id) ?? null;
  }

  /**
   * What the marked nodes changed, as the engine can take it; null when something it cannot take changed (then the
   * caller recomputes the neighbourhood way and drops this graph).
   */
  async plan(manager: EntityManager, markIds: readonly string[]): Promise<EnginePlan | null> {
    const nodes = await manager.query<Array<{ id: string; type: string }>>(
      'SELECT id, type FROM graph_nodes WHERE id = ANY($1::uuid[])',
      [markIds],
    );
    if (nodes.length !== new Set(markIds).size) return null;
    const publicationIds = new Set<string>();
    const reuseIds: string[] = [];
    const datasetIds: string[] = [];
    const agentIds: string[] = [];
    for (const node of nodes) {
      switch (node.type) {
        case 'Publication':
          publicationIds.add(node.id);
          break;
        case 'ReuseEvent':
          reuseIds.push(node.id);
          break;
        case 'ImageDataset':
        case 'DerivedDataset':
          datasetIds.push(node.id);
          break;
        case 'Person':
        case 'Organization':
          agentIds.push(node.id);
          break;
        case 'Grant':
        case 'ImagePart':
        case 'Software':
        case 'AnalysisActivity':
          // Funding moves credit only through its dataset or publication, marked with it and checked there.
          break;
        default:
          return null;
      }
    }
    if (reuseIds.length > 0) {
      const rows = await manager.query<Array<{ publication_id: string }>>(
        'SELECT publication_id FROM reuses WHERE id = ANY($1::uuid[])',
        [reuseIds],
      );
      if (rows.length !== reuseIds.length) return null;
      for (const r of rows) publicationIds.add(r.publication_id);
    }
    // People: new ones change nothing held; a held one must be as the graph knew it.
    for (const agent of await loadAgents(manager, agentIds)) {
      const known = this.agents.get(agent.id);
      if (known !== undefined && known !== agentFacts(agent)) return null;
    }
    // Datasets: a held one must be as the graph knew it; a new one must be reached by nothing and no version.
    const newDatasets: string[] = [];
    if (datasetIds.length > 0) {
      const rows = await loadDatasets(manager, datasetIds);
      const edges = await loadEdges(manager, datasetIds);
      const inputs = inputsBySource(edges);
      for (const row of rows) {
        if (this.holdsDataset(row.id)) {
          if (this.fingerprints.get(row.id) !== datasetFacts(row, inputs)) return null;
        } else {
          const reached = edges.some((e) => e.targetId === row.id && e.relation === 'wasDerivedFrom');
          if (row.previousVersionId !== null || reached) return null;
          newDatasets.push(row.id);
        }
      }
    }
    const publications = await this.planPublications(manager, [...publicationIds]);
    return publications === null ? null : { publications, newDatasets };
  }

  private async planPublications(
    manager: EntityManager,
    ids: readonly string[],
  ): Promise<PublicationChangePlan[] | null> {
    if (ids.length === 0) return [];
    const rows = await loadPublications(manager, ids);
    const reuses = await loadReuses(manager, ids);
    const edges = await loadEdges(manager, ids);
    // A second manifestation (wasRevisionOf) or a figure changes works and panels: not the engine's to take.
    if (edges.some((e) => e.relation === 'wasRevisionOf' || (e.relation === 'hasPart' && ids.includes(e.sourceId)))) {
      return null;
    }
    const claimed = [...new Set(reuses.flatMap((r) => r.datasets.map((d) => d.datasetId)))];
    if (claimed.some((id) => !this.holdsDataset(id))) return null;
    const plans: PublicationChangePlan[] = [];
    for (const row of rows) {
      const own = reuses.filter((r) => r.publicationId === row.id);
      const resolve = await this.resolverFor(manager, row, own);
      const snapshot: MetricsSnapshot = {
        treeSize: '0',
        agents: [],
        datasets: [],
        publications: [row],
        reuses: own,
        edges: [],
        citations: [],
      };
      const [publication] = toPublicationRows(snapshot);
      const lone = loneWorkOf(publication, this.policy);
      const place = { group: lone.work.group as string | null, year: lone.work.year };
      const node = this.publicationNode(row.id);
      if (node !== null) {
        const held = this.places.get(node);
        if (held === undefined || held.group !== place.group || held.year !== place.year) return null;
      }
      const claims = toReuseRows(snapshot, 'edge');
      plans.push({
        id: row.id,
        node,
        row,
        edges: claims.flatMap((claim) => {
          const excluded = reuseExclusionReason(this.policy, claim, 'score') ?? undefined;
          return claim.datasetIds.map((datasetId) => ({
            to: this.built.datasetNode.get(datasetId) as number,
            seq: claim.seq as string,
            ...(excluded === undefined ? {} : { excluded }),
            level: claim.levels[datasetId],
          }));
        }),
        creditOrigin: lone.creditOrigin,
        resolve,
        place,
      });
    }
    return plans;
  }

  /** Independence of the publication's pairs, judged over what it reaches (as buildLevelResolver judges them). */
  private async resolverFor(
    manager: EntityManager,
    row: SnapshotPublication,
    reuses: readonly SnapshotReuse[],
  ): Promise<RowLevelResolver> {
    const reached = await loadAffectedDatasetIds(manager, [
      ...new Set(reuses.flatMap((r) => r.datasets.map((d) => d.datasetId))),
    ]);
    const datasets = await loadDatasets(manager, reached);
    const people = new Set<string>();
    for (const d of datasets) for (const c of d.creators) people.add(c);
    for (const a of row.authors) if (a.agentId) people.add(a.agentId);
    const named = await loadAgents(manager, [...people]);
    const organisations = [...new Set(named.flatMap((a) => a.affiliations))].filter((id) => !people.has(id));
    const snapshot: MetricsSnapshot = {
      treeSize: '0',
      agents: [...named, ...(await loadAgents(manager, organisations))],
      datasets,
      publications: [row],
      reuses,
      edges: await loadEdges(manager, [row.id, ...reached]),
      citations: [],
    };
    return buildLevelResolver(snapshot, conceptIdsOf(datasets));
  }

  /** Applies a plan; returns the dataset rows whose totals it moved. */
  apply(plan: EnginePlan): Set<string> {
    const moved = new Set<string>();
    for (const change of plan.publications) {
      let update;
      if (change.node === null) {
        const n = this.built.graph.nodeCount;
        this.addedIds.push(change.id);
        const node = n + this.addedIds.length - 1;
        this.resolvers.set(node, change.resolve);
        try {
          update = this.engine.addPublication({
            work: { group: change.place.group, year: change.place.year, label: change.id },
            creditOrigin: change.creditOrigin,
            edges: change.edges,
          });
        } catch (error) {
          this.addedIds.pop();
          this.resolvers.delete(node);
          throw error;
        }
        this.added.set(change.id, update.node);
        this.places.set(update.node, change.place);
      } else {
        this.resolvers.set(change.node, change.resolve);
        update = this.engine.updatePublication(change.node, { edges: change.edges, creditOrigin: change.creditOrigin });
      }
      for (const node of update.datasets) for (const id of this.rowsOfNode.get(node) ?? []) moved.add(id);
    }
    return moved;
  }

  summary(datasetId: string): DatasetCreditSummary {
    return summarizeCredit(this.built, this.engine.totals, datasetId, this.policy);
  }
}
