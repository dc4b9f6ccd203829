import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { AgentsService } from '../agents/agents.service.js';
import type { Principal } from '../auth/auth.decorators.js';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/env.schema.js';
import type { Receipt } from '../core/database/receipt.js';
import { insertEntities } from '../core/database/sql.js';
import { decodeCursor, pageOf } from '../core/http/cursor.js';
import { ValidationFailedError } from '../core/http/problem.js';
import { GraphService } from '../graph/graph.service.js';
import type { NewEdge } from '../graph/graph.service.js';
import { LedgerService } from '../ledger/ledger.service.js';
import type { CreatePublicationDto } from './dto/create-publication.dto.js';
import type { ListPublicationsQuery } from './dto/list-publications.query.js';
import { PublicationEntity } from './entities/publication.entity.js';
import type { PublicationAuthorRecord } from './entities/publication.entity.js';
import { displayNameOf, planPublicationAuthors } from './publication-authors.rules.js';
import {
  AuthorNotAPersonError,
  DoiInUseError,
  DoiMismatchError,
  InvalidDoiError,
  MetadataMissingError,
  PublicationMetadataError,
  PublicationNotFoundError,
} from './publications.errors.js';
import { normalizeDoi, parsePublicationMetadata, warmCitationJs } from './publications.rules.js';
import type { NormalizedPublication } from './publications.rules.js';

export interface RegisteredPublication {
  publication: PublicationEntity;
  receipt: Receipt;
  /** False when the DOI was already registered: the existing publication and its original receipt. */
  created: boolean;
}

