import { METRICS_POLICY, type IndependenceLevel, type MetricsPolicy } from './policy.rules.js';
import {
  commitWorks,
  computeTransitiveCredit,
  CREDIT_TOTAL_FIELDS,
  CreditGraphInputError,
  KIND_CODES,
  LEVELS,
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
  /**
   * Independence of (publication, `to`) as recorded on the claim. The resolver weighs it as it weighs a level on the
   * graph's own edges; several active claims on one input give it the least independent of their levels.
   */
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

/** A changed publication's active out-edges: a slice of the engine's edge store, and what the change gave. */
interface ChangedEdges {
  readonly given: readonly PublicationEdge[];
  readonly start: number;
  readonly end: number;
  readonly creditOrigin: number;
}

/**
 * Out-edges of changed publications, appended as columns (a walk reads them as it reads the graph's, with no object
 * per node). A publication changed again gets a new slice; the old one is left behind until the engine is rebuilt.
 */
class EdgeStore {
  count = 0;
  to = new Int32Array(64);
  weight = new Float64Array(64);
  /** LEVEL_RANK of the level the claim carries (an index into LEVELS), −1 for none. */
  level = new Int8Array(64);

  push(to: number, weight: number, level: number): void {
    if (this.count === this.to.length) {
      const grow = <T extends Int32Array | Float64Array | Int8Array>(old: T, next: T): T => {
        next.set(old);
        return next;
      };
      const size = this.count * 2;
      this.to = grow(this.to, new Int32Array(size));
      this.weight = grow(this.weight, new Float64Array(size));
      this.level = grow(this.level, new Int8Array(size));
    }
    this.to[this.count] = to;
    this.weight[this.count] = weight;
    this.level[this.count] = level;
    this.count += 1;
  }
}

interface WalkBuffers {
  /** Per node (a walk reaches at most every node). */
  readonly nodes: Int32Array;
  readonly depth: Int32Array;
  readonly inStart: Int32Array;
  readonly fill: Int32Array;
  readonly creditOrigin: Float64Array;
  /** Per edge (at most every edge of the graph and the store). */
  readonly inFrom: Int32Array;
  readonly inEdge: Int32Array;
  readonly inWeight: Float64Array;
}

/** Per-dataset amounts a bucket gives, in the order of CREDIT_TOTAL_FIELDS. */
const FIELDS = CREDIT_TOTAL_FIELDS.length;

/**
 * Transitive credit for every node of a graph, kept current under changes to publications. `totals` always equals
 * computeTransitiveCredit over the base graph with every change applied (to the last bit). Explanations need a graph
 * built with the changes; rebuild the engine from such a graph to fold the changes in.
 */
export class CreditEngine {
  readonly totals: CreditTotals;
  private readonly changed = new Map<number, ChangedEdges>();
  private readonly store = new EdgeStore();
  /** Slice of each changed publication in the store (−1: not changed, read the graph). */
  private readonly changedStart: Int32Array;
  private readonly changedEnd: Int32Array;
  private readonly works: WorkTable;
  /** Publications of each work ordinal (CSR). */
  private readonly workPubStart: Int32Array;
  private readonly workPubs: Int32Array;
  /** Local index of a node during a bucket walk, −1 otherwise. */
  private readonly localOf: Int32Array;
  private readonly one: CreditTotals;
  /** Buffers of the bucket walk (see bucketAmounts), allocated on the first update. */
  private walk: WalkBuffers | null = null;

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
    this.changedStart = new Int32Array(graph.nodeCount).fill(-1);
    this.changedEnd = new Int32Array(graph.nodeCount);
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
    const previous = this.changed.get(p) ?? null;
    const next = this.resolveEdges(p, change);
    const bucket = this.bucketOf(p);
    const reached = new Set<number>(this.datasetsReached(p));
    this.use(p, next);
    for (const y of this.datasetsReached(p)) reached.add(y);
    const datasets = Int32Array.from(reached).sort();
    let before: { amounts: Float64Array; nodesWalked: number };
    let after: { amounts: Float64Array; nodesWalked: number };
    try {
      this.use(p, previous);
      before = this.bucketAmounts(bucket, datasets);
      this.use(p, next);
      after = this.bucketAmounts(bucket, datasets);
    } catch (error) {
      // A resolver that throws leaves the engine as it was.
      this.use(p, previous);
      throw error;
    }
    const t = this.totals;
    for (let i = 0; i < datasets.length; i += 1) {
      const y = datasets[i];
      CREDIT_TOTAL_FIELDS.forEach((field, f) => {
        t[field][y] += after.amounts[i * FIELDS + f] - before.amounts[i * FIELDS + f];
      });
    }
    return { datasets, bucketPublications: bucket.length, nodesWalked: after.nodesWalked };
  }

  /** The publication's map resolved as buildCreditGraph resolves it: duplicates collapse, excluded edges keep shares. */
  private resolveEdges(p: number, change: PublicationChange): ChangedEdges {
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
    // The level of an input: the least independent its active claims record (LEVEL_RANK rises as independence falls).
    const levelRank = new Map<number, number>();
    for (const { edge } of sorted) {
      if (edge.excluded !== undefined || edge.level === undefined) continue;
      levelRank.set(edge.to, Math.max(levelRank.get(edge.to) ?? -1, LEVELS.indexOf(edge.level)));
    }
    const map = resolveCreditMap(
      'publication',
      change.selfShare,
      unique.map((e) => e.weight),
      this.policy,
    );
    const active = unique.flatMap((e, i) => (e.excluded === undefined ? [{ e, w: map.weights[i] }] : []));
    const creditOrigin = change.creditOrigin ?? this.creditOriginOf(p);
    if (!(creditOrigin >= 0)) throw new CreditGraphInputError(`c(P) of ${p} must be at least 0`);
    const start = this.store.count;
    for (const { e, w } of active) this.store.push(e.to, w, levelRank.get(e.to) ?? -1);
    return { given: [...change.edges], start, end: this.store.count, creditOrigin };
  }

  /** Makes `edges` (null: the graph's) the publication's current edges. */
  private use(p: number, edges: ChangedEdges | null): void {
    if (edges === null) {
      this.changed.delete(p);
      this.changedStart[p] = -1;
    } else {
      this.changed.set(p, edges);
      this.changedStart[p] = edges.start;
      this.changedEnd[p] = edges.end;
    }
  }

  private creditOriginOf(x: number): number {
    return this.changedStart[x] < 0 ? this.graph.creditOrigin[x] : (this.changed.get(x) as ChangedEdges).creditOrigin;
  }

  /**
   * A publication's edges now, active and excluded: as last given to updatePublication, else as the graph holds them.
   * The graph keeps resolved weights, not declared ones: for a publication with a declared map, pass its declared
   * weights with the change rather than these edges.
   */
  edgesOf(p: number): PublicationEdge[] {
    const kept = this.changed.get(p)?.given;
    if (kept !== undefined) return [...kept];
    const { graph } = this;
    const edges: PublicationEdge[] = [];
    for (let e = graph.outStart[p]; e < graph.outStart[p + 1]; e += 1) {
      const level = graph.outLevel[e];
      edges.push({ to: graph.outTo[e], seq: graph.outSeq[e], ...(level >= 0 ? { level: LEVELS[level] } : {}) });
    }
    if (this.excludedByFrom === null) {
      this.excludedByFrom = new Map();
      for (const edge of graph.excludedEdges) {
        const list = this.excludedByFrom.get(edge.from) ?? [];
        list.push({ to: edge.to, seq: edge.seq, excluded: edge.reason });
        this.excludedByFrom.set(edge.from, list);
      }
    }
    return [...edges, ...(this.excludedByFrom.get(p) ?? [])];
  }

  private excludedByFrom: Map<number, PublicationEdge[]> | null = null;

  private walkBuffers(nodes: number, edges: number): WalkBuffers {
    const kept = this.walk;
    if (kept !== null && kept.inFrom.length >= edges) return kept;
    // Edges are added by changes: leave room for many before the next allocation.
    const edgeRoom = edges + Math.max(1024, edges >> 4);
    this.walk = {
      nodes: new Int32Array(nodes),
      depth: new Int32Array(nodes),
      inStart: new Int32Array(nodes + 1),
      fill: new Int32Array(nodes),
      creditOrigin: new Float64Array(nodes),
      inFrom: new Int32Array(edgeRoom),
      inEdge: new Int32Array(edgeRoom),
      inWeight: new Float64Array(edgeRoom),
    };
    return this.walk;
  }

  /** Datasets within maxDepth + 1 edges of publication p, over its current edges. */
  private datasetsReached(p: number): number[] {
    const reach = this.policy.maxDepth + 1;
    const found: number[] = [];
    const { localOf, graph, store, changedStart, changedEnd } = this;
    const seen = [p];
    const depth = [0];
    localOf[p] = 0;
    for (let head = 0; head < seen.length; head += 1) {
      const x = seen[head];
      if (depth[head] >= reach) continue;
      const changed = changedStart[x] >= 0;
      const targets = changed ? store.to : graph.outTo;
      const end = changed ? changedEnd[x] : graph.outStart[x + 1];
      for (let k = changed ? changedStart[x] : graph.outStart[x]; k < end; k += 1) {
        const y = targets[k];
        if (localOf[y] >= 0) continue;
        localOf[y] = 0;
        seen.push(y);
        depth.push(depth[head] + 1);
        if (graph.kind[y] === KIND_DATASET) found.push(y);
      }
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
  private bucketAmounts(
    bucket: readonly number[],
    datasets: Int32Array,
  ): { amounts: Float64Array; nodesWalked: number } {
    const { graph, localOf, policy } = this;
    const reach = policy.maxDepth + 1;
    const { store, changedStart, changedEnd } = this;
    // Nodes the bucket reaches, by breadth-first search (any path of ≤ reach edges). The buffers are the engine's
    // own, sized for the whole graph once (a walk can reach every node): an update allocates next to nothing, and the
    // compiled walk is never invalidated by a buffer swapped mid-loop.
    const w = this.walkBuffers(graph.nodeCount, graph.edgeCount + store.count);
    const { nodes, depth } = w;
    let m = 0;
    for (const p of bucket) {
      if (localOf[p] < 0) {
        localOf[p] = 0;
        nodes[m] = p;
        depth[m++] = 0;
      }
    }
    for (let head = 0; head < m; head += 1) {
      const x = nodes[head];
      const changed = changedStart[x] >= 0;
      const targets = changed ? store.to : graph.outTo;
      const end = changed ? changedEnd[x] : graph.outStart[x + 1];
      const begin = changed ? changedStart[x] : graph.outStart[x];
      if (depth[head] >= reach) continue;
      for (let k = begin; k < end; k += 1) {
        const y = targets[k];
        if (localOf[y] < 0) {
          localOf[y] = 0;
          nodes[m] = y;
          depth[m++] = depth[head] + 1;
        }
      }
    }
    // Local indices in node order, so each local in-list runs by consumer as the graph's in-lists do.
    const globalOf = nodes.subarray(0, m).sort();
    for (let i = 0; i < m; i += 1) localOf[globalOf[i]] = i;
    const { inStart, fill, inFrom, inEdge, inWeight, creditOrigin } = w;
    inStart.fill(0, 0, m + 1);
    for (let i = 0; i < m; i += 1) {
      const x = globalOf[i];
      const changed = changedStart[x] >= 0;
      const targets = changed ? store.to : graph.outTo;
      const end = changed ? changedEnd[x] : graph.outStart[x + 1];
      for (let k = changed ? changedStart[x] : graph.outStart[x]; k < end; k += 1) {
        if (localOf[targets[k]] >= 0) inStart[localOf[targets[k]] + 1] += 1;
      }
    }
    for (let i = 0; i < m; i += 1) {
      inStart[i + 1] += inStart[i];
      fill[i] = inStart[i];
    }
    for (let i = 0; i < m; i += 1) {
      const x = globalOf[i];
      creditOrigin[i] = this.creditOriginOf(x);
      const changed = changedStart[x] >= 0;
      const targets = changed ? store.to : graph.outTo;
      const weights = changed ? store.weight : graph.outWeight;
      const end = changed ? changedEnd[x] : graph.outStart[x + 1];
      for (let k = changed ? changedStart[x] : graph.outStart[x]; k < end; k += 1) {
        const local = localOf[targets[k]];
        if (local < 0) continue;
        const at = fill[local]++;
        inFrom[at] = i;
        inEdge[at] = changed ? -1 : k;
        inWeight[at] = weights[k];
      }
    }
    const adjacency: PullAdjacency = { inStart, inFrom, inEdge, inWeight, creditOrigin, globalOf };
    // A changed publication's direct edges are not the graph's: the resolver gets their claims' level as recorded.
    const levelOf: LevelResolver =
      this.changed.size === 0
        ? this.levelOf
        : (publication, dataset, via) => {
            const from = changedStart[publication];
            if (from < 0) return this.levelOf(publication, dataset, via);
            for (let k = from; k < changedEnd[publication]; k += 1) {
              if (store.to[k] === dataset && store.level[k] >= 0) {
                return this.levelOf(publication, dataset, -1, LEVELS[store.level[k]]);
              }
            }
            return this.levelOf(publication, dataset, -1);
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
        for (const field of CREDIT_TOTAL_FIELDS) one[field][0] = 0;
        commitWorks(graph, y, 0, pubCount, levelOf, policy, scratch, one, run);
        CREDIT_TOTAL_FIELDS.forEach((field, f) => (amounts[i * FIELDS + f] = one[field][0]));
      }
      releasePullScratch(graph, scratch);
    } finally {
      for (let i = 0; i < m; i += 1) localOf[globalOf[i]] = -1;
    }
    return { amounts, nodesWalked: m };
  }
}
