import {
  compareStrings,
  groupWorkFacts,
  LEVEL_RANK,
  publicationFacts,
  type PublicationFacts,
  utcYear,
  type DatasetMetricsInput,
  type DatasetRow,
  type DerivationRow,
  type FigurePanelRow,
  type PublicationRow,
  type ReuseRow,
  type WorkInfo,
} from './dataset-metrics.rules.js';
import {
  METRICS_POLICY,
  reuseExclusionReason,
  roundMetric,
  type IndependenceLevel,
  type MetricsPolicy,
} from './policy.rules.js';

// Transitive credit after Katz 2014 and Katz & Smith 2015, as specified in credit-and-compliance.md §3.
//
// The graph points from consumer to input (publication -> dataset, publication -> panel -> dataset,
// derived dataset -> source). Credit originates at publications and flows towards inputs; a publication's flow is a
// partition of its one unit (c(P)), so a dataset reached through two derived datasets (a diamond) receives the sum
// of the two path products, never two units. The independence multiplier of (publication, dataset) is applied
// where credit is received and does not compound along the path.

export type CreditNodeKind = 'dataset' | 'panel' | 'publication';
export type ClaimExclusionReason = 'RETRACTED' | 'DISPUTED' | 'EVIDENCE_TOO_WEAK';
export type CreditExclusionReason =
  ClaimExclusionReason | 'DEPTH_LIMIT' | 'BELOW_MIN_CONTRIBUTION' | 'GROUP_YEAR_CAP' | 'DUPLICATE_WORK';

const KIND_DATASET = 0;
const KIND_PANEL = 1;
const KIND_PUBLICATION = 2;
export const KIND_CODES: Readonly<Record<CreditNodeKind, number>> = {
  dataset: KIND_DATASET,
  panel: KIND_PANEL,
  publication: KIND_PUBLICATION,
};

/** A node with an integer id; ids must be exactly 0..n-1. */
export interface CreditNodeRow {
  readonly id: number;
  readonly kind: CreditNodeKind;
  /** c(P) for publications (defaults to the policy's article value); ignored for other kinds. */
  readonly origin?: number;
  readonly retracted?: boolean;
  /** Publications with the same label are one work (preprint + published version, duplicate DOIs). */
  readonly work?: number;
  /** Citing group label for the per-group, per-year cap; absent means uncapped. */
  readonly group?: number;
  readonly year?: number;
  /** Declared self share; with declared edge weights it makes a declared (clamped) map. */
  readonly selfShare?: number;
}

export interface CreditEdgeRow {
  /** Consumer. */
  readonly from: number;
  /** Input. */
  readonly to: number;
  /** Ledger entry that recorded the edge. */
  readonly seq: bigint | number | string;
  /** Declared weight in the consumer's credit map. */
  readonly weight?: number;
  /** An excluded edge keeps its share of the consumer's map but passes no credit ("contributes 0", §3 step 5). */
  readonly excluded?: ClaimExclusionReason;
  /** The claim behind the edge (e.g. the reuse id), reported with exclusions. */
  readonly ref?: string;
}

export interface ExcludedEdge {
  readonly from: number;
  readonly to: number;
  readonly seq: string;
  readonly reason: ClaimExclusionReason;
  readonly ref?: string;
}

/** Integer-indexed, compressed adjacency (CSR) in both directions, plus a topological order. */
export interface CreditGraph {
  readonly nodeCount: number;
  readonly edgeCount: number;
  readonly kind: Uint8Array;
  readonly origin: Float64Array;
  readonly retracted: Uint8Array;
  readonly work: Int32Array;
  readonly group: Int32Array;
  readonly year: Int32Array;
  /** Share of received credit each node keeps for its own creators. */
  readonly selfShare: Float64Array;
  /** 1 where a declared map had to be clamped or renormalised. */
  readonly clamped: Uint8Array;
  readonly outStart: Int32Array;
  readonly outTo: Int32Array;
  readonly outWeight: Float64Array;
  readonly outSeq: BigInt64Array;
  /**
   * LEVEL_RANK of the independence recorded on the claims behind each out-edge (the least independent when several
   * active claims make one edge); −1 where none is recorded.
   */
  readonly outLevel: Int8Array;
  readonly inStart: Int32Array;
  readonly inFrom: Int32Array;
  /** Index into the out-arrays of each in-edge. */
  readonly inEdge: Int32Array;
  /** outWeight of each in-edge, stored beside inFrom: the pull walk reads it for every edge of a cone. */
  readonly inWeight: Float64Array;
  /** c(P) of each publication that hands out credit (not retracted, positive origin); 0 for every other node. */
  readonly creditOrigin: Float64Array;
  /** Every consumer before its inputs. */
  readonly topoOrder: Int32Array;
  readonly topoRank: Int32Array;
  readonly excludedEdges: readonly ExcludedEdge[];
  readonly excludedByTo: ReadonlyMap<number, readonly number[]>;
}

export class CreditGraphCycleError extends Error {
  constructor(readonly nodes: readonly number[]) {
    super(`credit graph has a cycle through nodes ${nodes.join(', ')}`);
    this.name = 'CreditGraphCycleError';
  }
}

export class CreditGraphInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CreditGraphInputError';
  }
}

interface ResolvedMap {
  readonly self: number;
  readonly weights: Float64Array;
  readonly clamped: boolean;
}

/**
 * A node's credit map (§3): defaults by kind, or a declared map clamped (inputs in [min, max], self at most
 * maxSelfShare) and renormalised once. Undeclared inputs of a declared map share what the declared ones leave.
 */
export function resolveCreditMap(
  kind: CreditNodeKind,
  declaredSelf: number | undefined,
  declaredWeights: readonly (number | undefined)[],
  policy: MetricsPolicy,
): ResolvedMap {
  const k = declaredWeights.length;
  if (k === 0) return { self: 1, weights: new Float64Array(0), clamped: false };
  const defaultSelf =
    kind === 'dataset'
      ? policy.creditMaps.derivedDataset
      : kind === 'panel'
        ? policy.creditMaps.figurePanel
        : policy.creditMaps.publication;
  const weights = new Float64Array(k);
  const declared = declaredSelf !== undefined || declaredWeights.some((w) => w !== undefined);
  if (!declared) {
    weights.fill((1 - defaultSelf) / k);
    return { self: defaultSelf, weights, clamped: false };
  }
  const { minInputWeight, maxInputWeight, maxSelfShare } = policy.declaredMapClamp;
  let self = declaredSelf ?? defaultSelf;
  let declaredSum = 0;
  let undeclared = 0;
  for (const w of declaredWeights) {
    if (w === undefined) undeclared += 1;
    else declaredSum += w;
  }
  const fill = undeclared > 0 ? Math.max(0, 1 - self - declaredSum) / undeclared : 0;
  let changed = false;
  const clampedSelf = Math.min(Math.max(self, 0), maxSelfShare);
  if (clampedSelf !== self) changed = true;
  self = clampedSelf;
  let sum = self;
  for (let i = 0; i < k; i += 1) {
    const raw = declaredWeights[i] ?? fill;
    const w = Math.min(Math.max(raw, minInputWeight), maxInputWeight);
    if (w !== raw) changed = true;
    weights[i] = w;
    sum += w;
  }
  for (let i = 0; i < k; i += 1) weights[i] /= sum;
  return { self: self / sum, weights, clamped: changed || Math.abs(sum - 1) > 1e-9 };
}

function toSeq(value: bigint | number | string): bigint {
  try {
    return BigInt(value);
  } catch {
    throw new CreditGraphInputError(`edge seq ${String(value)} is not an integer`);
  }
}

/**
 * Builds the compact graph from integer-id rows. Duplicate (from, to) edges collapse to one (an active one first,
 * then the lowest seq); a cycle among active edges throws CreditGraphCycleError.
 */
export function buildCreditGraph(
  nodes: readonly CreditNodeRow[],
  edges: readonly CreditEdgeRow[],
  policy: MetricsPolicy = METRICS_POLICY,
): CreditGraph {
  const n = nodes.length;
  const columns = nodeColumns(n);
  const seen = new Uint8Array(n);
  for (const node of nodes) {
    const i = node.id;
    if (!Number.isInteger(i) || i < 0 || i >= n || seen[i]) {
      throw new CreditGraphInputError(`node ids must be exactly 0..${n - 1}; got ${i}`);
    }
    seen[i] = 1;
    columns.kind[i] = KIND_CODES[node.kind];
    if (node.kind === 'publication') {
      columns.retracted[i] = node.retracted ? 1 : 0;
      columns.origin[i] = node.retracted ? policy.originCredit.retracted : (node.origin ?? policy.originCredit.article);
    }
    columns.work[i] = node.work ?? i;
    if (node.group !== undefined) columns.group[i] = node.group;
    columns.year[i] = node.year ?? 0;
    if (node.selfShare !== undefined) columns.selfShare[i] = node.selfShare;
  }
  const edgeColumns = new EdgeColumns(edges.length);
  for (let e = 0; e < edges.length; e += 1) {
    const edge = edges[e];
    edgeColumns.push(edge.from, edge.to, toSeq(edge.seq), edge.weight, edge.excluded, edge.ref);
  }
  return buildCreditGraphFromColumns(columns, edgeColumns, policy);
}

