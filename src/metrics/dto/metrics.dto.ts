import type { AgentMetricsView, DatasetMetricsView, GrantMetricsView } from '../metrics.service.js';
import { REUSE_TYPES } from '../policy.rules.js';
import type { MetricsPolicy } from '../policy.rules.js';

export class PolicyRefDto {
  /** Version of the metrics policy (every parameter that changes a number). */
  version: string;
  /** Hex SHA-256 of the RFC 8785 canonical JSON of all policy parameters. */
  hash: string;
}

export class ReuseCountsDto {
  /** Non-disputed reuse records, one per publication–dataset pair. */
  total: number;
  independent: number;
  sameLab: number;
  coAuthored: number;
  /** Keyed by reuse type (benchmarking, training, secondary-analysis, integration, replication). */
  byType: Record<string, number>;
}

export class CohortDto {
  /** imaging method × repository × release year (plus kind). */
  key: string;
  size: number;
  /** 100 × (below + ½ ties) / size of independent reuses; null below the policy's minimum cohort size. */
  percentile: number | null;
}

export class DatasetMetricsDto {
  dataset: string;
  /** Distinct citing works (one per work however often it cites the dataset; versions collapsed). */
  citations: number;
  reuses: ReuseCountsDto;
  /** Distinct citing groups among independent reuses (last author's ORCID, else name key). */
  independentGroups: number;
  /** Earliest issued date of a publication with an independent reuse. */
  firstIndependentReuseAt: string | null;
  /** Days from the dataset's first public date to that date; negative values flag inconsistent dates. */
  daysToFirstIndependentReuse: number | null;
  /** First public date used above (YYYY-MM-DD). */
  releasedAt: string | null;
  derivedDatasets: number;
  figurePanels: number;
  /** Credit received through publications (transitive credit, credit-and-compliance.md §3). */
  transitiveCredit: number;
  /** The part of transitiveCredit received from independent publications. */
  independentCredit: number;
  /** What the dataset's own creators keep: selfShare × transitiveCredit. */
  retainedCredit: number;
  /** Cohort percentile of independent reuses (not in contract v1; null for small cohorts). */
  percentile: number | null;
  cohort: CohortDto;
  policy: PolicyRefDto;
  computedAt: string;
  /** Ledger tree size the inputs were read at (decimal string). */
  treeSize: string;
}

export class CreditPathDto {
  publication: string;
  /** Node ids, publication first, dataset last. */
  nodes: string[];
  /** c(P) × edge weights × independence multiplier; the weights of all paths add up to transitiveCredit. */
  weight: number;
  rawWeight: number;
  multiplier: number;
  independence: string;
  /** One ledger seq per edge, in path order: the `edge.created` entry that recorded that graph edge. */
  ledgerSeqs: string[];
}

export class CreditExclusionDto {
  /** RETRACTED, DISPUTED, EVIDENCE_TOO_WEAK, DEPTH_LIMIT, BELOW_MIN_CONTRIBUTION, GROUP_YEAR_CAP, DUPLICATE_WORK */
  reason: string;
  reuseId?: string;
  publication?: string;
  edge?: { from: string; to: string; seq: string };
  amount?: number;
}

export class CreditCutoffsDto {
  /** Paths longer than this many edges are dropped (and reported). */
  depth: number;
  /** Contributions of one work below this are dropped (and reported). */
  epsilon: number;
}

export class DatasetCreditDto {
  dataset: string;
  transitiveCredit: number;
  independentCredit: number;
  retainedCredit: number;
  selfShare: number;
  /** Paths found; `paths` lists at most 500, strongest first. */
  pathCount: number;
  paths: CreditPathDto[];
  excluded: CreditExclusionDto[];
  cutoffs: CreditCutoffsDto;
  policy: PolicyRefDto;
  computedAt: string;
  treeSize: string;
}

export class AgentMetricsDto {
  agent: string;
  /** Datasets the agent created (versions collapsed). */
  datasets: number;
  reuses: number;
  independentReuses: number;
  independentGroups: number;
  /** Σ over the agent's datasets of retained credit × the agent's share of the creators. */
  transitiveCredit: number;
  /** Largest h such that h of the agent's datasets each have at least h independent reuses. */
  dataReuseHIndex: number;
  policy: PolicyRefDto;
  computedAt: string;
  treeSize: string;
}

