import type { DoiState } from '../datasets/entities/dataset.entity.js';
import { assessIndependence } from '../reuses/independence.rules.js';
import { buildIndependenceInput } from '../reuses/reuses.rules.js';
import type { AgentFacts, AuthorFacts } from '../reuses/reuses.rules.js';
import type { CreatedDatasetRow } from './agent-metrics.rules.js';
import {
  compareStrings,
  doiKey,
  toUtcDay,
  type CitationRow,
  type DatasetMetricsInput,
  type DatasetRow,
  type DerivationRow,
  type FigurePanelRow,
  type PublicationRow,
  type ReuseRow,
} from './dataset-metrics.rules.js';
import { type IndependenceLevel, type MetricsPolicy, type ReuseStatus, type ReuseType } from './policy.rules.js';
import {
  explainBuiltCredit,
  type CreditRows,
  type RowCreditExplanation,
  type RowCreditGraph,
  type RowCreditPath,
  type RowLevelResolver,
} from './transitive-credit.rules.js';

// The one mapping from stored rows (as metrics-loader.ts reads them) to the inputs of the metric, credit and award
// rules. Pure: the loader does the SQL, the service the orchestration.

export interface SnapshotAgent extends AgentFacts {
  readonly careerStage: 'trainee' | 'early-career' | 'established' | null;
}

export interface SnapshotDataset {
  readonly id: string;
  readonly kind: 'image' | 'derived';
  readonly creators: readonly string[];
  readonly description: string | null;
  readonly keywords: readonly string[];
  readonly organism: string | null;
  readonly imagingMethod: string | null;
  readonly license: string;
  readonly accession: string | null;
  readonly identifierCount: number;
  readonly landingPage: string | null;
  readonly publisherId: string | null;
  readonly grants: readonly string[];
  readonly embargoUntil: string | null;
  /** When the data became public (embargo end or deposit), YYYY-MM-DD. */
  readonly releasedAt: string;
  readonly previousVersionId: string | null;
  readonly doi: string | null;
  readonly doiState: DoiState;
  readonly withdrawn: boolean;
  /** Deposit time (ISO). */
  readonly registeredAt: string;
  readonly seq: string;
  readonly recordedAt: string | null;
}

export interface SnapshotPublication {
  readonly id: string;
  readonly doi: string | null;
  readonly issued: string | null;
  readonly preprint: boolean;
  readonly retracted: boolean;
  readonly authors: readonly AuthorFacts[];
  readonly seq: string;
  readonly recordedAt: string | null;
}

export interface SnapshotReuse {
  readonly id: string;
  readonly publicationId: string;
  readonly type: ReuseType;
  readonly evidence: 'asserted' | 'curated';
  readonly status: 'active' | 'disputed' | 'excluded';
  readonly resolvedOutcome: 'upheld' | 'rejected' | null;
  readonly seq: string;
  readonly recordedAt: string | null;
  readonly datasets: readonly {
    readonly datasetId: string;
    readonly level: IndependenceLevel;
    readonly edgeSeq: string;
  }[];
}

/** An active graph edge of a relation the metrics read (wasDerivedFrom, hasPart, funding, wasRevisionOf). */
export interface SnapshotEdge {
  readonly sourceId: string;
  readonly sourceType: string;
  readonly relation: string;
  readonly targetId: string;
  readonly targetType: string;
  readonly seq: string;
}

export interface SnapshotCitation {
  readonly citedDatasetId: string;
  readonly citingIdentifier: string;
  readonly relation: string;
  readonly seq: string;
}

/** Everything the metrics read, as of one ledger tree size. */
export interface MetricsSnapshot {
  readonly treeSize: string;
  readonly agents: readonly SnapshotAgent[];
  readonly datasets: readonly SnapshotDataset[];
  readonly publications: readonly SnapshotPublication[];
  readonly reuses: readonly SnapshotReuse[];
  readonly edges: readonly SnapshotEdge[];
  readonly citations: readonly SnapshotCitation[];
}

const DATASET_NODE_TYPES = new Set(['ImageDataset', 'DerivedDataset']);

