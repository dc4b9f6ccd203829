import type { EntityManager } from 'typeorm';
import type { DoiState } from '../datasets/entities/dataset.entity.js';
import type { AuthorFacts } from '../reuses/reuses.rules.js';
import type {
  MetricsSnapshot,
  SnapshotAgent,
  SnapshotCitation,
  SnapshotDataset,
  SnapshotEdge,
  SnapshotPublication,
  SnapshotReuse,
} from './metrics-inputs.rules.js';
import { doiKey } from './dataset-metrics.rules.js';
import type { IndependenceLevel, ReuseType } from './policy.rules.js';

// The one place that reads the tables the metrics depend on. Run it inside a REPEATABLE READ transaction: every
// query then sees the same snapshot, and the ledger size read first is the tree size the numbers were computed at.

/** Graph relations the metrics read. */
const RELATIONS = ['wasDerivedFrom', 'hasPart', 'funding', 'wasRevisionOf'];

// CSL types and genres a preprint arrives with (CSL 1.0.2 "manuscript", Crossref "posted-content").
const PREPRINT_TYPES = new Set(['manuscript', 'posted-content', 'preprint']);

export async function loadMetricsSnapshot(manager: EntityManager): Promise<MetricsSnapshot> {
  const [head] = await manager.query<Array<{ size: string }>>(
    'SELECT size::text AS size FROM ledger_head WHERE id = 1',
  );
  const tables = await existingTables(manager, ['publications', 'reuses', 'reuse_datasets', 'citations']);
  const [agents, datasets, publications, reuses, edges, citations] = [
    await loadAgents(manager),
    await loadDatasets(manager),
    tables.has('publications') ? await loadPublications(manager) : [],
    tables.has('reuses') && tables.has('reuse_datasets') ? await loadReuses(manager) : [],
    await loadEdges(manager),
    tables.has('citations') ? await loadCitations(manager) : [],
  ];
  return { treeSize: head?.size ?? '0', agents, datasets, publications, reuses, edges, citations };
}

async function existingTables(manager: EntityManager, names: string[]): Promise<Set<string>> {
  const rows = await manager.query<Array<{ name: string }>>(
    `SELECT n AS name FROM unnest($1::text[]) AS n WHERE to_regclass(n) IS NOT NULL`,
    [names],
  );
  return new Set(rows.map((r) => r.name));
}

export async function loadAgents(manager: EntityManager, ids?: readonly string[]): Promise<SnapshotAgent[]> {
  const rows = await manager.query<Array<Record<string, unknown>>>(
    `SELECT id, kind, name, given_name, family_name, orcid, ror, affiliations::text[] AS affiliations, career_stage
     FROM agents ${ids === undefined ? '' : 'WHERE id = ANY($1::uuid[])'} ORDER BY id`,
    ids === undefined ? [] : [ids],
  );
  return rows.map((r) => ({
    id: r.id as string,
    kind: r.kind as SnapshotAgent['kind'],
    name: r.name as string,
    givenName: (r.given_name as string | null) ?? null,
    familyName: (r.family_name as string | null) ?? null,
    orcid: (r.orcid as string | null) ?? null,
    ror: (r.ror as string | null) ?? null,
    affiliations: (r.affiliations as string[] | null) ?? [],
    careerStage: (r.career_stage as SnapshotAgent['careerStage']) ?? null,
  }));
}

