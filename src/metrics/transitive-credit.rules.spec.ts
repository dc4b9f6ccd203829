import { METRICS_POLICY, type IndependenceLevel, type MetricsPolicy } from './policy.rules.js';
import type { ReuseRow } from './dataset-metrics.rules.js';
import {
  affectedSubgraph,
  buildCreditGraph,
  computeCreditFromBuilder,
  computeCreditFromRows,
  CreditRowsBuilder,
  computeTransitiveCredit,
  CreditGraphCycleError,
  explainCredit,
  explainCreditFromRows,
  resolveCreditMap,
  wouldCreateCycle,
  type CreditEdgeRow,
  type CreditGraph,
  type CreditNodeRow,
  type CreditRows,
  type LevelResolver,
} from './transitive-credit.rules.js';
import { randomDag } from '../../test/support/random-credit-dag.js';
import { claimRow, ONE_DATASET_ONE_PAPER } from '../../test/support/credit-rows.js';

type NodeSpec = Omit<CreditNodeRow, 'id'>;
type EdgeSpec = [from: string, to: string, seq: number, extra?: Partial<CreditEdgeRow>];

interface Fixture {
  readonly graph: CreditGraph;
  readonly id: (name: string) => number;
  readonly levelOf: LevelResolver;
}

/** Names -> integer ids in declaration order; levels default to independent. */
function fixture(
  nodes: Record<string, NodeSpec>,
  edges: readonly EdgeSpec[],
  levels: Record<string, IndependenceLevel> = {},
  policy: MetricsPolicy = METRICS_POLICY,
): Fixture {
  const names = Object.keys(nodes);
  const id = (name: string): number => {
    const i = names.indexOf(name);
    if (i < 0) throw new Error(`unknown node ${name}`);
    return i;
  };
  const graph = buildCreditGraph(
    names.map((name, i) => ({ ...nodes[name], id: i })),
    edges.map(([from, to, seq, extra]) => ({ from: id(from), to: id(to), seq, ...extra })),
    policy,
  );
  const levelOf: LevelResolver = (p, d) => levels[`${names[p]}>${names[d]}`] ?? 'independent';
  return { graph, id, levelOf };
}

const dataset: NodeSpec = { kind: 'dataset' };
const article: NodeSpec = { kind: 'publication' };
const preprint: NodeSpec = { kind: 'publication', origin: 0.5 };

function totalsOf(f: Fixture, policy: MetricsPolicy = METRICS_POLICY) {
  const totals = computeTransitiveCredit(f.graph, f.levelOf, policy);
  return (name: string) => ({
    total: totals.total[f.id(name)],
    independent: totals.independent[f.id(name)],
    depthLimited: totals.depthLimited[f.id(name)],
    belowMinimum: totals.belowMinimum[f.id(name)],
    groupYearCapped: totals.groupYearCapped[f.id(name)],
    duplicateWork: totals.duplicateWork[f.id(name)],
  });
}

describe('resolveCreditMap', () => {
  it.each([
    // kind, declared self, declared weights, expected self, expected weights, clamped
    ['dataset', undefined, [], 1, [], false],
    ['dataset', undefined, [undefined, undefined], 0.5, [0.25, 0.25], false],
    ['panel', undefined, [undefined, undefined, undefined, undefined], 0, [0.25, 0.25, 0.25, 0.25], false],
    ['publication', undefined, [undefined, undefined], 0.6, [0.2, 0.2], false],
    ['publication', 0.5, [0.25, 0.25], 0.5, [0.25, 0.25], false],
    // Undeclared inputs share what the declared ones leave: 1 - 0.6 - 0.3 = 0.1.
    ['publication', 0.6, [0.3, undefined], 0.6, [0.3, 0.1], false],
    // Self clamped to 0.8, then 0.8 + 0.05 renormalised: 0.8 / 0.85 and 0.05 / 0.85.
    ['publication', 0.95, [0.05], 0.8 / 0.85, [0.05 / 0.85], true],
    // Inputs clamped to 0.05 and 0.9 around the default self 0.5: sum 1.45.
    ['dataset', undefined, [0.01, 0.99], 0.5 / 1.45, [0.05 / 1.45, 0.9 / 1.45], true],
    // Within bounds but not summing to 1: renormalised once and flagged.
    ['publication', 0.4, [0.4, 0.4], 0.4 / 1.2, [0.4 / 1.2, 0.4 / 1.2], true],
  ] as const)('%s self=%s weights=%j', (kind, self, weights, expectedSelf, expectedWeights, clamped) => {
    const map = resolveCreditMap(kind, self, weights, METRICS_POLICY);
    expect(map.self).toBeCloseTo(expectedSelf, 12);
    expect(Array.from(map.weights)).toHaveLength(expectedWeights.length);
    Array.from(map.weights).forEach((w, i) => expect(w).toBeCloseTo(expectedWeights[i], 12));
    expect(map.clamped).toBe(clamped);
  });
});

