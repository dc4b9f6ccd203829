import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { AgentsService } from '../agents/agents.service.js';
import type { Principal } from '../auth/auth.decorators.js';
import type { Receipt } from '../core/database/receipt.js';
import { insertEntities } from '../core/database/sql.js';
import { DatasetsService } from '../datasets/datasets.service.js';
import { GraphService } from '../graph/graph.service.js';
import type { NewEdge } from '../graph/graph.service.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { WebhooksService } from '../webhooks/webhooks.service.js';
import {
  CitationFormatNotAcceptableError,
  CitationStyleUnsupportedError,
  LinkFormatUnrecognizedError,
  NoUsableLinksError,
} from './citations.errors.js';
import {
  buildDatasetCitationInput,
  citingIri,
  collectDatasetLookup,
  matchCitedDataset,
  toOccurredAt,
} from './citations.rules.js';
import { buildDatasetCsl, formatDatasetCitation, negotiateCitationFormat } from './dataset-citation.rules.js';
import type { FormattedCitation } from './dataset-citation.rules.js';
import { toCitationDto } from './dto/citation.dto.js';
import { CitationEntity } from './entities/citation.entity.js';
import { linkKey, parseLinkImport } from './link-import.rules.js';
import type { LinkImportProblem, LinkRelation } from './link-import.rules.js';

export interface CitationImport {
  citations: CitationEntity[];
  /** One per created citation, same order. */
  receipts: Receipt[];
  duplicates: number;
  problems: LinkImportProblem[];
}

/**
 * Dataset citations in several styles, and imported citation links (Scholix, DataCite events). A citation is a
 * reference, not evidence of analysis (credit-and-compliance.md §1): it never becomes a reuse record.
 */