export async function loadDatasets(manager: EntityManager, ids?: readonly string[]): Promise<SnapshotDataset[]> {
  const rows = await manager.query<Array<Record<string, unknown>>>(
    `SELECT d.id, d.kind, d.creators::text[] AS creators, d.description, d.keywords, d.organism, d.imaging_method,
            d.license, d.accession, jsonb_array_length(d.identifiers) AS identifier_count, d.landing_page,
            d.publisher_id, d.grants::text[] AS grants, d.embargo_until::text AS embargo_until,
            d.released_at::text AS released_at, d.previous_version_id, d.doi, d.doi_state,
            d.withdrawn_at IS NOT NULL AS withdrawn, d.created_at, d.ledger_seq::text AS seq, le.created_at AS recorded_at
     FROM datasets d LEFT JOIN ledger_entries le ON le.seq = d.ledger_seq
     ${ids === undefined ? '' : 'WHERE d.id = ANY($1::uuid[])'}
     ORDER BY d.id`,
    ids === undefined ? [] : [ids],
  );
  return rows.map((r) => ({
    id: r.id as string,
    kind: r.kind as SnapshotDataset['kind'],
    creators: (r.creators as string[] | null) ?? [],
    description: (r.description as string | null) ?? null,
    keywords: (r.keywords as string[] | null) ?? [],
    organism: (r.organism as string | null) ?? null,
    imagingMethod: (r.imaging_method as string | null) ?? null,
    license: r.license as string,
    accession: (r.accession as string | null) ?? null,
    identifierCount: Number(r.identifier_count ?? 0),
    landingPage: (r.landing_page as string | null) ?? null,
    publisherId: (r.publisher_id as string | null) ?? null,
    grants: (r.grants as string[] | null) ?? [],
    embargoUntil: (r.embargo_until as string | null) ?? null,
    releasedAt: r.released_at as string,
    previousVersionId: (r.previous_version_id as string | null) ?? null,
    doi: (r.doi as string | null) ?? null,
    doiState: r.doi_state as DoiState,
    withdrawn: r.withdrawn === true,
    registeredAt: iso(r.created_at) ?? '',
    seq: r.seq as string,
    recordedAt: iso(r.recorded_at),
  }));
}

export async function loadPublications(
  manager: EntityManager,
  ids?: readonly string[],
): Promise<SnapshotPublication[]> {
  const rows = await manager.query<Array<Record<string, unknown>>>(
    `SELECT p.id, p.doi, p.issued, p.csl_type, p.csl->>'genre' AS genre, p.csl->>'subtype' AS subtype, p.authors,
            p.ledger_seq::text AS seq, le.created_at AS recorded_at,
            COALESCE(n.properties->>'retracted', 'false') = 'true' AS retracted
     FROM publications p
     LEFT JOIN graph_nodes n ON n.id = p.id
     LEFT JOIN ledger_entries le ON le.seq = p.ledger_seq
     ${ids === undefined ? '' : 'WHERE p.id = ANY($1::uuid[])'}
     ORDER BY p.id`,
    ids === undefined ? [] : [ids],
  );
  return rows.map((r) => {
    const markers = [r.csl_type, r.genre, r.subtype].map((v) => (typeof v === 'string' ? v.toLowerCase() : ''));
    return {
      id: r.id as string,
      doi: (r.doi as string | null) ?? null,
      issued: (r.issued as string | null) ?? null,
      preprint: markers.some((m) => PREPRINT_TYPES.has(m)),
      retracted: r.retracted === true,
      authors: (r.authors as AuthorFacts[] | null) ?? [],
      seq: r.seq as string,
      recordedAt: iso(r.recorded_at),
    };
  });
}

