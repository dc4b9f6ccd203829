import { METRICS_POLICY, type IndependenceLevel, type MetricsPolicy } from './policy.rules.js';
import {
  commitWorks,
  computeTransitiveCredit,
  CreditGraphInputError,
  KIND_CODES,
  pullLayers,
  releasePullScratch,
  resolveCreditMap,
  takePullScratch,
  workTable,
  type ClaimExclusionReason,
  type CreditGraph,
  type CreditTotals,
  type LevelResolver,
  type PullAdjacency,
  type WorkTable,
} from './transitive-credit.rules.js';

// Transitive credit kept up to date between runs (credit-and-compliance.md §3: "recompute incrementally when a new
// ledger entry adds an edge").
//
// A publication has no consumers, so a change to one publication (its reuses, its panels, its retraction) changes
// raw(P, D) for that publication only, and only for datasets D within maxDepth + 1 edges of it. What D receives is
// a sum over group-year buckets of works (the cap chooses within a bucket, never across), so the change moves D's
// total by what the publication's bucket gives D after the change minus what it gave before. Both are computed from
// the bucket's own publications: a walk over the part of the graph they reach, never over D's other consumers. A hot
// dataset with 10^5 citing works costs what a cold one costs.
//
// The bucket's walk is the pull walk of a full run restricted to the nodes the bucket reaches: the same layers, in
// the same order, with the same additions, so each raw(P, D) is bit for bit the full run's. Totals add amounts
// quantized to 2^-32 (quantizeCredit), so adding the difference gives exactly the total a full run over the changed
// graph computes.

const KIND_DATASET = KIND_CODES.dataset;
const KIND_PUBLICATION = KIND_CODES.publication;

/** One out-edge of a publication, as the graph would hold it after the change. */
export interface PublicationEdge {
  /** Input: a dataset or a figure panel (never a publication). */
  readonly to: number;
  readonly seq: bigint | number | string;
  /** Declared weight in the publication's credit map. */
  readonly weight?: number;
  /** An excluded claim keeps its share of the map but passes no credit. */
  readonly excluded?: ClaimExclusionReason;
  /** Independence of (publication, `to`) as recorded on the claim; absent: the resolver's level without an edge. */
  readonly level?: IndependenceLevel;
}

export interface PublicationChange {
  /** Every out-edge of the publication after the change (what it reuses and the panels it shows). */
  readonly edges: readonly PublicationEdge[];
  /** c(P) after the change: 0 when retracted; absent keeps the current value. */
  readonly creditOrigin?: number;
  /** Declared self share of the publication's map. */
  readonly selfShare?: number;
}

export interface CreditUpdate {
  /** Dataset nodes whose totals were updated, ascending. */
  readonly datasets: Int32Array;
  /** Publications in the changed publication's group-year bucket (whose raw credit was walked twice). */
  readonly bucketPublications: number;
  /** Nodes the bucket's walk visited. */
  readonly nodesWalked: number;
}

interface OutEdges {
  readonly to: Int32Array;
  readonly weight: Float64Array;
  /** Out-edge index in the base graph, or −1 for an edge it does not hold. */
  readonly edge: Int32Array;
  readonly level: readonly (IndependenceLevel | undefined)[];
  readonly creditOrigin: number;
}

/** Per-dataset amounts a bucket gives, in the order of the CreditTotals fields. */
const FIELDS = 7;

/**
 * Transitive credit for every node of a graph, kept current under changes to publications. `totals` always equals
 * computeTransitiveCredit over the base graph with every change applied (to the last bit). Explanations need a graph
 * built with the changes; rebuild the engine from such a graph to fold the changes in.
 */
export class CreditEngine {
  readonly totals: CreditTotals;
  private readonly changed = new Map<number, OutEdges>();
  private readonly works: WorkTable;
  /** Publications of each work ordinal (CSR). */
  private readonly workPubStart: Int32Array;
  private readonly workPubs: Int32Array;
  /** Local index of a node during a bucket walk, −1 otherwise. */
  private readonly localOf: Int32Array;
  private readonly one: CreditTotals;

