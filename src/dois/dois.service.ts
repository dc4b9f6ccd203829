import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { AgentsService } from '../agents/agents.service.js';
import type { Principal } from '../auth/auth.decorators.js';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/env.schema.js';
import type { Receipt } from '../core/database/receipt.js';
import { returnedRows } from '../core/database/sql.js';
import { ConflictError } from '../core/http/problem.js';
import { JobsService } from '../core/jobs/jobs.service.js';
import { DatasetNotFoundError } from '../datasets/datasets.errors.js';
import { DatasetsService } from '../datasets/datasets.service.js';
import type { CreateDatasetDto } from '../datasets/dto/create-dataset.dto.js';
import type { DatasetEntity } from '../datasets/entities/dataset.entity.js';
import { GraphService } from '../graph/graph.service.js';
import { DATASET_TYPES, RELATIONS, isRelation } from '../graph/graph.vocabulary.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { buildDataCiteXmlFromAttributes } from './datacite-xml.rules.js';
import { buildDataCiteAttributes, validateForPublish } from './datacite.rules.js';
import type { DataCiteAttributes, DataCiteValidationIssue, DoiTargetState, LocalDoiState } from './datacite.rules.js';
import {
  buildDatasetCitation,
  buildDoiMetadataInput,
  buildTombstoneUrl,
  buildVersionFields,
  collectAgentIds,
  hashDesiredRecord,
  TOMBSTONE_RETENTION,
} from './doi-metadata.rules.js';
import type { DoiMetadataSource, TombstoneView } from './doi-metadata.rules.js';
import { DOI_PROVIDER } from './doi-provider.js';
import type { DoiProvider } from './doi-provider.js';
import { formatDoi, generateDoiSuffix } from './doi-suffix.rules.js';
import {
  DataCiteMetadataInvalidError,
  DatasetNotWithdrawnError,
  DatasetWithdrawnError,
  DoiAlreadyAssignedError,
  DoiNotAssignedError,
  DoiNotFailedError,
} from './dois.errors.js';
import type { CreateVersionDto } from './dto/create-version.dto.js';
import { DoiRegistrationEntity } from './entities/doi-registration.entity.js';
import type { DoiLastError } from './entities/doi-registration.entity.js';

export const DOI_SYNC_JOB = 'doi-sync';

/** The schema version we validate and emit against; DataCite validates with its latest 4.x (datacite.md §5, §14). */
export const DOI_SCHEMA_VERSION = '4.6' as const;

/** States whose DOI may exist at DataCite and must follow metadata changes (a failed one waits for a retry). */
const SYNCED_STATES: ReadonlyArray<Exclude<LocalDoiState, 'none'>> = ['pending', 'draft', 'registered', 'findable'];

export interface DesiredRecord {
  /** The full record without `event`: every PUT sends all of it (§9.3). */
  attributes: DataCiteAttributes;
  target: DoiTargetState;
  hash: string;
  issues: DataCiteValidationIssue[];
  /** Datasets at the far end of a DataCite-mapped edge (their records name this one). */
  relatedDatasetIds: string[];
}

export type RegistrationPatch = Partial<
  Pick<
    DoiRegistrationEntity,
    | 'remoteState'
    | 'failures'
    | 'failingSince'
    | 'lastError'
    | 'appliedHash'
    | 'appliedAt'
    | 'registeredAt'
    | 'findableAt'
    | 'targetState'
  >
>;

/**
 * DOIs for datasets (datacite.md): the name is chosen and stored with its ledger entry and outbox job in one
 * transaction before DataCite is ever called (§9.2); the `doi-sync` job (DoiSyncProcessor) does the calling.
 */