/** Reuse records: all, or those of the given publications. */
export async function loadReuses(
  manager: EntityManager,
  publicationIds?: readonly string[],
  /** Only the claims on these datasets (a record then lists just those). */
  datasetIds?: readonly string[],
): Promise<SnapshotReuse[]> {
  const where = [
    ...(publicationIds === undefined ? [] : ['r.publication_id = ANY($1::uuid[])']),
    ...(datasetIds === undefined ? [] : [`rd.dataset_id = ANY($${publicationIds === undefined ? 1 : 2}::uuid[])`]),
  ];
  const rows = await manager.query<Array<Record<string, unknown>>>(
    `SELECT r.id, r.publication_id, r.type, r.evidence, r.status, r.resolved_outcome, r.ledger_seq::text AS seq,
            le.created_at AS recorded_at,
            json_agg(json_build_object('datasetId', rd.dataset_id, 'level', rd.level, 'edgeSeq', rd.edge_ledger_seq::text)
                     ORDER BY rd.position) AS datasets
     FROM reuses r
     JOIN reuse_datasets rd ON rd.reuse_id = r.id
     LEFT JOIN ledger_entries le ON le.seq = r.ledger_seq
     ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`}
     GROUP BY r.id, le.created_at
     ORDER BY r.id`,
    [...(publicationIds === undefined ? [] : [publicationIds]), ...(datasetIds === undefined ? [] : [datasetIds])],
  );
  return rows.map((r) => ({
    id: r.id as string,
    publicationId: r.publication_id as string,
    type: r.type as ReuseType,
    evidence: r.evidence as SnapshotReuse['evidence'],
    status: r.status as SnapshotReuse['status'],
    resolvedOutcome: (r.resolved_outcome as SnapshotReuse['resolvedOutcome']) ?? null,
    seq: r.seq as string,
    recordedAt: iso(r.recorded_at),
    datasets: r.datasets as Array<{ datasetId: string; level: IndependenceLevel; edgeSeq: string }>,
  }));
}

/** Active edges of the relations the metrics read: all, or those with an end among the given nodes. */
export async function loadEdges(manager: EntityManager, nodeIds?: readonly string[]): Promise<SnapshotEdge[]> {
  const rows = await manager.query<Array<Record<string, unknown>>>(
    `SELECT e.source_id, s.type AS source_type, e.relation, e.target_id, t.type AS target_type, e.ledger_seq::text AS seq
     FROM graph_edges e
     JOIN graph_nodes s ON s.id = e.source_id
     JOIN graph_nodes t ON t.id = e.target_id
     WHERE e.status = 'active' AND e.relation = ANY($1::text[])
       ${nodeIds === undefined ? '' : 'AND (e.source_id = ANY($2::uuid[]) OR e.target_id = ANY($2::uuid[]))'}
     ORDER BY e.ledger_seq`,
    nodeIds === undefined ? [RELATIONS] : [RELATIONS, nodeIds],
  );
  return rows.map((r) => ({
    sourceId: r.source_id as string,
    sourceType: r.source_type as string,
    relation: r.relation as string,
    targetId: r.target_id as string,
    targetType: r.target_type as string,
    seq: r.seq as string,
  }));
}

/** Citations of registered datasets: all, or those of the given datasets. */
async function loadCitations(manager: EntityManager, datasetIds?: readonly string[]): Promise<SnapshotCitation[]> {
  const rows = await manager.query<Array<Record<string, unknown>>>(
    // A citing work registered here is named by its publication id, so it counts once with its reuses and panels.
    `SELECT cited_dataset_id, COALESCE(citing_publication_id::text, citing_identifier) AS citing_identifier, relation,
            ledger_seq::text AS seq
     FROM citations WHERE cited_dataset_id IS NOT NULL
       ${datasetIds === undefined ? '' : 'AND cited_dataset_id = ANY($1::uuid[])'}
     ORDER BY ledger_seq`,
    datasetIds === undefined ? [] : [datasetIds],
  );
  return rows.map((r) => ({
    citedDatasetId: r.cited_dataset_id as string,
    citingIdentifier: r.citing_identifier as string,
    relation: r.relation as string,
    seq: r.seq as string,
  }));
}

/** Graph neighbours of nodes that are not themselves datasets, publications, figures or panels (agents, grants …). */
async function loadNeighbourIds(manager: EntityManager, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await manager.query<Array<{ id: string }>>(
    `SELECT DISTINCT CASE WHEN e.source_id = ANY($1::uuid[]) THEN e.target_id ELSE e.source_id END AS id
     FROM graph_edges e
     WHERE e.status = 'active' AND (e.source_id = ANY($1::uuid[]) OR e.target_id = ANY($1::uuid[]))`,
    [[...ids]],
  );
  return rows.map((r) => r.id);
}

function iso(value: unknown): string | null {
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' ? value : null;
}

// ---------------------------------------------------------------------------------------------------------------
// The neighbourhood of some datasets: what their numbers depend on, read without the rest of the ledger.
// ---------------------------------------------------------------------------------------------------------------

const DATASET_TYPES = ['ImageDataset', 'DerivedDataset'];

async function idColumn(manager: EntityManager, sql: string, params: unknown[]): Promise<string[]> {
  const rows = await manager.query<Array<{ id: string }>>(sql, params);
  return rows.map((r) => r.id);
}

/** The given datasets with every version of their concepts (previous-version chains, both ways). */
async function withVersions(manager: EntityManager, ids: Iterable<string>, known: Set<string>): Promise<string[]> {
  const added: string[] = [];
  let frontier = [...ids].filter((id) => !known.has(id));
  for (const id of frontier) known.add(id);
  added.push(...frontier);
  while (frontier.length > 0) {
    const rows = await manager.query<Array<{ id: string; previous: string | null }>>(
      `SELECT id, previous_version_id AS previous FROM datasets
       WHERE id = ANY($1::uuid[]) OR previous_version_id = ANY($1::uuid[])`,
      [frontier],
    );
    frontier = [];
    for (const r of rows) {
      for (const id of [r.id, r.previous]) {
        if (id !== null && !known.has(id)) {
          known.add(id);
          frontier.push(id);
          added.push(id);
        }
      }
    }
  }
  return added;
}

/**
 * The nodes at the other end of `relation` edges from the given nodes: their `sources` (edges into them) or their
 * `targets` (edges out of them), of the given node types. Active edges only, unless `any` (a retracted edge still
 * names what its change moved).
 */
function across(
  manager: EntityManager,
  way: 'sources' | 'targets',
  relation: string,
  ids: readonly string[],
  types: readonly string[],
  status: 'active' | 'any' = 'active',
): Promise<string[]> {
  if (ids.length === 0) return Promise.resolve([]);
  const [near, far] = way === 'sources' ? ['target_id', 'source_id'] : ['source_id', 'target_id'];
  return idColumn(
    manager,
    `SELECT DISTINCT e.${far} AS id FROM graph_edges e JOIN graph_nodes n ON n.id = e.${far}
     WHERE e.relation = $1 AND e.${near} = ANY($2::uuid[]) AND n.type = ANY($3::text[])
       ${status === 'active' ? "AND e.status = 'active'" : ''}`,
    [relation, ids, types],
  );
}

const sourcesInto = (manager: EntityManager, relation: string, targets: readonly string[], types: readonly string[]) =>
  across(manager, 'sources', relation, targets, types);
const targetsOf = (manager: EntityManager, relation: string, sources: readonly string[], types: readonly string[]) =>
  across(manager, 'targets', relation, sources, types);

/** Adds every publication linked to one in the set by wasRevisionOf, either way, to the closure (manifestations). */
async function addRevisions(
  manager: EntityManager,
  publications: Set<string>,
  status: 'active' | 'any' = 'active',
): Promise<void> {
  let frontier = [...publications];
  while (frontier.length > 0) {
    const linked = [
      ...(await across(manager, 'sources', 'wasRevisionOf', frontier, ['Publication'], status)),
      ...(await across(manager, 'targets', 'wasRevisionOf', frontier, ['Publication'], status)),
    ];
    frontier = [...new Set(linked)].filter((id) => !publications.has(id));
    for (const id of frontier) publications.add(id);
  }
}

/**
 * The part of the ledger's tables the numbers of `datasetIds` depend on, as a MetricsSnapshot: their metrics (all but
 * the cohort percentile, which needs the whole cohort) and their credit and its explanation come out of it exactly as
 * out of the whole snapshot. That is: every version of their concepts; their credit cone (every node with a path of
 * at most maxDepth + 1 edges to them: derived datasets, panels, reusing publications); every input of a node in the
 * cone (its credit map splits over all of them); the other manifestations of every publication read (a work's dates
 * and retraction are its members'); the citations of the datasets and the publications citing them; the agents
 * whose independence is judged, with their organisations; and the funding of every dataset and publication read.
 * Run it inside a REPEATABLE READ transaction, like loadMetricsSnapshot.
 */
export async function loadMetricsNeighbourhood(
  manager: EntityManager,
  datasetIds: readonly string[],
  maxDepth: number,
  /** `metrics`: only what the metrics other than credit read (the reusers, panels and derived data of the datasets). */
  scope: 'credit' | 'metrics' = 'credit',
): Promise<MetricsSnapshot> {
  const [head] = await manager.query<Array<{ size: string }>>(
    'SELECT size::text AS size FROM ledger_head WHERE id = 1',
  );
  const tables = await existingTables(manager, ['publications', 'reuses', 'reuse_datasets', 'citations']);
  const claims = tables.has('reuses') && tables.has('reuse_datasets');
  const datasets = new Set<string>();
  const panels = new Set<string>();
  const figures = new Set<string>();
  const publications = new Set<string>();
  const targets = await withVersions(manager, datasetIds, datasets);

  // The cone, layer by layer: consumers of the last layer's datasets and panels.
  const conePublications = new Set<string>();
  const coneDatasets = [...targets];
  const conePanels: string[] = [];
  let layerDatasets = [...targets];
  let layerPanels: string[] = [];
  // Metrics read the datasets' reusers and panels (a panel's publication is one layer further): two layers.
  const layers = scope === 'credit' ? maxDepth + 1 : 2;
  for (let d = 1; d <= layers && layerDatasets.length + layerPanels.length > 0; d += 1) {
    // Metrics want only the datasets' own reusers and panels (and the panels' publications, one layer on).
    const near = scope === 'credit' || d === 1;
    const derived = await sourcesInto(manager, 'wasDerivedFrom', layerDatasets, DATASET_TYPES);
    const panelConsumers = near ? await sourcesInto(manager, 'wasDerivedFrom', layerDatasets, ['FigurePanel']) : [];
    const claimers =
      claims && near
        ? await idColumn(
            manager,
            `SELECT DISTINCT r.publication_id AS id FROM reuse_datasets rd JOIN reuses r ON r.id = rd.reuse_id
           WHERE rd.dataset_id = ANY($1::uuid[])`,
            [layerDatasets],
          )
        : [];
    const owners = await publicationsShowing(manager, layerPanels, figures);
    for (const p of [...claimers, ...owners]) conePublications.add(p);
    layerDatasets = await withVersions(manager, derived, datasets);
    coneDatasets.push(...layerDatasets);
    layerPanels = panelConsumers.filter((p) => !panels.has(p));
    for (const p of layerPanels) panels.add(p);
    conePanels.push(...layerPanels);
  }

  // Derived datasets are counted downstream to any depth (§4), not only within the cone.
  let downstream = layerDatasets.length > 0 ? [...layerDatasets] : [];
  while (downstream.length > 0) {
    const derived = await sourcesInto(manager, 'wasDerivedFrom', downstream, DATASET_TYPES);
    downstream = await withVersions(manager, derived, datasets);
  }

  // Inputs of every consumer in the cone: what its publications claim and show, what its datasets and panels are
  // derived from. Panels shown by a cone publication need their sources to be panels at all.
  for (const p of conePublications) publications.add(p);
  if (scope === 'credit')
    await addConeInputs(manager, { conePublications, coneDatasets, panels, figures, datasets, claims });

  // Citations of the datasets, and the publications citing them (by id, or by DOI when registered here).
  const citations = tables.has('citations') ? await loadCitations(manager, targets) : [];
  const citingDois = [...new Set(citations.flatMap((c) => doiKey(c.citingIdentifier) ?? []))];
  const citing = tables.has('publications')
    ? await idColumn(manager, `SELECT id FROM publications WHERE id::text = ANY($1::text[]) OR doi = ANY($2::text[])`, [
        citations.map((c) => c.citingIdentifier),
        citingDois,
      ])
    : [];
  for (const p of citing) publications.add(p);

  // Manifestations of one work: wasRevisionOf between publications, either way, to the closure.
  await addRevisions(manager, publications);

  const publicationRows = tables.has('publications') ? await loadPublications(manager, [...publications]) : [];
  const datasetRows = await loadDatasets(manager, [...datasets]);
  // Agents are for judging independence, which only credit does (the metrics read the levels the claims record).
  const people = new Set<string>();
  if (scope === 'credit') {
    for (const d of datasetRows) for (const c of d.creators) people.add(c);
    for (const p of publicationRows) for (const a of p.authors) if (a.agentId) people.add(a.agentId);
  }
  const named = await loadAgents(manager, [...people]);
  const organisations = [...new Set(named.flatMap((a) => a.affiliations))].filter((id) => !people.has(id));
  const agents = [...named, ...(await loadAgents(manager, organisations))].sort((a, b) => compareIds(a.id, b.id));
  return {
    treeSize: head?.size ?? '0',
    agents,
    datasets: datasetRows,
    publications: publicationRows,
    // Metrics count only the claims on the datasets themselves; credit needs every claim of a cone publication.
    reuses:
      claims && tables.has('publications')
        ? await loadReuses(manager, [...publications], scope === 'metrics' ? targets : undefined)
        : [],
    edges: await loadEdges(manager, [...datasets, ...panels, ...figures, ...publications]),
    citations,
  };
}

/** Inputs of every consumer in a credit cone (their credit maps split over all of them), added to the sets. */
async function addConeInputs(
  manager: EntityManager,
  sets: {
    readonly conePublications: ReadonlySet<string>;
    readonly coneDatasets: readonly string[];
    readonly panels: Set<string>;
    readonly figures: Set<string>;
    readonly datasets: Set<string>;
    readonly claims: boolean;
  },
): Promise<void> {
  const { conePublications, coneDatasets, panels, figures, datasets, claims } = sets;
  const claimed = claims
    ? await idColumn(
        manager,
        `SELECT DISTINCT rd.dataset_id AS id FROM reuse_datasets rd JOIN reuses r ON r.id = rd.reuse_id
         WHERE r.publication_id = ANY($1::uuid[])`,
        [[...conePublications]],
      )
    : [];
  const shownFigures = await targetsOf(manager, 'hasPart', [...conePublications], ['Figure']);
  for (const f of shownFigures) figures.add(f);
  const shown = await targetsOf(manager, 'hasPart', [...conePublications, ...shownFigures], ['FigurePanel']);
  for (const p of shown) panels.add(p);
  const sources = await targetsOf(manager, 'wasDerivedFrom', [...coneDatasets, ...panels], DATASET_TYPES);
  await withVersions(manager, [...claimed, ...sources], datasets);
}

/** Publications that show any of the panels, directly or through a figure (figures met are added to `figures`). */
async function publicationsShowing(
  manager: EntityManager,
  panels: readonly string[],
  figures: Set<string>,
): Promise<string[]> {
  if (panels.length === 0) return [];
  const parentFigures = await sourcesInto(manager, 'hasPart', panels, ['Figure']);
  for (const f of parentFigures) figures.add(f);
  return sourcesInto(manager, 'hasPart', [...panels, ...parentFigures], ['Publication']);
}

/** The order ORDER BY id gives uuids (bytewise on the hex text). */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Datasets whose numbers a change to the given nodes can move, read from the tables (the counterpart of
 * affectedSubgraph for a job that does not hold the graph). A publication moves what its work's manifestations claim,
 * show and cite; a panel or figure what it is derived from; an agent, grant or other node what its neighbours move;
 * a dataset itself. From there credit and derived-dataset counts flow to every source, to any depth (derived counts
 * are transitive), with every version of each concept. An over-estimate costs time, never a wrong number.
 */
export async function loadAffectedDatasetIds(
  manager: EntityManager,
  nodeIds: readonly string[],
  /** `touched`: the datasets the nodes name themselves (with versions), not the sources credit flows on to. */
  reach: 'sources' | 'touched' = 'sources',
): Promise<string[]> {
  if (nodeIds.length === 0) return [];
  const typed = async (ids: readonly string[]) =>
    manager.query<Array<{ id: string; type: string }>>(`SELECT id, type FROM graph_nodes WHERE id = ANY($1::uuid[])`, [
      ids,
    ]);
  let nodes = await typed(nodeIds);
  const known = new Set(nodes.map((n) => n.id));
  // Ids the graph does not hold (a reuse record, a citation's dataset row without a node) are taken as datasets.
  const start = new Set(nodeIds.filter((id) => !known.has(id)));
  const others = nodes.filter((n) => !['Publication', 'Figure', 'FigurePanel', ...DATASET_TYPES].includes(n.type));
  if (others.length > 0) {
    const neighbours = (
      await loadNeighbourIds(
        manager,
        others.map((n) => n.id),
      )
    ).filter((id) => !known.has(id));
    nodes = [...nodes.filter((n) => !others.includes(n)), ...(await typed(neighbours))];
  }
  const ofType = (...types: string[]) => nodes.filter((n) => types.includes(n.type)).map((n) => n.id);
  for (const id of ofType(...DATASET_TYPES)) start.add(id);
  const publications = new Set(ofType('Publication'));
  await addRevisions(manager, publications, 'any');
  const pubs = [...publications];
  const tables = await existingTables(manager, ['reuses', 'reuse_datasets', 'citations']);
  if (pubs.length > 0 && tables.has('reuses') && tables.has('reuse_datasets')) {
    const claimed = await idColumn(
      manager,
      `SELECT DISTINCT rd.dataset_id AS id FROM reuse_datasets rd JOIN reuses r ON r.id = rd.reuse_id
       WHERE r.publication_id = ANY($1::uuid[])`,
      [pubs],
    );
    for (const id of claimed) start.add(id);
  }
  if (pubs.length > 0 && tables.has('citations')) {
    const cited = await idColumn(
      manager,
      `SELECT DISTINCT c.cited_dataset_id AS id FROM citations c
       WHERE c.cited_dataset_id IS NOT NULL AND (c.citing_publication_id = ANY($1::uuid[])
         OR c.citing_identifier IN (SELECT doi FROM publications WHERE id = ANY($1::uuid[]) AND doi IS NOT NULL))`,
      [pubs],
    );
    for (const id of cited) start.add(id);
  }
  // Panels: those marked, those of marked figures, those the publications show (edges of any status: a panel
  // taken away moves what it was derived from).
  const figures = [...ofType('Figure'), ...(await across(manager, 'targets', 'hasPart', pubs, ['Figure'], 'any'))];
  const panels = [
    ...ofType('FigurePanel'),
    ...(await across(manager, 'targets', 'hasPart', [...pubs, ...figures], ['FigurePanel'], 'any')),
  ];
  for (const id of await across(manager, 'targets', 'wasDerivedFrom', panels, DATASET_TYPES, 'any')) start.add(id);

  // Every source of every dataset reached, to any depth, with all versions.
  const affected = new Set<string>();
  let layer = await withVersions(manager, start, affected);
  while (reach === 'sources' && layer.length > 0) {
    const sources = await across(manager, 'targets', 'wasDerivedFrom', layer, DATASET_TYPES, 'any');
    layer = await withVersions(manager, sources, affected);
  }
  const existing = await idColumn(manager, 'SELECT id FROM datasets WHERE id = ANY($1::uuid[]) ORDER BY id', [
    [...affected],
  ]);
  return existing;
}
