import { compareStrings, publicationFacts, utcYear, type PublicationRow } from './dataset-metrics.rules.js';
import { METRICS_POLICY, type IndependenceLevel, type MetricsPolicy } from './policy.rules.js';
import {
  commitWorks,
  computeTransitiveCredit,
  createPullScratch,
  CREDIT_TOTAL_FIELDS,
  CreditGraphInputError,
  KIND_CODES,
  LEVELS,
  originCreditOf,
  pullLayers,
  resolveCreditMap,
  workTable,
  type ClaimExclusionReason,
  type CreditGraph,
  type CreditTotals,
  type LevelResolver,
  type PullAdjacency,
  type PullScratch,
  type WorkLabels,
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

/**
 * A work's place in the order works are added up: its group (null: none), year and label, in the graph's terms. A
 * graph built from rows labels groups and works with strings (RowCreditGraph.labels; pass them to the engine); a
 * graph built from numbered rows uses the numbers it was given.
 */
export interface WorkPlace {
  readonly group: string | number | null;
  readonly year: number;
  readonly label: string | number;
}

/** A publication the graph does not hold, forming a work of its own. */
export interface NewPublication extends PublicationChange {
  readonly work: WorkPlace;
  /** c(P): the policy's origin credit for an article or a preprint (0 when retracted). */
  readonly creditOrigin: number;
}

/**
 * The work a publication forms on its own in a graph built from rows (buildCreditGraphFromRows), and the c(P) it
 * hands out: what addPublication needs to add it as a rebuild would place it. A publication that shares a DOI or a
 * sameWorkAs link with one the graph holds joins that work instead: rebuild.
 */
export function loneWorkOf(
  row: PublicationRow,
  policy: MetricsPolicy = METRICS_POLICY,
): { readonly work: WorkPlace; readonly creditOrigin: number } {
  const facts = publicationFacts(row);
  const origin = originCreditOf(facts.retracted, facts.preprint, policy);
  return {
    work: {
      group: facts.groupKey,
      year: facts.issuedDay === null ? 0 : utcYear(facts.issuedDay),
      label: row.id,
    },
    creditOrigin: !facts.retracted && origin > 0 ? origin : 0,
  };
}

export interface CreditEngineOptions {
  /** The labels graph.group and graph.work index (RowCreditGraph.labels), for places given as strings. */
  readonly labels?: WorkLabels;
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
      const size = this.count * 2;
      this.to = grown(this.to, new Int32Array(size));
      this.weight = grown(this.weight, new Float64Array(size));
      this.level = grown(this.level, new Int8Array(size));
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

/**
 * The engine's work order: the graph's work table, copied into arrays with room to grow, plus each work's lead
 * publication (its lowest node). A work added between two others shifts the ordinals after it.
 */
class WorkOrder implements WorkTable {
  count: number;
  constructor(
    public ordinalOf: Int32Array,
    public group: Int32Array,
    public year: Int32Array,
    public lead: Int32Array,
    count: number,
  ) {
    this.count = count;
  }
}

/** Grown copies keep their contents; new cells take `fill`. */
function grown<T extends Int32Array | Float64Array | Int8Array>(old: T, next: T, fill?: number): T {
  if (fill !== undefined) next.fill(fill, old.length);
  next.set(old);
  return next;
}

/** Per-dataset amounts a bucket gives, in the order of CREDIT_TOTAL_FIELDS. */
const FIELDS = CREDIT_TOTAL_FIELDS.length;

/**
 * Transitive credit for every node of a graph, kept current under changes to publications and under publications
 * added (each a work of its own). `totals` always equals computeTransitiveCredit over the base graph with every change
 * applied, built from scratch (to the last bit). Explanations need a graph built with the changes; rebuild the engine
 * from such a graph to fold the changes in.
 *
 * An added publication takes the next node number, after every node of the graph, where a rebuilt graph would number
 * it by id among the publications. Nothing consumes a publication, so no sum depends on where it sits among them; and
 * its work takes its place in the work order, which the cap's ties follow. A publication that joins a work the graph
 * holds (a preprint's article, a duplicate DOI) would change that work's lead and ties: it needs a rebuild.
 */
export class CreditEngine {
  readonly totals: CreditTotals;
  private readonly changed = new Map<number, ChangedEdges>();
  private readonly store = new EdgeStore();
  /** Nodes now: the graph's, then the added publications. */
  private nodes: number;
  /** Length of the per-node arrays below (nodes plus room to add). */
  private nodeRoom: number;
  /** Slice of each changed publication in the store (−1: not changed, read the graph). */
  private changedStart: Int32Array;
  private changedEnd: Int32Array;
  private readonly works: WorkOrder;
  /** Publications of each work ordinal (CSR). */
  private workPubStart: Int32Array;
  private workPubs: Int32Array;
  /** Work labels of the added publications (node − graph.nodeCount). */
  private readonly addedLabels: (string | number)[] = [];
  /** Groups the graph does not hold, numbered after its own. */
  private readonly newGroups = new Map<string | number, number>();
  private readonly newGroupKeys = new Map<number, string | number>();
  private readonly labels: WorkLabels | undefined;
  private readonly graphGroups: number;
  /** Local index of a node during a bucket walk, −1 otherwise. */
  private localOf: Int32Array;
  private readonly one: CreditTotals;
  /** Buffers of the bucket walk (see bucketAmounts), allocated on the first update. */
  private walk: WalkBuffers | null = null;
  private scratch: PullScratch | null = null;

  constructor(
    readonly graph: CreditGraph,
    private readonly levelOf: LevelResolver,
    private readonly policy: MetricsPolicy = METRICS_POLICY,
    options: CreditEngineOptions = {},
  ) {
    this.totals = computeTransitiveCredit(graph, levelOf, policy);
    this.labels = options.labels;
    const n = graph.nodeCount;
    this.nodes = n;
    this.nodeRoom = n + 1024;
    const base = workTable(graph);
    const { count } = base;
    const workRoom = count + 1024;
    const lead = new Int32Array(workRoom).fill(-1);
    for (let p = 0; p < n; p += 1)
      if (base.ordinalOf[p] >= 0 && lead[base.ordinalOf[p]] < 0) lead[base.ordinalOf[p]] = p;
    this.works = new WorkOrder(
      grown(base.ordinalOf, new Int32Array(this.nodeRoom), -1),
      grown(base.group, new Int32Array(workRoom)),
      grown(base.year, new Int32Array(workRoom)),
      lead,
      count,
    );
    const start = new Int32Array(workRoom + 1);
    for (let p = 0; p < n; p += 1) if (base.ordinalOf[p] >= 0) start[base.ordinalOf[p] + 1] += 1;
    for (let w = 0; w < count; w += 1) start[w + 1] += start[w];
    const fill = start.slice(0, count);
    const pubs = new Int32Array(start[count] + 1024);
    for (let p = 0; p < n; p += 1) if (base.ordinalOf[p] >= 0) pubs[fill[base.ordinalOf[p]]++] = p;
    this.workPubStart = start;
    this.workPubs = pubs;
    let groups = 0;
    for (let p = 0; p < n; p += 1) if (graph.group[p] >= groups) groups = graph.group[p] + 1;
    this.graphGroups = this.labels === undefined ? groups : this.labels.groups.length;
    this.localOf = new Int32Array(this.nodeRoom).fill(-1);
    this.changedStart = new Int32Array(this.nodeRoom).fill(-1);
    this.changedEnd = new Int32Array(this.nodeRoom);
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

  /** Nodes the engine knows: the graph's, then each added publication. */
  get nodeCount(): number {
    return this.nodes;
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
    if (
      !Number.isInteger(p) ||
      p < 0 ||
      p >= this.nodes ||
      (p < graph.nodeCount && graph.kind[p] !== KIND_PUBLICATION)
    ) {
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

  /**
   * Adds a publication the graph does not hold, with its edges, as a work of its own, and updates the totals of every
   * dataset it reaches. Its node is the next number (nodeCount before the call). The level resolver is asked about
   * it by that number. Throws CreditGraphInputError, changing nothing, for a work the graph already holds (rebuild
   * instead) or a place in another graph's terms.
   */
  addPublication(publication: NewPublication): CreditUpdate & { readonly node: number } {
    const { work } = publication;
    if (!Number.isInteger(work.year)) throw new CreditGraphInputError(`work year ${work.year} is not an integer`);
    if (!(publication.creditOrigin >= 0))
      throw new CreditGraphInputError('c(P) of a new publication must be at least 0');
    const place = this.placeOf(work);
    const group = this.groupIdOf(work.group);
    const p = this.nodes;
    this.makeRoom(p + 1, this.works.count + 1);
    this.nodes += 1;
    this.addedLabels.push(work.label);
    this.insertWork(place, p, group, work.year);
    // Before it arrives the publication gives nothing: no edges, c(P) = 0.
    this.use(p, { given: [], start: this.store.count, end: this.store.count, creditOrigin: 0 });
    try {
      return { ...this.updatePublication(p, publication), node: p };
    } catch (error) {
      this.use(p, null);
      this.removeWork(place);
      this.addedLabels.pop();
      this.nodes -= 1;
      throw error;
    }
  }

  /** The ordinal a new work takes: after every work that sorts before it (group, year, label; no group last). */
  private placeOf(work: WorkPlace): number {
    let lo = 0;
    let hi = this.works.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const order = this.compareWork(work, mid);
      if (order === 0)
        throw new CreditGraphInputError(`work ${String(work.label)} is in the graph: rebuild to join it`);
      if (order < 0) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private compareWork(work: WorkPlace, ordinal: number): number {
    const { group, year, lead } = this.works;
    const g = group[ordinal];
    const theirs = g < 0 ? null : this.groupKeyOf(g);
    if (work.group === null || theirs === null) {
      if (work.group !== theirs) return work.group === null ? 1 : -1;
    } else {
      const order = this.compareLabels(work.group, theirs);
      if (order !== 0) return order;
    }
    if (work.year !== year[ordinal]) return work.year - year[ordinal];
    const l = lead[ordinal];
    const label = l >= this.graph.nodeCount ? this.addedLabels[l - this.graph.nodeCount] : this.workLabelOf(l);
    return this.compareLabels(work.label, label);
  }

  private groupKeyOf(g: number): string | number {
    if (g >= this.graphGroups) return this.newGroupKeys.get(g) as string | number;
    return this.labels === undefined ? g : this.labels.groups[g];
  }

  private workLabelOf(lead: number): string | number {
    const w = this.graph.work[lead];
    return this.labels === undefined ? w : this.labels.works[w];
  }

  /** Labels are the graph's kind: strings with WorkLabels, numbers without. */
  private compareLabels(a: string | number, b: string | number): number {
    if (this.labels === undefined) {
      if (typeof a !== 'number')
        throw new CreditGraphInputError(`label ${a} is not a number (the graph has no labels)`);
      return a - (b as number);
    }
    if (typeof a !== 'string') throw new CreditGraphInputError(`label ${a} is not a string (the graph has labels)`);
    return compareStrings(a, b as string);
  }

  /** The group number of a key: the graph's own, else one numbered after the graph's groups. */
  private groupIdOf(key: string | number | null): number {
    if (key === null) return -1;
    if (this.labels === undefined) {
      if (typeof key !== 'number' || !Number.isInteger(key) || key < 0) {
        throw new CreditGraphInputError(`group ${key} is not a group number`);
      }
      if (key < this.graphGroups) return key;
    } else {
      const groups = this.labels.groups;
      let lo = 0;
      let hi = groups.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (compareStrings(groups[mid], key as string) < 0) lo = mid + 1;
        else hi = mid;
      }
      if (lo < groups.length && groups[lo] === key) return lo;
    }
    let id = this.newGroups.get(key);
    if (id === undefined) {
      id = this.labels === undefined ? (key as number) : this.graphGroups + this.newGroups.size;
      this.newGroups.set(key, id);
      this.newGroupKeys.set(id, key);
    }
    return id;
  }

  /** Room for `nodes` nodes and `works` works in every per-node and per-work array (grown by half when short). */
  private makeRoom(nodes: number, works: number): void {
    const w = this.works;
    if (nodes > this.nodeRoom) {
      const room = Math.max(nodes, Math.ceil(this.nodeRoom * 1.5));
      this.nodeRoom = room;
      this.localOf = grown(this.localOf, new Int32Array(room), -1);
      this.changedStart = grown(this.changedStart, new Int32Array(room), -1);
      this.changedEnd = grown(this.changedEnd, new Int32Array(room));
      w.ordinalOf = grown(w.ordinalOf, new Int32Array(room), -1);
      this.walk = null;
      this.scratch = null;
    }
    if (works > w.group.length) {
      const room = Math.max(works, Math.ceil(w.group.length * 1.5));
      w.group = grown(w.group, new Int32Array(room));
      w.year = grown(w.year, new Int32Array(room));
      w.lead = grown(w.lead, new Int32Array(room), -1);
      this.workPubStart = grown(this.workPubStart, new Int32Array(room + 1));
      this.scratch = null;
    }
    const publications = this.workPubStart[w.count] + 1;
    if (publications > this.workPubs.length) {
      this.workPubs = grown(this.workPubs, new Int32Array(Math.ceil(publications * 1.5)));
    }
  }

  /** Work `place` becomes publication p's; the works from `place` on move up one ordinal. */
  private insertWork(place: number, p: number, group: number, year: number): void {
    const w = this.works;
    const count = w.count;
    w.group.copyWithin(place + 1, place, count);
    w.year.copyWithin(place + 1, place, count);
    w.lead.copyWithin(place + 1, place, count);
    w.group[place] = group;
    w.year[place] = year;
    w.lead[place] = p;
    const { ordinalOf } = w;
    for (let x = 0; x < this.nodes; x += 1) if (ordinalOf[x] >= place) ordinalOf[x] += 1;
    ordinalOf[p] = place;
    const start = this.workPubStart;
    const at = start[place];
    this.workPubs.copyWithin(at + 1, at, start[count]);
    this.workPubs[at] = p;
    start.copyWithin(place + 1, place, count + 1);
    for (let k = place + 1; k <= count + 1; k += 1) start[k] += 1;
    w.count = count + 1;
  }

  /** Undoes insertWork(place, …) (a work of one publication). */
  private removeWork(place: number): void {
    const w = this.works;
    const count = w.count;
    const p = w.lead[place];
    w.group.copyWithin(place, place + 1, count);
    w.year.copyWithin(place, place + 1, count);
    w.lead.copyWithin(place, place + 1, count);
    const { ordinalOf } = w;
    ordinalOf[p] = -1;
    for (let x = 0; x < this.nodes; x += 1) if (ordinalOf[x] > place) ordinalOf[x] -= 1;
    const start = this.workPubStart;
    const at = start[place];
    this.workPubs.copyWithin(at, at + 1, start[count]);
    start.copyWithin(place, place + 1, count + 1);
    for (let k = place; k < count; k += 1) start[k] -= 1;
    w.count = count - 1;
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

  /** Buffers of the pull walk over the engine's own work order, renewed before their stamps run out. */
  private pullScratch(): PullScratch {
    if (this.scratch === null || this.scratch.generation >= 0x3fffffff) {
      this.scratch = createPullScratch(this.works, this.nodeRoom, this.works.group.length);
    }
    return this.scratch;
  }

  private walkBuffers(nodes: number, edges: number): WalkBuffers {
    const kept = this.walk;
    if (kept !== null && kept.inFrom.length >= edges && kept.nodes.length >= nodes) return kept;
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
    const w = this.walkBuffers(this.nodeRoom, graph.edgeCount + store.count);
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
    const scratch = this.pullScratch();
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
    } finally {
      for (let i = 0; i < m; i += 1) localOf[globalOf[i]] = -1;
    }
    return { amounts, nodesWalked: m };
  }
}
