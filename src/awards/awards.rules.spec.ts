import type { PublicationRow, ReuseRow } from '../metrics/dataset-metrics.rules.js';
import { METRICS_POLICY, policyRef } from '../metrics/policy.rules.js';
import {
  findCuratorConflict,
  nominate,
  nominateParasites,
  nominateSymbionts,
  type AwardCreatorRow,
  type AwardDatasetRow,
  type DatasetAwardCredit,
  type NominationInput,
} from './awards.rules.js';

const person = (name: string, extra: Partial<AwardCreatorRow> = {}): AwardCreatorRow => ({
  agentId: `agent-${name}`,
  kind: 'person',
  family: name,
  given: name.toUpperCase(),
  ...extra,
});

const dataset = (id: string, creators: AwardCreatorRow[], extra: Partial<AwardDatasetRow>): AwardDatasetRow => ({
  id,
  kind: 'image',
  creators,
  doiState: 'none',
  license: 'CC0-1.0',
  ...extra,
});

const publication = (id: string, issued: string, authors: string[], seq: string): PublicationRow => ({
  id,
  kind: 'article',
  issued,
  // Names starting with '~' have no linked agent.
  authors: authors.map((a) =>
    a.startsWith('~')
      ? { family: a.slice(1), given: 'X' }
      : { family: a, given: a.toUpperCase(), agentId: `agent-${a}` },
  ),
  seq,
  recordedAt: '2024-11-01T00:00:00Z',
});

const reuse = (
  id: string,
  publicationId: string,
  datasetId: string,
  type: ReuseRow['type'],
  seq: string,
  extra: Partial<ReuseRow> = {},
): ReuseRow => ({
  id,
  publicationId,
  datasetIds: [datasetId],
  levels: { [datasetId]: 'independent' },
  type,
  evidence: 'curated',
  status: 'active',
  seq,
  recordedAt: '2024-11-02T00:00:00Z',
  ...extra,
});

const input: NominationInput = {
  agents: [
    { id: 'agent-alice', careerStage: 'established' },
    { id: 'agent-bea', careerStage: 'early-career' },
    { id: 'agent-dan', careerStage: 'trainee' },
    { id: 'agent-fay', careerStage: 'established' },
  ],
  datasets: [
    // History loaded into the ledger in 2024: judged by its own 2018 release.
    dataset('DA', [person('alice'), person('bea', { roles: [{ role: 'data-curation', degree: 'lead' }] })], {
      doiState: 'findable',
      findableAt: '2018-01-01',
      license: 'CC-BY-4.0',
      seq: '1',
      recordedAt: '2024-01-01T00:00:00Z',
    }),
    dataset('DB', [person('carl')], {
      doiState: 'findable',
      findableAt: '2019-01-01',
      license: 'CC-BY-NC-4.0',
      seq: '2',
    }),
    dataset('DC', [person('carl')], { doiState: 'draft', registeredAt: '2019-01-01', seq: '4' }),
    dataset('DE', [person('erin')], {
      accession: 'S-BIAD1',
      accessionPublic: true,
      releasedAt: '2019-06-01',
      seq: '3',
    }),
    dataset('XD1', [person('dan')], { kind: 'derived', releasedAt: '2019-06-01', seq: '11' }),
    dataset('XD3', [person('fay')], { kind: 'derived', releasedAt: '2021-04-01', seq: '13' }),
    dataset('XD5', [person('fay')], { kind: 'derived', releasedAt: '2023-03-01', seq: '15' }),
  ],
  derivations: [
    { datasetId: 'XD1', derivedFromId: 'DA', seq: '21' },
    { datasetId: 'XD3', derivedFromId: 'DE', seq: '23' },
    { datasetId: 'XD5', derivedFromId: 'DA', seq: '25' },
  ],
  publications: [
    publication('Q1', '2019-05-01', ['dan', '~ginny', 'fay'], '31'),
    publication('Q2', '2020-03-01', ['hal', 'ivy'], '32'),
    publication('Q3', '2021-03-01', ['fay', 'jo'], '33'),
    publication('Q4', '2022-07-01', ['fay', 'kim'], '34'),
    publication('Q5', '2023-02-01', ['fay', 'lee'], '35'),
    publication('Q6', '2020-01-01', ['mo', 'ned'], '36'),
    publication('Q7', '2024-06-01', ['oz', 'pat'], '37'),
    publication('Q8', '2020-08-01', ['quinn', 'rob'], '38'),
  ],
  reuses: [
    reuse('U1', 'Q1', 'DA', 'secondary-analysis', '41'),
    reuse('U2', 'Q2', 'DA', 'integration', '42'),
    reuse('U3', 'Q3', 'DE', 'replication', '43'),
    reuse('U4', 'Q4', 'DE', 'secondary-analysis', '44'),
    reuse('U5', 'Q5', 'DA', 'integration', '45'),
    reuse('U6', 'Q6', 'DA', 'secondary-analysis', '46', { evidence: 'asserted' }),
    reuse('U7', 'Q7', 'DE', 'training', '47'),
    reuse('U8', 'Q8', 'DA', 'secondary-analysis', '48', { status: 'disputed' }),
  ],
};

