import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { AgentEntity } from '../agents/entities/agent.entity.js';
import { AgentsService } from '../agents/agents.service.js';
import type { Principal } from '../auth/auth.decorators.js';
import { hasRole } from '../auth/auth.decorators.js';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/env.schema.js';
import type { Receipt } from '../core/database/receipt.js';
import { DomainError } from '../core/http/problem.js';
import { ledgerContextUrl, parseLedgerNodeIri } from '../core/jsonld/context-urls.js';
import { RO_CRATE_12_CONTEXT_FILE, createDocumentLoader, readLedgerContext } from '../core/jsonld/document-loader.js';
import type { DocumentLoader, JsonObject } from '../core/jsonld/jsonld-processor.js';
import { expandSafely } from '../core/jsonld/safe-expand.js';
import { DatasetsService } from '../datasets/datasets.service.js';
import type { DatasetEntity } from '../datasets/entities/dataset.entity.js';
import type { GraphEdgeEntity } from '../graph/entities/graph-edge.entity.js';
import type { GraphNodeEntity } from '../graph/entities/graph-node.entity.js';
import { GraphService } from '../graph/graph.service.js';
import type { NewEdge, NewNode } from '../graph/graph.service.js';
import { DATASET_TYPES } from '../graph/graph.vocabulary.js';
import type { Relation as StoredRelation } from '../graph/graph.vocabulary.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { locateContextsDir } from './contexts.locator.js';
import {
  DEFAULT_LINEAGE_DEPTH,
  STORED_CONTEXT_RELATIONS,
  STORED_LINEAGE_RELATIONS,
  projectProvJsonLd,
  pruneImageParts,
} from './exports.rules.js';
import type { ProvFormat } from './exports.rules.js';
import {
  checkUniqueGeneration,
  contextReferences,
  planImport,
  projectStoredGraph,
  toRulesNodeType,
  toRulesRelation,
} from './graph-mapping.rules.js';
import type { DatasetFacts, StoredNodeView } from './graph-mapping.rules.js';
import { buildProvJson, toNQuads } from './prov-json.rules.js';
import { NotNodeControllerError, JsonLdRejectedError, ProvenanceRejectedError } from './provenance.errors.js';
import { extractGraph, lineageToJsonLd, nodeToJsonLd, normalizeNodeIri } from './provenance.rules.js';
import type { GraphEdge, GraphNode, NodeType } from './provenance.rules.js';
import { RDF_BASE, buildRoCrate, detachedCrateFileName } from './ro-crate.rules.js';

export interface ProvenanceImportResult {
  /** False when every node and edge was already recorded (a repeated document): nothing was written. */
  created: boolean;
  nodes: string[];
  edges: string[];
  receipt: Receipt;
  receipts: Receipt[];
}

export interface GraphExport {
  rootIri: string;
  rootLabel: string | null;
  nodes: GraphNode[];
  edges: GraphEdge[];
  truncated: boolean;
}

/** Writes go to the store in slices: one INSERT per slice stays far below PostgreSQL's 65,535 parameters. */
const WRITE_SLICE = 500;
/** Stored nodes whose upstream derivations are loaded for the cycle check of an import. */
const CYCLE_CONTEXT_NODES = 25;
const DERIVATION: readonly StoredRelation[] = [
  'wasDerivedFrom',
  'wasRevisionOf',
  'hadPrimarySource',
  'wasGeneratedBy',
  'used',
];
const ORCID_IRI = /^https:\/\/orcid\.org\/\d{4}-\d{4}-\d{4}-\d{3}[\dX]$/;
const ROR_IRI = /^https:\/\/ror\.org\/0[0-9a-z]{8}$/;
/** Licence of export metadata (the ledger's records are facts, dedicated to the public domain). */
const EXPORT_LICENSE = 'https://spdx.org/licenses/CC0-1.0';

/**
 * JSON-LD provenance: imports documents into the graph (expanded offline with the shipped contexts only, checked
 * against PROV-CONSTRAINTS together with what is stored, written in one transaction) and renders stored nodes as
 * JSON-LD, lineage graphs, RO-Crate 1.2 and PROV.
 */
