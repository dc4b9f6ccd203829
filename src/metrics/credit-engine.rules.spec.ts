import { claimRow, ONE_DATASET_ONE_PAPER } from '../../test/support/credit-rows.js';
import { randomDag } from '../../test/support/random-credit-dag.js';
import { CreditEngine, loneWorkOf, type PublicationEdge } from './credit-engine.rules.js';
import { METRICS_POLICY } from './policy.rules.js';
import type { ReuseRow } from './dataset-metrics.rules.js';
import {
  buildCreditGraph,
  buildCreditGraphFromRows,
  computeTransitiveCredit,
  CREDIT_TOTAL_FIELDS,
  CreditGraphInputError,
  type CreditEdgeRow,
  type CreditNodeRow,
  type CreditRows,
  type LevelResolver,
} from './transitive-credit.rules.js';

/** The engine's totals against a full run over a graph built from scratch with every change: equal to the bit. */
function expectSameTotals(
  engine: CreditEngine,
  nodes: CreditNodeRow[],
  edges: CreditEdgeRow[],
  levelOf: LevelResolver,
): number {
  const full = computeTransitiveCredit(buildCreditGraph(nodes, edges), levelOf);
  let nonZero = 0;
  for (let x = 0; x < nodes.length; x += 1) {
    for (const field of CREDIT_TOTAL_FIELDS) {
      const got = engine.totals[field][x];
      const want = full[field][x];
      if (got !== want) throw new Error(`node ${x} ${field}: engine ${got}, full run ${want}`);
    }
    if (full.total[x] > 0) nonZero += 1;
  }
  return nonZero;
}

function edgesOf(p: number, edges: readonly CreditEdgeRow[]): PublicationEdge[] {
  return edges
    .filter((e) => e.from === p)
    .map((e) => ({ to: e.to, seq: e.seq, ...(e.excluded ? { excluded: e.excluded } : {}) }));
}