@Injectable()
export class CitationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly graph: GraphService,
    private readonly datasets: DatasetsService,
    private readonly agents: AgentsService,
    private readonly webhooks: WebhooksService,
  ) {}

  /** The dataset's citation in the style `style` names, else the one `Accept` prefers (apa by default). */
  async datasetCitation(id: string, accept: string | undefined, style: string | undefined): Promise<FormattedCitation> {
    const negotiated = negotiateCitationFormat(accept, style);
    if (!negotiated.ok) {
      throw negotiated.code === 'CITATION_STYLE_UNSUPPORTED'
        ? new CitationStyleUnsupportedError(negotiated.detail)
        : new CitationFormatNotAcceptableError(negotiated.detail);
    }
    const dataset = await this.datasets.get(id);
    const agents = await this.agents.getMany(
      dataset.publisherId ? [...dataset.creators, dataset.publisherId] : dataset.creators,
    );
    const input = buildDatasetCitationInput(dataset, agents, this.datasets.publicBaseUrl);
    return formatDatasetCitation(buildDatasetCsl(input), negotiated.style);
  }

  /**
   * Records the new links of a Scholix or DataCite Event Data package: one `citation.recorded` entry each, a
   * `citesAsDataSource` graph edge when the citing publication and the cited dataset are both known here, and a
   * `citation.created` webhook event. Links already recorded (same citing, cited, relation) count as duplicates.
   */
  async importLinks(principal: Principal, body: unknown, now = new Date()): Promise<CitationImport> {
    const parsed = parseLinkImport(body);
    if (!parsed.ok) throw new LinkFormatUnrecognizedError(parsed.detail);
    if (parsed.links.length === 0 && parsed.problems.length > 0) throw new NoUsableLinksError(parsed.problems);
    const base = this.datasets.publicBaseUrl;

    return this.dataSource.transaction(async (manager) => {
      // Imports run one at a time, so two packages carrying the same link cannot both find it new.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('citations.import'))`);
      const known = await this.existingKeys(manager, parsed.links);
      const fresh = parsed.links.filter((link) => !known.has(linkKey(link)));
      const duplicates = parsed.duplicates + parsed.links.length - fresh.length;
      if (fresh.length === 0) return { citations: [], receipts: [], duplicates, problems: parsed.problems };

      const candidates = await this.datasets.findByIdentifiers(collectDatasetLookup(fresh, base), manager);
      const iris = [...new Set(fresh.map(citingIri))];
      const publications = new Map(
        (await this.graph.findNodesByIri(iris, manager))
          .filter((n) => n.type === 'Publication')
          .map((n) => [n.iri, n.id]),
      );
      const citations = fresh.map((link) =>
        manager.create(CitationEntity, {
          id: randomUUID(),
          citingIdentifier: link.citing,
          citingScheme: link.citingScheme,
          citedIdentifier: link.cited,
          citedScheme: link.citedScheme,
          relation: link.relation,
          occurredAt: toOccurredAt(link.occurredAt),
          source: link.source,
          format: link.format,
          externalId: link.externalId ?? null,
          citedDatasetId: matchCitedDataset({ identifier: link.cited, scheme: link.citedScheme }, candidates, base),
          citingPublicationId: publications.get(citingIri(link)) ?? null,
        }),
      );
      const receipts = await this.ledger.appendMany(
        manager,
        citations.map((c, i) => ({
          kind: 'citation.recorded',
          actor: principal.agentId,
          payload: {
            id: c.id,
            citing: { identifier: c.citingIdentifier, scheme: c.citingScheme },
            cited: { identifier: c.citedIdentifier, scheme: c.citedScheme },
            relation: c.relation,
            // As the package gave it (a bare date stays a date).
            occurredAt: fresh[i].occurredAt,
            source: c.source,
            format: c.format,
            externalId: c.externalId,
            citedDataset: c.citedDatasetId,
            citingPublication: c.citingPublicationId,
          },
        })),
        now,
      );
      citations.forEach((c, i) => {
        c.ledgerSeq = BigInt(receipts[i].seq);
      });
      await insertEntities(manager, CitationEntity, citations);

      const edges: NewEdge[] = citations
        .filter((c) => c.citedDatasetId !== null && c.citingPublicationId !== null)
        .map((c) => ({
          sourceId: c.citingPublicationId as string,
          relation: 'citesAsDataSource',
          targetId: c.citedDatasetId as string,
          properties: { citation: c.id, relation: c.relation, source: c.source },
        }));
      await this.graph.addEdges(manager, edges, principal.agentId);
      await this.webhooks.emitMany(
        manager,
        citations.map((c) => ({
          event: 'citation.created' as const,
          payload: { datasetIds: c.citedDatasetId ? [c.citedDatasetId] : [], citation: toCitationDto(c) },
        })),
        now,
      );
      return { citations, receipts, duplicates, problems: parsed.problems };
    });
  }

  /**
   * Recorded citations of the given datasets, oldest first (metrics read these). Several links from one citing work
   * may be present (e.g. References and IsSupplementedBy): count distinct `citingIdentifier` per dataset.
   */
  async citationsOfDatasets(
    ids: readonly string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<CitationEntity[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    return manager.find(CitationEntity, {
      where: { citedDatasetId: In(unique) },
      order: { occurredAt: { direction: 'ASC', nulls: 'LAST' }, id: 'ASC' },
    });
  }

  private async existingKeys(
    manager: EntityManager,
    links: ReadonlyArray<{ citing: string; cited: string; relation: LinkRelation }>,
  ): Promise<Set<string>> {
    if (links.length === 0) return new Set();
    const rows = await manager.query<
      Array<{ citing_identifier: string; cited_identifier: string; relation: LinkRelation }>
    >(
      `SELECT c.citing_identifier, c.cited_identifier, c.relation FROM citations c
       JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(citing, cited, relation)
         ON c.citing_identifier = k.citing AND c.cited_identifier = k.cited AND c.relation = k.relation`,
      [links.map((l) => l.citing), links.map((l) => l.cited), links.map((l) => l.relation)],
    );
    return new Set(
      rows.map((r) => linkKey({ citing: r.citing_identifier, cited: r.cited_identifier, relation: r.relation })),
    );
  }
}