@Injectable()
export class ProvenanceService {
  readonly contextsDir: string;
  private readonly loader: DocumentLoader;
  private readonly ledgerContextText: string;
  private readonly roCrateContextText: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly graph: GraphService,
    private readonly datasets: DatasetsService,
    private readonly agents: AgentsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.contextsDir = locateContextsDir();
    this.loader = createDocumentLoader(this.contextsDir, { publicBaseUrl: config.PUBLIC_BASE_URL });
    this.ledgerContextText = JSON.stringify(readLedgerContext(this.contextsDir, config.PUBLIC_BASE_URL), null, 2);
    this.roCrateContextText = readFileSync(join(this.contextsDir, RO_CRATE_12_CONTEXT_FILE), 'utf8');
  }

  /** The absolute URL exports reference the ledger context by (GET /contexts/ledger/v1.jsonld on the public host). */
  get contextUrl(): string {
    return ledgerContextUrl(this.config.PUBLIC_BASE_URL);
  }

  /** The ledger context as served: the placeholder replaced by this deployment's public base. */
  ledgerContext(): string {
    return this.ledgerContextText;
  }

  roCrateContext(): string {
    return this.roCrateContextText;
  }

  /** The loader over the shipped contexts, for callers that process the service's own JSON-LD. */
  documentLoader(): DocumentLoader {
    return this.loader;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Import
  // -------------------------------------------------------------------------------------------------------------

  /**
   * POST /v1/provenance. Expands the document with the shipped contexts only (a remote context is refused before
   * any request), extracts and checks the graph against the stored nodes it names, then stores new nodes and edges
   * in one transaction, one ledger entry each. A repeated document finds everything recorded and writes nothing.
   */
  async import(principal: Principal, document: unknown): Promise<ProvenanceImportResult> {
    const outcome = await expandSafely(copyJson(parseBody(document)), {
      maxNodes: this.config.PROVENANCE_MAX_NODES,
      maxDepth: this.config.PROVENANCE_MAX_DEPTH,
      timeoutMs: this.config.PROVENANCE_TIMEOUT_MS,
      loader: this.loader,
      // RO-Crates name their descriptor and root relatively; extractGraph skips both under this base (§9).
      base: RDF_BASE,
    });
    if (!outcome.ok) throw new JsonLdRejectedError(outcome.error);
    const iris = collectNodeIris(outcome.expanded);

    return this.dataSource.transaction(async (manager) => {
      // Two imports naming the same nodes run one after the other, so both see the other's nodes.
      await manager.query(
        `SELECT pg_advisory_xact_lock(h) FROM (SELECT hashtextextended('graph-iri ' || k, 0) AS h FROM unnest($1::text[]) AS k ORDER BY 1) AS l`,
        [iris],
      );
      const stored = await this.graph.findNodesByIri(iris, manager);
      const storedByIri = new Map(stored.map((node) => [node.iri, node]));
      const registered = await this.registeredAgents(
        iris.filter((iri) => !storedByIri.has(iri)),
        manager,
      );

      const around = await this.graph.edgesAround(
        stored.map((node) => node.id),
        manager,
      );
      const contextEdges = [...around, ...(await this.upstreamDerivations(stored))];
      const endpointIds = new Set(contextEdges.flatMap((edge) => [edge.sourceId, edge.targetId]));
      for (const node of stored) endpointIds.delete(node.id);
      const endpoints = await this.graph.getNodes([...endpointIds], manager);
      const nodeById = new Map([...stored, ...endpoints].map((node) => [node.id, node]));

      const knownNodeTypes = new Map<string, NodeType>(stored.map((node) => [node.iri, toRulesNodeType(node.type)]));
      for (const [iri, agent] of registered)
        knownNodeTypes.set(iri, agent.kind === 'person' ? 'Person' : 'Organization');
      const knownEdges: GraphEdge[] = [];
      for (const edge of contextEdges) {
        const source = nodeById.get(edge.sourceId);
        const target = nodeById.get(edge.targetId);
        const relation = target === undefined ? null : toRulesRelation(edge.relation, target.type);
        if (source !== undefined && target !== undefined && relation !== null) {
          knownEdges.push({ source: source.iri, relation, target: target.iri });
        }
      }

      const extracted = extractGraph(outcome.expanded, {
        publicBaseUrl: this.config.PUBLIC_BASE_URL,
        knownNodeTypes,
        knownEdges,
        crateBase: RDF_BASE,
      });
      if (!extracted.ok) throw new ProvenanceRejectedError(extracted.problems);
      if (extracted.nodes.length === 0 && extracted.edges.length === 0) {
        throw new ProvenanceRejectedError([
          { code: 'EMPTY_DOCUMENT', node: null, property: null, message: 'the document describes no node' },
        ]);
      }
      const described = new Map(extracted.nodes.map((node) => [node.iri, node.type]));
      const generation = checkUniqueGeneration(
        extracted.edges,
        knownEdges,
        (iri) => described.get(iri) ?? knownNodeTypes.get(iri),
      );
      if (generation.length > 0) throw new ProvenanceRejectedError(generation);

      const views = await this.storedViews(stored, registered, manager);
      const candidateIds = extracted.nodes
        .filter((node) => !views.has(node.iri))
        .map((node) => parseLedgerNodeIri(this.config.PUBLIC_BASE_URL, node.iri))
        .flatMap((parsed) => (parsed !== null && parsed.fragment === null ? [parsed.uuid] : []));
      const inUse = await this.graph.getNodes(candidateIds, manager);
      const plan = planImport(extracted, {
        publicBaseUrl: this.config.PUBLIC_BASE_URL,
        stored: views,
        storedIds: new Set(inUse.map((node) => node.id)),
        newId: randomUUID,
      });
      if (plan.problems.length > 0) throw new ProvenanceRejectedError(plan.problems);

      const idOf = new Map<string, string>([...views].map(([iri, view]) => [iri, view.id]));
      for (const node of plan.nodes) idOf.set(node.iri, node.id);
      const existingEdges = new Set(around.map((edge) => edgeKey(edge.sourceId, edge.relation, edge.targetId)));
      const fresh = new Set([...plan.agents.map((agent) => agent.iri), ...plan.nodes.map((node) => node.iri)]);
      const extended = new Set<string>();
      for (const edge of plan.edges) {
        const sourceId = idOf.get(edge.source);
        const targetId = idOf.get(edge.target);
        if (sourceId === undefined || fresh.has(edge.source)) continue;
        if (targetId !== undefined && existingEdges.has(edgeKey(sourceId, edge.relation, targetId))) continue;
        extended.add(sourceId);
      }
      await this.assertControls(principal, [...extended], manager);

      const receipts: Receipt[] = [];
      await this.graph.ensureAgentNodes(manager, [...registered.values()]);
      // Organisations first: people name them as affiliations.
      const agentOrder = [...plan.agents].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'organization' ? -1 : 1));
      for (const planned of agentOrder) {
        const affiliations = planned.affiliations
          .map((iri) => idOf.get(iri))
          .filter((id): id is string => id !== undefined);
        const { agent, receipt } = await this.agents.createIn(manager, principal, {
          kind: planned.kind,
          name: planned.name,
          ...(planned.givenName === undefined ? {} : { givenName: planned.givenName }),
          ...(planned.familyName === undefined ? {} : { familyName: planned.familyName }),
          ...(planned.orcid === undefined ? {} : { orcid: planned.orcid }),
          ...(planned.ror === undefined ? {} : { ror: planned.ror }),
          ...(affiliations.length === 0 ? {} : { affiliations }),
        });
        await this.graph.ensureAgentNodes(manager, [agent]);
        idOf.set(planned.iri, agent.id);
        receipts.push(receipt);
      }
      const newNodes: NewNode[] = plan.nodes.map((node) => ({
        id: node.id,
        iri: node.iri,
        type: node.type,
        label: node.label,
        properties: node.properties,
        occurredAt: node.occurredAt === null ? null : new Date(node.occurredAt),
      }));
      for (let i = 0; i < newNodes.length; i += WRITE_SLICE) {
        const added = await this.graph.addNodes(manager, newNodes.slice(i, i + WRITE_SLICE), principal.agentId);
        for (const { receipt } of added) if (receipt !== null) receipts.push(receipt);
      }
      const newEdges: NewEdge[] = plan.edges.map((edge) => ({
        sourceId: idOf.get(edge.source) as string,
        relation: edge.relation,
        targetId: idOf.get(edge.target) as string,
      }));
      const edgeIds: string[] = [];
      let latestSeq = -1n;
      for (let i = 0; i < newEdges.length; i += WRITE_SLICE) {
        const added = await this.graph.addEdges(manager, newEdges.slice(i, i + WRITE_SLICE), principal.agentId);
        for (const { edge, receipt } of added) {
          edgeIds.push(edge.id);
          if (edge.ledgerSeq > latestSeq) latestSeq = edge.ledgerSeq;
          if (receipt !== null) receipts.push(receipt);
        }
      }
      const nodeIds = plan.described.map((iri) => idOf.get(iri) as string);
      for (const iri of plan.described) {
        const seq = storedByIri.get(iri)?.ledgerSeq;
        if (seq !== undefined && seq > latestSeq) latestSeq = seq;
      }
      for (const agent of registered.values()) if (agent.ledgerSeq > latestSeq) latestSeq = agent.ledgerSeq;
      receipts.sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
      const last = receipts[receipts.length - 1];
      const receipt =
        last ??
        (latestSeq >= 0n ? await this.ledger.receiptFor(latestSeq, manager) : await this.receiptOfHead(manager));
      return { created: receipts.length > 0, nodes: nodeIds, edges: edgeIds, receipt, receipts };
    });
  }

  /** Registered agents the document names by ORCID, ROR or ledger IRI but that have no graph node yet. */
  private async registeredAgents(iris: readonly string[], manager: EntityManager): Promise<Map<string, AgentEntity>> {
    const orcids = iris.filter((iri) => ORCID_IRI.test(iri));
    const rors = iris.filter((iri) => ROR_IRI.test(iri));
    const ids = iris
      .map((iri) => parseLedgerNodeIri(this.config.PUBLIC_BASE_URL, iri))
      .flatMap((parsed) => (parsed !== null && parsed.fragment === null ? [parsed.uuid] : []));
    const found = await this.agents.findByIdentifiers({ ids, orcids, rors }, manager);
    const wanted = new Set(iris);
    const result = new Map<string, AgentEntity>();
    for (const agent of found) {
      // An agent's node is named by its ORCID or ROR when it has one (GraphService.ensureAgentNodes).
      const iri = agent.orcid ?? agent.ror ?? this.graph.localIri(agent.id);
      if (wanted.has(iri)) result.set(iri, agent);
    }
    return result;
  }

  /** Upstream derivations of a few stored nodes, so a cycle through stored history is caught before writing. */
  private async upstreamDerivations(stored: readonly GraphNodeEntity[]): Promise<GraphEdgeEntity[]> {
    const candidates = stored
      .filter((node) => node.type !== 'Person' && node.type !== 'Organization')
      .slice(0, CYCLE_CONTEXT_NODES);
    const edges: GraphEdgeEntity[] = [];
    for (const node of candidates) {
      edges.push(...(await this.graph.lineage(node.id, 'upstream', 50, DERIVATION)).edges);
    }
    return edges;
  }

  /** What the store holds for the document's IRIs, with the relations other features keep on rows, as IRIs. */
  private async storedViews(
    stored: readonly GraphNodeEntity[],
    registered: ReadonlyMap<string, AgentEntity>,
    manager: EntityManager,
  ): Promise<Map<string, StoredNodeView>> {
    const agentIds = [
      ...stored.filter((node) => node.type === 'Person').map((node) => node.id),
      ...[...registered.values()].map((agent) => agent.id),
    ];
    const datasetIds = stored.filter((node) => DATASET_TYPES.includes(node.type)).map((node) => node.id);
    const people = await this.agents.findByIdentifiers({ ids: agentIds, orcids: [], rors: [] }, manager);
    const datasets = await this.datasetFacts(datasetIds, manager);
    const referenced = await this.agents.findByIdentifiers(
      {
        ids: [
          ...people.flatMap((agent) => agent.affiliations),
          ...[...datasets.values()].flatMap((d) => (d.publisherId ? [d.publisherId] : [])),
        ],
        orcids: [],
        rors: [],
      },
      manager,
    );
    const agentIri = new Map(
      referenced.map((agent) => [agent.id, agent.orcid ?? agent.ror ?? this.graph.localIri(agent.id)]),
    );
    const affiliationsOf = new Map(
      people.map((agent) => [
        agent.id,
        agent.affiliations.map((id) => agentIri.get(id)).filter((iri): iri is string => iri !== undefined),
      ]),
    );
    const views = new Map<string, StoredNodeView>();
    for (const node of stored) {
      const publisherId = datasets.get(node.id)?.publisherId ?? null;
      views.set(node.iri, {
        id: node.id,
        type: node.type,
        properties: node.properties,
        links: {
          affiliations: affiliationsOf.get(node.id) ?? [],
          publisher: publisherId === null ? null : (agentIri.get(publisherId) ?? null),
        },
      });
    }
    for (const [iri, agent] of registered) {
      views.set(iri, {
        id: agent.id,
        type: agent.kind === 'person' ? 'Person' : 'Organization',
        properties: { affiliations: agent.affiliations },
        links: { affiliations: affiliationsOf.get(agent.id) ?? [] },
      });
    }
    return views;
  }

  /**
   * Relations from a recorded node speak for it: only whoever recorded it (the depositor of a dataset, the
   * registrant or an author of a publication, the person themself) or a curator may add them.
   */
  async assertControls(principal: Principal, nodeIds: readonly string[], manager: EntityManager): Promise<void> {
    if (nodeIds.length === 0 || hasRole(principal, 'curator')) return;
    const nodes = await this.graph.getNodes(nodeIds, manager);
    const datasets = await this.datasetFacts(
      nodes.filter((node) => DATASET_TYPES.includes(node.type)).map((node) => node.id),
      manager,
    );
    const authorsOf = new Map<string, Set<string>>();
    for (const edge of await this.graph.edgesAround(
      nodes.filter((node) => node.type === 'Publication').map((node) => node.id),
      manager,
    )) {
      if (edge.relation !== 'wasAttributedTo') continue;
      authorsOf.set(edge.sourceId, new Set([...(authorsOf.get(edge.sourceId) ?? []), edge.targetId]));
    }
    const me = principal.agentId;
    // A registered agent without a graph node yet: only that person may speak for it.
    const nodeless = nodeIds.find((id) => !nodes.some((node) => node.id === id) && id !== me);
    if (nodeless !== undefined) throw new NotNodeControllerError(nodeless, this.graph.localIri(nodeless));
    for (const node of nodes) {
      if (me === null) throw new NotNodeControllerError(node.id, node.iri);
      const dataset = datasets.get(node.id);
      if (dataset !== undefined) {
        if (dataset.ownerId === me) continue;
        throw new NotNodeControllerError(node.id, node.iri);
      }
      if (node.id === me || authorsOf.get(node.id)?.has(me) === true) continue;
      const entry = await this.ledger.entry(node.ledgerSeq);
      if (entry.actor !== me) throw new NotNodeControllerError(node.id, node.iri);
    }
  }

  private async datasetFacts(
    ids: readonly string[],
    manager: EntityManager,
  ): Promise<Map<string, DatasetFacts & { ownerId: string | null }>> {
    if (ids.length === 0) return new Map();
    const rows: DatasetEntity[] = await this.datasets.findByIdentifiers(
      { ids, dois: [], accessions: [], urls: [] },
      manager,
    );
    const wanted = new Set(ids);
    return new Map(rows.filter((row) => wanted.has(row.id)).map((row) => [row.id, row]));
  }

  private async receiptOfHead(manager: EntityManager): Promise<Receipt> {
    const size = await this.ledger.size(manager);
    return this.ledger.receiptFor(size - 1n, manager);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Reads
  // -------------------------------------------------------------------------------------------------------------

  /** GET /v1/nodes/:id: the node compacted with the ledger context, with its relations in both vocabularies. */
  async nodeJsonLd(id: string): Promise<JsonObject> {
    const node = await this.graph.getNode(id);
    // A dataset's image parts are listed by GET /v1/datasets/:id/images, not inlined as thousands of hasPart.
    const around = await this.graph.edgesAround([id]);
    const neighbours = await this.graph.getNodes(
      around.flatMap((edge) => [edge.sourceId, edge.targetId]).filter((other) => other !== id),
    );
    const imageParts = new Set(neighbours.filter((other) => other.type === 'ImagePart').map((other) => other.id));
    const edges = around.filter(
      (edge) => !(edge.relation === 'hasPart' && edge.sourceId === id && imageParts.has(edge.targetId)),
    );
    const datasets = await this.datasetFacts(DATASET_TYPES.includes(node.type) ? [id] : [], this.dataSource.manager);
    const projected = projectStoredGraph({ nodes: [node, ...neighbours], edges, datasets });
    const rulesNode = projected.nodes.find((candidate) => candidate.iri === node.iri) as GraphNode;
    const incident = projected.edges.filter((edge) => edge.source === node.iri || edge.target === node.iri);
    return nodeToJsonLd(rulesNode, incident, this.contextUrl);
  }

  /** GET /v1/datasets/:id as JSON-LD: DATASET_NOT_FOUND for ids that are not datasets. */
  async datasetJsonLd(id: string): Promise<JsonObject> {
    await this.datasets.get(id);
    return this.nodeJsonLd(id);
  }

  /** GET /v1/nodes/:id/lineage: the nodes within `depth` hops one way, with the agents, software and grants around them. */
  async lineage(
    id: string,
    direction: 'upstream' | 'downstream',
    depth = DEFAULT_LINEAGE_DEPTH,
  ): Promise<{ document: JsonObject; truncated: boolean }> {
    const graph = await this.collect(id, [direction], depth);
    return {
      document: lineageToJsonLd(graph.rootIri, graph.nodes, graph.edges, this.contextUrl),
      truncated: graph.truncated,
    };
  }

  /** GET /v1/nodes/:id/ro-crate: RO-Crate 1.2 metadata of the node, its lineage both ways and its context. */
  async roCrate(
    id: string,
    depth = DEFAULT_LINEAGE_DEPTH,
    now = new Date(),
  ): Promise<{ document: JsonObject; fileName: string; truncated: boolean }> {
    const graph = await this.collect(id, ['upstream', 'downstream'], depth);
    const label = graph.rootLabel ?? graph.rootIri;
    const name = `Provenance of ${label}`;
    const document = buildRoCrate(graph.rootIri, graph.nodes, graph.edges, {
      ledgerContextUrl: this.contextUrl,
      name,
      description: `What ${graph.rootIri} was made from and what was built on it (up to ${depth} steps each way), with the people, software and grants involved, as recorded in the ledger.`,
      datePublished: now.toISOString().slice(0, 10),
      license: EXPORT_LICENSE,
    });
    return { document, fileName: detachedCrateFileName(name), truncated: graph.truncated };
  }

  /** GET /v1/nodes/:id/prov: the PROV reading of the same graph as the RO-Crate export. */
  async prov(
    id: string,
    format: ProvFormat,
    depth = DEFAULT_LINEAGE_DEPTH,
  ): Promise<{ body: string; mediaType: string }> {
    const graph = await this.collect(id, ['upstream', 'downstream'], depth);
    if (format === 'prov-json') {
      return {
        body: JSON.stringify(buildProvJson(graph.nodes, graph.edges, { publicBaseUrl: this.config.PUBLIC_BASE_URL })),
        mediaType: 'application/json',
      };
    }
    const projected = projectProvJsonLd(lineageToJsonLd(graph.rootIri, graph.nodes, graph.edges, this.contextUrl));
    if (format === 'jsonld') return { body: JSON.stringify(projected), mediaType: 'application/ld+json' };
    return { body: await toNQuads(projected, this.loader), mediaType: 'application/n-quads' };
  }

  /**
   * The stored graph around a node as the rules read it: lineage in the given directions (image parts a dataset
   * merely holds pruned), plus one hop of context (attribution, association, funding, delegation) and the agents and
   * entities that child records and row relations name.
   */
  private async collect(
    id: string,
    directions: ReadonlyArray<'upstream' | 'downstream'>,
    depth: number,
  ): Promise<GraphExport> {
    const ids = new Set<string>([id]);
    let truncated = false;
    let root: GraphNodeEntity | undefined;
    for (const direction of directions) {
      const lineage = await this.graph.lineage(id, direction, depth, STORED_LINEAGE_RELATIONS);
      root = lineage.root;
      truncated ||= lineage.truncated;
      const types = new Map(lineage.nodes.map((node) => [node.id, node.type]));
      for (const nodeId of pruneImageParts(id, direction, types, lineage.edges).nodeIds) ids.add(nodeId);
    }
    const lineageIds = [...ids];
    for (const edge of await this.graph.edgesAround(lineageIds)) {
      if (STORED_CONTEXT_RELATIONS.includes(edge.relation) && ids.has(edge.sourceId)) ids.add(edge.targetId);
    }
    let nodes = await this.graph.getNodes([...ids]);
    const datasets = await this.datasetFacts(
      nodes.filter((node) => DATASET_TYPES.includes(node.type)).map((node) => node.id),
      this.dataSource.manager,
    );
    const extraIds = new Set<string>();
    const extraIris = new Set<string>();
    for (const node of nodes) {
      const references = contextReferences(node, datasets.get(node.id));
      for (const ref of references.ids) if (!ids.has(ref)) extraIds.add(ref);
      for (const iri of references.iris) extraIris.add(iri);
    }
    const known = new Set(nodes.map((node) => node.iri));
    const extra = [
      ...(await this.graph.getNodes([...extraIds])),
      ...(await this.graph.findNodesByIri([...extraIris].filter((iri) => !known.has(iri)))),
    ];
    nodes = [...nodes, ...extra.filter((node) => !ids.has(node.id))];
    const inSet = new Set(nodes.map((node) => node.id));
    // Image parts reached only through their dataset's hasPart stay out (pruned above), and so do their edges.
    const edges = (await this.graph.edgesAround([...inSet])).filter(
      (edge) => inSet.has(edge.sourceId) && inSet.has(edge.targetId),
    );
    const projected = projectStoredGraph({ nodes, edges, datasets });
    const rootNode = root ?? (await this.graph.getNode(id));
    return {
      rootIri: rootNode.iri,
      rootLabel: rootNode.label,
      nodes: projected.nodes,
      edges: projected.edges,
      truncated,
    };
  }
}

