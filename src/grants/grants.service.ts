import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { AgentsService } from '../agents/agents.service.js';
import type { AgentEntity } from '../agents/entities/agent.entity.js';
import type { Principal } from '../auth/auth.decorators.js';
import { hasRole } from '../auth/auth.decorators.js';
import type { Receipt } from '../core/database/receipt.js';
import { insertEntities } from '../core/database/sql.js';
import { DatasetsService } from '../datasets/datasets.service.js';
import type { DatasetEntity } from '../datasets/entities/dataset.entity.js';
import { DoisService } from '../dois/dois.service.js';
import { GraphService } from '../graph/graph.service.js';
import type { NewEdge } from '../graph/graph.service.js';
import type { GraphNodeEntity } from '../graph/entities/graph-node.entity.js';
import { DATASET_TYPES } from '../graph/graph.vocabulary.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { PublicationEntity } from '../publications/entities/publication.entity.js';
import { PublicationsService } from '../publications/publications.service.js';
import { assessGrantCompliance, buildFunderAudit } from './compliance.rules.js';
import type {
  AuditPerson,
  CompliancePublicationRow,
  FunderAudit,
  GrantCompliance,
  GrantRow,
} from './compliance.rules.js';
import type { AddGrantOutputsDto } from './dto/add-outputs.dto.js';
import type { AuditQuery } from './dto/compliance.query.js';
import type { CreateGrantDto } from './dto/create-grant.dto.js';
import type { ExtendGrantDto } from './dto/extend-grant.dto.js';
import { GrantComplianceStateEntity } from './entities/grant-compliance-state.entity.js';
import { GrantEntity } from './entities/grant.entity.js';
import type { PlannedDataRecord } from './entities/grant.entity.js';
import {
  DataTypeNotPlannedError,
  DuplicateDataTypeError,
  ForbiddenFunderError,
  FunderNotFoundError,
  FunderNotOrganizationError,
  GrantExistsError,
  GrantNotFoundError,
  InvalidDateError,
  InvalidFunderIdentifierError,
  InvalidGrantPeriodError,
  NotGrantPartyError,
  OutputsEmptyError,
  PiNotPersonError,
} from './grants.errors.js';
import {
  actsForFunder,
  diffComplianceStatuses,
  findDuplicateDataTypes,
  normalizeDataType,
  parseDay,
  parseFunderIdentifier,
  publicationKindOf,
  resolveDataType,
  toComplianceDataset,
  utcDayOf,
} from './grants.rules.js';
import type { FunderIdentifier, PublicationKind, ReuseFigures, StatusChange } from './grants.rules.js';

export interface GrantView {
  grant: GrantEntity;
  funder: AgentEntity;
  pi: AgentEntity;
}

export interface LedgerCheckpointRef {
  treeSize: string;
  /** Hex RFC 9162 root hash of the tree of that size. */
  rootHash: string;
}

export interface ComplianceReport extends GrantView {
  assessment: GrantCompliance;
  publications: Array<{
    id: string;
    doi: string | null;
    issued: string | null;
    kind: PublicationKind;
    datasets: string[] | null;
  }>;
  checkpoint: LedgerCheckpointRef;
  /** True when the report was computed for today and compared with the recorded statuses. */
  recorded: boolean;
  changes: StatusChange[];
  /** The last `compliance.status_changed` entry this report appended, if any. */
  receipt: Receipt | null;
}

export interface FunderAuditReport {
  funder: AgentEntity;
  asOf: string;
  audit: FunderAudit;
  reports: ComplianceReport[];
  reuse: Map<string, ReuseFigures>;
  checkpoint: LedgerCheckpointRef;
}

type AssessedGrant = Pick<ComplianceReport, 'assessment' | 'publications'>;

/** Ledger entries and state rows written per statement when an audit records many status changes. */
const WRITE_BATCH = 1000;

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const list = out.get(key(item));
    if (list) list.push(item);
    else out.set(key(item), [item]);
  }
  return out;
}