/** Per-node inputs of buildCreditGraphFromColumns; `selfShare` is NaN where no map was declared. */
interface NodeColumns {
  readonly kind: Uint8Array;
  readonly origin: Float64Array;
  readonly retracted: Uint8Array;
  readonly work: Int32Array;
  /** −1: no group (uncapped). */
  readonly group: Int32Array;
  readonly year: Int32Array;
  readonly selfShare: Float64Array;
}

function nodeColumns(n: number): NodeColumns {
  const work = new Int32Array(n);
  for (let i = 0; i < n; i += 1) work[i] = i;
  return {
    kind: new Uint8Array(n),
    origin: new Float64Array(n),
    retracted: new Uint8Array(n),
    work,
    group: new Int32Array(n).fill(-1),
    year: new Int32Array(n),
    selfShare: new Float64Array(n).fill(Number.NaN),
  };
}

const EXCLUSION_CODES: readonly (ClaimExclusionReason | null)[] = [null, 'RETRACTED', 'DISPUTED', 'EVIDENCE_TOO_WEAK'];

/**
 * Edges as columns that grow while rows stream in (no object per edge): at 10^6 nodes, edge objects and their
 * garbage were a third of a full recompute's memory.
 */
class EdgeColumns {
  count = 0;
  from: Int32Array;
  to: Int32Array;
  seq: BigInt64Array;
  /** NaN where no weight was declared. */
  weight: Float64Array;
  /** Index into EXCLUSION_CODES; 0 for an active edge. */
  excluded: Uint8Array;
  /** LEVEL_RANK of the level the claim behind the edge records; −1 for none. */
  level: Int8Array;
  /** The claim behind an excluded edge (only those are reported with a ref). */
  readonly refs = new Map<number, string>();

  constructor(capacity = 1024) {
    const size = Math.max(16, capacity);
    this.from = new Int32Array(size);
    this.to = new Int32Array(size);
    this.seq = new BigInt64Array(size);
    this.weight = new Float64Array(size);
    this.excluded = new Uint8Array(size);
    this.level = new Int8Array(size);
  }

  push(
    from: number,
    to: number,
    seq: bigint,
    weight: number | undefined,
    excluded: ClaimExclusionReason | undefined,
    ref: string | undefined,
    level = -1,
  ): void {
    if (this.count === this.from.length) this.grow();
    const e = this.count;
    this.from[e] = from;
    this.to[e] = to;
    this.seq[e] = seq;
    this.weight[e] = weight ?? Number.NaN;
    this.excluded[e] = excluded === undefined ? 0 : EXCLUSION_CODES.indexOf(excluded);
    this.level[e] = level;
    if (excluded !== undefined && ref !== undefined) this.refs.set(e, ref);
    this.count += 1;
  }

  private grow(): void {
    const size = this.from.length * 2;
    const widen = <T extends Int32Array | BigInt64Array | Float64Array | Uint8Array | Int8Array>(
      old: T,
      next: T,
    ): T => {
      next.set(old as never);
      return next;
    };
    this.from = widen(this.from, new Int32Array(size));
    this.to = widen(this.to, new Int32Array(size));
    this.seq = widen(this.seq, new BigInt64Array(size));
    this.weight = widen(this.weight, new Float64Array(size));
    this.excluded = widen(this.excluded, new Uint8Array(size));
    this.level = widen(this.level, new Int8Array(size));
  }
}

/**
 * The compact graph from columns. Duplicate (from, to) edges collapse to one (an active one first, then the lowest
 * seq); a cycle among active edges throws CreditGraphCycleError.
 */
function buildCreditGraphFromColumns(columns: NodeColumns, edges: EdgeColumns, policy: MetricsPolicy): CreditGraph {
  const { kind, origin, retracted, work, group, year } = columns;
  const n = kind.length;
  // A work is capped as one citing unit: every manifestation takes the group and year of its lowest-id member.
  const workLead = new Map<number, number>();
  for (let i = 0; i < n; i += 1) {
    if (kind[i] !== KIND_PUBLICATION) continue;
    const lead = workLead.get(work[i]);
    if (lead === undefined) workLead.set(work[i], i);
    else {
      group[i] = group[lead];
      year[i] = year[lead];
    }
  }

  // Counting sort of edges by consumer, then (to, active first, seq) inside each consumer.
  const m = edges.count;
  const { from: edgeFrom, to: edgeTo, seq: seqs, weight: edgeWeight, excluded: edgeExcluded } = edges;
  const rawStart = new Int32Array(n + 1);
  for (let e = 0; e < m; e += 1) {
    const from = edgeFrom[e];
    const to = edgeTo[e];
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to < 0 || from >= n || to >= n) {
      throw new CreditGraphInputError(`edge ${e} points outside 0..${n - 1}`);
    }
    if (from === to) throw new CreditGraphCycleError([from]);
    rawStart[from + 1] += 1;
  }
  for (let i = 0; i < n; i += 1) rawStart[i + 1] += rawStart[i];
  const slot = rawStart.slice(0, n);
  const sorted = new Int32Array(m);
  for (let e = 0; e < m; e += 1) sorted[slot[edgeFrom[e]]++] = e;
  const before = (a: number, b: number): boolean => {
    if (edgeTo[a] !== edgeTo[b]) return edgeTo[a] < edgeTo[b];
    const xa = edgeExcluded[a] === 0 ? 0 : 1;
    const xb = edgeExcluded[b] === 0 ? 0 : 1;
    if (xa !== xb) return xa < xb;
    return seqs[a] < seqs[b];
  };
  for (let x = 0; x < n; x += 1) sortSegment(sorted, rawStart[x], rawStart[x + 1], before);

  // Resolve maps over unique inputs (excluded edges keep their share), then keep only active edges.
  const outStart = new Int32Array(n + 1);
  const keep = new Int32Array(m);
  const keepWeight = new Float64Array(m);
  const keepLevel = new Int8Array(m);
  let kept = 0;
  const selfShare = new Float64Array(n);
  const clamped = new Uint8Array(n);
  const excludedEdges: ExcludedEdge[] = [];
  const unique: number[] = [];
  const levels: number[] = [];
  const declaredWeights: (number | undefined)[] = [];
  for (let x = 0; x < n; x += 1) {
    unique.length = 0;
    declaredWeights.length = 0;
    levels.length = 0;
    for (let p = rawStart[x]; p < rawStart[x + 1]; p += 1) {
      const e = sorted[p];
      if (unique.length > 0 && edgeTo[unique[unique.length - 1]] === edgeTo[e]) {
        // A duplicate: an active one adds its level (the larger rank is the less independent level).
        if (edgeExcluded[e] === 0) levels[levels.length - 1] = Math.max(levels[levels.length - 1], edges.level[e]);
        continue;
      }
      unique.push(e);
      levels.push(edgeExcluded[e] === 0 ? edges.level[e] : -1);
      declaredWeights.push(Number.isNaN(edgeWeight[e]) ? undefined : edgeWeight[e]);
    }
    const declaredSelf = Number.isNaN(columns.selfShare[x]) ? undefined : columns.selfShare[x];
    const map = resolveCreditMap(nodeKindName(kind[x]), declaredSelf, declaredWeights, policy);
    selfShare[x] = map.self;
    clamped[x] = map.clamped ? 1 : 0;
    outStart[x] = kept;
    for (let i = 0; i < unique.length; i += 1) {
      const e = unique[i];
      const reason = EXCLUSION_CODES[edgeExcluded[e]];
      if (reason !== null) {
        const ref = edges.refs.get(e);
        excludedEdges.push({
          from: x,
          to: edgeTo[e],
          seq: seqs[e].toString(),
          reason,
          ...(ref === undefined ? {} : { ref }),
        });
        continue;
      }
      keep[kept] = e;
      keepWeight[kept] = map.weights[i];
      keepLevel[kept] = levels[i];
      kept += 1;
    }
  }
  outStart[n] = kept;
  const outTo = new Int32Array(kept);
  const outWeight = keepWeight.slice(0, kept);
  const outLevel = keepLevel.slice(0, kept);
  const outSeq = new BigInt64Array(kept);
  for (let p = 0; p < kept; p += 1) {
    outTo[p] = edgeTo[keep[p]];
    outSeq[p] = seqs[keep[p]];
  }

  const inStart = new Int32Array(n + 1);
  for (let p = 0; p < kept; p += 1) inStart[outTo[p] + 1] += 1;
  for (let i = 0; i < n; i += 1) inStart[i + 1] += inStart[i];
  const inFill = inStart.slice(0, n);
  const inFrom = new Int32Array(kept);
  const inEdge = new Int32Array(kept);
  const inWeight = new Float64Array(kept);
  for (let x = 0; x < n; x += 1) {
    for (let p = outStart[x]; p < outStart[x + 1]; p += 1) {
      const slotIndex = inFill[outTo[p]]++;
      inFrom[slotIndex] = x;
      inEdge[slotIndex] = p;
      inWeight[slotIndex] = outWeight[p];
    }
  }
  const creditOrigin = new Float64Array(n);
  for (let x = 0; x < n; x += 1) {
    if (kind[x] === KIND_PUBLICATION && !retracted[x] && origin[x] > 0) creditOrigin[x] = origin[x];
  }

  // Kahn's algorithm, consumers first; iterative so depth never touches the call stack.
  const remaining = new Int32Array(n);
  for (let x = 0; x < n; x += 1) remaining[x] = inStart[x + 1] - inStart[x];
  const topoOrder = new Int32Array(n);
  let head = 0;
  let tail = 0;
  for (let x = 0; x < n; x += 1) if (remaining[x] === 0) topoOrder[tail++] = x;
  while (head < tail) {
    const x = topoOrder[head++];
    for (let p = outStart[x]; p < outStart[x + 1]; p += 1) {
      const y = outTo[p];
      remaining[y] -= 1;
      if (remaining[y] === 0) topoOrder[tail++] = y;
    }
  }
  if (tail < n) {
    const stuck: number[] = [];
    for (let x = 0; x < n && stuck.length < 10; x += 1) if (remaining[x] > 0) stuck.push(x);
    throw new CreditGraphCycleError(stuck);
  }
  const topoRank = new Int32Array(n);
  for (let i = 0; i < n; i += 1) topoRank[topoOrder[i]] = i;

  const excludedByTo = new Map<number, number[]>();
  excludedEdges.forEach((edge, index) => {
    const list = excludedByTo.get(edge.to);
    if (list) list.push(index);
    else excludedByTo.set(edge.to, [index]);
  });

  return {
    nodeCount: n,
    edgeCount: kept,
    kind,
    origin,
    retracted,
    work,
    group,
    year,
    selfShare,
    clamped,
    outStart,
    outTo,
    outWeight,
    outSeq,
    outLevel,
    inStart,
    inFrom,
    inEdge,
    inWeight,
    creditOrigin,
    topoOrder,
    topoRank,
    excludedEdges,
    excludedByTo,
  };
}

