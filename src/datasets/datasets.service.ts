import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { AgentsService } from '../agents/agents.service.js';
import type { Principal } from '../auth/auth.decorators.js';
import { hasRole } from '../auth/auth.decorators.js';
import { NotOwnerError } from '../auth/auth.errors.js';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/env.schema.js';
import { decodeCursor, pageOf } from '../core/http/cursor.js';
import type { Receipt } from '../core/database/receipt.js';
import { insertEntities } from '../core/database/sql.js';
import { GraphNodeEntity } from '../graph/entities/graph-node.entity.js';
import { GraphService } from '../graph/graph.service.js';
import type { NewEdge, NewNode } from '../graph/graph.service.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { DatasetNotFoundError, InvalidDatasetFieldError, UnknownGrantError } from './datasets.errors.js';
import { expandOntologyTerm, isKnownSpdxLicense, parseAccession } from './datasets.rules.js';
import type { CreateDatasetDto } from './dto/create-dataset.dto.js';
import type { ListDatasetsQuery } from './dto/list-datasets.query.js';
import { DatasetEntity } from './entities/dataset.entity.js';
import type { DoiState } from './entities/dataset.entity.js';

@Injectable()
export class DatasetsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly graph: GraphService,
    private readonly agents: AgentsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get publicBaseUrl(): string {
    return this.config.PUBLIC_BASE_URL;
  }

  async create(
    principal: Principal,
    dto: CreateDatasetDto,
    now = new Date(),
  ): Promise<{ dataset: DatasetEntity; receipt: Receipt }> {
    return this.dataSource.transaction((manager) => this.createIn(manager, principal, dto, { now }));
  }

  /** Deposits a dataset inside the caller's transaction (new versions reuse it). */
  async createIn(
    manager: EntityManager,
    principal: Principal,
    dto: CreateDatasetDto,
    opts: { now: Date; previousVersionId?: string },
  ): Promise<{ dataset: DatasetEntity; receipt: Receipt }> {
    if (!isKnownSpdxLicense(dto.license)) {
      throw new InvalidDatasetFieldError(
        'license',
        `"${dto.license}" is not an SPDX licence id this service knows (or LicenseRef-…)`,
        'INVALID_LICENSE',
      );
    }
    const accession = dto.accession === undefined ? null : parseAccession(dto.accession);
    if (dto.accession !== undefined && !accession) {
      throw new InvalidDatasetFieldError(
        'accession',
        'must be an IDR (idr0013), BioImage Archive (S-BIAD123), EMPIAR (EMPIAR-10001) or BBBC (BBBC021) accession',
        'INVALID_ACCESSION',
      );
    }
    const organism = this.term('organism', dto.organism);
    const imagingMethod = this.term('imagingMethod', dto.imagingMethod);
    const derivedFrom = [...new Set(dto.derivedFrom ?? [])];
    if (dto.kind === 'derived' && derivedFrom.length === 0) {
      throw new InvalidDatasetFieldError(
        'derivedFrom',
        'is required and non-empty for a derived dataset',
        'DERIVED_FROM_REQUIRED',
      );
    }
    if (dto.kind === 'image' && (derivedFrom.length > 0 || dto.generatedBy)) {
      throw new InvalidDatasetFieldError(
        'derivedFrom',
        'only derived datasets have derivedFrom / generatedBy',
        'NOT_A_DERIVED_DATASET',
      );
    }
    const creators = await this.agents.getMany(dto.creators, manager);
    const publisher = dto.publisher ? await this.agents.get(dto.publisher, manager) : null;
    if (derivedFrom.length > 0) await this.getMany(derivedFrom, manager);
    const grants = [...new Set(dto.grants ?? [])];
    if (grants.length > 0) {
      const found = await manager.find(GraphNodeEntity, {
        where: { id: In(grants), type: 'Grant' },
        select: { id: true },
      });
      const missing = grants.filter((g) => !found.some((f) => f.id === g));
      if (missing.length > 0) throw new UnknownGrantError(missing);
    }

    const id = randomUUID();
    const publicationYear = dto.publicationYear ?? opts.now.getUTCFullYear();
    const releasedAt = dto.embargoUntil ?? opts.now.toISOString().slice(0, 10);
    const identifiers = [...(dto.identifiers ?? [])];
    if (accession?.doi && !identifiers.some((i) => i.scheme === 'doi'))
      identifiers.push({ scheme: 'doi', value: accession.doi });
    const dataset = manager.create(DatasetEntity, {
      id,
      kind: dto.kind,
      title: dto.title,
      description: dto.description ?? null,
      creators: creators.map((c) => c.id),
      publisherId: publisher?.id ?? null,
      ownerId: principal.agentId,
      publicationYear,
      license: dto.license,
      accession: accession?.value ?? null,
      identifiers,
      keywords: dto.keywords ?? [],
      organism,
      imagingMethod,
      generatedBy: dto.generatedBy ? { ...dto.generatedBy } : null,
      derivedFrom,
      grants,
      embargoUntil: dto.embargoUntil ?? null,
      landingPage: dto.landingPage ?? accession?.landingPage ?? null,
      version: dto.version ?? null,
      previousVersionId: opts.previousVersionId ?? null,
      releasedAt,
      doi: null,
      doiState: 'none',
    });
    const receipt = await this.ledger.append(manager, {
      kind: 'dataset.deposited',
      actor: principal.agentId,
      payload: {
        id,
        kind: dataset.kind,
        title: dataset.title,
        description: dataset.description,
        creators: dataset.creators,
        publisher: dataset.publisherId,
        publicationYear,
        license: dataset.license,
        accession: dataset.accession,
        identifiers,
        keywords: dataset.keywords,
        organism,
        imagingMethod,
        derivedFrom,
        generatedBy: dataset.generatedBy ?? null,
        grants,
        embargoUntil: dataset.embargoUntil,
        landingPage: dataset.landingPage,
        version: dataset.version,
        previousVersion: dataset.previousVersionId,
        releasedAt,
      },
    });
    dataset.ledgerSeq = BigInt(receipt.seq);

    await this.graph.ensureAgentNodes(manager, publisher ? [...creators, publisher] : creators);
    const nodeType = dto.kind === 'image' ? 'ImageDataset' : 'DerivedDataset';
    await this.graph.addNodes(
      manager,
      [
        {
          id,
          type: nodeType,
          label: dto.title,
          properties: {
            license: dto.license,
            accession: dataset.accession,
            organism,
            imagingMethod,
            publicationYear,
            version: dataset.version,
          },
          occurredAt: new Date(`${releasedAt}T00:00:00Z`),
        },
      ],
      principal.agentId,
      dataset.ledgerSeq,
    );
    const edges: NewEdge[] = creators.map((c, i) => ({
      sourceId: id,
      relation: 'wasAttributedTo',
      targetId: c.id,
      properties: { position: i },
    }));
    for (const parent of derivedFrom) edges.push({ sourceId: id, relation: 'wasDerivedFrom', targetId: parent });
    for (const grant of grants) edges.push({ sourceId: id, relation: 'funding', targetId: grant });
    if (opts.previousVersionId)
      edges.push({ sourceId: id, relation: 'wasRevisionOf', targetId: opts.previousVersionId });
    if (dto.generatedBy) {
      const activity: NewNode = {
        type: 'AnalysisActivity',
        label: dto.generatedBy.method ?? `analysis for ${dto.title}`,
        properties: { method: dto.generatedBy.method ?? null, parameters: dto.generatedBy.parameters ?? null },
      };
      const software: NewNode | null = dto.generatedBy.software
        ? {
            type: 'Software',
            label: [dto.generatedBy.software.name, dto.generatedBy.software.version].filter(Boolean).join(' '),
            properties: { ...dto.generatedBy.software },
          }
        : null;
      const added = await this.graph.addNodes(manager, software ? [activity, software] : [activity], principal.agentId);
      const activityId = added[0].node.id;
      dataset.generatedBy = { ...dataset.generatedBy, activityId };
      edges.push({ sourceId: id, relation: 'wasGeneratedBy', targetId: activityId });
      for (const parent of derivedFrom) edges.push({ sourceId: activityId, relation: 'used', targetId: parent });
      if (software) edges.push({ sourceId: activityId, relation: 'wasAssociatedWith', targetId: added[1].node.id });
    }
    await insertEntities(manager, DatasetEntity, dataset);
    await this.graph.addEdges(manager, edges, principal.agentId);
    return { dataset: await manager.findOneByOrFail(DatasetEntity, { id }), receipt };
  }

  private term(field: string, value: string | undefined): string | null {
    if (value === undefined) return null;
    const iri = expandOntologyTerm(value);
    if (!iri) {
      throw new InvalidDatasetFieldError(
        field,
        `"${value}" is not an ontology IRI or a CURIE with a known prefix (NCBITaxon, FBbi, CL, GO, CMPO, EDAM …)`,
        'UNKNOWN_ONTOLOGY_TERM',
      );
    }
    return iri;
  }

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<DatasetEntity> {
    const dataset = await manager.findOneBy(DatasetEntity, { id });
    if (!dataset) throw new DatasetNotFoundError(id);
    return dataset;
  }

  async getMany(ids: readonly string[], manager: EntityManager = this.dataSource.manager): Promise<DatasetEntity[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const found = await manager.findBy(DatasetEntity, { id: In(unique) });
    const missing = unique.find((id) => !found.some((d) => d.id === id));
    if (missing) throw new DatasetNotFoundError(missing);
    return unique.map((id) => found.find((d) => d.id === id) as DatasetEntity);
  }

  /**
   * Datasets an external identifier may name (citation import): by id, by our DOI or a DOI among `identifiers`
   * (compared as bare lower-case DOIs), by accession, or by landing page / listed URL. Callers pick among the matches.
   */
  async findByIdentifiers(
    query: { ids: readonly string[]; dois: readonly string[]; accessions: readonly string[]; urls: readonly string[] },
    manager: EntityManager = this.dataSource.manager,
  ): Promise<DatasetEntity[]> {
    if (query.ids.length + query.dois.length + query.accessions.length + query.urls.length === 0) return [];
    const bareDoi = (expr: string) =>
      `lower(regexp_replace(${expr}, '^(https?://(www\\.|dx\\.)?doi\\.org/|doi:\\s*)', '', 'i'))`;
    return manager
      .createQueryBuilder(DatasetEntity, 'd')
      .where('d.id = ANY(:ids::uuid[])', { ids: [...query.ids] })
      .orWhere(`${bareDoi('d.doi')} = ANY(:dois::text[])`, { dois: [...query.dois] })
      .orWhere('d.accession = ANY(:accessions::text[])', { accessions: [...query.accessions] })
      .orWhere('d.landing_page = ANY(:urls::text[])', { urls: [...query.urls] })
      .orWhere(
        `EXISTS (SELECT 1 FROM jsonb_array_elements(d.identifiers) i
                 WHERE (i->>'scheme' = 'doi' AND ${bareDoi("i->>'value'")} = ANY(:dois::text[]))
                    OR (i->>'scheme' = 'url' AND i->>'value' = ANY(:urls::text[])))`,
      )
      .getMany();
  }

  /** Object-level check: the depositor who owns the dataset, or a curator/admin. */
  assertCanChange(principal: Principal, dataset: DatasetEntity): void {
    if (hasRole(principal, 'curator')) return;
    if (principal.agentId && dataset.ownerId === principal.agentId) return;
    throw new NotOwnerError('dataset');
  }

  async list(query: ListDatasetsQuery): Promise<{ items: DatasetEntity[]; nextCursor: string | null }> {
    const limit = query.limit ?? 50;
    const cursor = decodeCursor(query.cursor);
    const qb = this.dataSource.manager.createQueryBuilder(DatasetEntity, 'd');
    if (query.creator) qb.andWhere(':creator = ANY(d.creators)', { creator: query.creator });
    if (query.kind) qb.andWhere('d.kind = :kind', { kind: query.kind });
    if (query.accession) {
      const parsed = parseAccession(query.accession);
      qb.andWhere('d.accession = :accession', { accession: parsed?.value ?? query.accession });
    }
    if (cursor) qb.andWhere('(d.created_at, d.id) < (:at, :id)', { at: cursor.at, id: cursor.id });
    const items = await qb
      .orderBy('d.created_at', 'DESC')
      .addOrderBy('d.id', 'DESC')
      .limit(limit + 1)
      .getMany();
    return pageOf(items, limit, (row) => ({ at: row.createdAt.toISOString(), id: row.id }));
  }

  /** Mirrors the DOI module's state on the dataset row (the DOI module owns the registration record). */
  async recordDoi(manager: EntityManager, id: string, doi: string, state: DoiState): Promise<void> {
    await manager.update(DatasetEntity, { id }, { doi, doiState: state });
  }

  async markWithdrawn(manager: EntityManager, id: string, at: Date, reason: string): Promise<void> {
    await manager.update(DatasetEntity, { id }, { withdrawnAt: at, withdrawnReason: reason });
  }
}
