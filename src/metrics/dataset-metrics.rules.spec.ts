import {
  computeCohortPercentiles,
  computeDatasetMetrics,
  groupKeyOf,
  groupWorks,
  kaplanMeierMedian,
  personKey,
  releaseDayOf,
  toUtcDay,
  type DatasetMetricsInput,
  type ReuseRow,
} from './dataset-metrics.rules.js';
import { METRICS_POLICY, policyRef } from './policy.rules.js';

describe('toUtcDay', () => {
  it.each([
    ['1970-01-01', 0],
    ['2020', 18262],
    ['2020-03', 18322],
    ['2020-03-01', 18322],
    // 23:30 at UTC-5 is already the next UTC day.
    ['2020-03-01T23:30:00-05:00', 18323],
    ['not a date', null],
    [null, null],
  ])('%s -> %s', (input, expected) => {
    expect(toUtcDay(input)).toBe(expected);
  });
});

describe('releaseDayOf', () => {
  it.each([
    [{ registeredAt: '2020-01-05T10:00:00Z' }, '2020-01-05'],
    [{ registeredAt: '2020-01-05', findableAt: '2020-02-01' }, '2020-02-01'],
    [{ registeredAt: '2020-01-05', findableAt: '2020-02-01', embargoUntil: '2021-01-01' }, '2021-01-01'],
    [{ registeredAt: '2020-01-05', embargoUntil: '2019-01-01' }, '2020-01-05'],
    [{ registeredAt: '2020-01-05', releasedAt: '2015-06-30' }, '2015-06-30'],
    [{}, null],
  ])('%j -> %s', (dates, expected) => {
    expect(releaseDayOf({ id: 'd', kind: 'image', ...dates })).toBe(expected === null ? null : toUtcDay(expected));
  });
});

describe('personKey and groupKeyOf', () => {
  it.each([
    [{ family: 'Müller', given: 'Jörg' }, 'name:muller|j'],
    [{ family: 'Ødegård', given: 'Åse' }, 'name:odegard|a'],
    [{ family: 'Wałęsa', given: 'Lech' }, 'name:walesa|l'],
    [{ family: 'Strauß' }, 'name:strauss'],
    [{ family: ' Van  der Berg ', given: 'anna' }, 'name:van der berg|a'],
    [{ literal: 'Jane Q Public' }, 'name:public|j'],
    [{ family: 'Other', orcid: 'https://orcid.org/0000-0002-1825-0097' }, 'orcid:0000-0002-1825-0097'],
    [{ given: 'Nobody' }, null],
  ])('%j -> %s', (author, expected) => {
    expect(personKey(author)).toBe(expected);
  });

  it.each([
    [[], null],
    [
      [
        { family: 'First', given: 'A' },
        { family: 'Last', given: 'Z', orcid: '0000-0002-1825-0097' },
      ],
      'orcid:0000-0002-1825-0097',
    ],
    [
      [
        { family: 'First', given: 'A' },
        { family: 'Last', given: 'Z' },
      ],
      'name:last|z',
    ],
    // The last author cannot be keyed: fall back to the first author.
    [[{ family: 'First', given: 'A' }, { given: 'Anonymous' }], 'name:first|a'],
  ])('group of %j -> %s', (authors, expected) => {
    expect(groupKeyOf(authors)).toBe(expected);
  });
});

describe('groupWorks', () => {
  it('merges duplicate DOIs and linked preprints, dating the work by its earliest member', () => {
    const works = groupWorks([
      { id: 'b-article', kind: 'article', issued: '2020-06-01', authors: [], sameWorkAs: ['a-preprint'] },
      { id: 'a-preprint', kind: 'preprint', issued: '2020-03-01', authors: [] },
      { id: 'c', kind: 'article', issued: '2021-01-01', doi: '10.1/X', authors: [] },
      { id: 'd', kind: 'article', issued: '2021-02-01', doi: 'https://doi.org/10.1/x', authors: [] },
      { id: 'e', kind: 'article', issued: '2021-02-01', doi: '10.1/y', authors: [] },
    ]);
    expect(works.get('b-article')).toMatchObject({
      key: 'a-preprint',
      memberIds: ['a-preprint', 'b-article'],
      representativeId: 'b-article',
      issuedDay: toUtcDay('2020-03-01'),
    });
    expect(works.get('d')?.memberIds).toEqual(['c', 'd']);
    expect(works.get('e')?.memberIds).toEqual(['e']);
  });
});

