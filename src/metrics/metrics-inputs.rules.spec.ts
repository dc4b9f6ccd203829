import {
  buildLevelResolver,
  buildRuleInputs,
  conceptIdsOf,
  creditRowsAsOf,
  explainDataset,
  expandPanelPath,
  panelLinksOf,
  repositoryOf,
  reuseStatusOf,
  toCitationRows,
  toPanelRows,
  toReuseRows,
} from './metrics-inputs.rules.js';
import type {
  MetricsSnapshot,
  SnapshotAgent,
  SnapshotDataset,
  SnapshotEdge,
  SnapshotPublication,
  SnapshotReuse,
} from './metrics-inputs.rules.js';
import { METRICS_POLICY } from './policy.rules.js';
import { buildCreditGraphFromRows, computeCreditFromRows } from './transitive-credit.rules.js';

function agent(id: string, familyName: string, givenName: string, fields: Partial<SnapshotAgent> = {}): SnapshotAgent {
  return {
    id,
    kind: 'person',
    name: `${givenName} ${familyName}`,
    givenName,
    familyName,
    orcid: null,
    ror: null,
    affiliations: [],
    careerStage: null,
    ...fields,
  };
}

function dataset(id: string, creators: string[], fields: Partial<SnapshotDataset> = {}): SnapshotDataset {
  return {
    id,
    kind: 'image',
    creators,
    description: null,
    keywords: [],
    organism: null,
    imagingMethod: null,
    license: 'CC-BY-4.0',
    accession: null,
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
    seq: '1',
    recordedAt: null,
    ...fields,
  };
}

function publication(
  id: string,
  authors: Array<[string, string, string]>,
  fields: Partial<SnapshotPublication> = {},
): SnapshotPublication {
  return {
    id,
    doi: null,
    issued: '2021-01-01',
    preprint: false,
    retracted: false,
    authors: authors.map(([agentId, family, given]) => ({ agentId, family, given })),
    seq: '2',
    recordedAt: null,
    ...fields,
  };
}

function reuse(
  id: string,
  publicationId: string,
  datasets: Array<[string, SnapshotReuse['datasets'][number]['level'], string]>,
  fields: Partial<SnapshotReuse> = {},
): SnapshotReuse {
  return {
    id,
    publicationId,
    type: 'secondary-analysis',
    evidence: 'curated',
    status: 'active',
    resolvedOutcome: null,
    seq: `claim-of-${id}`,
    recordedAt: null,
    datasets: datasets.map(([datasetId, level, edgeSeq]) => ({ datasetId, level, edgeSeq })),
    ...fields,
  };
}

function edge(
  sourceId: string,
  sourceType: string,
  relation: string,
  targetId: string,
  targetType: string,
  seq: string,
): SnapshotEdge {
  return { sourceId, sourceType, relation, targetId, targetType, seq };
}

function snapshot(fields: Partial<MetricsSnapshot>): MetricsSnapshot {
  return {
    treeSize: '100',
    agents: [],
    datasets: [],
    publications: [],
    reuses: [],
    edges: [],
    citations: [],
    ...fields,
  };
}

describe('conceptIdsOf', () => {
  it('collapses a version chain into its first version and leaves unknown predecessors alone', () => {
    const concepts = conceptIdsOf([
      dataset('v1', []),
      dataset('v2', [], { previousVersionId: 'v1' }),
      dataset('v3', [], { previousVersionId: 'v2' }),
      dataset('orphan', [], { previousVersionId: 'gone' }),
    ]);
    expect(Object.fromEntries(concepts)).toEqual({ v1: 'v1', v2: 'v1', v3: 'v1', orphan: 'orphan' });
  });

  it('stops on a (corrupt) version cycle instead of looping', () => {
    const concepts = conceptIdsOf([
      dataset('a', [], { previousVersionId: 'b' }),
      dataset('b', [], { previousVersionId: 'a' }),
    ]);
    expect(concepts.get('a')).toBe('b');
    expect(concepts.get('b')).toBe('a');
  });
});

describe('repositoryOf', () => {
  it.each([
    ['idr0013', null, 'IDR'],
    ['S-BIAD123', null, 'S-BIAD'],
    ['EMPIAR-10001', null, 'EMPIAR'],
    ['BBBC021', 'pub', 'BBBC'],
    [null, 'pub', 'publisher:pub'],
    [null, null, null],
  ])('accession %s, publisher %s -> %s', (accession, publisherId, expected) => {
    expect(repositoryOf({ accession, publisherId })).toBe(expected);
  });
});

