import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../auth/auth.decorators.js';
import { hasRole } from '../auth/auth.decorators.js';
import type { Receipt } from '../core/database/receipt.js';
import type { GraphNodeEntity } from '../graph/entities/graph-node.entity.js';
import { GraphService } from '../graph/graph.service.js';
import type { NewEdge } from '../graph/graph.service.js';
import { DATASET_TYPES } from '../graph/graph.vocabulary.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { storedEntityTags } from '../provenance/graph-mapping.rules.js';
import type { CreateFigureDto } from './dto/create-figure.dto.js';
import type { FigureDto } from './dto/figure.dto.js';
import {
  FigureExistsError,
  FigureNotFoundError,
  FigurePublicationNotFoundError,
  InvalidFigureError,
  NotPublicationAuthorError,
  UnknownPanelSourceError,
} from './figures.errors.js';
import { planFigure } from './figures.rules.js';

/**
 * Figures and panels of publications (SourceData model, provenance.md §6): a Figure node and one FigurePanel node
 * per panel, described by one `figure.registered` entry, linked publication --hasPart--> figure --hasPart--> panel and
 * panel --wasDerivedFrom--> each source dataset and image (an `edge.created` entry each). Tags stay on the panel.
 */
@Injectable()
export class FiguresService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly graph: GraphService,
  ) {}

  localIri(id: string): string {
    return this.graph.localIri(id);
  }

  async create(principal: Principal, dto: CreateFigureDto): Promise<{ figure: FigureDto; receipt: Receipt }> {
    const plan = planFigure(dto);
    if (!plan.ok) throw new InvalidFigureError(plan.problems);
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`figures ${dto.publication}`]);
      const [publication] = await this.graph.getNodes([dto.publication], manager);
      if (publication === undefined || publication.type !== 'Publication')
        throw new FigurePublicationNotFoundError(dto.publication);
      await this.assertMayAddFigures(principal, publication, manager);

      const around = await this.graph.edgesAround([publication.id], manager);
      const partIds = around
        .filter((e) => e.relation === 'hasPart' && e.sourceId === publication.id)
        .map((e) => e.targetId);
      const sameLabel = (await this.graph.getNodes(partIds, manager)).find(
        (node) => node.type === 'Figure' && (node.label ?? '').trim().toLowerCase() === dto.label.trim().toLowerCase(),
      );
      if (sameLabel !== undefined) throw new FigureExistsError(dto.label, sameLabel.id);

      const sources = await this.graph.getNodes(
        plan.panels.flatMap((panel) => [...panel.sourceData, ...panel.sourceImages]),
        manager,
      );
      const typeOf = new Map(sources.map((node) => [node.id, node.type]));
      for (const panel of plan.panels) {
        panel.sourceData.forEach((id, i) => {
          const type = typeOf.get(id);
          if (type === undefined || !DATASET_TYPES.includes(type))
            throw new UnknownPanelSourceError(`panels.${panel.index}.sourceData.${i}`, id, 'dataset');
        });
        panel.sourceImages.forEach((id, i) => {
          if (typeOf.get(id) !== 'ImagePart')
            throw new UnknownPanelSourceError(`panels.${panel.index}.sourceImages.${i}`, id, 'image');
        });
      }

      const figureId = randomUUID();
      const panels = plan.panels.map((panel) => ({ ...panel, id: randomUUID() }));
      const caption = dto.caption ?? null;
      const receipt = await this.ledger.append(manager, {
        kind: 'figure.registered',
        actor: principal.agentId,
        payload: {
          id: figureId,
          publication: publication.id,
          label: dto.label,
          caption,
          panels: panels.map((panel) => ({
            id: panel.id,
            label: panel.label,
            caption: panel.caption,
            sourceData: panel.sourceData,
            sourceImages: panel.sourceImages,
            entities: panel.entities.map((tag) => ({ ...tag })),
          })),
        },
      });
      const seq = BigInt(receipt.seq);
      await this.graph.addNodes(
        manager,
        [
          {
            id: figureId,
            type: 'Figure',
            label: dto.label,
            properties: { name: dto.label, caption, publication: publication.id },
            occurredAt: publication.occurredAt,
          },
          ...panels.map((panel) => ({
            id: panel.id,
            type: 'FigurePanel' as const,
            label: panel.name,
            properties: {
              name: panel.name,
              position: panel.label,
              caption: panel.caption,
              about: panel.about,
              measurementTechnique: panel.measurementTechnique,
              entities: panel.entities.map((tag) => ({ ...tag })),
              index: panel.index,
              figure: figureId,
              publication: publication.id,
            },
            occurredAt: publication.occurredAt,
          })),
        ],
        principal.agentId,
        seq,
      );
      const edges: NewEdge[] = [
        { sourceId: publication.id, relation: 'hasPart', targetId: figureId },
        ...panels.map((panel) => ({
          sourceId: figureId,
          relation: 'hasPart' as const,
          targetId: panel.id,
          properties: { position: panel.index },
        })),
        ...panels.flatMap((panel) =>
          [...panel.sourceData, ...panel.sourceImages].map((source) => ({
            sourceId: panel.id,
            relation: 'wasDerivedFrom' as const,
            targetId: source,
          })),
        ),
      ];
      await this.graph.addEdges(manager, edges, principal.agentId);
      return { figure: await this.view(figureId, manager), receipt };
    });
  }

  async get(id: string): Promise<FigureDto> {
    return this.view(id, this.dataSource.manager);
  }

  private async view(id: string, manager: EntityManager): Promise<FigureDto> {
    const [figure] = await this.graph.getNodes([id], manager);
    if (figure === undefined || figure.type !== 'Figure') throw new FigureNotFoundError(id);
    const around = await this.graph.edgesAround([id], manager);
    const publication =
      around.find((e) => e.relation === 'hasPart' && e.targetId === id)?.sourceId ??
      (typeof figure.properties.publication === 'string' ? figure.properties.publication : '');
    const panelIds = around.filter((e) => e.relation === 'hasPart' && e.sourceId === id).map((e) => e.targetId);
    const panels = (await this.graph.getNodes(panelIds, manager)).filter((node) => node.type === 'FigurePanel');
    const panelEdges = await this.graph.edgesAround(panelIds, manager);
    const sources = await this.graph.getNodes(
      panelEdges.filter((e) => e.relation === 'wasDerivedFrom').map((e) => e.targetId),
      manager,
    );
    const typeOf = new Map(sources.map((node) => [node.id, node.type]));
    const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
    return {
      id: figure.id,
      iri: figure.iri,
      publication,
      label: figure.label ?? '',
      caption: text(figure.properties.caption),
      panels: panels
        .sort((a, b) => Number(a.properties.index ?? 0) - Number(b.properties.index ?? 0))
        .map((panel) => {
          const derived = panelEdges
            .filter((e) => e.relation === 'wasDerivedFrom' && e.sourceId === panel.id)
            .map((e) => e.targetId);
          return {
            id: panel.id,
            iri: panel.iri,
            label: text(panel.properties.position) ?? '',
            name: panel.label ?? '',
            caption: text(panel.properties.caption),
            sourceData: derived.filter((target) => DATASET_TYPES.includes(typeOf.get(target) ?? 'Person')).sort(),
            sourceImages: derived.filter((target) => typeOf.get(target) === 'ImagePart').sort(),
            entities: storedEntityTags(panel).map((tag) => ({
              type: tag.type,
              id: tag.id,
              ...(tag.label === undefined ? {} : { label: tag.label }),
              role: tag.role,
              tag: `${panel.iri}#${tag.tag}`,
            })),
          };
        }),
    };
  }

  /** Whoever registered the publication, one of its authors (wasAttributedTo), or a curator. */
  private async assertMayAddFigures(
    principal: Principal,
    publication: GraphNodeEntity,
    manager: EntityManager,
  ): Promise<void> {
    if (hasRole(principal, 'curator')) return;
    const me = principal.agentId;
    if (me === null) throw new NotPublicationAuthorError();
    const authors = (await this.graph.edgesAround([publication.id], manager)).filter(
      (e) => e.relation === 'wasAttributedTo' && e.sourceId === publication.id,
    );
    if (authors.some((e) => e.targetId === me)) return;
    const entry = await this.ledger.entry(publication.ledgerSeq);
    if (entry.actor !== me) throw new NotPublicationAuthorError();
  }
}
