import type { IndependenceLevel } from '../../src/metrics/policy.rules.js';
import type { CreditEdgeRow, CreditNodeRow, LevelResolver } from '../../src/metrics/transitive-credit.rules.js';

/** A random DAG: datasets (some derived), panels, then publications, edges always pointing at lower ids. */
export function randomDag(
  nodeCount: number,
  seed: number,
  /** Research groups the publications come from (few groups: full group-year buckets, where the cap bites). */
  groups = Math.max(1, nodeCount / 50),
): { nodes: CreditNodeRow[]; edges: CreditEdgeRow[]; levelOf: LevelResolver } {
  let state = seed;
  const random = (): number => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
  const datasets = Math.floor(nodeCount / 2);
  const panels = Math.floor(nodeCount / 5);
  const nodes: CreditNodeRow[] = [];
  const edges: CreditEdgeRow[] = [];
  let seq = 0;
  for (let i = 0; i < nodeCount; i += 1) {
    if (i < datasets) nodes.push({ id: i, kind: 'dataset' });
    else if (i < datasets + panels) nodes.push({ id: i, kind: 'panel' });
    else {
      nodes.push({
        id: i,
        kind: 'publication',
        work: random() < 0.05 ? i - 1 : i,
        group: Math.floor(random() * groups),
        year: 2015 + Math.floor(random() * 3),
        retracted: random() < 0.01,
        origin: random() < 0.2 ? 0.5 : 1,
      });
    }
  }
  for (let i = Math.floor(datasets / 2); i < nodeCount; i += 1) {
    const inputs = i < datasets ? 1 + Math.floor(random() * 3) : 1 + Math.floor(random() * 6);
    const range = i < datasets ? i : datasets + (i >= datasets + panels ? panels : 0);
    for (let k = 0; k < inputs; k += 1) {
      edges.push({
        from: i,
        to: Math.floor(random() * range),
        seq: seq++,
        ...(random() < 0.02 ? { excluded: 'DISPUTED' as const } : {}),
      });
    }
  }
  const levels: IndependenceLevel[] = ['independent', 'same-lab', 'co-authored'];
  return { nodes, edges, levelOf: (p, d) => levels[(p * 31 + d) % 3] };
}