function nodeKindName(code: number): CreditNodeKind {
  return code === KIND_DATASET ? 'dataset' : code === KIND_PANEL ? 'panel' : 'publication';
}

function sortSegment(a: Int32Array, start: number, end: number, before: (x: number, y: number) => boolean): void {
  const length = end - start;
  if (length < 2) return;
  if (length <= 32) {
    for (let i = start + 1; i < end; i += 1) {
      const value = a[i];
      let j = i - 1;
      while (j >= start && before(value, a[j])) {
        a[j + 1] = a[j];
        j -= 1;
      }
      a[j + 1] = value;
    }
    return;
  }
  const part = Array.from(a.subarray(start, end)).sort((x, y) => (before(x, y) ? -1 : before(y, x) ? 1 : 0));
  a.set(part, start);
}

/** Would adding consumer -> input close a cycle? (The write path refuses it with 422, §3.) */
export function wouldCreateCycle(graph: CreditGraph, from: number, to: number): boolean {
  if (from === to) return true;
  // A cycle appears iff `from` is already upstream-reachable from `to`.
  const seen = new Uint8Array(graph.nodeCount);
  const stack = [to];
  seen[to] = 1;
  while (stack.length > 0) {
    const x = stack.pop() as number;
    for (let p = graph.outStart[x]; p < graph.outStart[x + 1]; p += 1) {
      const y = graph.outTo[p];
      if (y === from) return true;
      if (!seen[y]) {
        seen[y] = 1;
        stack.push(y);
      }
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Propagation.
// ---------------------------------------------------------------------------------------------------------------

/** Independence of (publication, dataset), judged between the publication's authors and the dataset's creators. */
/**
 * `via`, when given, is the out-edge index of publication -> dataset if the publication names the dataset directly,
 * and -1 if it reaches the dataset only through other nodes: a hint that spares the resolver a search. `recorded` is
 * the level the claims behind a direct edge the graph does not hold record (CreditEngine's changed publications):
 * a resolver weighs it as it weighs the level on one of its own edges.
 */
export type LevelResolver = (
  publication: number,
  dataset: number,
  via?: number,
  recorded?: IndependenceLevel,
) => IndependenceLevel;

/**
 * The numbers of the computed nodes. Every per-node array is indexed by slot: `slotOf(node)`, the node's position in
 * `nodes`. A full run computes every node and its slot is the node itself; an incremental run allocates only as many
 * slots as it has affected nodes (whole-graph arrays per run cost more than the run at 10^6 nodes).
 */
export interface CreditTotals {
  /** The computed nodes, ascending. */
  readonly nodes: Int32Array;
  /** The slot of a node, or -1 when the run did not compute it. */
  slotOf(node: number): number;
  /** transitiveCredit per slot (datasets; other kinds stay 0). Unrounded: round with `roundMetric` at output. */
  readonly total: Float64Array;
  /** The part of `total` received from independent publications. */
  readonly independent: Float64Array;
  /** Counted works per slot. */
  readonly contributors: Int32Array;
  /** What paths one edge longer than maxDepth would have brought (reported, not counted). */
  readonly depthLimited: Float64Array;
  readonly belowMinimum: Float64Array;
  readonly groupYearCapped: Float64Array;
  readonly duplicateWork: Float64Array;
}

/** The per-node figures of CreditTotals, in one order (for code that handles them all alike). */
export const CREDIT_TOTAL_FIELDS = [
  'total',
  'independent',
  'contributors',
  'depthLimited',
  'belowMinimum',
  'groupYearCapped',
  'duplicateWork',
] as const satisfies readonly (keyof CreditTotals)[];

/**
 * Credit amounts are added up as whole multiples of 2^-32 (about 2.3e-10, four thousand times finer than the 1e-6 the
 * numbers are served at). Sums of such multiples are exact while below 2^21 units of credit, more than any dataset
 * can receive, so they do not depend on the order of the additions: a total kept up to date by adding what changed
 * (CreditEngine) is the total a full run computes, to the last bit.
 */
const CREDIT_QUANTA = 2 ** 32;

export function quantizeCredit(value: number): number {
  return Math.round(value * CREDIT_QUANTA) / CREDIT_QUANTA;
}

export interface AffectedSubgraph {
  /** Nodes whose totals can change: recompute and overwrite exactly these. */
  readonly nodes: Int32Array;
}

export interface ComputeCreditOptions {
  /** Incremental run: compute only these nodes (the totals hold one slot per affected node). */
  readonly affected?: AffectedSubgraph;
}

/**
 * transitiveCredit(D) = Σ over works W of max over W's publications P of raw(P, D) × multiplier(P, D) (§3 steps
 * 2–5), computed per dataset by pulling: one walk over D's consumers, layer by layer up to maxDepth + 1 edges, gives
 * every publication's raw(P, D) (the sum over its paths of c(P) × the edge weights) and what one edge more would
 * have brought (the depth-limit report). A dataset's numbers depend only on that cone, so a full run and an
 * incremental run make the same additions in the same order and agree to the last bit, and an incremental run
 * costs the cones of the affected nodes, not the graph.
 */
export function computeTransitiveCredit(
  graph: CreditGraph,
  levelOf: LevelResolver,
  policy: MetricsPolicy = METRICS_POLICY,
  options: ComputeCreditOptions = {},
): CreditTotals {
  const n = graph.nodeCount;
  let nodes: Int32Array;
  let slotOf: (node: number) => number;
  if (options.affected) {
    const unique = Int32Array.from(new Set(options.affected.nodes)).sort();
    for (const x of unique) if (x < 0 || x >= n) throw new CreditGraphInputError(`node ${x} is outside 0..${n - 1}`);
    nodes = unique;
    slotOf = (node) => binarySearch(unique, node);
  } else {
    nodes = new Int32Array(n);
    for (let i = 0; i < n; i += 1) nodes[i] = i;
    slotOf = (node) => (Number.isInteger(node) && node >= 0 && node < n ? node : -1);
  }
  const m = nodes.length;
  const totals: CreditTotals = {
    nodes,
    slotOf,
    total: new Float64Array(m),
    independent: new Float64Array(m),
    contributors: new Int32Array(m),
    depthLimited: new Float64Array(m),
    belowMinimum: new Float64Array(m),
    groupYearCapped: new Float64Array(m),
    duplicateWork: new Float64Array(m),
  };
  const scratch = takePullScratch(graph);
  for (let slot = 0; slot < m; slot += 1) {
    const y = nodes[slot];
    if (graph.kind[y] === KIND_DATASET) pullCredit(graph, y, slot, levelOf, policy, scratch, totals);
  }
  // Only a run that finished hands its buffers on: a throwing levelOf drops them (the next run allocates afresh).
  releasePullScratch(graph, scratch);
  return totals;
}

/**
 * Works in the order their credit is added up: by (group, year, work label) of the work's lowest-id publication, so
 * a group-year bucket is a run of consecutive ordinals. Kept per graph (a graph is immutable).
 */
export interface WorkTable {
  /** Work ordinal of each publication node; −1 for other kinds. */
  readonly ordinalOf: Int32Array;
  readonly group: Int32Array;
  readonly year: Int32Array;
  readonly count: number;
}

const workTables = new WeakMap<CreditGraph, WorkTable>();

export function workTable(graph: CreditGraph): WorkTable {
  const kept = workTables.get(graph);
  if (kept) return kept;
  const firstOf = new Map<number, number>();
  const leads: number[] = [];
  for (let p = 0; p < graph.nodeCount; p += 1) {
    // Ids ascend, so the first member met is the work's lead.
    if (graph.kind[p] === KIND_PUBLICATION && !firstOf.has(graph.work[p])) {
      firstOf.set(graph.work[p], leads.length);
      leads.push(p);
    }
  }
  const groupKey = (lead: number): number => (graph.group[lead] < 0 ? Number.MAX_SAFE_INTEGER : graph.group[lead]);
  const order = Array.from(leads.keys()).sort((a, b) => {
    const x = leads[a];
    const y = leads[b];
    return groupKey(x) - groupKey(y) || graph.year[x] - graph.year[y] || graph.work[x] - graph.work[y];
  });
  const ordinalOfLead = new Int32Array(leads.length);
  const group = new Int32Array(leads.length);
  const year = new Int32Array(leads.length);
  order.forEach((first, ordinal) => {
    ordinalOfLead[first] = ordinal;
    group[ordinal] = graph.group[leads[first]];
    year[ordinal] = graph.year[leads[first]];
  });
  const ordinalOf = new Int32Array(graph.nodeCount).fill(-1);
  for (let p = 0; p < graph.nodeCount; p += 1) {
    if (graph.kind[p] === KIND_PUBLICATION) ordinalOf[p] = ordinalOfLead[firstOf.get(graph.work[p]) as number];
  }
  const table = { ordinalOf, group, year, count: leads.length };
  workTables.set(graph, table);
  return table;
}

/**
 * Buffers of the pull walk, kept per graph and left reusable after each dataset: stamps are generations, and a cell
 * is written before it is read whenever its stamp is renewed. Allocating them per run cost seconds of garbage
 * collection at 10^6 nodes.
 */
const PUB_STRIDE = 4;
const PUB_STAMP = 0;
const PUB_RAW = 1;
const PUB_CUT = 2;
const PUB_VIA = 3;
const WORK_STRIDE = 6;
const WORK_STAMP = 0;
const WORK_BEST = 1;
const WORK_BEST_PUB = 2;
const WORK_SUM = 3;
const WORK_CUT = 4;
const WORK_INDEPENDENT = 5;

export interface PullScratch {
  readonly works: WorkTable;
  /** Path-weight sums of the current and the next layer, their stamps, and the nodes in each. */
  readonly values: [Float64Array, Float64Array];
  readonly stamps: [Int32Array, Int32Array];
  readonly lists: [Int32Array, Int32Array];
  /**
   * Per publication, PUB_STRIDE cells side by side (one cache line for what the walk and the commit read of it):
   * stamp, raw(P, D), the one-edge-too-long sum, and the direct edge to D (-1: none). And the publications met.
   */
  readonly pub: Float64Array;
  readonly pubs: Int32Array;
  /** Per work ordinal, WORK_STRIDE cells: stamp, best value, its publication, sum of values, best cut, independent. */
  readonly work: Float64Array;
  readonly workList: Int32Array;
  readonly chosenStamp: Int32Array;
  generation: number;
}

const pullScratch = new WeakMap<CreditGraph, PullScratch>();

export function takePullScratch(graph: CreditGraph): PullScratch {
  const kept = pullScratch.get(graph);
  // Taken out while in use, so a re-entrant run (a levelOf calling back in) gets buffers of its own.
  pullScratch.delete(graph);
  if (kept !== undefined && kept.generation < 0x3fffffff) return kept;
  return createPullScratch(workTable(graph), graph.nodeCount, workTable(graph).count);
}

/**
 * Fresh buffers for walks over `nodes` nodes and `workCapacity` work ordinals of `works` (CreditEngine keeps its own,
 * with room for the publications it adds; the table may grow in place up to that capacity).
 */
export function createPullScratch(works: WorkTable, nodes: number, workCapacity: number): PullScratch {
  return {
    works,
    values: [new Float64Array(nodes), new Float64Array(nodes)],
    stamps: [new Int32Array(nodes), new Int32Array(nodes)],
    lists: [new Int32Array(nodes), new Int32Array(nodes)],
    pub: new Float64Array(nodes * PUB_STRIDE),
    pubs: new Int32Array(nodes),
    work: new Float64Array(workCapacity * WORK_STRIDE),
    workList: new Int32Array(workCapacity),
    chosenStamp: new Int32Array(workCapacity),
    generation: 0,
  };
}

/**
 * In-edges the pull walk follows. The whole graph, or a part of it indexed locally (`globalOf` maps a local index to
 * its node; absent: indices are nodes). Publication cells are always kept by node.
 */
export interface PullAdjacency {
  readonly inStart: Int32Array;
  readonly inFrom: Int32Array;
  /** Out-edge index of each in-edge in the graph's arrays (−1: an edge the graph does not hold). */
  readonly inEdge: Int32Array;
  readonly inWeight: Float64Array;
  readonly creditOrigin: Float64Array;
  readonly globalOf?: Int32Array;
}

/** One dataset's totals from its cone of consumers (see computeTransitiveCredit). */
function pullCredit(
  graph: CreditGraph,
  y: number,
  slot: number,
  levelOf: LevelResolver,
  policy: MetricsPolicy,
  s: PullScratch,
  totals: CreditTotals,
): void {
  const run = ++s.generation;
  const pubCount = pullLayers(graph, y, policy.maxDepth, s, run);
  commitWorks(graph, y, slot, pubCount, levelOf, policy, s, totals, run);
}

/**
 * The layered walk from `y` (an index of `adj`) over its consumers, up to maxDepth + 1 edges: fills the publication
 * cells of run `run` and returns how many publications it met (in s.pubs, by node).
 */
export function pullLayers(adj: PullAdjacency, y: number, maxDepth: number, s: PullScratch, run: number): number {
  const { inStart, inFrom, inEdge, inWeight, creditOrigin } = adj;
  const globalOf = adj.globalOf ?? null;
  const { pub, pubs } = s;

  // Layer d: every node with a path of exactly d edges to y, with the sum over those paths of the weight products.
  // A node can sit in several layers (paths of several lengths), so the two layers have cells of their own.
  let cur = 0;
  s.lists[cur][0] = y;
  s.values[cur][y] = 1;
  let curSize = 1;
  let pubCount = 0;
  for (let d = 1; d <= maxDepth + 1 && curSize > 0; d += 1) {
    const nxt = 1 - cur;
    const curList = s.lists[cur];
    const curValue = s.values[cur];
    const nextList = s.lists[nxt];
    const nextValue = s.values[nxt];
    const nextStamp = s.stamps[nxt];
    const stamp = ++s.generation;
    let nextSize = 0;
    for (let i = 0; i < curSize; i += 1) {
      const z = curList[i];
      const r = curValue[z];
      for (let k = inStart[z]; k < inStart[z + 1]; k += 1) {
        const x = inFrom[k];
        const v = r * inWeight[k];
        if (nextStamp[x] !== stamp) {
          nextStamp[x] = stamp;
          nextValue[x] = v;
          nextList[nextSize++] = x;
        } else nextValue[x] += v;
      }
    }
    for (let i = 0; i < nextSize; i += 1) {
      const x = nextList[i];
      const c = creditOrigin[x];
      if (c === 0) continue;
      const node = globalOf === null ? x : globalOf[x];
      const at = node * PUB_STRIDE;
      if (pub[at + PUB_STAMP] !== run) {
        pub[at + PUB_STAMP] = run;
        pub[at + PUB_RAW] = 0;
        pub[at + PUB_CUT] = 0;
        pub[at + PUB_VIA] = -1;
        pubs[pubCount++] = node;
      }
      if (d <= maxDepth) pub[at + PUB_RAW] += c * nextValue[x];
      else pub[at + PUB_CUT] += c * nextValue[x];
    }
    if (d === 1) {
      // Layer 1 holds the direct consumers: note each publication's own edge to y for the level lookup.
      for (let k = inStart[y]; k < inStart[y + 1]; k += 1) {
        const x = inFrom[k];
        if (creditOrigin[x] !== 0) pub[(globalOf === null ? x : globalOf[x]) * PUB_STRIDE + PUB_VIA] = inEdge[k];
      }
    }
    cur = nxt;
    curSize = nextSize;
  }
  return pubCount;
}

/** Hands buffers taken with takePullScratch back for the next run over the same graph. */
export function releasePullScratch(graph: CreditGraph, scratch: PullScratch): void {
  pullScratch.set(graph, scratch);
}

/** Work maxima, the minimum contribution and the group-year cap over one dataset's publications (§3 steps 3–5). */
export function commitWorks(
  graph: CreditGraph,
  y: number,
  slot: number,
  pubCount: number,
  levelOf: LevelResolver,
  policy: MetricsPolicy,
  s: PullScratch,
  totals: CreditTotals,
  run: number,
): void {
  const { pub, pubs, work, workList } = s;
  const { ordinalOf, group, year } = s.works;
  const factors = policy.independenceFactors;
  let workCount = 0;
  for (let i = 0; i < pubCount; i += 1) {
    const p = pubs[i];
    const at = p * PUB_STRIDE;
    const r = pub[at + PUB_RAW];
    const c = pub[at + PUB_CUT];
    if (!(r > 0) && !(c > 0)) continue;
    const level = levelOf(p, y, pub[at + PUB_VIA]);
    const factor = factors[level];
    const w = ordinalOf[p];
    const wt = w * WORK_STRIDE;
    if (work[wt + WORK_STAMP] !== run) {
      work[wt + WORK_STAMP] = run;
      work[wt + WORK_BEST] = 0;
      work[wt + WORK_BEST_PUB] = -1;
      work[wt + WORK_SUM] = 0;
      work[wt + WORK_CUT] = 0;
      work[wt + WORK_INDEPENDENT] = 0;
      workList[workCount++] = w;
    }
    if (r > 0) {
      const value = r * factor;
      work[wt + WORK_SUM] += quantizeCredit(value);
      // The best manifestation counts; on a tie, the lowest id (so the independence flag never depends on order).
      const best = work[wt + WORK_BEST];
      if (value > best || (value === best && p < work[wt + WORK_BEST_PUB])) {
        work[wt + WORK_BEST] = value;
        work[wt + WORK_BEST_PUB] = p;
        work[wt + WORK_INDEPENDENT] = level === 'independent' ? 1 : 0;
      }
    }
    if (c > 0 && c * factor > work[wt + WORK_CUT]) work[wt + WORK_CUT] = c * factor;
  }
  if (workCount === 0) return;
  const order = workList.subarray(0, workCount).sort();
  const cap = policy.groupYearCap;
  // Every amount is quantized before it is added (quantizeCredit), so the sums are exact and do not depend on order.
  const commit = (w: number): void => {
    const best = quantizeCredit(work[w * WORK_STRIDE + WORK_BEST]);
    totals.total[slot] += best;
    if (work[w * WORK_STRIDE + WORK_INDEPENDENT] === 1) totals.independent[slot] += best;
    totals.contributors[slot] += 1;
  };
  const candidates: number[] = [];
  for (let i = 0; i < workCount;) {
    const first = order[i];
    let end = i + 1;
    while (end < workCount && group[order[end]] === group[first] && year[order[end]] === year[first]) end += 1;
    candidates.length = 0;
    for (let k = i; k < end; k += 1) {
      const w = order[k];
      if (work[w * WORK_STRIDE + WORK_CUT] > 0)
        totals.depthLimited[slot] += quantizeCredit(work[w * WORK_STRIDE + WORK_CUT]);
      const best = work[w * WORK_STRIDE + WORK_BEST];
      if (!(best > 0)) continue;
      const duplicate = work[w * WORK_STRIDE + WORK_SUM] - quantizeCredit(best);
      if (duplicate > 0) totals.duplicateWork[slot] += duplicate;
      if (best < policy.minContribution) totals.belowMinimum[slot] += quantizeCredit(best);
      else candidates.push(w);
    }
    const capped = group[first] >= 0 && Number.isFinite(cap);
    if (!capped || candidates.length <= cap) {
      for (const w of candidates) commit(w);
    } else {
      // The group's `cap` largest works count (ties: the earlier work); all are added in work order.
      const chosen = ++s.generation;
      for (const w of largest(candidates, cap, (w) => work[w * WORK_STRIDE + WORK_BEST])) s.chosenStamp[w] = chosen;
      for (const w of candidates) {
        if (s.chosenStamp[w] === chosen) commit(w);
        else totals.groupYearCapped[slot] += quantizeCredit(work[w * WORK_STRIDE + WORK_BEST]);
      }
    }
    i = end;
  }
}

/** The `k` works with the largest values (ties: the smaller ordinal), by insertion for the usual small cap. */
function largest(works: readonly number[], k: number, value: (work: number) => number): number[] {
  const better = (a: number, b: number): boolean => value(a) > value(b) || (value(a) === value(b) && a < b);
  if (k > 16) return [...works].sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0)).slice(0, k);
  const top: number[] = [];
  for (const w of works) {
    if (top.length === k) {
      if (!better(w, top[k - 1])) continue;
      top.pop();
    }
    let j = top.length;
    top.push(w);
    while (j > 0 && better(w, top[j - 1])) {
      top[j] = top[j - 1];
      j -= 1;
    }
    top[j] = w;
  }
  return top;
}

function binarySearch(sorted: Int32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] === value) return mid;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

