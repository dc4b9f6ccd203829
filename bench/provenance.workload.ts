// Provenance import (JSON-LD in, nodes and edges written as ledger entries) next to a raw INSERT of the same node and
// edge rows, and lineage walks next to a bare recursive query over the same edges.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ledgerContextUrl } from '../src/core/jsonld/context-urls.js';
import { GraphService } from '../src/graph/graph.service.js';
import type { SeededLedger } from './api-seed.js';
import { drawPopularDatasets } from './api-seed.js';
import { call, isRouteMissing } from './environment.js';
import { createRng, provenanceDocument } from './generator.js';
import { runHttpLoad, startBareServer } from './http-load.js';
import type { BenchContext } from './profile.js';
import { compare, measure } from './report.js';

type Json = Record<string, unknown>;

const UUID_TAIL = /\/id\/([0-9a-f-]{36})$/;

/** The rows an import of `document` would write, minus the ledger: one node row per @graph entry, one edge per reference. */
function rowsOf(document: Json): { nodes: unknown[][]; edges: unknown[][] } {
  const graph = document['@graph'] as Json[];
  const idOf = new Map<string, string>();
  for (const node of graph) {
    const iri = String(node['@id']);
    idOf.set(iri, UUID_TAIL.exec(iri)?.[1] ?? randomUUID());
  }
  const nodes: unknown[][] = [];
  const edges: unknown[][] = [];
  for (const node of graph) {
    const iri = String(node['@id']);
    const types = node['@type'] as string[];
    nodes.push([
      idOf.get(iri),
      iri,
      types[types.length - 1],
      typeof node.name === 'string' ? node.name : null,
      JSON.stringify(node),
    ]);
    for (const [key, value] of Object.entries(node)) {
      const target =
        typeof value === 'object' && value !== null && '@id' in value ? String((value as Json)['@id']) : null;
      if (target && idOf.has(target)) edges.push([randomUUID(), idOf.get(iri), key, idOf.get(target)]);
    }
  }
  return { nodes, edges };
}

export async function runProvenanceWorkloads(ctx: BenchContext, seeded: SeededLedger): Promise<void> {
  await runImport(ctx, seeded);
  await runLineage(ctx, seeded);
  await runRoCrateExport(ctx, seeded);
}

/**
 * RO-Crate export of a 1,000-node subgraph: one imported document where 498 analysis runs each derive a dataset from
 * one raw image dataset (a star), exported from the raw dataset, whose lineage both ways covers the whole document.
 * Baseline: loading the same subgraph through GraphService.lineage, so the ratio is the cost of building the crate on
 * top of reading it.
 */