  constructor(
    readonly graph: CreditGraph,
    private readonly levelOf: LevelResolver,
    private readonly policy: MetricsPolicy = METRICS_POLICY,
  ) {
    this.totals = computeTransitiveCredit(graph, levelOf, policy);
    this.works = workTable(graph);
    const { ordinalOf, count } = this.works;
    const start = new Int32Array(count + 1);
    for (let p = 0; p < graph.nodeCount; p += 1) if (ordinalOf[p] >= 0) start[ordinalOf[p] + 1] += 1;
    for (let w = 0; w < count; w += 1) start[w + 1] += start[w];
    const fill = start.slice(0, count);
    const pubs = new Int32Array(start[count]);
    for (let p = 0; p < graph.nodeCount; p += 1) if (ordinalOf[p] >= 0) pubs[fill[ordinalOf[p]]++] = p;
    this.workPubStart = start;
    this.workPubs = pubs;
    this.localOf = new Int32Array(graph.nodeCount).fill(-1);
    const slot = new Int32Array([0]);
    this.one = {
      nodes: slot,
      slotOf: () => 0,
      total: new Float64Array(1),
      independent: new Float64Array(1),
      contributors: new Int32Array(1),
      depthLimited: new Float64Array(1),
      belowMinimum: new Float64Array(1),
      groupYearCapped: new Float64Array(1),
      duplicateWork: new Float64Array(1),
    };
  }

  /** Publications changed since the engine was built. */
  get changedPublications(): number {
    return this.changed.size;
  }

  /**
   * Applies a change to one publication (a new reuse, a disputed or resolved claim, a retraction) and updates the
   * totals of every dataset it can reach, before or after. Throws CreditGraphInputError, changing nothing, for a
   * node that is not a publication or an edge that does not point at a dataset or panel.
   */
  updatePublication(p: number, change: PublicationChange): CreditUpdate {
    const { graph } = this;
    if (!Number.isInteger(p) || p < 0 || p >= graph.nodeCount || graph.kind[p] !== KIND_PUBLICATION) {
      throw new CreditGraphInputError(`node ${p} is not a publication`);
    }
    const next = this.resolveEdges(p, change);
    const bucket = this.bucketOf(p);
    const reached = new Set<number>([...this.datasetsReached(p), ...this.datasetsReached(p, next)]);
    const datasets = Int32Array.from(reached).sort();
    const before = this.bucketAmounts(bucket, datasets);
    this.changed.set(p, next);
    const after = this.bucketAmounts(bucket, datasets);
    const t = this.totals;
    for (let i = 0; i < datasets.length; i += 1) {
      const y = datasets[i];
      const at = i * FIELDS;
      t.total[y] += after.amounts[at] - before.amounts[at];
      t.independent[y] += after.amounts[at + 1] - before.amounts[at + 1];
      t.contributors[y] += after.amounts[at + 2] - before.amounts[at + 2];
      t.depthLimited[y] += after.amounts[at + 3] - before.amounts[at + 3];
      t.belowMinimum[y] += after.amounts[at + 4] - before.amounts[at + 4];
      t.groupYearCapped[y] += after.amounts[at + 5] - before.amounts[at + 5];
      t.duplicateWork[y] += after.amounts[at + 6] - before.amounts[at + 6];
    }
    return { datasets, bucketPublications: bucket.length, nodesWalked: after.nodesWalked };
  }