describe('computeCohortPercentiles', () => {
  const cohort = (values: readonly number[], name = 'c') =>
    values.map((value, i) => ({ id: `${name}${i}`, cohort: name, value }));

  it.each([
    // 20 distinct values 0..19: value 10 has 10 below and 1 tie -> 100 × 10.5 / 20.
    [Array.from({ length: 20 }, (_, i) => i), 'c10', 52.5],
    [Array.from({ length: 20 }, (_, i) => i), 'c0', 2.5],
    [Array.from({ length: 20 }, (_, i) => i), 'c19', 97.5],
    // All tied: the middle.
    [Array.from({ length: 20 }, () => 0), 'c3', 50],
    // Too small a cohort.
    [Array.from({ length: 19 }, (_, i) => i), 'c5', null],
  ])('cohort %j, %s -> %s', (values, id, expected) => {
    expect(computeCohortPercentiles(cohort(values), 20).get(id)?.percentile).toBe(expected);
  });

  it('keeps cohorts apart', () => {
    const result = computeCohortPercentiles([...cohort([1, 2], 'a'), ...cohort([5], 'b')], 1);
    expect(result.get('a1')).toEqual({ key: 'a', size: 2, percentile: 75 });
    expect(result.get('b0')).toEqual({ key: 'b', size: 1, percentile: 50 });
  });
});

describe('kaplanMeierMedian', () => {
  it.each([
    // S(10) = 4/5 = 0.8; censored at 20; S(30) = 0.8 × 2/3 = 0.533; S(40) = 0.533 × 1/2 = 0.267 -> 40.
    [
      [
        [10, true],
        [20, false],
        [30, true],
        [40, true],
        [50, false],
      ],
      40,
    ],
    // Two events at 5 out of 4 at risk: S(5) = 0.5 -> 5.
    [
      [
        [5, true],
        [5, true],
        [9, false],
        [12, true],
      ],
      5,
    ],
    // Not yet reused datasets are censored, not dropped: S never reaches 0.5.
    [
      [
        [3, true],
        [100, false],
        [100, false],
      ],
      null,
    ],
    [[], null],
  ] as const)('%j -> %s', (observations, expected) => {
    expect(kaplanMeierMedian(observations.map(([days, event]) => ({ days, event })))).toBe(expected);
  });
});