async function runRoCrateExport(ctx: BenchContext, seeded: SeededLedger): Promise<void> {
  const graph = ctx.app.app.get(GraphService);
  const base = ctx.app.config.PUBLIC_BASE_URL;
  const person = seeded.ledger.people[0];
  const personIri = `https://orcid.org/${person.orcid}`;
  const software = `${base}/id/${randomUUID()}`;
  const root = randomUUID();
  const raw = `${base}/id/${root}`;
  const nodes: Json[] = [
    {
      '@id': software,
      '@type': ['SoftwareApplication', 'prov:SoftwareAgent', 'prov:Agent'],
      name: 'CellProfiler',
      softwareVersion: '4.2.6',
    },
    {
      '@id': personIri,
      '@type': ['Person', 'prov:Person', 'prov:Agent'],
      name: `${person.givenName} ${person.familyName}`,
    },
    {
      '@id': raw,
      '@type': ['Dataset', 'prov:Entity', 'ImageDataset'],
      name: 'Raw images shared by every run',
      license: { '@id': 'https://spdx.org/licenses/CC-BY-4.0' },
      creator: { '@id': personIri },
      wasAttributedTo: { '@id': personIri },
    },
  ];
  for (let i = 0; nodes.length + 2 <= 1_000; i++) {
    const run = `${base}/id/${randomUUID()}`;
    const started = Date.UTC(2024, 0, 1, 8) + i * 60_000;
    const at = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
    nodes.push(
      {
        '@id': run,
        '@type': ['CreateAction', 'prov:Activity', 'AnalysisActivity'],
        name: `Segmentation ${i}`,
        used: { '@id': raw },
        instrument: { '@id': software },
        agent: { '@id': personIri },
        startedAtTime: at(started),
        endedAtTime: at(started + 30_000),
      },
      {
        '@id': `${base}/id/${randomUUID()}`,
        '@type': ['Dataset', 'prov:Entity', 'DerivedDataset'],
        name: `Masks ${i}`,
        license: { '@id': 'https://spdx.org/licenses/CC-BY-4.0' },
        creator: { '@id': personIri },
        wasDerivedFrom: { '@id': raw },
        wasGeneratedBy: { '@id': run },
        generatedAtTime: at(started + 30_000),
      },
    );
  }
  const imported = await call(ctx.app.origin, 'POST', '/v1/provenance', {
    body: { '@context': ledgerContextUrl(base), '@graph': nodes },
    headers: seeded.someDepositor,
    contentType: 'application/ld+json',
  });
  if (imported.status !== 201) {
    throw new Error(
      `RO-Crate subgraph import answered ${imported.status}: ${JSON.stringify(imported.body).slice(0, 300)}`,
    );
  }
  const depth = 5;
  const path = `/v1/nodes/${root}/ro-crate?depth=${depth}`;
  const samples = ctx.profile.name === 'quick' ? 5 : 10;
  const exportMs: number[] = [];
  const readMs: number[] = [];
  let entities = 0;
  for (let i = 0; i < samples + 1; i++) {
    let t0 = performance.now();
    const res = await call(ctx.app.origin, 'GET', path, { headers: { accept: 'application/ld+json' } });
    const took = performance.now() - t0;
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
    entities = ((res.body as Json)['@graph'] as unknown[]).length;
    t0 = performance.now();
    const up = await graph.lineage(root, 'upstream', depth);
    const down = await graph.lineage(root, 'downstream', depth);
    const read = performance.now() - t0;
    if (up.nodes.length + down.nodes.length === 0) throw new Error('the RO-Crate subgraph is empty');
    if (i === 0) continue; // warm-up
    exportMs.push(took);
    readMs.push(read);
  }
  if (entities < 900) throw new Error(`the RO-Crate export holds ${entities} entities, not the ~1,000-node subgraph`);
  ctx.results.ro_crate_export = compare(
    measure(exportMs, 'ms', `GET /v1/nodes/:id/ro-crate (depth ${depth}) of a 1,000-node imported subgraph`, {
      p99: true,
    }),
    measure(readMs, 'ms', 'GraphService.lineage upstream + downstream of the same root: the subgraph read alone', {
      p99: true,
    }),
    'lower',
    { subgraphNodes: nodes.length, crateEntities: entities },
  );
}