const searchScratch = new WeakMap<CreditGraph, Int32Array>();

/**
 * What an incremental recompute must touch after a change. Pass both endpoints of every added, removed or
 * re-weighted edge and every node whose origin, retraction, work, group, year or independence changed. Totals can
 * change only at those nodes and their inputs up to maxDepth + 1 edges away (the extra edge for the depth-limit
 * report); each is recomputed from its own cone (computeTransitiveCredit).
 */
export function affectedSubgraph(
  changedNodeIds: readonly number[],
  graph: CreditGraph,
  policy: MetricsPolicy = METRICS_POLICY,
): AffectedSubgraph {
  const reach = policy.maxDepth + 1;
  const n = graph.nodeCount;
  // Kept per graph like the propagation buffers: every visited cell is set back to -1 before returning.
  const kept = searchScratch.get(graph);
  searchScratch.delete(graph);
  const depth = kept ?? new Int32Array(n).fill(-1);
  const nodes: number[] = [];
  for (const x of changedNodeIds) {
    if (x >= 0 && x < n && depth[x] < 0) {
      depth[x] = 0;
      nodes.push(x);
    }
  }
  for (let head = 0; head < nodes.length; head += 1) {
    const x = nodes[head];
    if (depth[x] >= reach) continue;
    for (let e = graph.outStart[x]; e < graph.outStart[x + 1]; e += 1) {
      const y = graph.outTo[e];
      if (depth[y] < 0) {
        depth[y] = depth[x] + 1;
        nodes.push(y);
      }
    }
  }
  for (const x of nodes) depth[x] = -1;
  searchScratch.set(graph, depth);
  return { nodes: Int32Array.from(nodes).sort() };
}

