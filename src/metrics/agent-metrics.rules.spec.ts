import {
  aggregateByFunder,
  aggregateDatasetMetrics,
  computeAgentMetrics,
  computeHIndex,
  median,
  personShare,
  type CreatorRow,
} from './agent-metrics.rules.js';
import type { DatasetMetrics } from './dataset-metrics.rules.js';
import { METRICS_POLICY, policyRef } from './policy.rules.js';

function metricsFor(
  datasetId: string,
  values: {
    conceptId?: string;
    citations?: number;
    total: number;
    independent: number;
    groups: string[];
    first?: string;
    days?: number;
    credit?: number;
  },
): DatasetMetrics {
  return {
    datasetId,
    conceptId: values.conceptId ?? datasetId,
    citations: values.citations ?? 0,
    reuses: {
      total: values.total,
      independent: values.independent,
      sameLab: 0,
      coAuthored: values.total - values.independent,
      byType: { benchmarking: 0, training: values.total, 'secondary-analysis': 0, integration: 0, replication: 0 },
    },
    independentGroups: values.groups.length,
    independentGroupKeys: values.groups,
    firstIndependentReuseAt: values.first ?? null,
    daysToFirstIndependentReuse: values.days ?? null,
    releasedAt: null,
    derivedDatasets: 1,
    figurePanels: 2,
    transitiveCredit: values.credit ?? null,
    cohort: { key: 'k', size: 1, percentile: null },
    policy: policyRef(METRICS_POLICY),
  };
}

describe('computeHIndex', () => {
  it.each([
    [[7, 4, 3, 1], 3],
    [[], 0],
    [[0, 0], 0],
    [[1], 1],
    [[100], 1],
    [[2, 2], 2],
    [[5, 5, 5, 5, 5], 5],
    [[3, 10, 4, 8, 5], 4],
    [[1, 1, 1], 1],
    [[6, 5, 3, 3, 3, 0], 3],
  ])('%j -> %s', (counts, h) => {
    expect(computeHIndex(counts)).toBe(h);
  });
});

describe('personShare', () => {
  const person = (agentId: string, degree?: CreatorRow['degree']): CreatorRow => ({ agentId, kind: 'person', degree });
  it.each([
    [[person('a'), person('b'), person('c'), { agentId: 'org', kind: 'organization' as const }], 'a', 1 / 3],
    [[person('a', 'lead'), person('b', 'supporting')], 'a', 1 / 1.5],
    [[person('a', 'lead'), person('b', 'supporting')], 'b', 0.5 / 1.5],
    // An unrecorded degree next to recorded ones counts as equal.
    [[person('a', 'supporting'), person('b')], 'b', 1 / 1.5],
    [[person('a'), person('a')], 'a', 1],
    [[person('a')], 'z', 0],
  ])('%j share of %s -> %s', (creators, agentId, expected) => {
    expect(personShare(creators, agentId, METRICS_POLICY)).toBeCloseTo(expected, 12);
  });
});

describe('computeAgentMetrics', () => {
  it('sums over the agent’s datasets, versions once, groups distinct', () => {
    const datasets = [
      {
        id: 'A',
        creators: [
          { agentId: 'me', kind: 'person' as const },
          { agentId: 'x', kind: 'person' as const },
        ],
      },
      {
        id: 'B',
        creators: [
          { agentId: 'me', kind: 'person' as const, degree: 'lead' as const },
          { agentId: 'y', kind: 'person' as const, degree: 'supporting' as const },
        ],
      },
      { id: 'B2', conceptId: 'B', creators: [{ agentId: 'me', kind: 'person' as const }] },
      { id: 'C', creators: [{ agentId: 'someone-else', kind: 'person' as const }] },
    ];
    const metrics = new Map([
      ['A', metricsFor('A', { total: 5, independent: 3, groups: ['g1', 'g2'] })],
      ['B', metricsFor('B', { total: 2, independent: 2, groups: ['g2', 'g3'] })],
      ['B2', metricsFor('B2', { conceptId: 'B', total: 2, independent: 2, groups: ['g2', 'g3'] })],
      ['C', metricsFor('C', { total: 9, independent: 9, groups: ['g9'] })],
    ]);
    const credit = new Map([
      ['A', { transitiveCredit: 0.5, selfShare: 1 }],
      ['B', { transitiveCredit: 0.4, selfShare: 0.5 }],
    ]);
    expect(computeAgentMetrics('me', datasets, metrics, credit, METRICS_POLICY)).toEqual({
      agentId: 'me',
      datasets: 2,
      reuses: 7,
      independentReuses: 5,
      independentGroups: 3,
      // 0.5 × 1 × 1/2 + 0.4 × 0.5 × 2/3 = 0.25 + 0.133333…
      transitiveCredit: 0.383333,
      // Independent counts [3, 2] -> 2.
      dataReuseHIndex: 2,
      policy: policyRef(METRICS_POLICY),
    });
  });
});

describe('aggregation', () => {
  const a = metricsFor('A', {
    citations: 3,
    total: 4,
    independent: 2,
    groups: ['g1'],
    first: '2021-05-01',
    days: 100,
    credit: 0.5,
  });
  const b = metricsFor('B', {
    citations: 1,
    total: 1,
    independent: 1,
    groups: ['g1', 'g2'],
    first: '2020-01-01',
    days: 40,
    credit: 0.25,
  });
  const c = metricsFor('C', { citations: 0, total: 0, independent: 0, groups: [] });

  it('aggregates a grant’s outputs', () => {
    expect(aggregateDatasetMetrics([a, b, c, a], METRICS_POLICY)).toMatchObject({
      datasets: 3,
      citations: 4,
      reuses: { total: 5, independent: 3, coAuthored: 2, byType: { training: 5 } },
      independentGroups: 2,
      firstIndependentReuseAt: '2020-01-01',
      medianDaysToFirstIndependentReuse: 70,
      derivedDatasets: 3,
      figurePanels: 6,
      transitiveCredit: 0.75,
      dataReuseHIndex: 1,
    });
  });

  it('counts a dataset shared by two grants of one funder once', () => {
    const metrics = new Map([
      ['A', a],
      ['B', b],
    ]);
    const result = aggregateByFunder(
      [
        { grantId: 'g-1', funderId: 'nih', datasetIds: ['A'] },
        { grantId: 'g-2', funderId: 'nih', datasetIds: ['A', 'B'] },
        { grantId: 'g-3', funderId: 'wellcome', datasetIds: ['B'] },
      ],
      metrics,
      METRICS_POLICY,
    );
    expect(result.get('nih')).toMatchObject({ datasets: 2, reuses: { total: 5 } });
    expect(result.get('wellcome')).toMatchObject({ datasets: 1, reuses: { total: 1 } });
  });

  it.each([
    [[], null],
    [[3], 3],
    [[1, 9, 5], 5],
    [[4, 1, 3, 2], 2.5],
  ])('median %j -> %s', (values, expected) => {
    expect(median(values)).toBe(expected);
  });
});