// ---------------------------------------------------------------------------------------------------------------
// Datasets, works and claims.
// ---------------------------------------------------------------------------------------------------------------

/** Versions collapse into one concept (§3 step 5): the first version of each previous-version chain. */
export function conceptIdsOf(datasets: readonly SnapshotDataset[]): Map<string, string> {
  const previous = new Map(datasets.map((d) => [d.id, d.previousVersionId]));
  const result = new Map<string, string>();
  for (const d of datasets) {
    let root = d.id;
    const seen = new Set<string>([root]);
    for (
      let p = previous.get(root);
      p !== null && p !== undefined && previous.has(p) && !seen.has(p);
      p = previous.get(root)
    ) {
      seen.add(p);
      root = p;
    }
    result.set(d.id, root);
  }
  return result;
}

/** The cohort's repository: the accession's archive prefix (idr, S-BIAD, EMPIAR, BBBC), else the publisher. */
export function repositoryOf(dataset: Pick<SnapshotDataset, 'accession' | 'publisherId'>): string | null {
  if (dataset.accession) {
    const prefix = /^([A-Za-z]+(?:-[A-Za-z]+)?)/.exec(dataset.accession);
    if (prefix) return prefix[1].replace(/-$/, '').toUpperCase();
  }
  return dataset.publisherId ? `publisher:${dataset.publisherId}` : null;
}

export function toDatasetRows(snapshot: MetricsSnapshot): DatasetRow[] {
  const concepts = conceptIdsOf(snapshot.datasets);
  return snapshot.datasets.map((d) => ({
    id: d.id,
    conceptId: concepts.get(d.id) ?? d.id,
    kind: d.kind,
    registeredAt: d.registeredAt,
    // The deposit records the public date itself (embargo end, else deposit day): §4's "first public date".
    releasedAt: d.releasedAt,
    embargoUntil: d.embargoUntil,
    imagingMethod: d.imagingMethod,
    repository: repositoryOf(d),
  }));
}

/** Publications linked by wasRevisionOf are manifestations of one work (a preprint and its published version). */
export function toPublicationRows(snapshot: MetricsSnapshot): PublicationRow[] {
  const sameWork = new Map<string, string[]>();
  for (const e of snapshot.edges) {
    if (e.relation !== 'wasRevisionOf' || e.sourceType !== 'Publication' || e.targetType !== 'Publication') continue;
    sameWork.set(e.sourceId, [...(sameWork.get(e.sourceId) ?? []), e.targetId]);
  }
  return snapshot.publications.map((p) => ({
    id: p.id,
    doi: p.doi,
    kind: p.preprint ? 'preprint' : 'article',
    issued: p.issued,
    retracted: p.retracted,
    sameWorkAs: sameWork.get(p.id) ?? [],
    authors: p.authors.map((a) => ({
      family: a.family,
      given: a.given === '' ? null : a.given,
      orcid: a.orcid ?? null,
      agentId: a.agentId,
    })),
    seq: p.seq,
    ...(p.recordedAt === null ? {} : { recordedAt: p.recordedAt }),
  }));
}

/**
 * The reuses table's status in the policy's vocabulary: an `excluded` reuse is a dispute that was upheld; an active
 * one whose dispute was rejected counts again (http-contract.md, POST /v1/reuses/:id/resolve).
 */
export function reuseStatusOf(
  status: SnapshotReuse['status'],
  resolvedOutcome: SnapshotReuse['resolvedOutcome'],
): ReuseStatus {
  switch (status) {
    case 'active':
      return resolvedOutcome === 'rejected' ? 'dispute-rejected' : 'active';
    case 'disputed':
      return 'disputed';
    case 'excluded':
      return 'dispute-upheld';
  }
}

/**
 * One row per (reuse, dataset). For credit the seq is that of the publication --usesDataFrom--> dataset graph edge,
 * so an explanation's ledgerSeqs name the entries that recorded each edge; for awards it is the claim's own entry
 * (`reuse.asserted` / `reuse.curated`), which carries type, evidence and levels.
 */