describe('CreditEngine', () => {
  it('equals a full run over the rebuilt graph after each of 40 new reuses on a random DAG', () => {
    const { nodes, edges, levelOf } = randomDag(3000, 21);
    const publications = nodes.flatMap((n, i) => (n.kind === 'publication' ? [i] : []));
    // Hold back the last edge of 40 publications spread over the graph (and every edge of a few of them).
    const held = publications.filter((_, i) => i % 23 === 0).slice(0, 40);
    const heldEdges = new Map<number, CreditEdgeRow[]>();
    let current = edges.filter((e) => {
      if (!held.includes(e.from)) return true;
      const list = heldEdges.get(e.from) ?? [];
      const all = held.indexOf(e.from) % 8 === 0;
      if (all || !edges.some((later) => later.from === e.from && later.seq > e.seq)) {
        list.push(e);
        heldEdges.set(e.from, list);
        return false;
      }
      return true;
    });
    const engine = new CreditEngine(buildCreditGraph(nodes, current), levelOf);
    let updatedDatasets = 0;
    for (const p of held) {
      current = [...current, ...(heldEdges.get(p) ?? [])];
      const update = engine.updatePublication(p, { edges: edgesOf(p, current) });
      updatedDatasets += update.datasets.length;
      expect(expectSameTotals(engine, nodes, current, levelOf)).toBeGreaterThan(100);
    }
    expect(engine.changedPublications).toBe(held.length);
    expect(updatedDatasets).toBeGreaterThan(40);
  });

  it('follows disputes, removals and retractions as a rebuilt graph would', () => {
    const { nodes, edges, levelOf } = randomDag(2000, 5);
    const engine = new CreditEngine(buildCreditGraph(nodes, edges), levelOf);
    const publications = nodes.flatMap((n, i) => (n.kind === 'publication' && !n.retracted ? [i] : []));
    let current = edges;
    const changedNodes = nodes.map((n) => ({ ...n }));
    for (let step = 0; step < 24; step += 1) {
      const p = publications[(step * 41) % publications.length];
      const own = current.filter((e) => e.from === p);
      if (step % 3 === 0 && own.length > 0) {
        // The first claim is disputed: it keeps its share of the map and passes nothing.
        current = current.map((e) => (e === own[0] ? { ...e, excluded: 'DISPUTED' as const } : e));
        engine.updatePublication(p, { edges: edgesOf(p, current) });
      } else if (step % 3 === 1) {
        // Every claim withdrawn.
        current = current.filter((e) => e.from !== p);
        engine.updatePublication(p, { edges: [] });
      } else {
        changedNodes[p] = { ...changedNodes[p], retracted: true };
        engine.updatePublication(p, { edges: edgesOf(p, current), creditOrigin: 0 });
      }
      expectSameTotals(engine, changedNodes, current, levelOf);
    }
  });

  it('follows one publication changed again and again (each change replaces the last)', () => {
    const { nodes, edges, levelOf } = randomDag(1500, 17);
    const engine = new CreditEngine(buildCreditGraph(nodes, edges), levelOf);
    const p = nodes.findIndex((n, i) => n.kind === 'publication' && edges.filter((e) => e.from === i).length >= 3);
    const datasets = nodes.flatMap((n, i) => (n.kind === 'dataset' ? [i] : []));
    let current = edges;
    for (let round = 0; round < 6; round += 1) {
      // A different set of inputs each round: two of its own, plus one more dataset.
      const own = edges.filter((e) => e.from === p).slice(round % 2, (round % 2) + 2);
      const extra = { from: p, to: datasets[(round * 97) % datasets.length], seq: 50_000 + round };
      current = [...current.filter((e) => e.from !== p), ...own, extra];
      engine.updatePublication(p, { edges: edgesOf(p, current) });
      expectSameTotals(engine, nodes, current, levelOf);
    }
    expect(engine.changedPublications).toBe(1);
  });

  it('moves a work under the group-year cap: four works of one group and year, the cap counts three', () => {
    const nodes: CreditNodeRow[] = [
      { id: 0, kind: 'dataset' },
      ...[1, 2, 3, 4].map((id): CreditNodeRow => ({ id, kind: 'publication', group: 7, year: 2024 })),
    ];
    const edges: CreditEdgeRow[] = [1, 2, 3].map((from) => ({ from, to: 0, seq: from }));
    const levelOf: LevelResolver = () => 'independent';
    const engine = new CreditEngine(buildCreditGraph(nodes, edges), levelOf);
    // Each work gives D 0.4 (self 0.6, one input), independent: three works, 1.2.
    expect(engine.totals.total[0]).toBeCloseTo(1.2, 9);
    expect(engine.totals.groupYearCapped[0]).toBe(0);
    const update = engine.updatePublication(4, { edges: [{ to: 0, seq: 4 }] });
    expect(Array.from(update.datasets)).toEqual([0]);
    expect(update.bucketPublications).toBe(4);
    expect(engine.totals.total[0]).toBeCloseTo(1.2, 9);
    expect(engine.totals.groupYearCapped[0]).toBeCloseTo(0.4, 9);
    expect(engine.totals.contributors[0]).toBe(3);
    expectSameTotals(engine, nodes, [...edges, { from: 4, to: 0, seq: 4 }], levelOf);
  });

  it('walks only what the changed bucket reaches, not the other consumers of a hot dataset', () => {
    const consumers = 2000;
    const nodes: CreditNodeRow[] = [
      { id: 0, kind: 'dataset' },
      { id: 1, kind: 'dataset' },
      ...Array.from({ length: consumers }, (_, i): CreditNodeRow => ({ id: i + 2, kind: 'publication', group: i })),
    ];
    const edges: CreditEdgeRow[] = [
      { from: 1, to: 0, seq: 0 },
      ...Array.from({ length: consumers }, (_, i): CreditEdgeRow => ({ from: i + 2, to: i % 2, seq: i + 1 })),
    ];
    const levelOf: LevelResolver = (p) => (p % 3 === 0 ? 'co-authored' : 'independent');
    const engine = new CreditEngine(buildCreditGraph(nodes, edges), levelOf);
    const p = consumers + 1;
    const update = engine.updatePublication(p, {
      edges: [
        { to: 0, seq: 10_000 },
        { to: 1, seq: 10_001 },
      ],
    });
    expect(Array.from(update.datasets)).toEqual([0, 1]);
    // The publication and the two datasets, however many others consume them.
    expect(update.nodesWalked).toBe(3);
    expectSameTotals(
      engine,
      nodes,
      [...edges.filter((e) => e.from !== p), { from: p, to: 0, seq: 10_000 }, { from: p, to: 1, seq: 10_001 }],
      levelOf,
    );
  });

  it('takes the level a changed claim records for its direct edge where the resolver has none', () => {
    // Rows without a reuse: the builder's resolver knows no level for the pair.
    const built = buildCreditGraphFromRows(ONE_DATASET_ONE_PAPER);
    const engine = new CreditEngine(built.graph, built.levelOf);
    const p = built.publicationNode.get('pub-1') as number;
    const a = built.datasetNode.get('ds-A') as number;
    engine.updatePublication(p, { edges: [{ to: a, seq: 1, level: 'same-lab' }] });
    // 0.4 × 0.5 for a same-lab reuse (the policy's level for a pair with no record would be co-authored: 0.1).
    expect(engine.totals.total[a]).toBeCloseTo(0.2, 9);
    expect(engine.totals.independent[a]).toBe(0);
    // A resolver that judges the pair itself wins over the record, as it does on a graph built with the claim.
    const judged = buildCreditGraphFromRows(ONE_DATASET_ONE_PAPER, METRICS_POLICY, () => 'independent');
    const second = new CreditEngine(judged.graph, judged.levelOf);
    second.updatePublication(p, { edges: [{ to: a, seq: 1, level: 'same-lab' }] });
    expect(second.totals.total[a]).toBeCloseTo(0.4, 9);
    expect(second.totals.independent[a]).toBeCloseTo(0.4, 9);
  });

  it('gives one input the least independent level of its counted claims, as a rebuilt graph does', () => {
    const rows = { ...ONE_DATASET_ONE_PAPER, reuses: [claimRow({ id: 'r1', level: 'independent', seq: '1' })] };
    const before = buildCreditGraphFromRows(rows);
    const engine = new CreditEngine(before.graph, before.levelOf);
    const p = before.publicationNode.get('pub-1') as number;
    const a = before.datasetNode.get('ds-A') as number;
    expect(engine.totals.total[a]).toBeCloseTo(0.4, 9);
    // A second claim on the same dataset, co-authored: the pair is now co-authored (0.4 × 0.25).
    engine.updatePublication(p, { edges: [...engine.edgesOf(p), { to: a, seq: 2, level: 'co-authored' }] });
    const after = buildCreditGraphFromRows({
      ...rows,
      reuses: [...rows.reuses, claimRow({ id: 'r2', level: 'co-authored', seq: '2' })],
    });
    const full = computeTransitiveCredit(after.graph, after.levelOf);
    expect(engine.totals.total[a]).toBeCloseTo(0.1, 9);
    expect(engine.totals.total[a]).toBe(full.total[after.datasetNode.get('ds-A') as number]);
    // Disputed, the second claim no longer counts, nor does its level.
    engine.updatePublication(p, {
      edges: [
        { to: a, seq: 1, level: 'independent' },
        { to: a, seq: 2, excluded: 'DISPUTED', level: 'co-authored' },
      ],
    });
    expect(engine.totals.total[a]).toBeCloseTo(0.4, 9);
  });

  it('is left as it was when the level resolver throws during an update', () => {
    const { nodes, edges, levelOf } = randomDag(800, 9);
    // A dataset nothing reaches yet: only the pass after the change asks for its level.
    const target = nodes.findIndex((n, i) => n.kind === 'dataset' && !edges.some((e) => e.to === i));
    let failing = false;
    const flaky: LevelResolver = (p, d, via) => {
      if (failing && d === target) throw new Error('resolver failed');
      return levelOf(p, d, via);
    };
    const engine = new CreditEngine(buildCreditGraph(nodes, edges), flaky);
    const p = nodes.findIndex((n, i) => n.kind === 'publication' && !n.retracted && edges.some((e) => e.from === i));
    const before = Float64Array.from(engine.totals.total);
    const grown = [...edges, { from: p, to: target, seq: 90_000 }];
    failing = true;
    expect(() => engine.updatePublication(p, { edges: edgesOf(p, grown) })).toThrow('resolver failed');
    failing = false;
    expect(engine.changedPublications).toBe(0);
    const targets = (list: readonly PublicationEdge[]): number[] => list.map((e) => e.to).sort((x, y) => x - y);
    expect(targets(engine.edgesOf(p))).toEqual(targets(edgesOf(p, edges)));
    expect(Array.from(engine.totals.total)).toEqual(Array.from(before));
    engine.updatePublication(p, { edges: edgesOf(p, grown) });
    expectSameTotals(engine, nodes, grown, levelOf);
  });

  it('refuses a change it cannot apply and leaves the totals as they were', () => {
    const { nodes, edges, levelOf } = randomDag(500, 3);
    const engine = new CreditEngine(buildCreditGraph(nodes, edges), levelOf);
    const before = Float64Array.from(engine.totals.total);
    const publication = nodes.findIndex((n) => n.kind === 'publication');
    const otherPublication = nodes.findIndex((n, i) => n.kind === 'publication' && i !== publication);
    expect(() => engine.updatePublication(0, { edges: [] })).toThrow(CreditGraphInputError);
    expect(() => engine.updatePublication(publication, { edges: [{ to: otherPublication, seq: 1 }] })).toThrow(
      /cannot take node/,
    );
    expect(() => engine.updatePublication(publication, { edges: [{ to: 0, seq: 'x' }] })).toThrow(/not an integer/);
    expect(() => engine.updatePublication(publication, { edges: [], creditOrigin: -1 })).toThrow(/at least 0/);
    expect(engine.changedPublications).toBe(0);
    expect(Array.from(engine.totals.total)).toEqual(Array.from(before));
    expect(METRICS_POLICY.maxDepth).toBeGreaterThan(0);
  });

  it("keeps the recorded level of a publication's earlier claims when it adds one (rows through the builder)", () => {
    const reuse = (id: string, datasetId: string, level: 'co-authored' | 'same-lab', seq: string): ReuseRow =>
      claimRow({ id, datasetId, level, seq, type: 'secondary-analysis' });
    const rows: CreditRows = {
      datasets: [
        { id: 'ds-A', kind: 'image', findableAt: '2019-01-01' },
        { id: 'ds-B', kind: 'image', findableAt: '2019-01-01' },
      ],
      publications: [
        { id: 'pub-1', kind: 'article', issued: '2021-02-01', authors: [{ family: 'Cho', given: 'Min' }] },
      ],
      // Same-lab, not the policy's level for a pair without a record (co-authored): the record must be kept.
      reuses: [reuse('reuse-1', 'ds-A', 'same-lab', '10')],
    };
    const before = buildCreditGraphFromRows(rows);
    const engine = new CreditEngine(before.graph, before.levelOf);
    const p = before.publicationNode.get('pub-1') as number;
    const a = before.datasetNode.get('ds-A') as number;
    const b = before.datasetNode.get('ds-B') as number;
    // pub-1 reuses A alone: 0.4, same-lab (0.5).
    expect(engine.totals.total[a]).toBeCloseTo(0.2, 9);
    const edges = [...engine.edgesOf(p), { to: b, seq: 11, level: 'co-authored' as const }];
    expect(edges.map((e) => e.to)).toEqual([a, b]);
    engine.updatePublication(p, { edges });
    // Now 0.2 each: A still same-lab (0.1), B co-authored (0.05).
    expect(engine.totals.total[a]).toBeCloseTo(0.1, 9);
    expect(engine.totals.total[b]).toBeCloseTo(0.05, 9);
    const after = buildCreditGraphFromRows({
      ...rows,
      reuses: [...rows.reuses, reuse('reuse-2', 'ds-B', 'co-authored', '11')],
    });
    const full = computeTransitiveCredit(after.graph, after.levelOf);
    expect(engine.totals.total[a]).toBe(full.total[after.datasetNode.get('ds-A') as number]);
    expect(engine.totals.total[b]).toBe(full.total[after.datasetNode.get('ds-B') as number]);
    // And the edges now are the ones given.
    expect(engine.edgesOf(p)).toEqual(edges);
  });

  it("reports a publication's excluded claims among its edges", () => {
    const nodes: CreditNodeRow[] = [
      { id: 0, kind: 'dataset' },
      { id: 1, kind: 'dataset' },
      { id: 2, kind: 'publication' },
    ];
    const edges: CreditEdgeRow[] = [
      { from: 2, to: 0, seq: 5 },
      { from: 2, to: 1, seq: 6, excluded: 'DISPUTED' },
    ];
    const engine = new CreditEngine(buildCreditGraph(nodes, edges), () => 'independent');
    expect(engine.edgesOf(2)).toEqual([
      { to: 0, seq: 5n },
      { to: 1, seq: '6', excluded: 'DISPUTED' },
    ]);
    // The disputed claim keeps its share: 0.2 for dataset 0.
    expect(engine.totals.total[0]).toBeCloseTo(0.2, 9);
  });
});

