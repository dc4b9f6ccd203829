import { buildRuleInputs } from '../metrics/metrics-inputs.rules.js';
import type { MetricsSnapshot, SnapshotDataset } from '../metrics/metrics-inputs.rules.js';
import { METRICS_POLICY } from '../metrics/policy.rules.js';
import { nominateSymbionts } from './awards.rules.js';
import { metadataCompletenessOf, nominationInputOf } from './nomination-inputs.rules.js';

function dataset(id: string, fields: Partial<SnapshotDataset> = {}): SnapshotDataset {
  return {
    id,
    kind: 'image',
    creators: ['silva'],
    description: null,
    keywords: [],
    organism: null,
    imagingMethod: null,
    license: 'CC-BY-4.0',
    accession: 'idr0101',
    identifierCount: 0,
    landingPage: null,
    publisherId: null,
    grants: [],
    embargoUntil: null,
    releasedAt: '2020-01-01',
    previousVersionId: null,
    doi: null,
    doiState: 'none',
    withdrawn: false,
    registeredAt: '2020-01-01T00:00:00.000Z',
    seq: '3',
    recordedAt: '2020-01-01T00:00:00.000Z',
    ...fields,
  };
}

function world(d: SnapshotDataset): MetricsSnapshot {
  return {
    treeSize: '50',
    agents: [
      {
        id: 'silva',
        kind: 'person',
        name: 'Ana Silva',
        givenName: 'Ana',
        familyName: 'Silva',
        orcid: null,
        ror: null,
        affiliations: [],
        careerStage: 'early-career',
      },
      {
        id: 'novak',
        kind: 'person',
        name: 'Petra Novak',
        givenName: 'Petra',
        familyName: 'Novak',
        orcid: null,
        ror: null,
        affiliations: [],
        careerStage: null,
      },
    ],
    datasets: [d],
    publications: [
      {
        id: 'p1',
        doi: null,
        issued: '2021-03-01',
        preprint: false,
        retracted: false,
        authors: [{ agentId: 'novak', family: 'Novak', given: 'Petra' }],
        seq: '10',
        recordedAt: '2024-05-05T00:00:00.000Z',
      },
    ],
    reuses: [
      {
        id: 'r1',
        publicationId: 'p1',
        type: 'secondary-analysis',
        evidence: 'curated',
        status: 'active',
        resolvedOutcome: null,
        seq: '11',
        recordedAt: '2024-05-06T00:00:00.000Z',
        datasets: [{ datasetId: d.id, level: 'independent', edgeSeq: '12' }],
      },
    ],
    edges: [],
    citations: [],
  };
}

describe('metadataCompletenessOf', () => {
  it.each([
    [{}, 0.17],
    [{ description: 'Cells', keywords: ['mitosis'], organism: 'x', imagingMethod: 'y', landingPage: 'https://x' }, 1],
    [{ accession: null, description: '  ' }, 0],
    [{ accession: null, doi: '10.1/x', keywords: ['a'] }, 0.33],
  ])('%j -> %d', (fields, expected) => {
    expect(metadataCompletenessOf(dataset('d', fields))).toBe(expected);
  });
});

describe('nominationInputOf', () => {
  const nominate = (d: SnapshotDataset, asOf: string) => {
    const snap = world(d);
    return nominateSymbionts(
      nominationInputOf(snap, buildRuleInputs(snap), asOf, new Map()),
      { asOf, treeSize: snap.treeSize },
      METRICS_POLICY,
    );
  };

  it('nominates from a public accession, with the claim entry and its recording time as evidence', () => {
    const [n] = nominate(dataset('d1'), '2024-12-31');
    expect(n.agent).toBe('silva');
    expect(n.evidence.reuses).toEqual([
      expect.objectContaining({ id: 'r1', seq: '11', recordedAt: '2024-05-06T00:00:00.000Z' }),
    ]);
    expect(n.evidence.datasets[0]).toMatchObject({ seq: '3', metadataCompleteness: 0.17 });
  });

  it.each([
    ['an accession still under embargo at asOf', { embargoUntil: '2025-06-01' }],
    ['a withdrawn dataset', { withdrawn: true }],
    ['no accession and no findable DOI', { accession: null }],
    ['a non-open licence', { license: 'CC-BY-NC-4.0' }],
  ])('does not nominate %s', (_what, fields) => {
    expect(nominate(dataset('d1', fields), '2024-12-31')).toEqual([]);
  });

  it('takes a findable DOI as the persistent identifier, unless the dataset was withdrawn', () => {
    expect(
      nominate(dataset('d1', { accession: null, doi: '10.5555/x', doiState: 'findable' }), '2024-12-31'),
    ).toHaveLength(1);
    expect(
      nominate(
        dataset('d1', { accession: null, doi: '10.5555/x', doiState: 'findable', withdrawn: true }),
        '2024-12-31',
      ),
    ).toEqual([]);
  });
});