const withCredit = (credit: Record<string, number>): NominationInput => ({
  ...input,
  credit: new Map<string, DatasetAwardCredit>(
    Object.entries(credit).map(([id, c]) => [id, { independentCredit: c, percentile: 80 }]),
  ),
});

describe('symbiont-style nominations', () => {
  it.each([
    // DA: groups {fox (Q1), ivy (Q2)} within 5 years (Q5 is too late); DE: {jo, kim, pat}. Ranked by credit first.
    ['credit decides', { DA: 0.9, DE: 0.5 }, '2024-12-31', ['agent-alice', 'agent-bea', 'agent-erin']],
    // Equal credit: DE has more independent groups (3 > 2).
    ['groups break a credit tie', { DA: 0.8, DE: 0.8 }, '2024-12-31', ['agent-erin', 'agent-alice', 'agent-bea']],
    // By 2022 both have 2 groups: DA was first reused sooner (485 days vs 639).
    [
      'time to first reuse breaks the next tie',
      { DA: 0.8, DE: 0.8 },
      '2022-12-31',
      ['agent-alice', 'agent-bea', 'agent-erin'],
    ],
    // Before any curated independent reuse of DE and before DA's second group: DA only.
    ['only what had happened by asOf', { DA: 0.8, DE: 0.8 }, '2019-12-31', ['agent-alice', 'agent-bea']],
  ])('%s', (_name, credit, asOf, expected) => {
    const nominations = nominateSymbionts(withCredit(credit), { asOf, treeSize: '99' }, METRICS_POLICY);
    expect(nominations.map((n) => n.agent)).toEqual(expected);
    expect(nominations.map((n) => n.rank)).toEqual(expected.map((_, i) => i + 1));
  });

  it('puts the early-career curator on the early-career track and keeps the evidence', () => {
    const nominations = nominateSymbionts(
      withCredit({ DA: 0.9, DE: 0.5 }),
      { asOf: '2024-12-31', treeSize: '99' },
      METRICS_POLICY,
    );
    const [alice, bea, erin] = nominations;
    expect([alice.track, bea.track, erin.track]).toEqual(['general', 'early-career', 'general']);
    expect(alice.score).toBe(0.9);
    expect(alice.evidence).toMatchObject({
      kind: 'symbiont',
      asOf: '2024-12-31',
      treeSize: '99',
      policy: policyRef(METRICS_POLICY),
      metrics: {
        bestDataset: 'DA',
        independentGroups: 2,
        firstIndependentReuseAt: '2019-05-01',
        // 2018-01-01 -> 2019-05-01: 365 + 120 days.
        daysToFirstIndependentReuse: 485,
        percentile: 80,
      },
      datasets: [
        { id: 'DA', openLicence: true, releasedAt: '2018-01-01', seq: '1', recordedAt: '2024-01-01T00:00:00Z' },
      ],
    });
    // Asserted (U6), disputed (U8) and out-of-window (U5) reuses are not evidence.
    expect(alice.evidence.reuses.map((r) => r.id)).toEqual(['U1', 'U2']);
    expect(alice.evidence.reuses[0]).toMatchObject({ recordedAt: '2024-11-02T00:00:00Z', seq: '41' });
    expect(alice.evidence.ledgerSeqs).toEqual(['1', '31', '32', '41', '42']);
  });

  it('needs the policy minimum of distinct independent groups', () => {
    const policy = { ...METRICS_POLICY, awards: { ...METRICS_POLICY.awards, minIndependentGroups: 3 } };
    const nominations = nominateSymbionts(
      withCredit({ DA: 0.9, DE: 0.5 }),
      { asOf: '2024-12-31', treeSize: '99' },
      policy,
    );
    expect(nominations.map((n) => n.agent)).toEqual(['agent-erin']);
  });

  it('skips datasets without an open licence or a persistent identifier', () => {
    const nominations = nominate(
      'symbiont',
      withCredit({ DB: 5, DC: 5 }),
      { asOf: '2024-12-31', treeSize: '1' },
      METRICS_POLICY,
    );
    expect(nominations.map((n) => n.agent)).not.toContain('agent-carl');
  });
});