describe('CreditEngine.addPublication', () => {
  /**
   * The graph without some publications (each a work of its own), renumbered as a build from those rows numbers it:
   * datasets and panels keep their numbers, publications close up. Labels stay the original numbers.
   */
  function withoutPublications(nodes: readonly CreditNodeRow[], edges: readonly CreditEdgeRow[], held: Set<number>) {
    const original: number[] = [];
    const numberOf = new Map<number, number>();
    for (const node of nodes) {
      if (held.has(node.id)) continue;
      numberOf.set(node.id, original.length);
      original.push(node.id);
    }
    const baseNodes = original.map((id) => ({
      ...nodes[id],
      id: numberOf.get(id) as number,
      work: nodes[id].work ?? id,
    }));
    const baseEdges = edges
      .filter((e) => !held.has(e.from))
      .map((e) => ({ ...e, from: numberOf.get(e.from) as number, to: numberOf.get(e.to) as number }));
    return { graph: buildCreditGraph(baseNodes, baseEdges), original };
  }

  function expectDatasetTotals(
    engine: CreditEngine,
    full: ReturnType<typeof computeTransitiveCredit>,
    n: number,
  ): void {
    for (let x = 0; x < n; x += 1) {
      for (const field of CREDIT_TOTAL_FIELDS) {
        if (engine.totals[field][x] !== full[field][x]) {
          throw new Error(`node ${x} ${field}: engine ${engine.totals[field][x]}, full run ${full[field][x]}`);
        }
      }
    }
  }

  it('equals a full run over the whole graph after adding 60 publications, one by one, on a random DAG', () => {
    const { nodes, edges, levelOf } = randomDag(3000, 33, 4);
    const workSize = new Map<number, number>();
    for (const n of nodes)
      if (n.kind === 'publication') workSize.set(n.work ?? n.id, (workSize.get(n.work ?? n.id) ?? 0) + 1);
    const lone = nodes.filter((n) => n.kind === 'publication' && workSize.get(n.work ?? n.id) === 1);
    const held = lone.filter((_, i) => i % 11 === 0).slice(0, 60);
    expect(held.length).toBe(60);
    const heldIds = new Set(held.map((n) => n.id));
    const { graph, original } = withoutPublications(nodes, edges, heldIds);
    // Levels follow the publication, whatever number it has in either graph.
    const added: number[] = [];
    const idOf = (p: number): number => (p < original.length ? original[p] : added[p - original.length]);
    const engine = new CreditEngine(graph, (p, d, via, recorded) => levelOf(idOf(p), d, via, recorded));
    const prefix = nodes.findIndex((n) => n.kind === 'publication');
    // Added in an order unlike id order, so works land between others.
    const order = [...held].sort((a, b) => ((a.id * 7919) % 101) - ((b.id * 7919) % 101));
    let reached = 0;
    let current = edges.filter((e) => !heldIds.has(e.from));
    const present = new Set(nodes.filter((n) => !heldIds.has(n.id)).map((n) => n.id));
    for (const node of order) {
      added.push(node.id);
      const update = engine.addPublication({
        work: { group: node.group ?? null, year: node.year ?? 0, label: node.work ?? node.id },
        creditOrigin: node.retracted ? 0 : (node.origin ?? 1),
        edges: edgesOf(node.id, edges),
      });
      expect(update.node).toBe(original.length + added.length - 1);
      reached += update.datasets.length;
      current = [...current, ...edges.filter((e) => e.from === node.id)];
      present.add(node.id);
    }
    expect(engine.nodeCount).toBe(nodes.length);
    expect(reached).toBeGreaterThan(60);
    const full = computeTransitiveCredit(buildCreditGraph(nodes, edges), levelOf);
    expectDatasetTotals(engine, full, prefix);
    // Capped buckets took part: the cap chose among added and held works.
    let capped = 0;
    for (let x = 0; x < prefix; x += 1) if (full.groupYearCapped[x] > 0) capped += 1;
    expect(capped).toBeGreaterThan(0);
    expect(current.length).toBe(edges.length);
    expect(present.size).toBe(nodes.length);
  });

  it('ranks an added work under the cap by its place among the works of its bucket (ties go to the earlier work)', () => {
    // Five equal works of one group and year; the cap counts three, the earliest labels on a tie.
    const nodes: CreditNodeRow[] = [
      { id: 0, kind: 'dataset' },
      ...[10, 20, 30, 40].map((work, i): CreditNodeRow => ({
        id: i + 1,
        kind: 'publication',
        group: 1,
        year: 2024,
        work,
      })),
    ];
    const edges: CreditEdgeRow[] = [1, 2, 3, 4].map((from) => ({ from, to: 0, seq: from }));
    const engine = new CreditEngine(buildCreditGraph(nodes, edges), () => 'independent');
    // Works 10, 20, 30 count; 40 is capped. A new work labelled 5 sorts first: it counts and 30 is capped instead.
    expect(engine.totals.groupYearCapped[0]).toBeCloseTo(0.4, 9);
    const update = engine.addPublication({
      work: { group: 1, year: 2024, label: 5 },
      creditOrigin: 1,
      edges: [{ to: 0, seq: 9 }],
    });
    expect(update.node).toBe(5);
    expect(update.bucketPublications).toBe(5);
    expect(engine.totals.total[0]).toBeCloseTo(1.2, 9);
    expect(engine.totals.groupYearCapped[0]).toBeCloseTo(0.8, 9);
    const rebuilt = buildCreditGraph(
      [...nodes, { id: 5, kind: 'publication', group: 1, year: 2024, work: 5 }],
      [...edges, { from: 5, to: 0, seq: 9 }],
    );
    const full = computeTransitiveCredit(rebuilt, () => 'independent');
    expectDatasetTotals(engine, full, 1);
    // A work of a group the graph does not know sits in a bucket of its own: nothing is capped for it.
    engine.addPublication({ work: { group: 99, year: 2024, label: 6 }, creditOrigin: 1, edges: [{ to: 0, seq: 10 }] });
    expect(engine.totals.total[0]).toBeCloseTo(1.6, 9);
    expect(engine.totals.contributors[0]).toBe(4);
  });

  it('refuses a publication that joins a work the graph holds, and a place in the wrong terms, changing nothing', () => {
    const { nodes, edges, levelOf } = randomDag(400, 8);
    const engine = new CreditEngine(buildCreditGraph(nodes, edges), levelOf);
    const before = Float64Array.from(engine.totals.total);
    const p = nodes.find((n) => n.kind === 'publication') as CreditNodeRow;
    const place = { group: p.group ?? null, year: p.year ?? 0, label: p.work ?? p.id };
    expect(() => engine.addPublication({ work: place, creditOrigin: 1, edges: [{ to: 0, seq: 1 }] })).toThrow(
      /rebuild to join it/,
    );
    expect(() =>
      engine.addPublication({ work: { ...place, label: 'x' }, creditOrigin: 1, edges: [{ to: 0, seq: 1 }] }),
    ).toThrow(CreditGraphInputError);
    expect(() =>
      engine.addPublication({ work: { ...place, label: 1e6 }, creditOrigin: 1, edges: [{ to: p.id, seq: 1 }] }),
    ).toThrow(/cannot take node/);
    expect(() => engine.addPublication({ work: { ...place, label: 1e6 }, creditOrigin: -1, edges: [] })).toThrow(
      /at least 0/,
    );
    expect(engine.nodeCount).toBe(nodes.length);
    expect(Array.from(engine.totals.total)).toEqual(Array.from(before));
  });

  it('is left as it was when the resolver throws while a publication is added, and adds it after', () => {
    const { nodes, edges, levelOf } = randomDag(600, 12);
    let failing = true;
    const added: number[] = [];
    const flaky: LevelResolver = (p, d, via, recorded) => {
      if (failing && p >= nodes.length) throw new Error('resolver failed');
      return levelOf(p >= nodes.length ? added[p - nodes.length] : p, d, via, recorded);
    };
    const engine = new CreditEngine(buildCreditGraph(nodes, edges), flaky);
    const before = Float64Array.from(engine.totals.total);
    const datasets = nodes.flatMap((n, i) => (n.kind === 'dataset' ? [i] : [])).slice(0, 3);
    const change = {
      work: { group: null, year: 2020, label: 100_000 },
      creditOrigin: 1,
      edges: datasets.map((to, k) => ({ to, seq: 70_000 + k })),
    };
    added.push(100_000);
    expect(() => engine.addPublication(change)).toThrow('resolver failed');
    expect(engine.nodeCount).toBe(nodes.length);
    expect(engine.changedPublications).toBe(0);
    expect(Array.from(engine.totals.total)).toEqual(Array.from(before));
    failing = false;
    const update = engine.addPublication(change);
    expect(update.node).toBe(nodes.length);
    const rebuilt = buildCreditGraph(
      [...nodes, { id: nodes.length, kind: 'publication', year: 2020, work: 100_000 }],
      [...edges, ...datasets.map((to, k) => ({ from: nodes.length, to, seq: 70_000 + k }))],
    );
    const full = computeTransitiveCredit(rebuilt, (p, d, via, recorded) =>
      levelOf(p >= nodes.length ? 100_000 : p, d, via, recorded),
    );
    expectDatasetTotals(engine, full, nodes.length);
    expect(engine.edgesOf(update.node).map((e) => e.to)).toEqual(datasets);
  });

  it('places a publication from rows as a rebuild from those rows would (labels, new group, lone work)', () => {
    const authors = (family: string) => [{ family, given: 'A', sequence: 'first' as const }];
    const rows: CreditRows = {
      datasets: [
        { id: 'ds-A', kind: 'image', findableAt: '2019-01-01' },
        { id: 'ds-B', kind: 'derived', findableAt: '2019-06-01' },
      ],
      publications: ['pub-2', 'pub-4', 'pub-6', 'pub-8'].map((id) => ({
        id,
        kind: 'article' as const,
        issued: '2022-03-01',
        authors: authors('Lab'),
      })),
      reuses: ['pub-2', 'pub-4', 'pub-6', 'pub-8'].map((publicationId, i) => ({
        id: `r${i}`,
        publicationId,
        datasetIds: ['ds-A'],
        type: 'training' as const,
        levels: { 'ds-A': 'independent' as const },
        evidence: 'curated' as const,
        status: 'active' as const,
        seq: String(10 + i),
      })),
      derivations: [{ datasetId: 'ds-B', derivedFromId: 'ds-A', seq: '5' }],
    };
    const built = buildCreditGraphFromRows(rows);
    const engine = new CreditEngine(built.graph, built.levelOf, METRICS_POLICY, { labels: built.labels });
    const additions = [
      { id: 'pub-1', family: 'Lab', to: ['ds-A', 'ds-B'] },
      { id: 'pub-5', family: 'Other', to: ['ds-B'] },
      { id: 'pub-9', family: 'Lab', to: ['ds-A'] },
    ];
    let all = rows;
    for (const [k, a] of additions.entries()) {
      const row = { id: a.id, kind: 'article' as const, issued: '2022-05-01', authors: authors(a.family) };
      const seq = String(100 + k);
      const reuse: ReuseRow = {
        id: `n${k}`,
        publicationId: a.id,
        datasetIds: a.to,
        type: 'training',
        levels: Object.fromEntries(a.to.map((d) => [d, 'independent' as const])),
        evidence: 'curated',
        status: 'active',
        seq,
      };
      const lone = loneWorkOf(row);
      engine.addPublication({
        ...lone,
        edges: a.to.map((d) => ({ to: built.datasetNode.get(d) as number, seq, level: 'independent' })),
      });
      all = { ...all, publications: [...all.publications, row], reuses: [...all.reuses, reuse] };
      const rebuilt = buildCreditGraphFromRows(all);
      const full = computeTransitiveCredit(rebuilt.graph, rebuilt.levelOf);
      expectDatasetTotals(engine, full, 2);
    }
    // Six works of group "Lab" in 2022: the cap counts three of them for ds-A.
    expect(engine.totals.groupYearCapped[built.datasetNode.get('ds-A') as number]).toBeGreaterThan(0);
  });
});