function edgeKey(sourceId: string, relation: string, targetId: string): string {
  return `${sourceId}\u0000${relation}\u0000${targetId}`;
}

/** Every node IRI an expanded document names (described or referenced), child fragments by their parent too. */
function collectNodeIris(expanded: unknown): string[] {
  const iris = new Set<string>();
  const stack: unknown[] = [expanded];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      stack.push(...(value as unknown[]));
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    const object = value as Record<string, unknown>;
    const id = object['@id'];
    if (typeof id === 'string' && /^https?:\/\//i.test(id)) {
      const iri = normalizeNodeIri(id);
      iris.add(iri);
      const hash = iri.indexOf('#');
      if (hash !== -1) iris.add(iri.slice(0, hash));
    }
    for (const [key, child] of Object.entries(object)) if (key !== '@value') stack.push(child);
  }
  return [...iris].sort();
}

/**
 * `application/ld+json` bodies arrive as the raw bytes (the app registers that media type without a parser);
 * `application/json` ones already parsed.
 */
function parseBody(body: unknown): unknown {
  if (!(body instanceof Uint8Array)) return body;
  try {
    return JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')) as unknown;
  } catch {
    throw new DomainError('bad-request', 'MALFORMED_JSON', 'the body is not valid JSON');
  }
}

/**
 * The parsed body as plain objects and arrays of this realm. Body parsers may build objects whose prototype belongs
 * to another realm (a test VM, for one), which measureJson would refuse as "not plain"; anything else that is not
 * JSON is kept as is so that measureJson still refuses it. Iterative, so deep nesting cannot overflow the stack.
 */
function copyJson(value: unknown): unknown {
  const isContainer = (item: unknown): item is object =>
    item !== null &&
    typeof item === 'object' &&
    (Array.isArray(item) || Object.prototype.toString.call(item) === '[object Object]');
  if (!isContainer(value)) return value;
  const root: unknown = Array.isArray(value) ? [] : {};
  const stack: Array<{ from: object; to: unknown }> = [{ from: value, to: root }];
  while (stack.length > 0) {
    const { from, to } = stack.pop() as { from: object; to: unknown };
    for (const [key, item] of Object.entries(from) as Array<[string, unknown]>) {
      const copy: unknown = isContainer(item) ? (Array.isArray(item) ? [] : {}) : item;
      // defineProperty: a "__proto__" key stays a key (and fails as an undefined term) instead of a prototype.
      Object.defineProperty(to, key, { value: copy, enumerable: true, writable: true, configurable: true });
      if (isContainer(item)) stack.push({ from: item, to: copy });
    }
  }
  return root;
}