export function toReuseRows(snapshot: MetricsSnapshot, seqOf: 'edge' | 'claim'): ReuseRow[] {
  return snapshot.reuses.flatMap((r) =>
    r.datasets.map((d) => ({
      id: r.id,
      publicationId: r.publicationId,
      datasetIds: [d.datasetId],
      type: r.type,
      levels: { [d.datasetId]: d.level },
      evidence: r.evidence,
      status: reuseStatusOf(r.status, r.resolvedOutcome),
      seq: seqOf === 'edge' ? d.edgeSeq : r.seq,
      ...(r.recordedAt === null ? {} : { recordedAt: r.recordedAt }),
    })),
  );
}

/** wasDerivedFrom between two datasets, each with the seq of its `edge.created` entry. */
export function toDerivationRows(snapshot: MetricsSnapshot): DerivationRow[] {
  return snapshot.edges
    .filter(
      (e) =>
        e.relation === 'wasDerivedFrom' && DATASET_NODE_TYPES.has(e.sourceType) && DATASET_NODE_TYPES.has(e.targetType),
    )
    .map((e) => ({ datasetId: e.sourceId, derivedFromId: e.targetId, seq: e.seq }));
}

export interface PanelLink {
  readonly panelId: string;
  readonly publicationId: string;
  /** The Figure between publication and panel, when the panel hangs off a figure. */
  readonly figureId: string | null;
  /** hasPart seqs from the publication down to the panel, in path order. */
  readonly partSeqs: readonly string[];
  /** panel --wasDerivedFrom--> dataset seqs by dataset id. */
  readonly sourceSeqs: ReadonlyMap<string, string>;
}

/** Figure panels with their publication (publication hasPart figure hasPart panel, or hasPart panel directly). */
export function panelLinksOf(snapshot: MetricsSnapshot): Map<string, PanelLink> {
  const parents = new Map<string, SnapshotEdge[]>();
  const sources = new Map<string, Map<string, string>>();
  for (const e of snapshot.edges) {
    if (e.relation === 'hasPart') parents.set(e.targetId, [...(parents.get(e.targetId) ?? []), e]);
    if (e.relation === 'wasDerivedFrom' && e.sourceType === 'FigurePanel' && DATASET_NODE_TYPES.has(e.targetType)) {
      const map = sources.get(e.sourceId) ?? new Map<string, string>();
      map.set(e.targetId, e.seq);
      sources.set(e.sourceId, map);
    }
  }
  const byFirstSeq = (a: SnapshotEdge, b: SnapshotEdge): number => compareSeq(a.seq, b.seq);
  const links = new Map<string, PanelLink>();
  for (const [panelId, sourceSeqs] of [...sources].sort((a, b) => compareStrings(a[0], b[0]))) {
    const up = [...(parents.get(panelId) ?? [])].sort(byFirstSeq);
    const direct = up.find((e) => e.sourceType === 'Publication');
    if (direct) {
      links.set(panelId, {
        panelId,
        publicationId: direct.sourceId,
        figureId: null,
        partSeqs: [direct.seq],
        sourceSeqs,
      });
      continue;
    }
    for (const figureEdge of up.filter((e) => e.sourceType === 'Figure')) {
      const publicationEdge = [...(parents.get(figureEdge.sourceId) ?? [])]
        .sort(byFirstSeq)
        .find((e) => e.sourceType === 'Publication');
      if (!publicationEdge) continue;
      links.set(panelId, {
        panelId,
        publicationId: publicationEdge.sourceId,
        figureId: figureEdge.sourceId,
        partSeqs: [publicationEdge.seq, figureEdge.seq],
        sourceSeqs,
      });
      break;
    }
  }
  return links;
}

export function toPanelRows(links: ReadonlyMap<string, PanelLink>): FigurePanelRow[] {
  return [...links.values()].map((l) => ({
    id: l.panelId,
    publicationId: l.publicationId,
    datasetIds: [...l.sourceSeqs.keys()].sort(compareStrings),
    // Rewritten per edge by expandPanelPath; the engine needs one seq per panel row.
    seq: l.partSeqs[l.partSeqs.length - 1],
  }));
}