export class GrantMetricsDto {
  grant: string;
  /** Dataset ids with a `funding` edge to the grant. */
  outputs: string[];
  datasets: number;
  citations: number;
  reuses: ReuseCountsDto;
  independentGroups: number;
  firstIndependentReuseAt: string | null;
  medianDaysToFirstIndependentReuse: number | null;
  derivedDatasets: number;
  figurePanels: number;
  transitiveCredit: number;
  dataReuseHIndex: number;
  policy: PolicyRefDto;
  computedAt: string | null;
  treeSize: string;
}

/** The contract's reuse types in a fixed order (jsonb storage does not keep key order). */
function byTypeOf(byType: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(REUSE_TYPES.map((t) => [t, byType[t] ?? 0]));
}

export function toDatasetMetricsDto(view: DatasetMetricsView): DatasetMetricsDto {
  const m = view.metrics;
  const c = view.credit.summary;
  return {
    dataset: view.datasetId,
    citations: m.citations,
    reuses: { ...m.reuses, byType: byTypeOf(m.reuses.byType) },
    independentGroups: m.independentGroups,
    firstIndependentReuseAt: m.firstIndependentReuseAt,
    daysToFirstIndependentReuse: m.daysToFirstIndependentReuse,
    releasedAt: m.releasedAt,
    derivedDatasets: m.derivedDatasets,
    figurePanels: m.figurePanels,
    transitiveCredit: c.transitiveCredit,
    independentCredit: c.independentCredit,
    retainedCredit: c.retainedCredit,
    percentile: m.cohort.percentile,
    cohort: { ...m.cohort },
    policy: { ...view.policy },
    computedAt: view.computedAt.toISOString(),
    treeSize: view.treeSize,
  };
}

export function toDatasetCreditDto(view: DatasetMetricsView, policy: MetricsPolicy): DatasetCreditDto {
  const e = view.credit.explanation;
  return {
    dataset: view.datasetId,
    transitiveCredit: e.transitiveCredit,
    independentCredit: e.independentCredit,
    retainedCredit: e.retainedCredit,
    selfShare: view.credit.summary.selfShare,
    pathCount: e.pathCount,
    paths: e.paths.map((p) => ({ ...p, nodes: [...p.nodes], ledgerSeqs: [...p.ledgerSeqs] })),
    excluded: e.excluded.map((x) => ({ ...x })),
    cutoffs: { depth: policy.maxDepth, epsilon: policy.minContribution },
    policy: { ...view.policy },
    computedAt: view.computedAt.toISOString(),
    treeSize: view.treeSize,
  };
}

export function toAgentMetricsDto(view: AgentMetricsView): AgentMetricsDto {
  const m = view.metrics;
  return {
    agent: m.agentId,
    datasets: m.datasets,
    reuses: m.reuses,
    independentReuses: m.independentReuses,
    independentGroups: m.independentGroups,
    transitiveCredit: m.transitiveCredit,
    dataReuseHIndex: m.dataReuseHIndex,
    policy: { ...m.policy },
    computedAt: view.computedAt.toISOString(),
    treeSize: view.treeSize,
  };
}

export function toGrantMetricsDto(view: GrantMetricsView): GrantMetricsDto {
  const m = view.metrics;
  return {
    grant: view.grantId,
    outputs: [...view.datasetIds],
    datasets: m.datasets,
    citations: m.citations,
    reuses: { ...m.reuses, byType: byTypeOf(m.reuses.byType) },
    independentGroups: m.independentGroups,
    firstIndependentReuseAt: m.firstIndependentReuseAt,
    medianDaysToFirstIndependentReuse: m.medianDaysToFirstIndependentReuse,
    derivedDatasets: m.derivedDatasets,
    figurePanels: m.figurePanels,
    transitiveCredit: m.transitiveCredit,
    dataReuseHIndex: m.dataReuseHIndex,
    policy: { ...m.policy },
    computedAt: view.computedAt === null ? null : view.computedAt.toISOString(),
    treeSize: view.treeSize,
  };
}
