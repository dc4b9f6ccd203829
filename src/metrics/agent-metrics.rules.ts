import { compareStrings, type DatasetMetrics } from './dataset-metrics.rules.js';
import {
  policyRef,
  REUSE_TYPES,
  roundMetric,
  type MetricsPolicy,
  type PolicyRef,
  type ReuseType,
} from './policy.rules.js';

export type ContributorDegree = 'lead' | 'equal' | 'supporting';

export interface CreatorRow {
  readonly agentId: string;
  readonly kind: 'person' | 'organization';
  /** CRediT degree, when recorded. */
  readonly degree?: ContributorDegree | null;
}

export interface CreatedDatasetRow {
  readonly id: string;
  readonly conceptId?: string | null;
  readonly creators: readonly CreatorRow[];
}

export interface DatasetCredit {
  readonly transitiveCredit: number;
  /** Share of received credit the dataset keeps for its creators (its credit map's self share). */
  readonly selfShare: number;
}

export interface AgentMetrics {
  readonly agentId: string;
  readonly datasets: number;
  readonly reuses: number;
  readonly independentReuses: number;
  readonly independentGroups: number;
  readonly transitiveCredit: number;
  readonly dataReuseHIndex: number;
  readonly policy: PolicyRef;
}

/** The largest h such that h values are each ≥ h (§4: [7, 4, 3, 1] -> 3). */
export function computeHIndex(counts: readonly number[]): number {
  const sorted = [...counts].sort((a, b) => b - a);
  let h = 0;
  for (let i = 0; i < sorted.length; i += 1) {
    if (sorted[i] >= i + 1) h = i + 1;
    else break;
  }
  return h;
}

/**
 * A person's share of one dataset's retained credit: equal among person creators, or by CRediT degree when any is
 * recorded (lead and equal 1.0, supporting 0.5; an unrecorded degree counts as equal), normalised (§4).
 */
export function personShare(creators: readonly CreatorRow[], agentId: string, policy: MetricsPolicy): number {
  const people = creators.filter((c) => c.kind === 'person');
  const degreesRecorded = people.some((c) => c.degree);
  const weightOf = (c: CreatorRow): number => (degreesRecorded ? policy.contributorDegrees[c.degree ?? 'equal'] : 1);
  let total = 0;
  let mine = 0;
  const counted = new Set<string>();
  for (const c of people) {
    // The same person listed twice takes one share.
    if (counted.has(c.agentId)) continue;
    counted.add(c.agentId);
    const w = weightOf(c);
    total += w;
    if (c.agentId === agentId) mine += w;
  }
  return total === 0 ? 0 : mine / total;
}

/**
 * GET /v1/agents/:id/metrics over the datasets the agent created (versions collapse to one concept). Reuses and
 * independence are those of each dataset's own metrics, so independence is judged against that dataset's creators.
 */
export function computeAgentMetrics(
  agentId: string,
  datasets: readonly CreatedDatasetRow[],
  metrics: ReadonlyMap<string, DatasetMetrics>,
  credit: ReadonlyMap<string, DatasetCredit>,
  policy: MetricsPolicy,
): AgentMetrics {
  const byConcept = new Map<string, CreatedDatasetRow>();
  for (const d of [...datasets].sort((a, b) => compareStrings(a.id, b.id))) {
    if (!d.creators.some((c) => c.agentId === agentId)) continue;
    const concept = d.conceptId ?? d.id;
    if (!byConcept.has(concept)) byConcept.set(concept, d);
  }
  let reuses = 0;
  let independentReuses = 0;
  let transitiveCredit = 0;
  const groups = new Set<string>();
  const independentCounts: number[] = [];
  for (const concept of [...byConcept.keys()].sort(compareStrings)) {
    const d = byConcept.get(concept) as CreatedDatasetRow;
    const m = metrics.get(d.id);
    if (m) {
      reuses += m.reuses.total;
      independentReuses += m.reuses.independent;
      independentCounts.push(m.reuses.independent);
      for (const g of m.independentGroupKeys) groups.add(g);
    } else {
      independentCounts.push(0);
    }
    const c = credit.get(d.id);
    if (c) transitiveCredit += c.transitiveCredit * c.selfShare * personShare(d.creators, agentId, policy);
  }
  return {
    agentId,
    datasets: byConcept.size,
    reuses,
    independentReuses,
    independentGroups: groups.size,
    transitiveCredit: roundMetric(transitiveCredit, policy.outputDecimals),
    dataReuseHIndex: computeHIndex(independentCounts),
    policy: policyRef(policy),
  };
}