async function runImport(ctx: BenchContext, seeded: SeededLedger): Promise<void> {
  const { pool, profile } = ctx;
  const rng = createRng(ctx.seed + 21);
  const contextUrl = ledgerContextUrl(ctx.app.config.PUBLIC_BASE_URL);
  const documents = Array.from({ length: profile.provenance.documents + 1 }, () =>
    provenanceDocument(rng, profile.provenance.nodesPerDocument, {
      baseUrl: ctx.app.config.PUBLIC_BASE_URL,
      contextUrl,
      people: seeded.ledger.people,
    }),
  );
  const post = (document: Json) =>
    call(ctx.app.origin, 'POST', '/v1/provenance', {
      body: document,
      headers: seeded.someDepositor,
      contentType: 'application/ld+json',
    });
  const first = await post(documents[0].document);
  if (isRouteMissing(first)) {
    ctx.results.provenance_import = {
      skipped: true,
      reason: 'POST /v1/provenance answers 404 ROUTE_NOT_FOUND in this build',
    };
    return;
  }
  if (first.status !== 201)
    throw new Error(`POST /v1/provenance answered ${first.status}: ${JSON.stringify(first.body).slice(0, 800)}`);

  await pool.query('CREATE SCHEMA IF NOT EXISTS bench');
  await pool.query('CREATE TABLE IF NOT EXISTS bench.raw_nodes (LIKE public.graph_nodes INCLUDING ALL)');
  await pool.query('CREATE TABLE IF NOT EXISTS bench.raw_edges (LIKE public.graph_edges INCLUDING ALL)');
  const rawImport = async (document: Json): Promise<void> => {
    const { nodes, edges } = rowsOf(document);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO bench.raw_nodes (id, iri, type, label, properties, ledger_seq)
         SELECT n.id, n.iri, n.type, n.label, n.properties, 0 FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[]) AS n(id, iri, type, label, properties)
         ON CONFLICT DO NOTHING`,
        [
          nodes.map((n) => n[0]),
          nodes.map((n) => n[1]),
          nodes.map((n) => n[2]),
          nodes.map((n) => n[3]),
          nodes.map((n) => n[4]),
        ],
      );
      await client.query(
        `INSERT INTO bench.raw_edges (id, source_id, relation, target_id, ledger_seq)
         SELECT e.id, e.s, e.r, e.t, 0 FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[]) AS e(id, s, r, t)`,
        [edges.map((e) => e[0]), edges.map((e) => e[1]), edges.map((e) => e[2]), edges.map((e) => e[3])],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  };
  await rawImport(documents[0].document);

  const service: number[] = [];
  const floor: number[] = [];
  for (const { document, nodeCount } of documents.slice(1)) {
    const res = await post(document);
    if (res.status !== 201)
      throw new Error(`POST /v1/provenance answered ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
    service.push(nodeCount / (res.ms / 1000));
    const t0 = performance.now();
    await rawImport(document);
    floor.push(nodeCount / ((performance.now() - t0) / 1000));
  }
  ctx.results.provenance_import = compare(
    measure(
      service,
      'nodes/s',
      `POST /v1/provenance, JSON-LD documents of ${profile.provenance.nodesPerDocument} nodes (datasets, runs, software, people)`,
    ),
    measure(
      floor,
      'nodes/s',
      'raw INSERT of the same node and edge rows into copies of graph_nodes / graph_edges, one transaction',
    ),
    'higher',
    { nodesPerDocument: profile.provenance.nodesPerDocument },
  );
}

async function runLineage(ctx: BenchContext, seeded: SeededLedger): Promise<void> {
  // Depth 10 is the headline; 5 and 20 bracket it (the issue asks for both).
  await runLineageAt(ctx, seeded, 10, 'lineage_query', true);
  await runLineageAt(ctx, seeded, 5, 'lineage_query_depth5', false);
  await runLineageAt(ctx, seeded, 20, 'lineage_query_depth20', false);
}