  /** The publication's map resolved as buildCreditGraph resolves it: duplicates collapse, excluded edges keep shares. */
  private resolveEdges(p: number, change: PublicationChange): OutEdges {
    const { graph } = this;
    const sorted = change.edges
      .map((edge) => {
        const to = edge.to;
        if (!Number.isInteger(to) || to < 0 || to >= graph.nodeCount || graph.kind[to] === KIND_PUBLICATION) {
          throw new CreditGraphInputError(`publication ${p} cannot take node ${to} as an input`);
        }
        let seq: bigint;
        try {
          seq = BigInt(edge.seq);
        } catch {
          throw new CreditGraphInputError(`edge seq ${String(edge.seq)} is not an integer`);
        }
        return { edge, seq };
      })
      .sort(
        (a, b) =>
          a.edge.to - b.edge.to ||
          (a.edge.excluded === undefined ? 0 : 1) - (b.edge.excluded === undefined ? 0 : 1) ||
          (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0),
      );
    const unique = sorted.filter((e, i) => i === 0 || sorted[i - 1].edge.to !== e.edge.to).map((e) => e.edge);
    const map = resolveCreditMap(
      'publication',
      change.selfShare,
      unique.map((e) => e.weight),
      this.policy,
    );
    const active = unique.flatMap((e, i) => (e.excluded === undefined ? [{ e, w: map.weights[i] }] : []));
    const creditOrigin = change.creditOrigin ?? this.outEdges(p).creditOrigin;
    if (!(creditOrigin >= 0)) throw new CreditGraphInputError(`c(P) of ${p} must be at least 0`);
    return {
      to: Int32Array.from(active, (a) => a.e.to),
      weight: Float64Array.from(active, (a) => a.w),
      edge: new Int32Array(active.length).fill(-1),
      level: active.map((a) => a.e.level),
      creditOrigin,
    };
  }

  /** A node's active out-edges: the changed ones for a changed publication, else the graph's. */
  private outEdges(x: number): OutEdges {
    const kept = this.changed.get(x);
    if (kept !== undefined) return kept;
    const { graph } = this;
    const from = graph.outStart[x];
    const to = graph.outStart[x + 1];
    const edge = new Int32Array(to - from);
    for (let e = from; e < to; e += 1) edge[e - from] = e;
    return {
      to: graph.outTo.subarray(from, to),
      weight: graph.outWeight.subarray(from, to),
      edge,
      level: [],
      creditOrigin: graph.creditOrigin[x],
    };
  }

  /** Datasets within maxDepth + 1 edges of publication p (over `edges` when given). */
  private datasetsReached(p: number, edges?: OutEdges): number[] {
    const reach = this.policy.maxDepth + 1;
    const found: number[] = [];
    const { localOf } = this;
    const seen: number[] = [];
    let layer = [p];
    localOf[p] = 0;
    seen.push(p);
    for (let d = 1; d <= reach && layer.length > 0; d += 1) {
      const next: number[] = [];
      for (const x of layer) {
        const out = x === p && edges !== undefined ? edges : this.outEdges(x);
        for (const y of out.to) {
          if (localOf[y] >= 0) continue;
          localOf[y] = 0;
          seen.push(y);
          next.push(y);
          if (this.graph.kind[y] === KIND_DATASET) found.push(y);
        }
      }
      layer = next;
    }
    for (const x of seen) localOf[x] = -1;
    return found;
  }

  /** The publications of the group-year bucket of p's work (only its own work when it has no group). */
  private bucketOf(p: number): number[] {
    const { ordinalOf, group, year, count } = this.works;
    const w = ordinalOf[p];
    let first = w;
    let last = w;
    if (group[w] >= 0) {
      while (first > 0 && group[first - 1] === group[w] && year[first - 1] === year[w]) first -= 1;
      while (last + 1 < count && group[last + 1] === group[w] && year[last + 1] === year[w]) last += 1;
    }
    return Array.from(this.workPubs.subarray(this.workPubStart[first], this.workPubStart[last + 1]));
  }