// ---------------------------------------------------------------------------------------------------------------
// Explanation of one dataset (GET /v1/datasets/:id/credit).
// ---------------------------------------------------------------------------------------------------------------

export interface CreditPath {
  readonly publication: number;
  /** Publication first, dataset last. */
  readonly nodes: readonly number[];
  /** c(P) × edge weights × multiplier; the weights of all listed paths add up to transitiveCredit. */
  readonly weight: number;
  readonly rawWeight: number;
  readonly multiplier: number;
  readonly independence: IndependenceLevel;
  /** One ledger seq per edge, in path order. */
  readonly ledgerSeqs: readonly string[];
}

export interface CreditExclusion {
  readonly reason: CreditExclusionReason;
  readonly publication?: number;
  readonly edge?: { readonly from: number; readonly to: number; readonly seq: string };
  readonly ref?: string;
  /** Credit that would have been counted. */
  readonly amount?: number;
}

export interface CreditExplanation {
  readonly dataset: number;
  readonly transitiveCredit: number;
  readonly independentCredit: number;
  /** selfShare × transitiveCredit: what the dataset's own creators keep (§3 step 4). */
  readonly retainedCredit: number;
  readonly selfShare: number;
  readonly pathCount: number;
  readonly paths: readonly CreditPath[];
  readonly excluded: readonly CreditExclusion[];
}

interface RawPath {
  readonly nodes: number[];
  readonly edges: number[];
  readonly raw: number;
}

/**
 * Every path from a publication down to `dataset` within maxDepth edges, with the same counting rules as
 * computeTransitiveCredit (work maxima, minimum contribution, group-year cap). Paths are enumerated by an
 * explicit-stack walk over consumers; `maxPaths` limits only what is listed, not what is summed.
 */