/** Citation rows: a citing DOI is matched to a registered publication so a work counts once (§4). */
export function toCitationRows(snapshot: MetricsSnapshot): CitationRow[] {
  const byDoi = new Map<string, string>();
  for (const p of snapshot.publications) {
    const key = doiKey(p.doi);
    if (key) byDoi.set(key, p.id);
  }
  const publicationIds = new Set(snapshot.publications.map((p) => p.id));
  return snapshot.citations.map((c) => {
    const doi = doiKey(c.citingIdentifier);
    const citingId = publicationIds.has(c.citingIdentifier)
      ? c.citingIdentifier
      : doi !== null
        ? (byDoi.get(doi) ?? `doi:${doi}`)
        : `id:${c.citingIdentifier}`;
    return { citingId, citingDoi: doi, citedDatasetId: c.citedDatasetId, relation: c.relation, seq: c.seq };
  });
}

export interface RuleInputs {
  readonly datasets: readonly DatasetRow[];
  readonly publications: readonly PublicationRow[];
  readonly concepts: ReadonlyMap<string, string>;
  readonly panels: ReadonlyMap<string, PanelLink>;
  /** For metrics and credit: claims carry their usesDataFrom edge seq. */
  readonly credit: CreditRows;
  readonly metrics: DatasetMetricsInput;
}

export function buildRuleInputs(snapshot: MetricsSnapshot): RuleInputs {
  const datasets = toDatasetRows(snapshot);
  const publications = toPublicationRows(snapshot);
  const reuses = toReuseRows(snapshot, 'edge');
  const derivations = toDerivationRows(snapshot);
  const panels = panelLinksOf(snapshot);
  const panelRows = toPanelRows(panels);
  return {
    datasets,
    publications,
    concepts: conceptIdsOf(snapshot.datasets),
    panels,
    credit: { datasets, publications, reuses, derivations, panels: panelRows },
    metrics: { datasets, publications, reuses, derivations, panels: panelRows, citations: toCitationRows(snapshot) },
  };
}