  /**
   * What the bucket's publications give each dataset (FIELDS amounts per dataset), from the pull walk restricted to
   * the nodes they reach within maxDepth + 1 edges. Every input of such a node that lies on a path of at most
   * maxDepth + 1 edges from a bucket publication is itself reached, so the restricted layers hold the full run's
   * nodes in the full run's order wherever they bear on the bucket.
   */
  private bucketAmounts(bucket: readonly number[], datasets: Int32Array): { amounts: Float64Array; nodesWalked: number } {
    const { graph, localOf, policy } = this;
    const reach = policy.maxDepth + 1;
    // Nodes the bucket reaches, by breadth-first search (any path of ≤ reach edges).
    const nodes: number[] = [];
    for (const p of bucket) {
      if (localOf[p] < 0) {
        localOf[p] = 0;
        nodes.push(p);
      }
    }
    const depth: number[] = new Array<number>(nodes.length).fill(0);
    for (let head = 0; head < nodes.length; head += 1) {
      if (depth[head] >= reach) continue;
      for (const y of this.outEdges(nodes[head]).to) {
        if (localOf[y] < 0) {
          localOf[y] = 0;
          nodes.push(y);
          depth.push(depth[head] + 1);
        }
      }
    }
    // Local indices in node order, so each local in-list runs by consumer as the graph's in-lists do.
    nodes.sort((a, b) => a - b);
    const m = nodes.length;
    for (let i = 0; i < m; i += 1) localOf[nodes[i]] = i;
    const outs = nodes.map((x) => this.outEdges(x));
    const inStart = new Int32Array(m + 1);
    for (const out of outs) for (const y of out.to) if (localOf[y] >= 0) inStart[localOf[y] + 1] += 1;
    for (let i = 0; i < m; i += 1) inStart[i + 1] += inStart[i];
    const fill = inStart.slice(0, m);
    const inFrom = new Int32Array(inStart[m]);
    const inEdge = new Int32Array(inStart[m]);
    const inWeight = new Float64Array(inStart[m]);
    const creditOrigin = new Float64Array(m);
    const changedLevels = new Map<number, OutEdges>();
    for (let i = 0; i < m; i += 1) {
      const out = outs[i];
      creditOrigin[i] = out.creditOrigin;
      if (this.changed.has(nodes[i])) changedLevels.set(nodes[i], out);
      for (let k = 0; k < out.to.length; k += 1) {
        const local = localOf[out.to[k]];
        if (local < 0) continue;
        const at = fill[local]++;
        inFrom[at] = i;
        inEdge[at] = out.edge[k];
        inWeight[at] = out.weight[k];
      }
    }
    const adjacency: PullAdjacency = {
      inStart,
      inFrom,
      inEdge,
      inWeight,
      creditOrigin,
      globalOf: Int32Array.from(nodes),
    };
    // A changed publication's direct edges carry the claim's level; the rest is the resolver's.
    const levelOf: LevelResolver =
      changedLevels.size === 0
        ? this.levelOf
        : (publication, dataset, via) => {
            const out = changedLevels.get(publication);
            if (out === undefined) return this.levelOf(publication, dataset, via);
            const k = out.to.indexOf(dataset);
            return (k >= 0 ? out.level[k] : undefined) ?? this.levelOf(publication, dataset, -1);
          };

    const amounts = new Float64Array(datasets.length * FIELDS);
    const scratch = takePullScratch(graph);
    const one = this.one;
    try {
      for (let i = 0; i < datasets.length; i += 1) {
        const y = datasets[i];
        const local = localOf[y];
        if (local < 0) continue;
        const run = ++scratch.generation;
        const pubCount = pullLayers(adjacency, local, policy.maxDepth, scratch, run);
        one.total[0] = 0;
        one.independent[0] = 0;
        one.contributors[0] = 0;
        one.depthLimited[0] = 0;
        one.belowMinimum[0] = 0;
        one.groupYearCapped[0] = 0;
        one.duplicateWork[0] = 0;
        commitWorks(graph, y, 0, pubCount, levelOf, policy, scratch, one, run);
        const at = i * FIELDS;
        amounts[at] = one.total[0];
        amounts[at + 1] = one.independent[0];
        amounts[at + 2] = one.contributors[0];
        amounts[at + 3] = one.depthLimited[0];
        amounts[at + 4] = one.belowMinimum[0];
        amounts[at + 5] = one.groupYearCapped[0];
        amounts[at + 6] = one.duplicateWork[0];
      }
      releasePullScratch(graph, scratch);
    } finally {
      for (const x of nodes) localOf[x] = -1;
    }
    return { amounts, nodesWalked: m };
  }
}