@Injectable()
export class PublicationsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('publications');

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

  onApplicationBootstrap(): void {
    const started = Date.now();
    warmCitationJs();
    this.logger.debug(`citation-js ready in ${Date.now() - started} ms`);
  }

  /**
   * Registers a publication from a DOI and/or CSL-JSON, BibTeX or RIS, parsed offline (provenance.md §11). Authors
   * become person agents (matched by ORCID, or by name among the `authors` given) and graph nodes linked by
   * `wasAttributedTo` with their byline position. A DOI already registered returns that publication unchanged.
   */
  async create(principal: Principal, dto: CreatePublicationDto): Promise<RegisteredPublication> {
    const givenDoi = dto.doi === undefined ? null : normalizeDoi(dto.doi);
    if (dto.doi !== undefined && givenDoi === null) throw new InvalidDoiError(dto.doi);
    const hasMetadata = dto.csl !== undefined || nonBlank(dto.bibtex) || nonBlank(dto.ris);
    let parsed: NormalizedPublication | null = null;
    if (hasMetadata || givenDoi === null) {
      const result = parsePublicationMetadata({ csl: dto.csl, bibtex: dto.bibtex, ris: dto.ris });
      if (!result.ok) {
        if (result.code === 'METADATA_MISSING')
          throw new MetadataMissingError('give a doi, or one of csl, bibtex or ris');
        throw new PublicationMetadataError(result.code, result.detail);
      }
      parsed = result.item;
    }
    if (givenDoi !== null && parsed?.doi && parsed.doi !== givenDoi) throw new DoiMismatchError(givenDoi, parsed.doi);
    const doi = givenDoi ?? parsed?.doi ?? null;

    return this.dataSource.transaction(async (manager) => {
      if (doi !== null) {
        // Two requests registering one DOI at once: the second waits here, then finds the first.
        await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`publication-doi ${doi}`]);
        const existing = await this.findByDoi(doi, manager);
        if (existing)
          return {
            publication: existing,
            receipt: await this.ledger.receiptFor(existing.ledgerSeq, manager),
            created: false,
          };
      }
      return this.register(manager, principal, dto, parsed, doi);
    });
  }

  private async register(
    manager: EntityManager,
    principal: Principal,
    dto: CreatePublicationDto,
    parsed: NormalizedPublication | null,
    doi: string | null,
  ): Promise<RegisteredPublication> {
    const linked = await this.agents.getMany(dto.authors ?? [], manager);
    const organizations = linked.filter((a) => a.kind !== 'person').map((a) => a.id);
    if (organizations.length > 0) throw new AuthorNotAPersonError(organizations);
    const parsedAuthors = parsed?.authors ?? [];
    const orcids = [...new Set(parsedAuthors.flatMap((a) => (a.orcid ? [a.orcid] : [])))];
    const knownByOrcid = (await Promise.all(orcids.map((o) => this.agents.findByOrcid(o, manager)))).filter(
      (a): a is NonNullable<typeof a> => a !== null && a.kind === 'person',
    );
    const plan = planPublicationAuthors(parsedAuthors, linked, knownByOrcid);

    const agentsById = new Map([...linked, ...knownByOrcid].map((a) => [a.id, a]));
    const authors: PublicationAuthorRecord[] = [];
    for (const planned of plan) {
      let agentId = planned.agentId;
      if (agentId === null) {
        const { agent } = await this.agents.createIn(manager, principal, {
          kind: 'person',
          name: displayNameOf(planned),
          familyName: planned.family,
          ...(planned.given.trim() === '' ? {} : { givenName: planned.given }),
          ...(planned.orcid === undefined ? {} : { orcid: planned.orcid }),
        });
        agentsById.set(agent.id, agent);
        agentId = agent.id;
      }
      authors.push({
        family: planned.family,
        given: planned.given,
        ...(planned.orcid ? { orcid: planned.orcid } : {}),
        agentId,
      });
    }

    const iri = doi === null ? null : `https://doi.org/${doi}`;
    // A DOI node may already exist (imported provenance named the article before it was registered): adopt it.
    const [existingNode] = iri === null ? [] : await this.graph.findNodesByIri([iri], manager);
    if (existingNode && existingNode.type !== 'Publication')
      throw new DoiInUseError(doi as string, existingNode.id, existingNode.type);
    const id = existingNode?.id ?? randomUUID();
    const metadataStatus = parsed === null ? 'pending' : 'complete';
    const publication = manager.create(PublicationEntity, {
      id,
      doi,
      title: parsed?.title ?? null,
      issued: parsed?.issued ?? null,
      containerTitle: parsed?.containerTitle ?? null,
      cslType: parsed?.type ?? null,
      // A DOI given beside metadata that lack one belongs in the stored CSL item too.
      csl:
        parsed === null
          ? null
          : doi !== null && parsed.csl.DOI === undefined
            ? { ...parsed.csl, DOI: doi }
            : parsed.csl,
      authors,
      authorIds: authors.map((a) => a.agentId),
      metadataStatus,
      createdBy: principal.agentId,
    });
    const receipt = await this.ledger.append(manager, {
      kind: 'publication.registered',
      actor: principal.agentId,
      payload: {
        id,
        doi,
        title: publication.title,
        issued: publication.issued,
        containerTitle: publication.containerTitle,
        type: publication.cslType,
        metadataStatus,
        authors: authors.map((a) => ({ ...a })),
        csl: publication.csl,
      },
    });
    publication.ledgerSeq = BigInt(receipt.seq);
    if (!existingNode) {
      await this.graph.addNodes(
        manager,
        [
          {
            id,
            ...(iri === null ? {} : { iri }),
            type: 'Publication',
            label: publication.title ?? doi,
            properties: {
              doi,
              issued: publication.issued,
              containerTitle: publication.containerTitle,
              type: publication.cslType,
              metadataStatus,
            },
            occurredAt: issuedToDate(publication.issued),
          },
        ],
        principal.agentId,
        publication.ledgerSeq,
      );
    }
    await this.graph.ensureAgentNodes(
      manager,
      authors.map((a) => agentsById.get(a.agentId)).filter((a) => a !== undefined),
    );
    await insertEntities(manager, PublicationEntity, publication);
    const edges: NewEdge[] = authors.map((a, position) => ({
      sourceId: id,
      relation: 'wasAttributedTo',
      targetId: a.agentId,
      properties: { position },
    }));
    await this.graph.addEdges(manager, edges, principal.agentId);
    return { publication: await manager.findOneByOrFail(PublicationEntity, { id }), receipt, created: true };
  }

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<PublicationEntity> {
    const publication = await manager.findOneBy(PublicationEntity, { id });
    if (!publication) throw new PublicationNotFoundError(id);
    return publication;
  }

  /** Loads publications by id, in the order asked; throws PUBLICATION_NOT_FOUND naming the first unknown id. */
  async getMany(
    ids: readonly string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<PublicationEntity[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const found = await manager.findBy(PublicationEntity, { id: In(unique) });
    const missing = unique.find((id) => !found.some((p) => p.id === id));
    if (missing) throw new PublicationNotFoundError(missing);
    return unique.map((id) => found.find((p) => p.id === id) as PublicationEntity);
  }

  /** By DOI in any accepted form (bare, doi:, resolver URL; any case); null when unknown or not a DOI. */
  async findByDoi(doi: string, manager: EntityManager = this.dataSource.manager): Promise<PublicationEntity | null> {
    const normalized = normalizeDoi(doi);
    if (normalized === null) return null;
    return manager.findOneBy(PublicationEntity, { doi: normalized });
  }

  /** Newest registrations first (by ledger sequence, which is unique and follows commit order). */
  async list(query: ListPublicationsQuery): Promise<{ items: PublicationEntity[]; nextCursor: string | null }> {
    const limit = query.limit ?? 50;
    const cursor = decodeSeqCursor(query.cursor);
    const qb = this.dataSource.manager.createQueryBuilder(PublicationEntity, 'p');
    if (query.doi !== undefined) {
      const doi = normalizeDoi(query.doi);
      if (doi === null) throw new InvalidDoiError(query.doi);
      qb.andWhere('p.doi = :doi', { doi });
    }
    if (query.author) qb.andWhere(':author = ANY(p.author_ids)', { author: query.author });
    if (cursor) qb.andWhere('p.ledger_seq < :seq', { seq: cursor.at });
    const items = await qb
      .orderBy('p.ledger_seq', 'DESC')
      .limit(limit + 1)
      .getMany();
    return pageOf(items, limit, (row) => ({ at: row.ledgerSeq.toString(), id: row.id }));
  }
}

function nonBlank(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== '';
}

/** The first day of the issued period (2021 -> 2021-01-01): awards judge `asOf` by it. */
function issuedToDate(issued: string | null): Date | null {
  if (issued === null) return null;
  const [year, month = '01', day = '01'] = issued.split('-');
  return new Date(`${year}-${month}-${day}T00:00:00Z`);
}

function decodeSeqCursor(value: string | undefined): { at: string; id: string } | null {
  const cursor = decodeCursor(value);
  if (cursor !== null && !/^\d{1,19}$/.test(cursor.at)) {
    throw new ValidationFailedError(
      [{ field: 'cursor', message: 'is not a cursor this service issued' }],
      'INVALID_CURSOR',
    );
  }
  return cursor;
}