describe('computeDatasetMetrics', () => {
  const reuse = (
    id: string,
    publicationId: string,
    levels: ReuseRow['levels'],
    type: ReuseRow['type'],
    extra: Partial<ReuseRow> = {},
  ): ReuseRow => ({
    id,
    publicationId,
    datasetIds: Object.keys(levels),
    levels,
    type,
    evidence: 'asserted',
    status: 'active',
    ...extra,
  });
  const stone = { family: 'Stone', given: 'Bob' };
  const input: DatasetMetricsInput = {
    datasets: [
      { id: 'D1', kind: 'image', registeredAt: '2019-12-01', findableAt: '2020-01-10', imagingMethod: 'fbbi:confocal' },
      { id: 'D1v2', conceptId: 'D1', kind: 'image', registeredAt: '2021-01-01' },
      { id: 'D2', kind: 'derived', registeredAt: '2021-06-01' },
      { id: 'D3', kind: 'image', findableAt: '2021-01-01', embargoUntil: '2021-03-01' },
      { id: 'D4', kind: 'derived', registeredAt: '2022-01-15' },
    ],
    publications: [
      {
        id: 'P1',
        kind: 'article',
        issued: '2020-06-01',
        authors: [{ family: 'Lee', given: 'Ann', orcid: '0000-0002-1825-0097' }, stone],
      },
      { id: 'P1pre', kind: 'preprint', issued: '2020-03-01', authors: [stone], sameWorkAs: ['P1'] },
      { id: 'P2', kind: 'article', issued: '2021-01-15', doi: '10.1/x', authors: [{ family: 'Silva', given: 'Dana' }] },
      { id: 'P2dup', kind: 'article', issued: '2021-01-15', doi: 'https://doi.org/10.1/X', authors: [] },
      { id: 'P3', kind: 'article', issued: '2022-02-01', authors: [{ family: 'Eve', given: 'E' }, stone] },
      { id: 'P4', kind: 'article', issued: '2020-09-01', authors: [{ family: 'Gone' }], retracted: true },
      { id: 'P5', kind: 'article', issued: '2020-02-01', authors: [{ family: 'Own', given: 'O' }] },
      { id: 'P6', kind: 'article', issued: '2023-01-01', authors: [{ family: 'Disputer', given: 'D' }] },
      {
        id: 'P7',
        kind: 'article',
        issued: '2023-05-05',
        authors: [{ family: 'Q', given: 'Zed', orcid: '0000-0001-5109-3700' }],
      },
    ],
    reuses: [
      reuse('R1', 'P1', { D1: 'independent' }, 'secondary-analysis'),
      // The preprint of P1: same work, same pair.
      reuse('R1b', 'P1pre', { D1: 'independent' }, 'secondary-analysis', { evidence: 'curated' }),
      // Names a later version of D1: same concept.
      reuse('R2', 'P2', { D1v2: 'independent' }, 'training'),
      // Same DOI as P2 and judged same-lab: the pair takes the less independent level.
      reuse('R2d', 'P2dup', { D1: 'same-lab' }, 'benchmarking'),
      reuse('R3', 'P3', { D1: 'independent', D3: 'co-authored' }, 'integration'),
      reuse('R4', 'P4', { D1: 'independent' }, 'secondary-analysis'),
      reuse('R5', 'P5', { D1: 'co-authored' }, 'replication'),
      reuse('R6', 'P6', { D1: 'independent' }, 'secondary-analysis', { status: 'disputed' }),
      reuse('R7', 'P7', { D3: 'independent' }, 'secondary-analysis', { status: 'dispute-rejected' }),
    ],
    citations: [
      { citingId: 'ext-1', citingDoi: '10.9/ext', citedDatasetId: 'D1', relation: 'cites' },
      { citingId: 'ext-2', citingDoi: '10.9/EXT', citedDatasetId: 'D1', relation: 'References' },
      { citingId: 'ext-3', citingDoi: '10.9/other', citedDatasetId: 'D1', relation: 'IsDerivedFrom' },
      { citingId: 'P3', citedDatasetId: 'D1', relation: 'is-supplemented-by' },
    ],
    derivations: [
      { datasetId: 'D2', derivedFromId: 'D1' },
      { datasetId: 'D4', derivedFromId: 'D2' },
    ],
    panels: [
      { id: 'F1', publicationId: 'P5', datasetIds: ['D1', 'D2'] },
      { id: 'F2', publicationId: 'P4', datasetIds: ['D1'] },
    ],
  };

  it('counts D1 by hand', () => {
    const metrics = computeDatasetMetrics(input, METRICS_POLICY, { transitiveCredit: new Map([['D1', 0.25]]) });
    expect(metrics.get('D1')).toEqual({
      datasetId: 'D1',
      conceptId: 'D1',
      // P1, P1pre, doi 10.1/x (P2 = P2dup), P3, P5, doi 10.9/ext (ext-1 = ext-2); not P4 (retracted), P6 (disputed), ext-3.
      citations: 6,
      // Pairs: (P1+P1pre) independent, (P2+P2dup) same-lab, P3 independent, P5 co-authored.
      reuses: {
        total: 4,
        independent: 2,
        sameLab: 1,
        coAuthored: 1,
        byType: { benchmarking: 1, training: 1, 'secondary-analysis': 1, integration: 1, replication: 1 },
      },
      // P1 and P3 share their last author (Bob Stone): one group.
      independentGroups: 1,
      independentGroupKeys: ['name:stone|b'],
      // The linked preprint is earlier than P1.
      firstIndependentReuseAt: '2020-03-01',
      // 2020-01-10 -> 2020-03-01: 21 + 29 + 1 days.
      daysToFirstIndependentReuse: 51,
      releasedAt: '2020-01-10',
      derivedDatasets: 2,
      figurePanels: 1,
      transitiveCredit: 0.25,
      cohort: { key: 'image|fbbi:confocal|?|2020', size: 1, percentile: null },
      policy: policyRef(METRICS_POLICY),
    });
    expect(metrics.get('D1v2')?.reuses.total).toBe(4);
  });

  it.each([
    // dataset, citations, total, independent, coAuthored, groups, first independent, days, derived, panels
    ['D2', 1, 0, 0, 0, 0, null, null, 1, 1],
    // Release moved to the embargo end (2021-03-01); 2021-03-01 -> 2023-05-05 = 365 + 365 + 65 days.
    ['D3', 2, 2, 1, 1, 1, '2023-05-05', 795, 0, 0],
    ['D4', 0, 0, 0, 0, 0, null, null, 0, 0],
  ] as const)('%s', (id, citations, total, independent, coAuthored, groups, first, days, derived, panels) => {
    const m = computeDatasetMetrics(input, METRICS_POLICY).get(id);
    expect(m).toMatchObject({
      citations,
      reuses: { total, independent, coAuthored },
      independentGroups: groups,
      firstIndependentReuseAt: first,
      daysToFirstIndependentReuse: days,
      derivedDatasets: derived,
      figurePanels: panels,
      transitiveCredit: null,
    });
  });

  it('judges by the works’ own dates when asOf is given', () => {
    const m = computeDatasetMetrics(input, METRICS_POLICY, { asOf: '2021-12-31' }).get('D1');
    // P3 (2022) drops out; D4 (released 2022-01-15) is not yet downstream.
    expect(m).toMatchObject({ reuses: { total: 3, independent: 1, sameLab: 1, coAuthored: 1 }, derivedDatasets: 1 });
  });

  it('reports a negative delay when a reuse predates the release (dates to curate)', () => {
    const m = computeDatasetMetrics(
      {
        datasets: [{ id: 'X', kind: 'image', findableAt: '2020-01-10' }],
        publications: [{ id: 'P', kind: 'article', issued: '2020-01-01', authors: [{ family: 'A' }] }],
        reuses: [reuse('R', 'P', { X: 'independent' }, 'training')],
      },
      METRICS_POLICY,
    ).get('X');
    expect(m?.daysToFirstIndependentReuse).toBe(-9);
  });
});