export interface AggregateMetrics {
  readonly datasets: number;
  /** Sum of per-dataset distinct citing works (a work citing two outputs counts twice). */
  readonly citations: number;
  readonly reuses: {
    readonly total: number;
    readonly independent: number;
    readonly sameLab: number;
    readonly coAuthored: number;
    readonly byType: Readonly<Record<ReuseType, number>>;
  };
  /** Distinct over all datasets. */
  readonly independentGroups: number;
  readonly firstIndependentReuseAt: string | null;
  /** Median over datasets that have an independent reuse. */
  readonly medianDaysToFirstIndependentReuse: number | null;
  readonly derivedDatasets: number;
  readonly figurePanels: number;
  readonly transitiveCredit: number;
  readonly dataReuseHIndex: number;
  readonly policy: PolicyRef;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** GET /v1/grants/:id/metrics: dataset metrics aggregated over a set of outputs, one per concept. */
export function aggregateDatasetMetrics(metrics: readonly DatasetMetrics[], policy: MetricsPolicy): AggregateMetrics {
  const byConcept = new Map<string, DatasetMetrics>();
  for (const m of [...metrics].sort((a, b) => compareStrings(a.datasetId, b.datasetId))) {
    if (!byConcept.has(m.conceptId)) byConcept.set(m.conceptId, m);
  }
  const byType = Object.fromEntries(REUSE_TYPES.map((t) => [t, 0])) as Record<ReuseType, number>;
  const groups = new Set<string>();
  const days: number[] = [];
  let first: string | null = null;
  let citations = 0;
  let total = 0;
  let independent = 0;
  let sameLab = 0;
  let coAuthored = 0;
  let derived = 0;
  let panels = 0;
  let credit = 0;
  const counts: number[] = [];
  for (const m of byConcept.values()) {
    citations += m.citations;
    total += m.reuses.total;
    independent += m.reuses.independent;
    sameLab += m.reuses.sameLab;
    coAuthored += m.reuses.coAuthored;
    for (const t of REUSE_TYPES) byType[t] += m.reuses.byType[t];
    for (const g of m.independentGroupKeys) groups.add(g);
    if (m.firstIndependentReuseAt !== null && (first === null || m.firstIndependentReuseAt < first)) {
      first = m.firstIndependentReuseAt;
    }
    if (m.daysToFirstIndependentReuse !== null) days.push(m.daysToFirstIndependentReuse);
    derived += m.derivedDatasets;
    panels += m.figurePanels;
    credit += m.transitiveCredit ?? 0;
    counts.push(m.reuses.independent);
  }
  return {
    datasets: byConcept.size,
    citations,
    reuses: { total, independent, sameLab, coAuthored, byType },
    independentGroups: groups.size,
    firstIndependentReuseAt: first,
    medianDaysToFirstIndependentReuse: median(days),
    derivedDatasets: derived,
    figurePanels: panels,
    transitiveCredit: roundMetric(credit, policy.outputDecimals),
    dataReuseHIndex: computeHIndex(counts),
    policy: policyRef(policy),
  };
}

export interface GrantOutputsRow {
  readonly grantId: string;
  readonly funderId: string;
  readonly datasetIds: readonly string[];
}

/** Funder portfolio: each funder's outputs over all its grants, a dataset shared by two grants counted once. */
export function aggregateByFunder(
  grants: readonly GrantOutputsRow[],
  metrics: ReadonlyMap<string, DatasetMetrics>,
  policy: MetricsPolicy,
): Map<string, AggregateMetrics> {
  const perFunder = new Map<string, Map<string, DatasetMetrics>>();
  for (const grant of grants) {
    let outputs = perFunder.get(grant.funderId);
    if (!outputs) perFunder.set(grant.funderId, (outputs = new Map<string, DatasetMetrics>()));
    for (const id of grant.datasetIds) {
      const m = metrics.get(id);
      if (m) outputs.set(id, m);
    }
  }
  const result = new Map<string, AggregateMetrics>();
  for (const funder of [...perFunder.keys()].sort(compareStrings)) {
    result.set(
      funder,
      aggregateDatasetMetrics([...(perFunder.get(funder) as Map<string, DatasetMetrics>).values()], policy),
    );
  }
  return result;
}
