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

async function loadAgents(manager: EntityManager): Promise<SnapshotAgent[]> {
  const rows = await manager.query<Array<Record<string, unknown>>>(
    `SELECT id, kind, name, given_name, family_name, orcid, ror, affiliations::text[] AS affiliations, career_stage
     FROM agents ORDER BY id`,
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

async function loadDatasets(manager: EntityManager): Promise<SnapshotDataset[]> {
  const rows = await manager.query<Array<Record<string, unknown>>>(
    `SELECT d.id, d.kind, d.creators::text[] AS creators, d.description, d.keywords, d.organism, d.imaging_method,
            d.license, d.accession, jsonb_array_length(d.identifiers) AS identifier_count, d.landing_page,
            d.publisher_id, d.grants::text[] AS grants, d.embargo_until::text AS embargo_until,
            d.released_at::text AS released_at, d.previous_version_id, d.doi, d.doi_state,
            d.withdrawn_at IS NOT NULL AS withdrawn, d.created_at, d.ledger_seq::text AS seq, le.created_at AS recorded_at
     FROM datasets d LEFT JOIN ledger_entries le ON le.seq = d.ledger_seq
     ORDER BY d.id`,
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

async function loadPublications(manager: EntityManager): Promise<SnapshotPublication[]> {
  const rows = await manager.query<Array<Record<string, unknown>>>(
    `SELECT p.id, p.doi, p.issued, p.csl_type, p.csl->>'genre' AS genre, p.csl->>'subtype' AS subtype, p.authors,
            p.ledger_seq::text AS seq, le.created_at AS recorded_at,
            COALESCE(n.properties->>'retracted', 'false') = 'true' AS retracted
     FROM publications p
     LEFT JOIN graph_nodes n ON n.id = p.id
     LEFT JOIN ledger_entries le ON le.seq = p.ledger_seq
     ORDER BY p.id`,
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

async function loadReuses(manager: EntityManager): Promise<SnapshotReuse[]> {
  const rows = await manager.query<Array<Record<string, unknown>>>(
    `SELECT r.id, r.publication_id, r.type, r.evidence, r.status, r.resolved_outcome, r.ledger_seq::text AS seq,
            le.created_at AS recorded_at,
            json_agg(json_build_object('datasetId', rd.dataset_id, 'level', rd.level, 'edgeSeq', rd.edge_ledger_seq::text)
                     ORDER BY rd.position) AS datasets
     FROM reuses r
     JOIN reuse_datasets rd ON rd.reuse_id = r.id
     LEFT JOIN ledger_entries le ON le.seq = r.ledger_seq
     GROUP BY r.id, le.created_at
     ORDER BY r.id`,
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

async function loadEdges(manager: EntityManager): Promise<SnapshotEdge[]> {
  const rows = await manager.query<Array<Record<string, unknown>>>(
    `SELECT e.source_id, s.type AS source_type, e.relation, e.target_id, t.type AS target_type, e.ledger_seq::text AS seq
     FROM graph_edges e
     JOIN graph_nodes s ON s.id = e.source_id
     JOIN graph_nodes t ON t.id = e.target_id
     WHERE e.status = 'active' AND e.relation = ANY($1::text[])
     ORDER BY e.ledger_seq`,
    [RELATIONS],
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

async function loadCitations(manager: EntityManager): Promise<SnapshotCitation[]> {
  const rows = await manager.query<Array<Record<string, unknown>>>(
    // A citing work registered here is named by its publication id, so it counts once with its reuses and panels.
    `SELECT cited_dataset_id, COALESCE(citing_publication_id::text, citing_identifier) AS citing_identifier, relation,
            ledger_seq::text AS seq
     FROM citations WHERE cited_dataset_id IS NOT NULL ORDER BY ledger_seq`,
  );
  return rows.map((r) => ({
    citedDatasetId: r.cited_dataset_id as string,
    citingIdentifier: r.citing_identifier as string,
    relation: r.relation as string,
    seq: r.seq as string,
  }));
}

/** Graph neighbours of nodes the credit graph does not know (agents, figures, grants, reuse events …). */
export async function loadNeighbourIds(manager: EntityManager, ids: readonly string[]): Promise<string[]> {
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