export function explainCredit(
  graph: CreditGraph,
  dataset: number,
  levelOf: LevelResolver,
  policy: MetricsPolicy = METRICS_POLICY,
  options: { readonly maxPaths?: number } = {},
): CreditExplanation {
  const maxDepth = policy.maxDepth;
  const byPublication = new Map<number, RawPath[]>();
  const tooDeep = new Map<number, number>();
  const retractedSeen = new Set<number>();
  const excludedSeen = new Set<number>();
  const excluded: CreditExclusion[] = [];

  const reportExcludedEdgesInto = (x: number): void => {
    for (const index of graph.excludedByTo.get(x) ?? []) {
      if (excludedSeen.has(index)) continue;
      excludedSeen.add(index);
      const edge = graph.excludedEdges[index];
      excluded.push({
        reason: edge.reason,
        edge: { from: edge.from, to: edge.to, seq: edge.seq },
        ...(edge.ref === undefined ? {} : { ref: edge.ref }),
      });
    }
  };

  // Walk consumers from the dataset: pathNodes[k] is k edges away from it.
  const pathNodes: number[] = [dataset];
  const pathEdges: number[] = [];
  const cursor: number[] = [graph.inStart[dataset]];
  const product: number[] = [1];
  reportExcludedEdgesInto(dataset);
  while (cursor.length > 0) {
    const k = cursor.length - 1;
    const x = pathNodes[k];
    if (cursor[k] >= graph.inStart[x + 1] || k > maxDepth) {
      cursor.pop();
      pathNodes.pop();
      pathEdges.pop();
      product.pop();
      continue;
    }
    const i = cursor[k]++;
    const consumer = graph.inFrom[i];
    const edge = graph.inEdge[i];
    const weight = product[k] * graph.outWeight[edge];
    pathNodes.push(consumer);
    pathEdges.push(edge);
    product.push(weight);
    cursor.push(graph.inStart[consumer]);
    const length = k + 1;
    if (graph.kind[consumer] === KIND_PUBLICATION) {
      if (graph.retracted[consumer] || graph.origin[consumer] <= 0) {
        if (length <= maxDepth) retractedSeen.add(consumer);
      } else if (length <= maxDepth) {
        const list = byPublication.get(consumer) ?? [];
        list.push({
          nodes: [...pathNodes].reverse(),
          edges: [...pathEdges].reverse(),
          raw: graph.origin[consumer] * weight,
        });
        byPublication.set(consumer, list);
      } else {
        tooDeep.set(consumer, (tooDeep.get(consumer) ?? 0) + graph.origin[consumer] * weight);
      }
    }
    if (length < maxDepth) reportExcludedEdgesInto(consumer);
  }

  for (const p of [...retractedSeen].sort((a, b) => a - b)) excluded.push({ reason: 'RETRACTED', publication: p });

  // Works: the best manifestation counts, the others are duplicates.
  interface WorkCandidate {
    readonly publication: number;
    readonly value: number;
    readonly level: IndependenceLevel;
  }
  const workMembers = new Map<number, WorkCandidate[]>();
  for (const [p, paths] of byPublication) {
    let raw = 0;
    for (const path of paths) raw += path.raw;
    const level = levelOf(p, dataset);
    const list = workMembers.get(graph.work[p]) ?? [];
    list.push({ publication: p, value: raw * policy.independenceFactors[level], level });
    workMembers.set(graph.work[p], list);
  }
  for (const [p, raw] of [...tooDeep].sort((a, b) => a[0] - b[0])) {
    excluded.push({
      reason: 'DEPTH_LIMIT',
      publication: p,
      amount: raw * policy.independenceFactors[levelOf(p, dataset)],
    });
  }

  interface Counted extends WorkCandidate {
    readonly bucket: string | null;
    readonly label: number;
  }
  const candidates: Counted[] = [];
  for (const [label, members] of workMembers) {
    members.sort((a, b) => b.value - a.value || a.publication - b.publication);
    const best = members[0];
    for (const other of members.slice(1)) {
      if (other.value > 0)
        excluded.push({ reason: 'DUPLICATE_WORK', publication: other.publication, amount: other.value });
    }
    if (best.value <= 0) continue;
    if (best.value < policy.minContribution) {
      excluded.push({ reason: 'BELOW_MIN_CONTRIBUTION', publication: best.publication, amount: best.value });
      continue;
    }
    const lead = best.publication;
    const capped = graph.group[lead] >= 0 && Number.isFinite(policy.groupYearCap);
    candidates.push({ ...best, label, bucket: capped ? `${graph.group[lead]}:${graph.year[lead]}` : null });
  }
  const counted: Counted[] = [];
  const byBucket = new Map<string, Counted[]>();
  for (const c of candidates) {
    if (c.bucket === null) counted.push(c);
    else byBucket.set(c.bucket, [...(byBucket.get(c.bucket) ?? []), c]);
  }
  for (const list of byBucket.values()) {
    list.sort((a, b) => b.value - a.value || a.label - b.label);
    list.forEach((c, rank) => {
      if (rank < policy.groupYearCap) counted.push(c);
      else excluded.push({ reason: 'GROUP_YEAR_CAP', publication: c.publication, amount: c.value });
    });
  }
  counted.sort((a, b) => a.label - b.label);

  let total = 0;
  let independentTotal = 0;
  const paths: CreditPath[] = [];
  for (const c of counted) {
    total += c.value;
    if (c.level === 'independent') independentTotal += c.value;
    const multiplier = policy.independenceFactors[c.level];
    for (const path of byPublication.get(c.publication) ?? []) {
      paths.push({
        publication: c.publication,
        nodes: path.nodes,
        weight: path.raw * multiplier,
        rawWeight: path.raw,
        multiplier,
        independence: c.level,
        ledgerSeqs: path.edges.map((e) => graph.outSeq[e].toString()),
      });
    }
  }
  paths.sort((a, b) => b.weight - a.weight || a.publication - b.publication || compareNumberLists(a.nodes, b.nodes));
  const limit = options.maxPaths ?? paths.length;
  return {
    dataset,
    transitiveCredit: total,
    independentCredit: independentTotal,
    retainedCredit: total * graph.selfShare[dataset],
    selfShare: graph.selfShare[dataset],
    pathCount: paths.length,
    paths: paths.slice(0, limit),
    excluded,
  };
}