describe('reuseStatusOf', () => {
  it.each([
    ['active', null, 'active'],
    ['active', 'rejected', 'dispute-rejected'],
    ['disputed', null, 'disputed'],
    ['excluded', 'upheld', 'dispute-upheld'],
  ] as const)('%s (resolved %s) -> %s', (status, outcome, expected) => {
    expect(reuseStatusOf(status, outcome)).toBe(expected);
  });
});

describe('toReuseRows', () => {
  const snap = snapshot({
    reuses: [
      reuse(
        'r1',
        'p1',
        [
          ['d1', 'independent', '10'],
          ['d2', 'co-authored', '11'],
        ],
        { status: 'excluded' },
      ),
    ],
  });

  it('splits a reuse per dataset, with the usesDataFrom edge seq for credit', () => {
    expect(toReuseRows(snap, 'edge')).toEqual([
      expect.objectContaining({
        id: 'r1',
        datasetIds: ['d1'],
        levels: { d1: 'independent' },
        seq: '10',
        status: 'dispute-upheld',
      }),
      expect.objectContaining({ id: 'r1', datasetIds: ['d2'], levels: { d2: 'co-authored' }, seq: '11' }),
    ]);
  });

  it("uses the claim's own entry for awards", () => {
    expect(toReuseRows(snap, 'claim').map((r) => r.seq)).toEqual(['claim-of-r1', 'claim-of-r1']);
  });
});

describe('figure panels', () => {
  const snap = snapshot({
    edges: [
      edge('pub', 'Publication', 'hasPart', 'fig', 'Figure', '20'),
      edge('fig', 'Figure', 'hasPart', 'panel', 'FigurePanel', '21'),
      edge('panel', 'FigurePanel', 'wasDerivedFrom', 'd1', 'ImageDataset', '22'),
      edge('lonely', 'FigurePanel', 'wasDerivedFrom', 'd1', 'ImageDataset', '23'),
    ],
  });
  const links = panelLinksOf(snap);

  it('finds each panel with a publication above it, through its figure', () => {
    expect([...links.keys()]).toEqual(['panel']);
    expect(links.get('panel')).toMatchObject({ publicationId: 'pub', figureId: 'fig', partSeqs: ['20', '21'] });
    expect(toPanelRows(links)).toEqual([{ id: 'panel', publicationId: 'pub', datasetIds: ['d1'], seq: '21' }]);
  });

  it('spells a path through a panel out edge by edge, with each edge’s own seq', () => {
    const expanded = expandPanelPath(
      {
        publication: 'pub',
        nodes: ['pub', 'panel', 'd1'],
        weight: 0.4,
        rawWeight: 0.4,
        multiplier: 1,
        independence: 'independent',
        ledgerSeqs: ['21', '21'],
      },
      links,
    );
    expect(expanded.nodes).toEqual(['pub', 'fig', 'panel', 'd1']);
    expect(expanded.ledgerSeqs).toEqual(['20', '21', '22']);
  });

  it('leaves paths without panels alone', () => {
    const path = {
      publication: 'p',
      nodes: ['p', 'd1'],
      weight: 1,
      rawWeight: 1,
      multiplier: 1,
      independence: 'independent' as const,
      ledgerSeqs: ['5'],
    };
    expect(expandPanelPath(path, links)).toBe(path);
  });
});

describe('toCitationRows', () => {
  it('names a registered citing work by its publication id, others by DOI or identifier', () => {
    const snap = snapshot({
      publications: [publication('p1', [], { doi: '10.1000/abc' })],
      citations: [
        { citedDatasetId: 'd1', citingIdentifier: '10.1000/ABC', relation: 'References', seq: '1' },
        { citedDatasetId: 'd1', citingIdentifier: 'p1', relation: 'Cites', seq: '2' },
        { citedDatasetId: 'd1', citingIdentifier: '10.2000/other', relation: 'Cites', seq: '3' },
        { citedDatasetId: 'd1', citingIdentifier: 'https://example.org/thesis', relation: 'Cites', seq: '4' },
      ],
    });
    expect(toCitationRows(snap).map((c) => c.citingId)).toEqual([
      'p1',
      'p1',
      'doi:10.2000/other',
      'id:https://example.org/thesis',
    ]);
  });
});