/**
 * Grants, their outputs and funder compliance (credit-and-compliance.md §6). Grant rows carry the plan; the Grant
 * graph node (same id) carries what DataCite fundingReferences need; outputs are `funding` edges.
 */
@Injectable()
export class GrantsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly graph: GraphService,
    private readonly agents: AgentsService,
    private readonly datasets: DatasetsService,
    private readonly publications: PublicationsService,
    private readonly dois: DoisService,
    private readonly metrics: MetricsService,
  ) {}

  // ───────────────────────────── writes ─────────────────────────────

  async create(principal: Principal, dto: CreateGrantDto): Promise<GrantView & { receipt: Receipt }> {
    const start = this.day('start', dto.start);
    const end = this.day('end', dto.end);
    const extensionEnd = dto.extensionEnd === undefined ? null : this.day('extensionEnd', dto.extensionEnd);
    const applicationDate = dto.applicationDate === undefined ? null : this.day('applicationDate', dto.applicationDate);
    if (end < start) throw new InvalidGrantPeriodError('end', 'must not be before start');
    if (extensionEnd !== null && extensionEnd < end)
      throw new InvalidGrantPeriodError('extensionEnd', 'must not be before end');
    const plannedData: PlannedDataRecord[] = (dto.plannedData ?? []).map((p, i) => ({
      dataType: p.dataType.trim(),
      repository: p.repository?.trim() ?? null,
      dueDate: p.dueDate === undefined ? null : this.day(`plannedData.${i}.dueDate`, p.dueDate),
    }));
    const duplicates = findDuplicateDataTypes(plannedData);
    if (duplicates.length > 0) throw new DuplicateDataTypeError(duplicates);

    return this.dataSource.transaction(async (manager) => {
      const funder = await this.agents.get(dto.funder, manager);
      if (funder.kind !== 'organization') throw new FunderNotOrganizationError(funder.id);
      await this.assertActsForFunder(principal, funder.id, manager);
      const pi = await this.agents.get(dto.pi, manager);
      if (pi.kind !== 'person') throw new PiNotPersonError(pi.id);
      let funderIdentifier: FunderIdentifier | null = null;
      if (dto.funderIdentifier !== undefined) {
        funderIdentifier = parseFunderIdentifier(dto.funderIdentifier);
        if (!funderIdentifier) throw new InvalidFunderIdentifierError(dto.funderIdentifier);
      } else if (funder.ror) {
        funderIdentifier = { identifier: funder.ror, type: 'ROR' };
      }
      const awardNumber = dto.awardNumber.trim();
      // Two requests for one award at once: the second waits here, then finds the first.
      await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `grant ${funder.id} ${awardNumber}`,
      ]);
      const existing = await manager.findOne(GrantEntity, {
        where: { funderId: funder.id, awardNumber },
        select: { id: true },
      });
      if (existing) throw new GrantExistsError(awardNumber, existing.id);

      const id = randomUUID();
      const title = dto.title?.trim() ?? null;
      const receipt = await this.ledger.append(manager, {
        kind: 'grant.created',
        actor: principal.agentId,
        payload: {
          id,
          funder: funder.id,
          funderName: funder.name,
          funderIdentifier: funderIdentifier?.identifier ?? null,
          funderIdentifierType: funderIdentifier?.type ?? null,
          awardNumber,
          title,
          pi: pi.id,
          start,
          end,
          extensionEnd,
          applicationDate,
          policy: dto.policy,
          plannedData: plannedData.map((p) => ({ ...p })),
        },
      });
      const grant = manager.create(GrantEntity, {
        id,
        funderId: funder.id,
        funderIdentifier: funderIdentifier?.identifier ?? null,
        funderIdentifierType: funderIdentifier?.type ?? null,
        awardNumber,
        title,
        piId: pi.id,
        start,
        end,
        extensions: extensionEnd === null ? [] : [{ end: extensionEnd, seq: receipt.seq }],
        policy: dto.policy,
        plannedData,
        applicationDate,
        outputDataTypes: {},
        createdBy: principal.agentId,
        ledgerSeq: BigInt(receipt.seq),
      });
      await this.graph.ensureAgentNodes(manager, [funder, pi]);
      // The DOI module builds DataCite fundingReferences from exactly these property names.
      await this.graph.addNodes(
        manager,
        [
          {
            id,
            type: 'Grant',
            label: title,
            properties: {
              funderName: funder.name,
              funderIdentifier: funderIdentifier?.identifier ?? null,
              funderIdentifierType: funderIdentifier?.type ?? null,
              awardNumber,
              awardTitle: title,
            },
            occurredAt: new Date(`${start}T00:00:00Z`),
          },
        ],
        principal.agentId,
        grant.ledgerSeq,
      );
      await insertEntities(manager, GrantEntity, grant);
      return { grant: await manager.findOneByOrFail(GrantEntity, { id }), funder, pi, receipt };
    });
  }

  /** Attaches datasets and publications as `funding` edges; one `grant.outputs_added` entry is the receipt. */
  async addOutputs(principal: Principal, id: string, dto: AddGrantOutputsDto): Promise<{ receipt: Receipt }> {
    const datasetIds = [...new Set(dto.datasets ?? [])];
    const publicationIds = [...new Set(dto.publications ?? [])];
    if (datasetIds.length === 0 && publicationIds.length === 0) throw new OutputsEmptyError();
    return this.dataSource.transaction(async (manager) => {
      // Lock order: the grant row first, then the ledger (as the compliance recorder does).
      const grant = await this.lockGrant(manager, id);
      await this.assertGrantParty(principal, grant, manager, { allowPi: true });
      let dataType: string | null = null;
      if (dto.dataType !== undefined) {
        const planned = grant.plannedData.find(
          (p) => normalizeDataType(p.dataType) === normalizeDataType(dto.dataType),
        );
        if (!planned)
          throw new DataTypeNotPlannedError(
            dto.dataType,
            grant.plannedData.map((p) => p.dataType),
          );
        dataType = planned.dataType;
      }
      await this.datasets.getMany(datasetIds, manager);
      await this.publications.getMany(publicationIds, manager);
      const edges: NewEdge[] = [...datasetIds, ...publicationIds].map((sourceId) => ({
        sourceId,
        relation: 'funding',
        targetId: grant.id,
      }));
      const added = await this.graph.addEdges(manager, edges, principal.agentId);
      if (dataType !== null && datasetIds.length > 0) {
        const assigned = { ...grant.outputDataTypes };
        for (const datasetId of datasetIds) assigned[datasetId] = dataType;
        await manager.update(GrantEntity, { id: grant.id }, { outputDataTypes: assigned });
      }
      const receipt = await this.ledger.append(manager, {
        kind: 'grant.outputs_added',
        actor: principal.agentId,
        payload: {
          grant: grant.id,
          datasets: datasetIds,
          publications: publicationIds,
          dataType,
          edgeSeqs: added.map((a) => a.edge.ledgerSeq.toString()),
        },
      });
      return { receipt };
    });
  }

  /** A no-cost extension: a new ledger event moving the end; due dates are recomputed from it, never edited. */
  async extend(principal: Principal, id: string, dto: ExtendGrantDto): Promise<GrantView & { receipt: Receipt }> {
    const end = this.day('end', dto.end);
    return this.dataSource.transaction(async (manager) => {
      const grant = await this.lockGrant(manager, id);
      await this.assertGrantParty(principal, grant, manager, { allowPi: false });
      if (end < grant.end) throw new InvalidGrantPeriodError('end', `must not be before the original end ${grant.end}`);
      const receipt = await this.ledger.append(manager, {
        kind: 'grant.extended',
        actor: principal.agentId,
        payload: { grant: grant.id, end, previousEnd: this.effectiveEnd(grant), reason: dto.reason ?? null },
      });
      await manager.update(
        GrantEntity,
        { id: grant.id },
        { extensions: [...grant.extensions, { end, seq: receipt.seq }] },
      );
      const updated = await manager.findOneByOrFail(GrantEntity, { id: grant.id });
      return { ...(await this.view(updated, manager)), receipt };
    });
  }

  // ───────────────────────────── reads ─────────────────────────────

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<GrantView> {
    const grant = await manager.findOneBy(GrantEntity, { id });
    if (!grant) throw new GrantNotFoundError(id);
    return this.view(grant, manager);
  }

  /**
   * The per-grant report. For today's date it runs in one transaction holding the grant row: statuses that differ
   * from the recorded ones are appended as `compliance.status_changed` entries. Other dates are read-only views.
   */
  async compliance(
    principal: Principal,
    id: string,
    asOfInput: string | undefined,
    now = new Date(),
  ): Promise<ComplianceReport> {
    const today = utcDayOf(now);
    const asOf = asOfInput === undefined ? today : this.day('asOf', asOfInput);
    const grant = await this.dataSource.manager.findOneBy(GrantEntity, { id });
    if (!grant) throw new GrantNotFoundError(id);
    await this.assertCanRead(principal, grant);
    const [report] = await this.reportMany([grant], asOf, today);
    return report;
  }

  /** One row per grant and planned data type over the funder's portfolio, with reuse figures per grant. */
  async audit(principal: Principal, funderId: string, query: AuditQuery, now = new Date()): Promise<FunderAuditReport> {
    const today = utcDayOf(now);
    const asOf = query.asOf === undefined ? today : this.day('asOf', query.asOf);
    const funder = await this.agents.get(funderId);
    if (funder.kind !== 'organization') throw new FunderNotFoundError(funderId);
    if (!hasRole(principal, 'curator')) await this.assertActsForFunder(principal, funder.id);
    const grants = await this.dataSource.manager.find(GrantEntity, {
      where: { funderId, ...(query.pi ? { piId: query.pi } : {}) },
      order: { awardNumber: 'ASC' },
    });
    const reports = await this.reportMany(grants, asOf, today);
    const selected = query.status ? reports.filter((r) => r.assessment.status === query.status) : reports;
    const people = new Map<string, AuditPerson>(selected.map((r) => [r.pi.id, { name: r.pi.name, orcid: r.pi.orcid }]));
    const figures = await this.reuseFigures(selected.map((r) => r.grant.id));
    const reuse = new Map<string, ReuseFigures>(
      selected.map((r) => [r.grant.awardNumber, figures.get(r.grant.id) as ReuseFigures]),
    );
    return {
      funder,
      asOf,
      audit: buildFunderAudit(
        selected.map((r) => r.assessment),
        people,
      ),
      reports: selected,
      reuse,
      checkpoint: await this.checkpoint(this.dataSource.manager),
    };
  }

  // ───────────────────────────── compliance internals ─────────────────────────────

  /**
   * Reports for many grants with set-based reads (a funder's audit, or one grant). For today's date one transaction
   * holds every grant row, locked in id order so concurrent audits and single reports cannot lock crosswise; the
   * status changes are appended in the order the grants were given.
   */
  private async reportMany(
    grants: readonly GrantEntity[],
    asOf: string,
    today: string,
  ): Promise<ComplianceReport[]> {
    if (grants.length === 0) return [];
    if (asOf !== today) {
      const manager = this.dataSource.manager;
      const computed = await this.assessMany(grants, asOf, manager);
      const views = await this.views(grants, manager);
      const checkpoint = await this.checkpoint(manager);
      return grants.map((g) => ({
        ...(views.get(g.id) as GrantView),
        ...(computed.get(g.id) as AssessedGrant),
        checkpoint,
        recorded: false,
        changes: [],
        receipt: null,
      }));
    }
    return this.dataSource.transaction(async (manager) => {
      const ids = [...new Set(grants.map((g) => g.id))];
      const rows = await manager.find(GrantEntity, {
        where: { id: In(ids) },
        order: { id: 'ASC' },
        lock: { mode: 'pessimistic_write' },
      });
      const byId = new Map(rows.map((g) => [g.id, g]));
      const locked = grants.map((g) => {
        const row = byId.get(g.id);
        if (!row) throw new GrantNotFoundError(g.id);
        return row;
      });
      const computed = await this.assessMany(locked, asOf, manager);
      const recordedRows = await manager.findBy(GrantComplianceStateEntity, { grantId: In(ids) });
      const recordedByGrant = groupBy(recordedRows, (r) => r.grantId);
      const changesByGrant = new Map<string, StatusChange[]>();
      const pending: Array<{ grant: GrantEntity; change: StatusChange; policy: GrantCompliance['policy'] }> = [];
      for (const grant of locked) {
        if (changesByGrant.has(grant.id)) continue;
        const { assessment } = computed.get(grant.id) as AssessedGrant;
        const changes = diffComplianceStatuses(assessment, recordedByGrant.get(grant.id) ?? []);
        changesByGrant.set(grant.id, changes);
        for (const change of changes) pending.push({ grant, change, policy: assessment.policy });
      }
      const receiptByGrant = new Map<string, Receipt>();
      for (let from = 0; from < pending.length; from += WRITE_BATCH) {
        const batch = pending.slice(from, from + WRITE_BATCH);
        const receipts = await this.ledger.appendMany(
          manager,
          batch.map(({ grant, change: c, policy }) => ({
            kind: 'compliance.status_changed',
            actor: null,
            payload: {
              grant: grant.id,
              funder: grant.funderId,
              awardNumber: grant.awardNumber,
              scope: c.scope,
              dataType: c.scope === 'grant' ? null : c.dataType,
              from: c.from,
              to: c.status,
              asOf,
              dueDate: c.dueDate,
              overdueDays: c.overdueDays,
              policy,
            },
          })),
        );
        await manager.upsert(
          GrantComplianceStateEntity,
          batch.map(({ grant, change: c }, i) => ({
            grantId: grant.id,
            scope: c.scope,
            dataType: c.scope === 'grant' ? '' : c.dataType,
            status: c.status,
            asOf,
            ledgerSeq: BigInt(receipts[i].seq),
          })),
          ['grantId', 'scope', 'dataType'],
        );
        // Each grant's receipt is the last entry appended for it.
        batch.forEach(({ grant }, i) => receiptByGrant.set(grant.id, receipts[i]));
      }
      const views = await this.views(locked, manager);
      const checkpoint = await this.checkpoint(manager);
      return locked.map((g) => ({
        ...(views.get(g.id) as GrantView),
        ...(computed.get(g.id) as AssessedGrant),
        checkpoint,
        recorded: true,
        changes: changesByGrant.get(g.id) ?? [],
        receipt: receiptByGrant.get(g.id) ?? null,
      }));
    });
  }

  /**
   * Compliance inputs for many grants in a fixed number of reads (funding edges, their source nodes, datasets, DOI
   * registrations, presenting publications, publications), then the pure rules per grant in memory.
   */
  private async assessMany(
    grants: readonly GrantEntity[],
    asOf: string,
    manager: EntityManager,
  ): Promise<Map<string, AssessedGrant>> {
    const grantIds = new Set(grants.map((g) => g.id));
    const edges = (await this.graph.edgesAround([...grantIds], manager)).filter(
      (e) => e.relation === 'funding' && grantIds.has(e.targetId),
    );
    const sourcesOf = groupBy(edges, (e) => e.targetId);
    const nodes = await this.graph.getNodes(
      edges.map((e) => e.sourceId),
      manager,
    );
    const nodeOrder = new Map(nodes.map((n, i) => [n.id, i]));
    const nodeById = new Map(nodes.map((n) => [n.id, n]));
    const allDatasetIds = nodes.filter((n) => DATASET_TYPES.includes(n.type)).map((n) => n.id);
    const allFundedPublicationIds = nodes.filter((n) => n.type === 'Publication').map((n) => n.id);

    const datasets = new Map((await this.datasets.getMany(allDatasetIds, manager)).map((d) => [d.id, d]));
    const findableAt = await this.findableSince([...datasets.values()], manager);
    // Associated publications (§6): outputs of the grant (associated with every item), and publications that
    // present the grant's data as co-authored or same-lab reuse (associated with those datasets only).
    const presenting = await this.presentingPublications(allDatasetIds, manager);
    const presentingOrder = new Map([...presenting.keys()].map((id, i) => [id, i]));
    const presentersOf = new Map<string, string[]>();
    for (const [publicationId, ids] of presenting) {
      for (const datasetId of ids) {
        const list = presentersOf.get(datasetId) ?? [];
        list.push(publicationId);
        presentersOf.set(datasetId, list);
      }
    }
    const publications = new Map(
      (await this.publications.getMany([...allFundedPublicationIds, ...presenting.keys()], manager)).map((p) => [
        p.id,
        p,
      ]),
    );

    const out = new Map<string, AssessedGrant>();
    for (const grant of grants) {
      const sources = [...new Set((sourcesOf.get(grant.id) ?? []).map((e) => e.sourceId))]
        .filter((id) => nodeById.has(id))
        .sort((a, b) => (nodeOrder.get(a) as number) - (nodeOrder.get(b) as number))
        .map((id) => nodeById.get(id) as GraphNodeEntity);
      const datasetIds = sources.filter((n) => DATASET_TYPES.includes(n.type)).map((n) => n.id);
      const fundedPublicationIds = new Set(sources.filter((n) => n.type === 'Publication').map((n) => n.id));
      const rows = datasetIds.map((id) => {
        const d = datasets.get(id) as DatasetEntity;
        return toComplianceDataset(
          {
            id: d.id,
            kind: d.kind,
            title: d.title,
            doi: d.doi,
            doiState: d.doiState,
            accession: d.accession,
            license: d.license,
            createdAt: d.createdAt.toISOString(),
            releasedAt: d.releasedAt,
            embargoUntil: d.embargoUntil,
            withdrawnAt: d.withdrawnAt ? d.withdrawnAt.toISOString() : null,
            findableAt: findableAt.get(d.id) ?? null,
          },
          resolveDataType(d, grant.plannedData, grant.outputDataTypes),
          asOf,
        );
      });

      const own = new Set(datasetIds);
      const presentingIds = [...new Set(datasetIds.flatMap((id) => presentersOf.get(id) ?? []))].sort(
        (a, b) => (presentingOrder.get(a) as number) - (presentingOrder.get(b) as number),
      );
      const publicationIds = [...new Set([...fundedPublicationIds, ...presentingIds])];
      const publicationRows = publicationIds.map((id) => {
        const p = publications.get(id) as PublicationEntity;
        const genre = typeof p.csl?.['genre'] === 'string' ? p.csl['genre'] : null;
        const funded = fundedPublicationIds.has(p.id);
        return {
          id: p.id,
          doi: p.doi,
          issued: p.issued,
          kind: publicationKindOf({ cslType: p.cslType, containerTitle: p.containerTitle, genre }),
          datasets: funded ? null : (presenting.get(p.id) ?? []).filter((d) => own.has(d)),
        };
      });
      const complianceRows: CompliancePublicationRow[] = publicationRows.map((p) => ({
        id: p.id,
        issued: p.issued,
        kind: p.kind,
        ...(p.datasets === null ? {} : { datasetIds: p.datasets }),
      }));
      const assessment = assessGrantCompliance(
        this.grantRow(grant),
        grant.plannedData,
        { datasets: rows },
        complianceRows,
        asOf,
      );
      out.set(grant.id, { assessment, publications: publicationRows });
    }
    return out;
  }

  /** When each dataset's DOI first became findable, from the DOI module's registration records. */
  private async findableSince(
    datasets: readonly DatasetEntity[],
    manager: EntityManager,
  ): Promise<Map<string, string>> {
    const ids = datasets.filter((d) => d.doiState === 'findable' || d.doiState === 'registered').map((d) => d.id);
    const registrations = await this.dois.findRegistrations(ids, manager);
    return new Map(
      registrations.flatMap((r) => (r.findableAt ? [[r.datasetId, r.findableAt.toISOString()] as const] : [])),
    );
  }

  /**
   * Publications presenting the datasets (§6): through a figure panel whose source data they are (publication
   * --hasPart--> figure --hasPart--> panel --wasDerivedFrom--> dataset), or a co-authored or same-lab reuse
   * (`reuses` and `reuse_datasets` are the reuses module's documented read contract).
   */
  private async presentingPublications(
    datasetIds: readonly string[],
    manager: EntityManager,
  ): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (datasetIds.length === 0) return out;
    const seen = new Set<string>();
    const add = (publicationId: string, datasetId: string) => {
      const pair = `${publicationId} ${datasetId}`;
      if (seen.has(pair)) return;
      seen.add(pair);
      const list = out.get(publicationId);
      if (list) list.push(datasetId);
      else out.set(publicationId, [datasetId]);
    };

    const datasets = new Set(datasetIds);
    const toData = (await this.graph.edgesAround(datasetIds, manager)).filter(
      (e) => e.relation === 'wasDerivedFrom' && datasets.has(e.targetId),
    );
    const panels = (
      await this.graph.getNodes(
        toData.map((e) => e.sourceId),
        manager,
      )
    ).filter((n) => n.type === 'FigurePanel');
    const dataOf = groupBy(toData, (e) => e.sourceId);
    const panelData = new Map(panels.map((p) => [p.id, (dataOf.get(p.id) ?? []).map((e) => e.targetId)]));
    const toPanels = (await this.graph.edgesAround([...panelData.keys()], manager)).filter(
      (e) => e.relation === 'hasPart' && panelData.has(e.targetId),
    );
    const panelsOf = groupBy(toPanels, (e) => e.sourceId);
    const toFigures = (await this.graph.edgesAround([...panelsOf.keys()], manager)).filter(
      (e) => e.relation === 'hasPart' && panelsOf.has(e.targetId),
    );
    const publications = new Set(
      (
        await this.graph.getNodes(
          toFigures.map((e) => e.sourceId),
          manager,
        )
      )
        .filter((n) => n.type === 'Publication')
        .map((n) => n.id),
    );
    for (const figure of toFigures.filter((e) => publications.has(e.sourceId))) {
      for (const panel of panelsOf.get(figure.targetId) ?? []) {
        for (const datasetId of panelData.get(panel.targetId) ?? []) add(figure.sourceId, datasetId);
      }
    }

    const rows: Array<{ publication_id: string; dataset_id: string }> = await manager.query(
      `SELECT DISTINCT r.publication_id, rd.dataset_id FROM reuse_datasets rd JOIN reuses r ON r.id = rd.reuse_id
       WHERE rd.dataset_id = ANY($1::uuid[]) AND rd.level IN ('co-authored', 'same-lab') AND r.status = 'active'`,
      [[...datasetIds]],
    );
    for (const row of rows) add(row.publication_id, row.dataset_id);
    return out;
  }

  /**
   * Reuse figures per grant: the metrics module's dataset metrics aggregated over each grant's funding edges
   * (current figures: metrics are not judged as of a date), read for all grants at once.
   */
  private async reuseFigures(grantIds: readonly string[]): Promise<Map<string, ReuseFigures>> {
    const aggregates = await this.metrics.grantMetricsMany(grantIds);
    return new Map(
      [...aggregates].map(([grantId, metrics]) => [
        grantId,
        {
          datasets: metrics.datasets,
          citations: metrics.citations,
          reuses: metrics.reuses.total,
          independent: metrics.reuses.independent,
          sameLab: metrics.reuses.sameLab,
          coAuthored: metrics.reuses.coAuthored,
          independentGroups: metrics.independentGroups,
        },
      ]),
    );
  }

  private async checkpoint(manager: EntityManager): Promise<LedgerCheckpointRef> {
    const size = await this.ledger.size(manager);
    return { treeSize: size.toString(), rootHash: (await this.ledger.root(size, manager)).toString('hex') };
  }

  private grantRow(grant: GrantEntity): GrantRow {
    return {
      id: grant.id,
      awardNumber: grant.awardNumber,
      funderId: grant.funderId,
      piId: grant.piId,
      title: grant.title,
      start: grant.start,
      end: grant.end,
      extensions: grant.extensions.map((e) => ({ end: e.end, seq: e.seq })),
      policy: grant.policy,
      applicationDate: grant.applicationDate,
    };
  }

  private effectiveEnd(grant: GrantEntity): string {
    const last = grant.extensions[grant.extensions.length - 1];
    return last ? last.end : grant.end;
  }

  // ───────────────────────────── access ─────────────────────────────

  private async view(grant: GrantEntity, manager: EntityManager): Promise<GrantView> {
    const [funder, pi] = await this.agents.getMany([grant.funderId, grant.piId], manager);
    return { grant, funder, pi: pi ?? funder };
  }

  /** Funders and PIs of many grants in one read. */
  private async views(grants: readonly GrantEntity[], manager: EntityManager): Promise<Map<string, GrantView>> {
    const agents = new Map(
      (await this.agents.getMany(grants.flatMap((g) => [g.funderId, g.piId]), manager)).map((a) => [a.id, a]),
    );
    return new Map(
      grants.map((grant) => {
        const funder = agents.get(grant.funderId) as AgentEntity;
        return [grant.id, { grant, funder, pi: agents.get(grant.piId) ?? funder }];
      }),
    );
  }

  private async lockGrant(manager: EntityManager, id: string): Promise<GrantEntity> {
    const grant = await manager.findOne(GrantEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!grant) throw new GrantNotFoundError(id);
    return grant;
  }

  /** Funder keys act only for their own funder organization (grants.rules.ts actsForFunder); admins for all. */
  private async assertActsForFunder(
    principal: Principal,
    funderId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    if (principal.roles.includes('admin')) return;
    const agent = principal.agentId ? await this.agents.get(principal.agentId, manager) : null;
    if (!actsForFunder(agent, funderId)) throw new ForbiddenFunderError();
  }

  /** Read access to a grant's report: curators and admins, the grant's funder, its PI. */
  private async assertCanRead(principal: Principal, grant: GrantEntity): Promise<void> {
    await this.assertGrantParty(principal, grant, this.dataSource.manager, { allowPi: true });
  }

  private async assertGrantParty(
    principal: Principal,
    grant: GrantEntity,
    manager: EntityManager,
    opts: { allowPi: boolean },
  ): Promise<void> {
    if (hasRole(principal, 'curator')) return;
    if (opts.allowPi && principal.agentId !== null && principal.agentId === grant.piId) return;
    if (principal.roles.includes('funder')) {
      await this.assertActsForFunder(principal, grant.funderId, manager);
      return;
    }
    throw new NotGrantPartyError();
  }

  private day(field: string, value: string): string {
    const day = parseDay(value);
    if (day === null) throw new InvalidDateError(field);
    return day;
  }
}