describe('computeTransitiveCredit on hand-computed graphs', () => {
  it('reproduces the worked example of credit-and-compliance.md §3', () => {
    // D image dataset by Silva; F derived from D by Cho; P1 by Cho et al. reuses F; P2 (preprint) by Silva reuses D.
    const f = fixture(
      { D: dataset, F: dataset, P1: article, P2: preprint },
      [
        ['F', 'D', 10],
        ['P1', 'F', 11],
        ['P2', 'D', 12],
      ],
      { 'P1>F': 'co-authored', 'P1>D': 'independent', 'P2>D': 'co-authored' },
    );
    const at = totalsOf(f);
    // P1 -> F: 0.4 × 0.25 = 0.1; P1 -> F -> D: 0.4 × 0.5 = 0.2; P2 -> D: 0.5 × 0.4 × 0.25 = 0.05.
    expect(at('D').total).toBeCloseTo(0.25, 9);
    expect(at('D').independent).toBeCloseTo(0.2, 9);
    expect(at('F').total).toBeCloseTo(0.1, 9);
    expect(f.graph.selfShare[f.id('F')] * at('F').total).toBeCloseTo(0.05, 9);

    const explanation = explainCredit(f.graph, f.id('D'), f.levelOf);
    expect(explanation.transitiveCredit).toBeCloseTo(0.25, 9);
    expect(explanation.paths.map((p) => ({ nodes: p.nodes, weight: p.weight, seqs: p.ledgerSeqs }))).toEqual([
      { nodes: [f.id('P1'), f.id('F'), f.id('D')], weight: expect.closeTo(0.2, 12), seqs: ['11', '10'] },
      { nodes: [f.id('P2'), f.id('D')], weight: expect.closeTo(0.05, 12), seqs: ['12'] },
    ]);
    expect(explanation.paths.map((p) => p.multiplier)).toEqual([1, 0.25]);
  });

  it.each([
    // A publication P reaching raw dataset D through F1 and F2 (diamond): 0.2 × 0.5 + 0.2 × 0.5 = 0.2, not 2 units.
    [
      'diamond through two derived datasets',
      [
        ['F1', 'D', 1],
        ['F2', 'D', 2],
        ['P', 'F1', 3],
        ['P', 'F2', 4],
      ],
      { D: 0.2, F1: 0.2, F2: 0.2 },
    ],
    // P reuses D directly and through F: 0.2 + 0.2 × 0.5 = 0.3.
    [
      'direct and derived route to the same dataset',
      [
        ['F', 'D', 1],
        ['P', 'D', 2],
        ['P', 'F', 3],
      ],
      { D: 0.3, F: 0.2 },
    ],
    // Publication -> panel (self 0) -> two datasets: 0.4 split in halves.
    [
      'figure panel is a view',
      [
        ['P', 'X', 1],
        ['X', 'D', 2],
        ['X', 'F', 3],
      ],
      { D: 0.2, F: 0.2 },
    ],
  ] as const)('%s', (_name, edges, expected) => {
    const f = fixture(
      { D: dataset, F: dataset, F1: dataset, F2: dataset, X: { kind: 'panel' }, P: article },
      edges as unknown as EdgeSpec[],
    );
    const at = totalsOf(f);
    for (const [node, value] of Object.entries(expected)) expect(at(node).total).toBeCloseTo(value, 9);
    const explained = explainCredit(f.graph, f.id('D'), f.levelOf);
    expect(explained.transitiveCredit).toBeCloseTo(expected.D, 9);
    expect(explained.paths.reduce((sum, p) => sum + p.weight, 0)).toBeCloseTo(expected.D, 9);
  });

  it.each([
    ['independent', 0.4],
    ['same-lab', 0.2],
    ['co-authored', 0.1],
  ] as const)('applies the %s multiplier where credit is received', (level, expected) => {
    const f = fixture({ D: dataset, P: article }, [['P', 'D', 1]], { 'P>D': level });
    expect(totalsOf(f)('D').total).toBeCloseTo(expected, 9);
  });

  it('does not compound multipliers along a path', () => {
    // P -> F co-authored, P -> F -> D independent: D gets the full 0.2.
    const f = fixture(
      { D: dataset, F: dataset, P: article },
      [
        ['F', 'D', 1],
        ['P', 'F', 2],
      ],
      { 'P>F': 'co-authored' },
    );
    expect(totalsOf(f)('D').total).toBeCloseTo(0.2, 9);
    expect(totalsOf(f)('F').total).toBeCloseTo(0.1, 9);
  });

  it('keeps a disputed reuse in the map but passes it no credit', () => {
    const f = fixture({ D1: dataset, D2: dataset, P: article }, [
      ['P', 'D1', 1],
      ['P', 'D2', 2, { excluded: 'DISPUTED', ref: 'reuse-2' }],
    ]);
    const at = totalsOf(f);
    expect(at('D1').total).toBeCloseTo(0.2, 9);
    expect(at('D2').total).toBe(0);
    expect(explainCredit(f.graph, f.id('D2'), f.levelOf).excluded).toEqual([
      { reason: 'DISPUTED', edge: { from: f.id('P'), to: f.id('D2'), seq: '2' }, ref: 'reuse-2' },
    ]);
  });

  it('gives a retracted publication nothing and reports it', () => {
    const f = fixture({ D: dataset, P: { kind: 'publication', retracted: true } }, [['P', 'D', 1]]);
    expect(totalsOf(f)('D').total).toBe(0);
    expect(explainCredit(f.graph, f.id('D'), f.levelOf).excluded).toEqual([
      { reason: 'RETRACTED', publication: f.id('P') },
    ]);
  });

  describe('depth cut-off', () => {
    // P -> X5 -> X4 -> X3 -> X2 -> X1 -> X0; flows 0.4, 0.2, 0.1, 0.05, 0.025, then 0.0125 on the sixth edge.
    const chain = (policy: MetricsPolicy): Fixture =>
      fixture(
        { X0: dataset, X1: dataset, X2: dataset, X3: dataset, X4: dataset, X5: dataset, P: article },
        [
          ['X1', 'X0', 1],
          ['X2', 'X1', 2],
          ['X3', 'X2', 3],
          ['X4', 'X3', 4],
          ['X5', 'X4', 5],
          ['P', 'X5', 6],
        ],
        {},
        policy,
      );

    it.each([
      ['X5', 0.4],
      ['X4', 0.2],
      ['X3', 0.1],
      ['X2', 0.05],
      ['X1', 0.025],
      ['X0', 0],
    ])('%s receives %s within 5 edges', (node, expected) => {
      expect(totalsOf(chain(METRICS_POLICY))(node).total).toBeCloseTo(expected, 9);
    });

    it('reports what the sixth edge would have carried', () => {
      const f = chain(METRICS_POLICY);
      expect(totalsOf(f)('X0').depthLimited).toBeCloseTo(0.0125, 9);
      expect(explainCredit(f.graph, f.id('X0'), f.levelOf).excluded).toEqual([
        { reason: 'DEPTH_LIMIT', publication: f.id('P'), amount: expect.closeTo(0.0125, 12) },
      ]);
    });

    it('counts the sixth edge when the policy allows 6', () => {
      const policy = { ...METRICS_POLICY, maxDepth: 6 };
      expect(totalsOf(chain(policy), policy)('X0').total).toBeCloseTo(0.0125, 9);
    });

    it('drops contributions under the minimum and reports them', () => {
      const policy = { ...METRICS_POLICY, minContribution: 0.03 };
      const f = chain(policy);
      const at = totalsOf(f, policy);
      expect(at('X2').total).toBeCloseTo(0.05, 9);
      expect(at('X1').total).toBe(0);
      expect(at('X1').belowMinimum).toBeCloseTo(0.025, 9);
      expect(explainCredit(f.graph, f.id('X1'), f.levelOf, policy).excluded).toEqual([
        { reason: 'BELOW_MIN_CONTRIBUTION', publication: f.id('P'), amount: expect.closeTo(0.025, 12) },
      ]);
    });
  });

  it('counts a preprint and its published version once, at the larger value', () => {
    const f = fixture(
      { D: dataset, A: { kind: 'publication', work: 7 }, B: { kind: 'publication', work: 7, origin: 0.5 } },
      [
        ['A', 'D', 1],
        ['B', 'D', 2],
      ],
    );
    const at = totalsOf(f);
    expect(at('D').total).toBeCloseTo(0.4, 9);
    expect(at('D').duplicateWork).toBeCloseTo(0.2, 9);
    const explained = explainCredit(f.graph, f.id('D'), f.levelOf);
    expect(explained.paths.map((p) => p.publication)).toEqual([f.id('A')]);
    expect(explained.excluded).toEqual([
      { reason: 'DUPLICATE_WORK', publication: f.id('B'), amount: expect.closeTo(0.2, 12) },
    ]);
  });

  it('caps one citing group at 3 works per dataset per calendar year', () => {
    const sameGroup = (year: number): NodeSpec => ({ kind: 'publication', group: 1, year });
    // Q reuses two datasets, so it passes only 0.2 to D and is the one left out.
    const f = fixture(
      {
        D: dataset,
        E: dataset,
        P1: sameGroup(2020),
        P2: sameGroup(2020),
        P3: sameGroup(2020),
        Q: sameGroup(2020),
        R: sameGroup(2021),
      },
      [
        ['P1', 'D', 1],
        ['P2', 'D', 2],
        ['P3', 'D', 3],
        ['Q', 'D', 4],
        ['Q', 'E', 5],
        ['R', 'D', 6],
      ],
    );
    const at = totalsOf(f);
    expect(at('D').total).toBeCloseTo(0.4 * 3 + 0.4, 9);
    expect(at('D').groupYearCapped).toBeCloseTo(0.2, 9);
    const explained = explainCredit(f.graph, f.id('D'), f.levelOf);
    expect(explained.transitiveCredit).toBeCloseTo(1.6, 9);
    expect(explained.excluded).toEqual([
      { reason: 'GROUP_YEAR_CAP', publication: f.id('Q'), amount: expect.closeTo(0.2, 12) },
    ]);
  });

  it('refuses cycles and self-loops', () => {
    expect(() =>
      fixture({ A: dataset, B: dataset, C: dataset }, [
        ['A', 'B', 1],
        ['B', 'C', 2],
        ['C', 'A', 3],
      ]),
    ).toThrow(CreditGraphCycleError);
    expect(() => fixture({ A: dataset }, [['A', 'A', 1]])).toThrow(CreditGraphCycleError);
    const f = fixture({ A: dataset, B: dataset, C: dataset }, [
      ['A', 'B', 1],
      ['B', 'C', 2],
    ]);
    expect(wouldCreateCycle(f.graph, f.id('C'), f.id('A'))).toBe(true);
    expect(wouldCreateCycle(f.graph, f.id('A'), f.id('C'))).toBe(false);
  });

  it('collapses duplicate edges to the lowest seq', () => {
    const f = fixture({ D: dataset, P: article }, [
      ['P', 'D', 9],
      ['P', 'D', 4],
    ]);
    expect(f.graph.edgeCount).toBe(1);
    expect(explainCredit(f.graph, f.id('D'), f.levelOf).paths[0].ledgerSeqs).toEqual(['4']);
    expect(totalsOf(f)('D').total).toBeCloseTo(0.4, 9);
  });
});