async function runLineageAt(
  ctx: BenchContext,
  seeded: SeededLedger,
  DEPTH: number,
  key: string,
  withHttp: boolean,
): Promise<void> {
  const { pool, profile } = ctx;
  const graph = ctx.app.app.get(GraphService);
  const n = profile.provenance.lineageSamples;
  const derived = seeded.ledger.datasets.flatMap((d, i) => (d.kind === 'derived' ? [seeded.datasetIds[i]] : []));
  const popular = drawPopularDatasets(seeded, n, ctx.seed + 31);
  const rng = createRng(ctx.seed + 32);
  // Half upstream from derived data (where did this come from), half downstream from popular data (what was built on it).
  const walks = Array.from({ length: n }, (_, i) =>
    i % 2 === 0
      ? { id: rng.pick(derived), direction: 'upstream' as const }
      : { id: popular[i], direction: 'downstream' as const },
  );
  // The walk alone, as GraphService.lineage runs it (same recursion, same cycle guard), counting rows instead of
  // loading edges and nodes: the ratio is what materialising the lineage costs on top of the database's walk.
  const rawWalk = (id: string, direction: 'upstream' | 'downstream') => {
    const [from, to] = direction === 'upstream' ? ['source_id', 'target_id'] : ['target_id', 'source_id'];
    return pool.query(
      `WITH RECURSIVE walk(node_id, depth, path) AS (
         SELECT e.${to}, 1, ARRAY[$1::uuid, e.${to}] FROM graph_edges e WHERE e.${from} = $1 AND e.status = 'active'
         UNION ALL
         SELECT e.${to}, w.depth + 1, w.path || e.${to}
         FROM walk w JOIN graph_edges e ON e.${from} = w.node_id AND e.status = 'active'
         WHERE w.depth < $2 AND NOT (e.${to} = ANY(w.path))
       ) SELECT count(*) AS n FROM walk`,
      [id, DEPTH],
    );
  };
  for (const w of walks.slice(0, 10)) {
    await graph.lineage(w.id, w.direction, DEPTH);
    await rawWalk(w.id, w.direction);
  }
  const service: number[] = [];
  const floor: number[] = [];
  let edgesSeen = 0;
  for (const w of walks) {
    let t0 = performance.now();
    const lineage = await graph.lineage(w.id, w.direction, DEPTH);
    service.push(performance.now() - t0);
    edgesSeen += lineage.edges.length;
    t0 = performance.now();
    await rawWalk(w.id, w.direction);
    floor.push(performance.now() - t0);
  }
  const floorMeasure = measure(
    floor,
    'ms',
    `the same recursive walk over graph_edges in one query, counting rows instead of loading edges and nodes, depth ${DEPTH}`,
    { p99: true },
  );
  ctx.results[key] = compare(
    measure(service, 'ms', `GraphService.lineage(id, upstream|downstream, ${DEPTH}): walk, edges and nodes loaded`, {
      p99: true,
    }),
    floorMeasure,
    'lower',
    { depth: DEPTH, meanEdges: Math.round(edgesSeen / walks.length) },
  );
  if (!withHttp) return;

  const targets = walks.map((w) => ({
    method: 'GET' as const,
    path: `/v1/nodes/${w.id}/lineage?direction=${w.direction}&depth=${DEPTH}`,
  }));
  const sample = await call(ctx.app.origin, 'GET', targets[1].path, { headers: { accept: 'application/ld+json' } });
  if (isRouteMissing(sample)) {
    ctx.results.lineage_http = {
      skipped: true,
      reason: 'GET /v1/nodes/:id/lineage answers 404 ROUTE_NOT_FOUND in this build',
    };
    return;
  }
  if (sample.status !== 200)
    throw new Error(`GET ${targets[1].path} answered ${sample.status}: ${JSON.stringify(sample.body).slice(0, 300)}`);
  const load = {
    concurrency: 1,
    durationMs: 120_000,
    warmupMs: 300,
    maxRequests: n,
    okStatuses: [200],
    headers: { accept: 'application/ld+json' },
  };
  const http = await runHttpLoad({ origin: ctx.app.origin, targets, ...load });
  if (http.errors > 0) throw new Error(`lineage over HTTP: ${http.errors} errors (${http.firstError ?? ''})`);
  const bare = await startBareServer(JSON.stringify(sample.body), 'application/ld+json');
  try {
    const floorHttp = await runHttpLoad({ origin: bare.origin, targets, ...load });
    ctx.results.lineage_http = compare(
      measure(http.latenciesMs, 'ms', `GET /v1/nodes/:id/lineage?direction=…&depth=${DEPTH} (JSON-LD), one client`, {
        p99: true,
      }),
      measure(floorHttp.latenciesMs, 'ms', 'bare node:http server returning one lineage document as a constant', {
        p99: true,
      }),
      'lower',
      { depth: DEPTH, responseBytes: JSON.stringify(sample.body).length },
    );
  } finally {
    await bare.close();
  }
}