/** Credit inputs as of a day, judged by the works' own dates: later (or undated) publications drop out. */
export function creditRowsAsOf(rows: CreditRows, asOf: string): CreditRows {
  const day = toUtcDay(asOf);
  const visible = rows.publications.filter((p) => {
    const issued = toUtcDay(p.issued);
    return day !== null && issued !== null && issued <= day;
  });
  const ids = new Set(visible.map((p) => p.id));
  return {
    ...rows,
    publications: visible,
    reuses: rows.reuses.filter((r) => ids.has(r.publicationId)),
    panels: (rows.panels ?? []).filter((p) => ids.has(p.publicationId)),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Independence of (publication, dataset) pairs that no reuse names (a publication reaching a raw dataset through a
// derived one): judged as POST /v1/reuses judges it, between the publication's authors and the dataset's creators.
// ---------------------------------------------------------------------------------------------------------------

export function buildLevelResolver(snapshot: MetricsSnapshot, concepts: ReadonlyMap<string, string>): RowLevelResolver {
  const agents = new Map<string, AgentFacts>(snapshot.agents.map((a) => [a.id, a]));
  const direct = new Map<string, IndependenceLevel>();
  for (const r of snapshot.reuses) {
    for (const d of r.datasets) {
      const key = `${r.publicationId}|${concepts.get(d.datasetId) ?? d.datasetId}`;
      const known = direct.get(key);
      direct.set(key, known === undefined ? d.level : lessIndependent(known, d.level));
    }
  }
  const fundedBy = new Map<string, string[]>();
  for (const e of snapshot.edges) {
    if (e.relation === 'funding') fundedBy.set(e.sourceId, [...(fundedBy.get(e.sourceId) ?? []), e.targetId]);
  }
  const versions = new Map<string, SnapshotDataset[]>();
  for (const d of snapshot.datasets) {
    const concept = concepts.get(d.id) ?? d.id;
    versions.set(concept, [...(versions.get(concept) ?? []), d]);
  }
  const publications = new Map(snapshot.publications.map((p) => [p.id, p]));
  const cache = new Map<string, IndependenceLevel | undefined>();
  return (publicationId, conceptId) => {
    const key = `${publicationId}|${conceptId}`;
    const claimed = direct.get(key);
    if (claimed !== undefined) return claimed;
    if (cache.has(key)) return cache.get(key);
    const publication = publications.get(publicationId);
    const members = versions.get(conceptId);
    let level: IndependenceLevel | undefined;
    if (publication && members) {
      level = assessIndependence(
        buildIndependenceInput({
          datasetCreatorIds: [...new Set(members.flatMap((d) => d.creators))],
          datasetGrantIds: members.flatMap((d) => [...d.grants, ...(fundedBy.get(d.id) ?? [])]),
          publicationAuthors: publication.authors,
          publicationGrantIds: fundedBy.get(publicationId) ?? [],
          agents,
        }),
      ).level;
    }
    cache.set(key, level);
    return level;
  };
}

const LEVEL_ORDER: Readonly<Record<IndependenceLevel, number>> = { independent: 0, 'same-lab': 1, 'co-authored': 2 };

function lessIndependent(a: IndependenceLevel, b: IndependenceLevel): IndependenceLevel {
  return LEVEL_ORDER[a] >= LEVEL_ORDER[b] ? a : b;
}

// ---------------------------------------------------------------------------------------------------------------
// Output shaping.
// ---------------------------------------------------------------------------------------------------------------

/**
 * GET /v1/datasets/:id/credit for one dataset over an already built graph (explainCreditFromRows rebuilds the graph
 * per call). Paths through a figure panel are spelled out edge by edge, so every ledgerSeq is the entry of exactly
 * the graph edge between the two nodes around it.
 */
export function explainDataset(
  built: RowCreditGraph,
  datasetId: string,
  panels: ReadonlyMap<string, PanelLink>,
  policy: MetricsPolicy,
  maxPaths: number,
): RowCreditExplanation {
  const explanation = explainBuiltCredit(built, datasetId, policy, { maxPaths });
  return { ...explanation, paths: explanation.paths.map((p) => expandPanelPath(p, panels)) };
}

/**
 * The engine models publication -> panel -> dataset as two edges with the panel row's seq; the graph has
 * publication hasPart figure hasPart panel wasDerivedFrom dataset. Insert the figure and use each edge's own seq.
 */
export function expandPanelPath(path: RowCreditPath, panels: ReadonlyMap<string, PanelLink>): RowCreditPath {
  if (!path.nodes.some((n) => panels.has(n))) return path;
  const nodes: string[] = [path.nodes[0]];
  const seqs: string[] = [];
  for (let i = 1; i < path.nodes.length; i += 1) {
    const from = path.nodes[i - 1];
    const to = path.nodes[i];
    const link = panels.get(to);
    const fromLink = panels.get(from);
    if (link && link.publicationId === from) {
      if (link.figureId) nodes.push(link.figureId);
      seqs.push(...link.partSeqs);
    } else if (fromLink) {
      // The panel's source is named by dataset version; the path node is the concept.
      seqs.push(fromLink.sourceSeqs.get(to) ?? [...fromLink.sourceSeqs.values()].sort(compareSeq)[0]);
    } else {
      seqs.push(path.ledgerSeqs[i - 1]);
    }
    nodes.push(to);
  }
  return { ...path, nodes, ledgerSeqs: seqs };
}

export function compareSeq(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Person metrics and awards.
// ---------------------------------------------------------------------------------------------------------------

export function createdDatasetRowsOf(
  snapshot: MetricsSnapshot,
  concepts: ReadonlyMap<string, string>,
): CreatedDatasetRow[] {
  const kindOf = new Map(snapshot.agents.map((a) => [a.id, a.kind]));
  return snapshot.datasets.map((d) => ({
    id: d.id,
    conceptId: concepts.get(d.id) ?? d.id,
    creators: d.creators.map((agentId) => ({ agentId, kind: kindOf.get(agentId) ?? 'person' })),
  }));
}