describe('affectedSubgraph', () => {
  it('covers the changed node and its inputs, and nothing downstream', () => {
    // P1 -> F -> D, P2 -> G (unrelated), P3 -> D.
    const f = fixture({ D: dataset, F: dataset, G: dataset, P1: article, P2: article, P3: article }, [
      ['F', 'D', 1],
      ['P1', 'F', 2],
      ['P2', 'G', 3],
      ['P3', 'D', 4],
    ]);
    const affected = affectedSubgraph([f.id('F')], f.graph);
    expect(Array.from(affected.nodes)).toEqual([f.id('D'), f.id('F')].sort((a, b) => a - b));
  });
});

describe('random DAGs', () => {
  it('agrees with path-by-path explanations on a 2,000-node graph with works, caps and disputes', () => {
    const { nodes, edges, levelOf } = randomDag(2000, 7);
    const graph = buildCreditGraph(nodes, edges);
    const totals = computeTransitiveCredit(graph, levelOf);
    let checked = 0;
    for (let d = 0; d < 1000; d += 7) {
      const explained = explainCredit(graph, d, levelOf);
      // Totals add amounts quantized to 2^-32 (at most 1.2e-10 off each); explanations add exact path weights.
      expect(explained.transitiveCredit).toBeCloseTo(totals.total[d], 8);
      expect(explained.independentCredit).toBeCloseTo(totals.independent[d], 8);
      if (totals.total[d] > 0) checked += 1;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('recomputes only the affected subgraph after an edge is added, with the same numbers', () => {
    const { nodes, edges, levelOf } = randomDag(3000, 11);
    const before = computeTransitiveCredit(buildCreditGraph(nodes, edges), levelOf);
    // A new reuse: the last publication now also reuses dataset 10.
    const added: CreditEdgeRow = { from: nodes.length - 1, to: 10, seq: 1_000_000 };
    const graph = buildCreditGraph(nodes, [...edges, added]);
    const full = computeTransitiveCredit(graph, levelOf);
    const affected = affectedSubgraph([added.from, added.to], graph);
    const incremental = computeTransitiveCredit(graph, levelOf, METRICS_POLICY, { affected });
    expect(affected.nodes.length).toBeLessThan(nodes.length / 2);
    // One slot per affected node, not whole-graph arrays; nodes outside the run have no slot.
    expect(incremental.total.length).toBe(affected.nodes.length);
    const outside = nodes.findIndex((_, x) => !affected.nodes.includes(x));
    expect(incremental.slotOf(outside)).toBe(-1);
    expect(affected.nodes.every((x, slot) => incremental.slotOf(x) === slot)).toBe(true);
    for (const x of affected.nodes) expect(incremental.total[incremental.slotOf(x)]).toBe(full.total[x]);
    const inAffected = new Set(affected.nodes);
    for (let x = 0; x < nodes.length; x += 1) if (!inAffected.has(x)) expect(full.total[x]).toBe(before.total[x]);
    expect(full.total[10]).toBeGreaterThan(before.total[10]);
  });

  it('gives the full numbers on every one of many incremental runs over the same graph, after a failed one too', () => {
    const { nodes, edges, levelOf } = randomDag(3000, 13);
    const graph = buildCreditGraph(nodes, edges);
    const full = computeTransitiveCredit(graph, levelOf);
    // A resolver that throws mid-propagation must not leave stale flow behind for the next run.
    const failing: LevelResolver = () => {
      throw new Error('resolver failed');
    };
    expect(() => computeTransitiveCredit(graph, failing)).toThrow('resolver failed');
    const publications = nodes.flatMap((node, i) => (node.kind === 'publication' ? [i] : []));
    let compared = 0;
    for (let run = 0; run < 40; run += 1) {
      const changed = [publications[(run * 37) % publications.length], (run * 53) % 1000];
      const affected = affectedSubgraph(changed, graph);
      const incremental = computeTransitiveCredit(graph, levelOf, METRICS_POLICY, { affected });
      for (const x of affected.nodes) {
        // The same cone, the same additions in the same order: equal to the last bit.
        const slot = incremental.slotOf(x);
        expect(slot).toBeGreaterThanOrEqual(0);
        expect(incremental.total[slot]).toBe(full.total[x]);
        expect(incremental.independent[slot]).toBe(full.independent[x]);
        expect(incremental.depthLimited[slot]).toBe(full.depthLimited[x]);
        expect(incremental.groupYearCapped[slot]).toBe(full.groupYearCapped[x]);
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(80);
    // And the full run itself is unchanged by the runs before it.
    const again = computeTransitiveCredit(graph, levelOf);
    for (let x = 0; x < graph.nodeCount; x += 1) expect(again.total[x]).toBe(full.total[x]);
  });

  it('recomputes a 100,000-node random DAG in full', () => {
    const { nodes, edges, levelOf } = randomDag(100_000, 3);
    const graph = buildCreditGraph(nodes, edges);
    const totals = computeTransitiveCredit(graph, levelOf);
    let credited = 0;
    let invalid = 0;
    for (let x = 0; x < graph.nodeCount; x += 1) {
      if (!Number.isFinite(totals.total[x]) || totals.total[x] < 0) invalid += 1;
      if (totals.total[x] > 0) credited += 1;
    }
    expect(invalid).toBe(0);
    expect(credited).toBeGreaterThan(10_000);
  });
});

describe('row-level entry points', () => {
  const rows: CreditRows = {
    datasets: [
      { id: 'ds-D', kind: 'image', findableAt: '2019-01-01' },
      { id: 'ds-D2', conceptId: 'ds-D', kind: 'image', findableAt: '2020-01-01' },
      { id: 'ds-F', kind: 'derived', findableAt: '2020-01-01' },
    ],
    publications: [
      { id: 'pub-1', kind: 'article', issued: '2021-02-01', authors: [{ family: 'Cho', given: 'Min' }] },
      { id: 'pub-2', kind: 'preprint', issued: '2020-05-01', authors: [{ family: 'Silva', given: 'Ana' }] },
    ],
    reuses: [
      {
        id: 'reuse-1',
        publicationId: 'pub-1',
        datasetIds: ['ds-F'],
        type: 'secondary-analysis',
        levels: { 'ds-F': 'co-authored' },
        evidence: 'asserted',
        status: 'active',
        seq: '41',
      },
      // Names a later version: credited to the concept.
      {
        id: 'reuse-2',
        publicationId: 'pub-2',
        datasetIds: ['ds-D2'],
        type: 'training',
        levels: { 'ds-D2': 'co-authored' },
        evidence: 'curated',
        status: 'active',
        seq: '42',
      },
      {
        id: 'reuse-3',
        publicationId: 'pub-1',
        datasetIds: ['ds-D'],
        type: 'training',
        levels: { 'ds-D': 'independent' },
        evidence: 'asserted',
        status: 'disputed',
        seq: '43',
      },
    ],
    derivations: [{ datasetId: 'ds-F', derivedFromId: 'ds-D', seq: '40' }],
  };
  // Cho did not create D: judged independent by the caller's independence rules.
  const resolve = (publicationId: string, conceptId: string): IndependenceLevel | undefined =>
    publicationId === 'pub-1' && conceptId === 'ds-D' ? 'independent' : undefined;

  it('computes the worked example from stored rows, versions collapsed', () => {
    const credit = computeCreditFromRows(rows, METRICS_POLICY, resolve);
    // pub-1 now splits 0.4 over F and the disputed D reuse: F gets 0.2 × 0.25 = 0.05; D gets 0.2 × 0.5 = 0.1 via F.
    // pub-2 (preprint) -> D: 0.5 × 0.4 × 0.25 = 0.05.
    expect(credit.get('ds-D')).toMatchObject({ transitiveCredit: 0.15, independentCredit: 0.1, retainedCredit: 0.15 });
    expect(credit.get('ds-D2')?.transitiveCredit).toBe(0.15);
    expect(credit.get('ds-F')).toMatchObject({ transitiveCredit: 0.05, retainedCredit: 0.025, selfShare: 0.5 });
  });

  it('explains the credit with ledger seqs and the disputed reuse', () => {
    const explanation = explainCreditFromRows(rows, 'ds-D', METRICS_POLICY, resolve);
    expect(explanation.transitiveCredit).toBe(0.15);
    expect(explanation.paths).toEqual([
      expect.objectContaining({
        publication: 'pub-1',
        nodes: ['pub-1', 'ds-F', 'ds-D'],
        weight: 0.1,
        ledgerSeqs: ['41', '40'],
      }),
      expect.objectContaining({ publication: 'pub-2', nodes: ['pub-2', 'ds-D'], weight: 0.05, ledgerSeqs: ['42'] }),
    ]);
    expect(explanation.excluded).toEqual([
      { reason: 'DISPUTED', reuseId: 'reuse-3', edge: { from: 'pub-1', to: 'ds-D', seq: '43' } },
    ]);
  });
  it('gives the same numbers when the rows stream into a builder one at a time, in any order', () => {
    const expected = computeCreditFromRows(rows, METRICS_POLICY, resolve);
    const builder = new CreditRowsBuilder(METRICS_POLICY, resolve);
    // References before the rows they name: reuses and derivations first, datasets last.
    for (const row of [...rows.reuses].reverse()) builder.addReuse(row);
    for (const row of rows.derivations ?? []) builder.addDerivation(row);
    for (const row of [...rows.publications].reverse()) builder.addPublication(row);
    for (const row of rows.datasets) builder.addDataset(row);
    const streamed = computeCreditFromBuilder(builder, METRICS_POLICY);
    expect([...streamed.keys()]).toEqual(['ds-D', 'ds-D2', 'ds-F']);
    expect(streamed).toEqual(expected);
  });

  it("takes the least independent level of the counted claims behind one edge, never an excluded claim's", () => {
    const claim = (id: string, level: IndependenceLevel, status: ReuseRow['status'], seq: string): ReuseRow =>
      claimRow({ id, level, status, seq });
    const credit = (reuses: ReuseRow[]): number =>
      computeCreditFromRows({ ...ONE_DATASET_ONE_PAPER, reuses }).get('ds-A')?.transitiveCredit ?? Number.NaN;
    // One unit, self 0.6: the dataset receives 0.4 × the multiplier of the pair.
    expect(credit([claim('r1', 'independent', 'active', '1')])).toBe(0.4);
    expect(credit([claim('r1', 'independent', 'active', '1'), claim('r2', 'same-lab', 'active', '2')])).toBe(0.2);
    expect(credit([claim('r2', 'same-lab', 'active', '2'), claim('r1', 'independent', 'active', '1')])).toBe(0.2);
    // A disputed claim does not lower the level of the counted one.
    expect(credit([claim('r1', 'independent', 'active', '1'), claim('r2', 'co-authored', 'disputed', '2')])).toBe(0.4);
  });

  it('refuses a row without a ledger seq only when its edge is used', () => {
    const orphan: ReuseRow = { ...rows.reuses[0], id: 'reuse-orphan', publicationId: 'pub-unknown', seq: undefined };
    expect(computeCreditFromRows({ ...rows, reuses: [...rows.reuses, orphan] }, METRICS_POLICY, resolve)).toEqual(
      computeCreditFromRows(rows, METRICS_POLICY, resolve),
    );
    const unsequenced: ReuseRow = { ...rows.reuses[0], id: 'reuse-unsequenced', seq: undefined };
    expect(() => computeCreditFromRows({ ...rows, reuses: [...rows.reuses, unsequenced] })).toThrow(
      'reuse reuse-unsequenced has no ledger seq',
    );
  });
});