@Injectable()
export class DoisService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly jobs: JobsService,
    private readonly datasets: DatasetsService,
    private readonly agents: AgentsService,
    private readonly graph: GraphService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DOI_PROVIDER) private readonly provider: DoiProvider,
  ) {}

  get publicBaseUrl(): string {
    return this.config.PUBLIC_BASE_URL;
  }

  // ───────────────────────────── requests ─────────────────────────────

  /** Chooses the DOI now (it is final), validates the record locally and enqueues the registration. */
  async requestDoi(
    principal: Principal,
    datasetId: string,
  ): Promise<{ registration: DoiRegistrationEntity; receipt: Receipt }> {
    const result = await this.dataSource.transaction((manager) => this.requestDoiIn(manager, principal, datasetId));
    this.jobs.notify();
    return result;
  }

  async requestDoiIn(
    manager: EntityManager,
    principal: Principal,
    datasetId: string,
  ): Promise<{ registration: DoiRegistrationEntity; receipt: Receipt }> {
    const dataset = await this.datasets.get(datasetId, manager);
    this.datasets.assertCanChange(principal, dataset);
    if (dataset.withdrawnAt) throw new DatasetWithdrawnError(datasetId);
    const existing = await manager.findOneBy(DoiRegistrationEntity, { datasetId });
    if (existing) throw new DoiAlreadyAssignedError(datasetId, existing.doi, existing.state);

    let doi = this.newDoi();
    const desired = await this.desiredRecord(manager, dataset, doi);
    if (desired.issues.length > 0) throw new DataCiteMetadataInvalidError(desired.issues);
    // 40 random bits: a clash is rare, but the unique index decides, never luck (§9.5).
    for (let attempt = 0; ; attempt++) {
      const inserted = returnedRows<{ dataset_id: string }>(
        await manager.query(
          `INSERT INTO doi_registrations (dataset_id, doi, provider, state, target_state, requested_by)
           VALUES ($1, $2, $3, 'pending', $4, $5) ON CONFLICT DO NOTHING RETURNING dataset_id`,
          [datasetId, doi, this.provider.name, desired.target, principal.agentId],
        ),
      );
      if (inserted.length > 0) break;
      const raced = await manager.findOneBy(DoiRegistrationEntity, { datasetId });
      if (raced) throw new DoiAlreadyAssignedError(datasetId, raced.doi, raced.state);
      if (attempt >= 3) throw new Error('could not choose an unused DOI suffix');
      doi = this.newDoi();
    }
    await this.datasets.recordDoi(manager, datasetId, doi, 'pending');
    const receipt = await this.ledger.append(manager, {
      kind: 'doi.state_changed',
      actor: principal.agentId,
      payload: { datasetId, doi, from: 'none', to: 'pending', reason: 'DOI requested', provider: this.provider.name },
    });
    await this.enqueueSync(manager, [datasetId]);
    // Records that name this dataset by its landing page can now use the DOI instead.
    await this.enqueueSync(manager, desired.relatedDatasetIds);
    return { registration: await manager.findOneByOrFail(DoiRegistrationEntity, { datasetId }), receipt };
  }

  /** Re-drives a parked (failed) DOI after someone fixed the cause (§11: keep the job re-drivable by hand). */
  async retry(
    principal: Principal,
    datasetId: string,
  ): Promise<{ registration: DoiRegistrationEntity; receipt: Receipt }> {
    const result = await this.dataSource.transaction(async (manager) => {
      const dataset = await this.datasets.get(datasetId, manager);
      this.datasets.assertCanChange(principal, dataset);
      const reg = await manager.findOne(DoiRegistrationEntity, {
        where: { datasetId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!reg) throw new DoiNotAssignedError(datasetId);
      if (reg.state !== 'failed') throw new DoiNotFailedError(reg.doi, reg.state);
      const desired = await this.desiredRecord(manager, dataset, reg.doi);
      if (desired.issues.length > 0) throw new DataCiteMetadataInvalidError(desired.issues);
      await manager.update(DoiRegistrationEntity, { datasetId }, { state: 'pending', failures: 0, failingSince: null });
      await this.datasets.recordDoi(manager, datasetId, reg.doi, 'pending');
      const receipt = await this.ledger.append(manager, {
        kind: 'doi.state_changed',
        actor: principal.agentId,
        payload: {
          datasetId,
          doi: reg.doi,
          from: 'failed',
          to: 'pending',
          reason: 'retry requested',
          provider: reg.provider,
        },
      });
      await this.enqueueSync(manager, [datasetId]);
      return { registration: await manager.findOneByOrFail(DoiRegistrationEntity, { datasetId }), receipt };
    });
    this.jobs.notify();
    return result;
  }

  /**
   * §12: the dataset is marked withdrawn and the DOI job hides the DOI (findable -> registered) and points it at the
   * tombstone, with a Withdrawn date. Registered DOIs are never deleted.
   */
  async withdraw(
    principal: Principal,
    datasetId: string,
    reason: string,
    now = new Date(),
  ): Promise<{ registration: DoiRegistrationEntity | null; withdrawnAt: Date; receipt: Receipt }> {
    const result = await this.dataSource.transaction(async (manager) => {
      const dataset = await this.datasets.get(datasetId, manager);
      this.datasets.assertCanChange(principal, dataset);
      if (dataset.withdrawnAt)
        throw new ConflictError(`dataset ${datasetId} was withdrawn already`, 'DATASET_ALREADY_WITHDRAWN');
      await this.datasets.markWithdrawn(manager, datasetId, now, reason);
      const reg = await manager.findOne(DoiRegistrationEntity, {
        where: { datasetId },
        lock: { mode: 'pessimistic_write' },
      });
      const receipt = await this.ledger.append(manager, {
        kind: 'dataset.withdrawn',
        actor: principal.agentId,
        payload: {
          datasetId,
          reason,
          withdrawnAt: now.toISOString(),
          doi: reg?.doi ?? null,
          tombstone: buildTombstoneUrl(this.publicBaseUrl, datasetId),
        },
      });
      if (reg) {
        await manager.update(DoiRegistrationEntity, { datasetId }, { targetState: 'registered' });
        // A parked DOI stays parked; its retry will hide it, since the target now follows the withdrawal.
        if (reg.state !== 'failed') await this.enqueueSync(manager, [datasetId]);
      }
      const registration = reg ? await manager.findOneByOrFail(DoiRegistrationEntity, { datasetId }) : null;
      return { registration, withdrawnAt: now, receipt };
    });
    this.jobs.notify();
    return result;
  }

  /**
   * A new version: a new dataset (copying every field not given) linked `wasRevisionOf` the previous one, optionally
   * with its own DOI (§13: one DOI per version). The graph hook re-sends the previous version's record.
   */
  async createVersion(
    principal: Principal,
    previousId: string,
    dto: CreateVersionDto,
    now = new Date(),
  ): Promise<{ dataset: DatasetEntity; receipt: Receipt }> {
    const result = await this.dataSource.transaction(async (manager) => {
      const previous = await this.datasets.get(previousId, manager);
      this.datasets.assertCanChange(principal, previous);
      const { mintDoi, ...changes } = dto;
      const fields: CreateDatasetDto = buildVersionFields(previous, changes);
      const { dataset, receipt } = await this.datasets.createIn(manager, principal, fields, {
        now,
        previousVersionId: previous.id,
      });
      if (mintDoi) await this.requestDoiIn(manager, principal, dataset.id);
      return { dataset: await this.datasets.get(dataset.id, manager), receipt };
    });
    this.jobs.notify();
    return result;
  }

  // ───────────────────────────── reads ─────────────────────────────

  async status(datasetId: string): Promise<DoiRegistrationEntity | null> {
    await this.datasets.get(datasetId);
    return this.findRegistration(datasetId);
  }

  findRegistration(
    datasetId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<DoiRegistrationEntity | null> {
    return manager.findOneBy(DoiRegistrationEntity, { datasetId });
  }

  /** Registration records of many datasets in one read (a funder audit); datasets without one are absent. */
  findRegistrations(
    datasetIds: readonly string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<DoiRegistrationEntity[]> {
    if (datasetIds.length === 0) return Promise.resolve([]);
    return manager.findBy(DoiRegistrationEntity, { datasetId: In([...new Set(datasetIds)]) });
  }

  /** The attributes the DOI job sends (without `event`), built from the current rows. */
  async dataciteAttributes(datasetId: string): Promise<DataCiteAttributes> {
    const manager = this.dataSource.manager;
    const dataset = await this.datasets.get(datasetId, manager);
    const reg = await this.findRegistration(datasetId, manager);
    if (!reg) throw new DoiNotAssignedError(datasetId);
    return (await this.desiredRecord(manager, dataset, reg.doi)).attributes;
  }

  async dataciteXml(datasetId: string): Promise<string> {
    return buildDataCiteXmlFromAttributes(await this.dataciteAttributes(datasetId));
  }

  async tombstone(datasetId: string): Promise<TombstoneView> {
    const manager = this.dataSource.manager;
    const dataset = await this.datasets.get(datasetId, manager);
    if (!dataset.withdrawnAt) throw new DatasetNotWithdrawnError(datasetId);
    const reg = await this.findRegistration(datasetId, manager);
    const creators = (await this.agents.getMany(dataset.creators, manager)).map((a) =>
      a.kind === 'person' && a.familyName
        ? `${a.familyName}${a.givenName ? `, ${a.givenName.charAt(0)}.` : ''}`
        : a.name,
    );
    const publisher = dataset.publisherId ? (await this.agents.get(dataset.publisherId, manager)).name : null;
    const doi = reg?.doi ?? dataset.doi;
    return {
      datasetId,
      doi,
      title: dataset.title,
      creators,
      publicationYear: dataset.publicationYear,
      publisher,
      version: dataset.version,
      withdrawnAt: dataset.withdrawnAt.toISOString(),
      reason: dataset.withdrawnReason ?? 'withdrawn',
      citation: buildDatasetCitation({
        creators,
        publicationYear: dataset.publicationYear,
        title: dataset.title,
        version: dataset.version,
        publisher,
        doi,
        fallbackUrl: buildTombstoneUrl(this.publicBaseUrl, datasetId),
      }),
      retention: TOMBSTONE_RETENTION,
    };
  }

  // ───────────────────────────── shared with the DOI job ─────────────────────────────

  /** The full record DataCite should hold for this dataset now, validated locally (§5). */
  async desiredRecord(manager: EntityManager, dataset: DatasetEntity, doi: string): Promise<DesiredRecord> {
    const source = await this.loadMetadataSource(manager, dataset, doi);
    const attributes = buildDataCiteAttributes(buildDoiMetadataInput(source), { schemaVersion: DOI_SCHEMA_VERSION });
    const target: DoiTargetState = dataset.withdrawnAt ? 'registered' : 'findable';
    const relatedDatasetIds = source.relatedDatasets
      .filter((d) =>
        source.edges.some(
          (e) =>
            isRelation(e.relation) && RELATIONS[e.relation].datacite && (e.sourceId === d.id || e.targetId === d.id),
        ),
      )
      .map((d) => d.id);
    return {
      attributes,
      target,
      hash: hashDesiredRecord(attributes, target),
      issues: validateForPublish(attributes, DOI_SCHEMA_VERSION),
      relatedDatasetIds,
    };
  }

  private async loadMetadataSource(
    manager: EntityManager,
    dataset: DatasetEntity,
    doi: string,
  ): Promise<DoiMetadataSource> {
    const creators = await this.agents.getMany(dataset.creators, manager);
    const others = await this.agents.getMany(
      collectAgentIds(creators, dataset.publisherId).filter((id) => !dataset.creators.includes(id)),
      manager,
    );
    const edges = await this.graph.edgesAround([dataset.id], manager);
    const otherIds = [...new Set(edges.flatMap((e) => [e.sourceId, e.targetId]))].filter((id) => id !== dataset.id);
    const nodes = await this.graph.getNodes(otherIds, manager);
    const datasetIds = nodes.filter((n) => DATASET_TYPES.includes(n.type)).map((n) => n.id);
    const related = await this.loadDatasets(manager, datasetIds);
    const regs =
      datasetIds.length > 0 ? await manager.findBy(DoiRegistrationEntity, { datasetId: In(datasetIds) }) : [];
    return {
      dataset,
      doi,
      agents: [...creators, ...others],
      nodes,
      edges,
      relatedDatasets: related.map((d) => ({
        id: d.id,
        doi: regs.find((r) => r.datasetId === d.id)?.doi ?? d.doi,
        identifiers: d.identifiers,
        landingPage: d.landingPage,
      })),
      publicBaseUrl: this.publicBaseUrl,
    };
  }

  /** Dataset rows for graph nodes; a dataset node without a row (imported provenance) is skipped, not an error. */
  private async loadDatasets(manager: EntityManager, ids: string[]): Promise<DatasetEntity[]> {
    try {
      return await this.datasets.getMany(ids, manager);
    } catch (error) {
      if (!(error instanceof DatasetNotFoundError)) throw error;
      const found = await Promise.all(ids.map((id) => this.datasets.get(id, manager).catch(() => null)));
      return found.filter((d): d is DatasetEntity => d !== null);
    }
  }

  /** Enqueues `doi-sync-<id>` for those datasets whose DOI follows metadata changes; the outbox coalesces by key. */
  async enqueueSync(manager: EntityManager, datasetIds: readonly string[]): Promise<void> {
    if (datasetIds.length === 0) return;
    const rows: Array<{ dataset_id: string }> = await manager.query(
      `SELECT dataset_id FROM doi_registrations WHERE dataset_id = ANY($1::uuid[]) AND state = ANY($2::text[]) ORDER BY dataset_id`,
      [[...new Set(datasetIds)], SYNCED_STATES],
    );
    for (const row of rows)
      await this.jobs.enqueue(manager, DOI_SYNC_JOB, `${DOI_SYNC_JOB}-${row.dataset_id}`, {
        datasetId: row.dataset_id,
      });
  }

  /** Counts a provider call before it is made (a killed worker's call counts too); `put` also marks the first PUT. */
  async countAttempt(reg: DoiRegistrationEntity, put: boolean): Promise<DoiRegistrationEntity> {
    await this.dataSource.query(
      `UPDATE doi_registrations SET attempts = attempts + 1, updated_at = now(),
              put_sent_at = CASE WHEN $2 THEN COALESCE(put_sent_at, now()) ELSE put_sent_at END
       WHERE dataset_id = $1`,
      [reg.datasetId, put],
    );
    return this.dataSource.manager.findOneByOrFail(DoiRegistrationEntity, { datasetId: reg.datasetId });
  }

  /** Updates bookkeeping columns without a state change (no ledger entry). */
  async patch(reg: DoiRegistrationEntity, patch: RegistrationPatch): Promise<void> {
    await this.dataSource.manager.update(DoiRegistrationEntity, { datasetId: reg.datasetId }, patch);
  }

  /**
   * Moves the state in one transaction with its `doi.state_changed` ledger entry and the mirror on the dataset row.
   * Refuses when the state moved under us (a concurrent retry), so the job runs again on fresh data.
   */
  async transition(
    reg: DoiRegistrationEntity,
    to: Exclude<LocalDoiState, 'none'>,
    patch: RegistrationPatch,
    reason: string,
    onFindable?: (manager: EntityManager, reg: DoiRegistrationEntity) => Promise<void>,
  ): Promise<DoiRegistrationEntity> {
    return this.dataSource.transaction(async (manager) => {
      const result = await manager.update(
        DoiRegistrationEntity,
        { datasetId: reg.datasetId, state: reg.state },
        { ...patch, state: to },
      );
      if (result.affected !== 1)
        throw new Error(`the DOI ${reg.doi} changed state while its job ran; it will run again`);
      if (reg.state !== to) {
        await this.datasets.recordDoi(manager, reg.datasetId, reg.doi, to);
        await this.ledger.append(manager, {
          kind: 'doi.state_changed',
          actor: null,
          payload: { datasetId: reg.datasetId, doi: reg.doi, from: reg.state, to, reason, provider: reg.provider },
        });
        if (to === 'findable' && onFindable) await onFindable(manager, reg);
      }
      return manager.findOneByOrFail(DoiRegistrationEntity, { datasetId: reg.datasetId });
    });
  }

  /** Parks the DOI as failed with a reason curators can act on. */
  async park(
    reg: DoiRegistrationEntity,
    error: Omit<DoiLastError, 'at'>,
    patch: RegistrationPatch = {},
  ): Promise<void> {
    if (reg.state === 'failed') return;
    await this.transition(
      reg,
      'failed',
      { ...patch, lastError: { ...error, at: new Date().toISOString() } },
      error.reason,
    );
  }

  private newDoi(): string {
    return formatDoi(this.config.DATACITE_PREFIX, generateDoiSuffix(randomBytes(5)));
  }
}