describe('parasite-style nominations', () => {
  it.each([
    // fay: Q1 (last), Q3, Q4, Q5 over 4 years -> sustained; dan: trainee first author of Q1 -> junior.
    [
      '2024-12-31',
      [
        ['agent-fay', 'sustained', 4],
        ['agent-dan', 'junior', 1],
        ['agent-jo', 'general', 1],
        ['agent-kim', 'general', 1],
        ['agent-lee', 'general', 1],
      ],
    ],
    [
      '2022-01-01',
      [
        ['agent-fay', 'general', 2],
        ['agent-dan', 'junior', 1],
        ['agent-jo', 'general', 1],
      ],
    ],
    // Q3 is out but its derived deposit (XD3, 2021-04-01) is not yet released: Q3 does not qualify yet.
    [
      '2021-03-15',
      [
        ['agent-dan', 'junior', 1],
        ['agent-fay', 'general', 1],
      ],
    ],
  ])('as of %s', (asOf, expected) => {
    const nominations = nominateParasites(input, { asOf, treeSize: '50' }, METRICS_POLICY);
    expect(nominations.map((n) => [n.agent, n.track, n.score])).toEqual(expected);
  });

  it('ranks by distinct source groups after qualifying publications', () => {
    // lee's Q5 reused DA (group of Bell), kim's Q4 reused DE (Erin); add a second source for kim.
    const more: NominationInput = {
      ...input,
      reuses: [...input.reuses, reuse('U9', 'Q4', 'DA', 'secondary-analysis', '49')],
      datasets: [
        ...input.datasets,
        dataset('XD9', [person('kim')], { kind: 'derived', releasedAt: '2022-08-01', seq: '19' }),
      ],
      derivations: [...input.derivations, { datasetId: 'XD9', derivedFromId: 'DA', seq: '29' }],
    };
    const nominations = nominateParasites(more, { asOf: '2024-12-31', treeSize: '60' }, METRICS_POLICY);
    expect(nominations.map((n) => n.agent)).toEqual(['agent-fay', 'agent-kim', 'agent-dan', 'agent-jo', 'agent-lee']);
  });

  it('keeps roles, ledger times and the deposit in the evidence', () => {
    const [fay] = nominateParasites(input, { asOf: '2024-12-31', treeSize: '50' }, METRICS_POLICY);
    expect(fay.evidence.publications.map((p) => [p.id, p.role, p.recordedAt])).toEqual([
      ['Q1', 'last', '2024-11-01T00:00:00Z'],
      ['Q3', 'first', '2024-11-01T00:00:00Z'],
      ['Q4', 'first', '2024-11-01T00:00:00Z'],
      ['Q5', 'first', '2024-11-01T00:00:00Z'],
    ]);
    expect(fay.evidence.metrics).toEqual({
      qualifyingPublications: 4,
      sourceGroups: 2,
      calendarYears: 4,
      asFirstAuthor: 3,
    });
    expect(fay.evidence.derivedDatasets.map((d) => [d.id, d.derivedFrom])).toEqual([
      ['XD1', ['DA']],
      ['XD3', ['DE']],
      ['XD5', ['DA']],
    ]);
    const seqs = fay.evidence.ledgerSeqs;
    expect(seqs).toEqual(expect.arrayContaining(['1', '3', '11', '21', '31', '41', '45']));
    expect([...seqs].sort((a, b) => Number(a) - Number(b))).toEqual(seqs);
  });

  it('refuses a curator who is the nominee or appears in the evidence', () => {
    const [fay] = nominateParasites(input, { asOf: '2024-12-31', treeSize: '50' }, METRICS_POLICY);
    expect(findCuratorConflict('agent-fay', fay.agent, fay.evidence)).toBe('CURATOR_IS_NOMINEE');
    expect(findCuratorConflict('agent-dan', fay.agent, fay.evidence)).toBe('CURATOR_INVOLVED');
    expect(findCuratorConflict('agent-zed', fay.agent, fay.evidence)).toBeNull();
  });
});