// credit-and-compliance.md §3, worked example: D by Silva; F derived from D by Cho; P1 by Cho et al. reuses F;
// P2, a preprint by Silva's group, reuses D. Expected: D = 0.25 with two paths, F = 0.1 of which F keeps 0.05.
describe('the reference worked example, from stored rows', () => {
  const snap = snapshot({
    agents: [
      agent('silva', 'Silva', 'Ana'),
      agent('cho', 'Cho', 'Min'),
      agent('park', 'Park', 'Jin'),
      agent('roe', 'Roe', 'Bea'),
    ],
    datasets: [dataset('D', ['silva'], { seq: '1' }), dataset('F', ['cho'], { kind: 'derived', seq: '2' })],
    publications: [
      publication('P1', [
        ['cho', 'Cho', 'Min'],
        ['park', 'Park', 'Jin'],
      ]),
      publication(
        'P2',
        [
          ['roe', 'Roe', 'Bea'],
          ['silva', 'Silva', 'Ana'],
        ],
        { preprint: true },
      ),
    ],
    reuses: [reuse('R1', 'P1', [['F', 'co-authored', '30']]), reuse('R2', 'P2', [['D', 'co-authored', '31']])],
    edges: [edge('F', 'DerivedDataset', 'wasDerivedFrom', 'D', 'ImageDataset', '3')],
  });
  const inputs = buildRuleInputs(snap);
  const resolver = buildLevelResolver(snap, inputs.concepts);

  it('judges the pair no reuse names (P1, D) between P1’s authors and D’s creators', () => {
    expect(resolver('P1', 'D')).toBe('independent');
    expect(resolver('P1', 'F')).toBe('co-authored');
    expect(resolver('P2', 'D')).toBe('co-authored');
  });

  it('gives D 0.25 and F 0.1, F keeping 0.05', () => {
    const credit = computeCreditFromRows(inputs.credit, METRICS_POLICY, resolver);
    expect(credit.get('D')).toMatchObject({ transitiveCredit: 0.25, independentCredit: 0.2, retainedCredit: 0.25 });
    expect(credit.get('F')).toMatchObject({ transitiveCredit: 0.1, independentCredit: 0, retainedCredit: 0.05 });
  });

  it('explains D by the two paths, each edge named by its ledger seq', () => {
    const built = buildCreditGraphFromRows(inputs.credit, METRICS_POLICY, resolver);
    const explanation = explainDataset(built, 'D', inputs.panels, METRICS_POLICY, 10);
    expect(explanation.transitiveCredit).toBe(0.25);
    expect(explanation.paths.map((p) => [p.nodes.join('>'), p.weight, p.ledgerSeqs])).toEqual([
      ['P1>F>D', 0.2, ['30', '3']],
      ['P2>D', 0.05, ['31']],
    ]);
  });

  it('drops publications issued after asOf from credit inputs', () => {
    const before = creditRowsAsOf(inputs.credit, '2020-12-31');
    expect(before.publications).toEqual([]);
    expect(before.reuses).toEqual([]);
    expect(creditRowsAsOf(inputs.credit, '2021-01-01').publications).toHaveLength(2);
  });
});

describe('buildLevelResolver for pairs no reuse names', () => {
  const snap = snapshot({
    agents: [
      agent('lab', 'Lab', 'Alpha', {
        kind: 'organization',
        name: 'Lab Alpha',
        familyName: null,
        givenName: null,
        ror: 'https://ror.org/01abcde97',
      }),
      agent('a', 'Silva', 'Ana', { affiliations: ['lab'] }),
      agent('b', 'Lee', 'Jun', { affiliations: ['lab'] }),
      agent('c', 'Novak', 'Petra'),
    ],
    datasets: [dataset('D', ['a']), dataset('D2', ['a'], { previousVersionId: 'D' })],
    publications: [
      publication('same', [['b', 'Lee', 'Jun']]),
      publication('mine', [['x', 'Silva', 'A.']]),
      publication('other', [['c', 'Novak', 'Petra']]),
      publication('claimed', [['c', 'Novak', 'Petra']]),
    ],
    reuses: [reuse('r', 'claimed', [['D2', 'same-lab', '9']])],
  });
  const resolver = buildLevelResolver(snap, conceptIdsOf(snap.datasets));

  it.each([
    ['same', 'same-lab'],
    ['mine', 'co-authored'],
    ['other', 'independent'],
    // A claim on any version speaks for the concept.
    ['claimed', 'same-lab'],
  ])('%s -> %s', (publicationId, level) => {
    expect(resolver(publicationId, 'D')).toBe(level);
  });

  it('knows nothing of unknown publications', () => {
    expect(resolver('ghost', 'D')).toBeUndefined();
  });
});