function compareNumberLists(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

// ---------------------------------------------------------------------------------------------------------------
// Row-level entry points: string ids as stored, mapped to the compact graph.
// ---------------------------------------------------------------------------------------------------------------

/** A declared credit map for any node (dataset, panel or publication); inputs keyed by dataset or panel id. */
export interface DeclaredCreditMap {
  readonly nodeId: string;
  readonly self?: number;
  readonly inputs?: Readonly<Record<string, number>>;
}

/** The metrics input without citations (credit flows along reuse, derivation and panel edges), plus declared maps. */
export interface CreditRows extends Pick<
  DatasetMetricsInput,
  'datasets' | 'publications' | 'reuses' | 'derivations' | 'panels'
> {
  readonly creditMaps?: readonly DeclaredCreditMap[];
}

/** Independence of (publication id, dataset concept id); undefined falls back to the reuse records, then policy. */
export type RowLevelResolver = (publicationId: string, conceptId: string) => IndependenceLevel | undefined;

export interface RowCreditGraph {
  readonly graph: CreditGraph;
  /** Node index -> stored id (dataset concept id, panel id or publication id). */
  readonly ids: readonly string[];
  readonly datasetNode: ReadonlyMap<string, number>;
  readonly publicationNode: ReadonlyMap<string, number>;
  readonly levelOf: LevelResolver;
  /** Group and work labels in sorted order: graph.group and graph.work index them (a CreditEngine places new works). */
  readonly labels: WorkLabels;
}

export interface WorkLabels {
  readonly groups: readonly string[];
  readonly works: readonly string[];
}

/** LEVEL_RANK inverted: the level of each rank. */
export const LEVELS: readonly IndependenceLevel[] = ['independent', 'same-lab', 'co-authored'];

/**
 * Maps stored rows to the compact graph: dataset versions collapse into their concept, duplicate and linked
 * publications become one work, and disputed, retracted or weakly evidenced claims become excluded edges.
 */
export function buildCreditGraphFromRows(
  rows: CreditRows,
  policy: MetricsPolicy = METRICS_POLICY,
  resolve?: RowLevelResolver,
): RowCreditGraph {
  return new CreditRowsBuilder(policy, resolve).addRows(rows).build();
}

/** Ledger seq of a row: parsed on arrival; a missing or malformed one fails the build only if its edge is used. */
type RowSeq = bigint | { readonly invalid: string | undefined };

function rowSeq(seq: string | undefined): RowSeq {
  if (seq === undefined) return { invalid: undefined };
  try {
    return BigInt(seq);
  } catch {
    return { invalid: seq };
  }
}

function seqOf(seq: RowSeq, what: () => string): bigint {
  if (typeof seq === 'bigint') return seq;
  if (seq.invalid === undefined) throw new CreditGraphInputError(`${what()} has no ledger seq`);
  return toSeq(seq.invalid);
}

/** Ids as small integers: each id string is kept once however many rows name it. */
class IdTable {
  private readonly handles = new Map<string, number>();
  readonly names: string[] = [];

  handle(id: string): number {
    let h = this.handles.get(id);
    if (h === undefined) {
      h = this.names.length;
      this.handles.set(id, h);
      this.names.push(id);
    }
    return h;
  }

  find(id: string): number | undefined {
    return this.handles.get(id);
  }
}

/**
 * buildCreditGraphFromRows for rows that arrive one at a time (a cursor over the ledger's tables): each row is reduced
 * on arrival to what the graph needs (ids become integer handles, a publication loses its author list, a dataset
 * everything but its concept), so a full recompute never holds the rows themselves. Rows may come in any order.
 */
export class CreditRowsBuilder {
  private readonly ids = new IdTable();
  /** Dataset handle -> concept handle, in arrival order (a repeated id keeps its place and takes the last concept). */
  private readonly concepts = new Map<number, number>();
  private publications: PublicationFacts[] = [];
  private publicationHandles: number[] = [];
  private readonly groupKeys = new Map<string, string>();
  private reuses = {
    publication: [] as number[],
    reason: [] as number[],
    seq: [] as RowSeq[],
    /** Reuse ids, kept for excluded claims (reported with their ref) and rows without a seq (named in the error). */
    ref: new Map<number, string>(),
    start: [0] as number[],
    dataset: [] as number[],
    level: [] as number[],
  };
  private panels = {
    panel: [] as number[],
    publication: [] as number[],
    seq: [] as RowSeq[],
    start: [0] as number[],
    dataset: [] as number[],
  };
  private derivations = {
    from: [] as number[],
    to: [] as number[],
    seq: [] as RowSeq[],
    weak: [] as number[],
  };
  private readonly creditMaps: DeclaredCreditMap[] = [];

  constructor(
    private readonly policy: MetricsPolicy = METRICS_POLICY,
    private readonly resolve?: RowLevelResolver,
  ) {}

  addRows(rows: CreditRows): this {
    for (const row of rows.datasets) this.addDataset(row);
    for (const row of rows.publications) this.addPublication(row);
    for (const row of rows.reuses) this.addReuse(row);
    for (const row of rows.derivations ?? []) this.addDerivation(row);
    for (const row of rows.panels ?? []) this.addPanel(row);
    for (const map of rows.creditMaps ?? []) this.addCreditMap(map);
    return this;
  }

  addDataset(row: DatasetRow): void {
    this.concepts.set(this.ids.handle(row.id), this.ids.handle(row.conceptId ?? row.id));
  }

  addPublication(row: PublicationRow): void {
    const facts = publicationFacts(row);
    const handle = this.ids.handle(row.id);
    const id = this.ids.names[handle];
    this.publicationHandles.push(handle);
    let groupKey = facts.groupKey;
    if (groupKey !== null) {
      // Many publications share a last author: one copy of each group key.
      const known = this.groupKeys.get(groupKey);
      if (known === undefined) this.groupKeys.set(groupKey, groupKey);
      else groupKey = known;
    }
    this.publications.push({ ...facts, id, groupKey });
  }

  addReuse(row: ReuseRow): void {
    const r = this.reuses;
    const index = r.publication.length;
    r.publication.push(this.ids.handle(row.publicationId));
    const reason = reuseExclusionReason(this.policy, row, 'score');
    r.reason.push(reason === null ? 0 : EXCLUSION_CODES.indexOf(reason));
    const seq = rowSeq(row.seq);
    r.seq.push(seq);
    if (reason !== null || typeof seq !== 'bigint') r.ref.set(index, row.id);
    for (const datasetId of row.datasetIds) {
      r.dataset.push(this.ids.handle(datasetId));
      const level = row.levels[datasetId];
      r.level.push(level === undefined ? -1 : LEVEL_RANK[level]);
    }
    r.start.push(r.dataset.length);
  }

  addDerivation(row: DerivationRow): void {
    const x = this.derivations;
    x.from.push(this.ids.handle(row.datasetId));
    x.to.push(this.ids.handle(row.derivedFromId));
    x.seq.push(rowSeq(row.seq));
    x.weak.push(row.evidence !== undefined && !this.policy.counting.scoreEvidence.includes(row.evidence) ? 1 : 0);
  }

  addPanel(row: FigurePanelRow): void {
    const f = this.panels;
    f.panel.push(this.ids.handle(row.id));
    f.publication.push(this.ids.handle(row.publicationId));
    f.seq.push(rowSeq(row.seq));
    for (const datasetId of row.datasetIds) f.dataset.push(this.ids.handle(datasetId));
    f.start.push(f.dataset.length);
  }

  addCreditMap(map: DeclaredCreditMap): void {
    this.creditMaps.push(map);
  }

  private built = false;

  private release(): void {
    this.publications = [];
    this.publicationHandles = [];
    this.reuses = { publication: [], reason: [], seq: [], ref: new Map(), start: [0], dataset: [], level: [] };
    this.panels = { panel: [], publication: [], seq: [], start: [0], dataset: [] };
    this.derivations = { from: [], to: [], seq: [], weak: [] };
  }

  /** Dataset ids in the order they arrived (versions included). */
  datasetIds(): string[] {
    return [...this.concepts.keys()].map((h) => this.ids.names[h]);
  }

  /** Builds once: the rows it was fed are released as soon as they are edges (datasetIds() still answers). */
  build(): RowCreditGraph {
    if (this.built) throw new Error('a CreditRowsBuilder builds once');
    this.built = true;
    const { policy, resolve } = this;
    const names = this.ids.names;
    const works = groupWorkFacts(this.publications);
    // Node order: datasets (concepts), then panels, then publications, each by id. Handles map to nodes through one
    // array per kind: no id string is hashed again after it arrived.
    const byName = (a: number, b: number): number => compareStrings(names[a], names[b]);
    const conceptHandles = [...new Set(this.concepts.values())].sort(byName);
    const panelSet = new Set<number>();
    for (let i = 0; i < this.panels.panel.length; i += 1) {
      if (works.has(names[this.panels.publication[i]])) panelSet.add(this.panels.panel[i]);
    }
    const panelHandles = [...panelSet].sort(byName);
    const publicationHandles = [...new Set(this.publicationHandles)].sort(byName);
    const firstPanel = conceptHandles.length;
    const firstPublication = firstPanel + panelHandles.length;
    const nodeCount = firstPublication + publicationHandles.length;
    const ids: string[] = new Array<string>(nodeCount);
    const nodeArray = (handles: readonly number[], first: number): Int32Array => {
      const nodeOf = new Int32Array(names.length).fill(-1);
      handles.forEach((h, i) => {
        nodeOf[h] = first + i;
        ids[first + i] = names[h];
      });
      return nodeOf;
    };
    const conceptNodeOf = nodeArray(conceptHandles, 0);
    const panelNodeOf = nodeArray(panelHandles, firstPanel);
    const publicationNodeOf = nodeArray(publicationHandles, firstPublication);
    const datasetNodeOf = new Int32Array(names.length).fill(-1);
    const datasetNode = new Map<string, number>();
    for (const [dataset, concept] of this.concepts) {
      datasetNodeOf[dataset] = conceptNodeOf[concept];
      datasetNode.set(names[dataset], conceptNodeOf[concept]);
    }
    const publicationNode = new Map<string, number>();
    for (const h of publicationHandles) publicationNode.set(names[h], publicationNodeOf[h]);

    const declared = new Map<number, DeclaredCreditMap>();
    for (const map of this.creditMaps) {
      const h = this.ids.find(map.nodeId);
      const panel = h === undefined || panelNodeOf[h] < 0 ? undefined : panelNodeOf[h];
      const node = datasetNode.get(map.nodeId) ?? publicationNode.get(map.nodeId) ?? panel;
      if (node !== undefined) declared.set(node, map);
    }
    const declaredWeight = (from: number, inputId: string): number | undefined =>
      declared.size === 0 ? undefined : declared.get(from)?.inputs?.[inputId];

    const workLabels = [...new Set([...works.values()].map((w) => w.key))].sort(compareStrings);
    const workLabel = new Map(workLabels.map((key, i) => [key, i]));
    const groupLabels = [...new Set([...works.values()].map((w) => w.groupKey).filter((g) => g !== null))].sort(
      compareStrings,
    );
    const groupLabel = new Map(groupLabels.map((key, i) => [key, i]));

    const columns = nodeColumns(nodeCount);
    columns.kind.fill(KIND_DATASET, 0, firstPanel);
    columns.kind.fill(KIND_PANEL, firstPanel, firstPublication);
    columns.kind.fill(KIND_PUBLICATION, firstPublication, nodeCount);
    const preprint = new Set<string>();
    for (const p of this.publications) {
      if (p.preprint) preprint.add(p.id);
      else preprint.delete(p.id);
    }
    for (let i = firstPublication; i < nodeCount; i += 1) {
      const work = works.get(ids[i]) as WorkInfo;
      // A retracted manifestation retracts the work.
      columns.retracted[i] = work.retracted ? 1 : 0;
      columns.origin[i] = originCreditOf(work.retracted, preprint.has(ids[i]), policy);
      columns.work[i] = workLabel.get(work.key) as number;
      if (work.groupKey !== null) columns.group[i] = groupLabel.get(work.groupKey) as number;
      columns.year[i] = work.issuedDay === null ? 0 : utcYear(work.issuedDay);
    }
    for (const [node, map] of declared) if (map.self !== undefined) columns.selfShare[node] = map.self;

    const r = this.reuses;
    const f = this.panels;
    const x = this.derivations;
    const edges = new EdgeColumns(r.dataset.length + f.panel.length + f.dataset.length + x.from.length);
    for (let i = 0; i < r.publication.length; i += 1) {
      const from = publicationNodeOf[r.publication[i]];
      if (from < 0) continue;
      const reason = EXCLUSION_CODES[r.reason[i]] ?? undefined;
      for (let k = r.start[i]; k < r.start[i + 1]; k += 1) {
        const to = datasetNodeOf[r.dataset[k]];
        if (to < 0) continue;
        const weight = declaredWeight(from, names[r.dataset[k]]) ?? declaredWeight(from, ids[to]);
        const seq = seqOf(r.seq[i], () => `reuse ${r.ref.get(i)}`);
        // The claim's level rides on its edge (only a counted claim's: an excluded one passes no credit).
        edges.push(from, to, seq, weight, reason, r.ref.get(i), reason === undefined ? r.level[k] : -1);
      }
    }
    for (let i = 0; i < f.panel.length; i += 1) {
      const node = panelNodeOf[f.panel[i]];
      const publication = publicationNodeOf[f.publication[i]];
      if (node < 0 || publication < 0) continue;
      const seq = seqOf(f.seq[i], () => `panel ${names[f.panel[i]]}`);
      edges.push(publication, node, seq, declaredWeight(publication, names[f.panel[i]]), undefined, undefined);
      for (let k = f.start[i]; k < f.start[i + 1]; k += 1) {
        const to = datasetNodeOf[f.dataset[k]];
        if (to < 0) continue;
        const weight = declaredWeight(node, names[f.dataset[k]]) ?? declaredWeight(node, ids[to]);
        edges.push(node, to, seq, weight, undefined, undefined);
      }
    }
    for (let i = 0; i < x.from.length; i += 1) {
      const from = datasetNodeOf[x.from[i]];
      const to = datasetNodeOf[x.to[i]];
      if (from < 0 || to < 0 || from === to) continue;
      const weight = declaredWeight(from, names[x.to[i]]) ?? declaredWeight(from, ids[to]);
      const seq = seqOf(x.seq[i], () => `derivation ${names[x.from[i]]} <- ${names[x.to[i]]}`);
      edges.push(from, to, seq, weight, x.weak[i] === 1 ? 'EVIDENCE_TOO_WEAK' : undefined, undefined);
    }

    this.release();
    const graph = buildCreditGraphFromColumns(columns, edges, policy);
    // A reuse's level sits on its edge (graph.outLevel): the pull walk asks for one level per publication in a
    // dataset's cone, and a scan of the publication's few out-edges beats any map lookup.
    const edgeLevel = graph.outLevel;
    const edgeLevelOf = (publication: number, dataset: number): IndependenceLevel | undefined => {
      for (let e = graph.outStart[publication]; e < graph.outStart[publication + 1]; e += 1) {
        if (graph.outTo[e] === dataset) return edgeLevel[e] < 0 ? undefined : LEVELS[edgeLevel[e]];
      }
      return undefined;
    };
    const viaLevel = (via: number): IndependenceLevel | undefined =>
      via >= 0 && edgeLevel[via] >= 0 ? LEVELS[edgeLevel[via]] : undefined;
    const levelOf: LevelResolver = (publication, dataset, via, recorded) =>
      resolve?.(ids[publication], ids[dataset]) ??
      (via === undefined ? edgeLevelOf(publication, dataset) : viaLevel(via)) ??
      recorded ??
      policy.unknownIndependence;
    return { graph, ids, datasetNode, publicationNode, levelOf, labels: { groups: groupLabels, works: workLabels } };
  }
}

/** A publication's origin credit under the policy (a retracted manifestation retracts its work). */
export function originCreditOf(retracted: boolean, preprint: boolean, policy: MetricsPolicy): number {
  if (retracted) return policy.originCredit.retracted;
  return preprint ? policy.originCredit.preprint : policy.originCredit.article;
}

export interface DatasetCreditSummary {
  readonly datasetId: string;
  readonly conceptId: string;
  readonly transitiveCredit: number;
  readonly independentCredit: number;
  readonly retainedCredit: number;
  readonly selfShare: number;
  readonly clamped: boolean;
  readonly excludedCredit: Readonly<
    Record<'DEPTH_LIMIT' | 'BELOW_MIN_CONTRIBUTION' | 'GROUP_YEAR_CAP' | 'DUPLICATE_WORK', number>
  >;
}

/** One dataset's rounded credit figures from a computed run (versions share their concept's numbers). */
export function summarizeCredit(
  built: RowCreditGraph,
  totals: CreditTotals,
  datasetId: string,
  policy: MetricsPolicy,
): DatasetCreditSummary {
  const node = built.datasetNode.get(datasetId);
  const slot = node === undefined ? -1 : totals.slotOf(node);
  if (node === undefined || slot < 0) throw new CreditGraphInputError(`dataset ${datasetId} was not computed`);
  const round = (x: number): number => roundMetric(x, policy.outputDecimals);
  return {
    datasetId,
    conceptId: built.ids[node],
    transitiveCredit: round(totals.total[slot]),
    independentCredit: round(totals.independent[slot]),
    retainedCredit: round(totals.total[slot] * built.graph.selfShare[node]),
    selfShare: round(built.graph.selfShare[node]),
    clamped: built.graph.clamped[node] === 1,
    excludedCredit: {
      DEPTH_LIMIT: round(totals.depthLimited[slot]),
      BELOW_MIN_CONTRIBUTION: round(totals.belowMinimum[slot]),
      GROUP_YEAR_CAP: round(totals.groupYearCapped[slot]),
      DUPLICATE_WORK: round(totals.duplicateWork[slot]),
    },
  };
}

/** Rounded credit for every dataset in `rows.datasets` (versions share their concept's numbers). */
export function computeCreditFromRows(
  rows: CreditRows,
  policy: MetricsPolicy = METRICS_POLICY,
  resolve?: RowLevelResolver,
): Map<string, DatasetCreditSummary> {
  return computeCreditFromBuilder(new CreditRowsBuilder(policy, resolve).addRows(rows), policy);
}

/** computeCreditFromRows for rows fed to a builder (streamed): every dataset the builder saw, in arrival order. */
export function computeCreditFromBuilder(
  builder: CreditRowsBuilder,
  policy: MetricsPolicy = METRICS_POLICY,
): Map<string, DatasetCreditSummary> {
  const built = builder.build();
  const totals = computeTransitiveCredit(built.graph, built.levelOf, policy);
  const result = new Map<string, DatasetCreditSummary>();
  for (const id of builder.datasetIds()) result.set(id, summarizeCredit(built, totals, id, policy));
  return result;
}

export interface RowCreditPath {
  readonly publication: string;
  readonly nodes: readonly string[];
  readonly weight: number;
  readonly rawWeight: number;
  readonly multiplier: number;
  readonly independence: IndependenceLevel;
  readonly ledgerSeqs: readonly string[];
}

export interface RowCreditExclusion {
  readonly reason: CreditExclusionReason;
  readonly reuseId?: string;
  readonly publication?: string;
  readonly edge?: { readonly from: string; readonly to: string; readonly seq: string };
  readonly amount?: number;
}

export interface RowCreditExplanation {
  readonly datasetId: string;
  readonly transitiveCredit: number;
  readonly independentCredit: number;
  readonly retainedCredit: number;
  readonly pathCount: number;
  readonly paths: readonly RowCreditPath[];
  readonly excluded: readonly RowCreditExclusion[];
}

/** The body of GET /v1/datasets/:id/credit (plus additive fields), rounded at output. */
export function explainCreditFromRows(
  rows: CreditRows,
  datasetId: string,
  policy: MetricsPolicy = METRICS_POLICY,
  resolve?: RowLevelResolver,
  options: { readonly maxPaths?: number } = {},
): RowCreditExplanation {
  const built = buildCreditGraphFromRows(rows, policy, resolve);
  if (!built.datasetNode.has(datasetId)) throw new CreditGraphInputError(`dataset ${datasetId} is not in the rows`);
  return explainBuiltCredit(built, datasetId, policy, options);
}

/** One dataset's explanation over an already built graph, in stored ids and rounded at output. */
export function explainBuiltCredit(
  built: RowCreditGraph,
  datasetId: string,
  policy: MetricsPolicy,
  options: { readonly maxPaths?: number } = {},
): RowCreditExplanation {
  const node = built.datasetNode.get(datasetId);
  if (node === undefined) throw new CreditGraphInputError(`dataset ${datasetId} is not in the graph`);
  const explanation = explainCredit(built.graph, node, built.levelOf, policy, options);
  const round = (x: number): number => roundMetric(x, policy.outputDecimals);
  const id = (x: number): string => built.ids[x];
  return {
    datasetId,
    transitiveCredit: round(explanation.transitiveCredit),
    independentCredit: round(explanation.independentCredit),
    retainedCredit: round(explanation.retainedCredit),
    pathCount: explanation.pathCount,
    paths: explanation.paths.map((p) => ({
      publication: id(p.publication),
      nodes: p.nodes.map(id),
      weight: round(p.weight),
      rawWeight: round(p.rawWeight),
      multiplier: p.multiplier,
      independence: p.independence,
      ledgerSeqs: p.ledgerSeqs,
    })),
    excluded: explanation.excluded.map((x) => ({
      reason: x.reason,
      ...(x.ref !== undefined && x.edge !== undefined && built.graph.kind[x.edge.from] === KIND_PUBLICATION
        ? { reuseId: x.ref }
        : {}),
      ...(x.publication === undefined ? {} : { publication: id(x.publication) }),
      ...(x.edge === undefined ? {} : { edge: { from: id(x.edge.from), to: id(x.edge.to), seq: x.edge.seq } }),
      ...(x.amount === undefined ? {} : { amount: round(x.amount) }),
    })),
  };
}
