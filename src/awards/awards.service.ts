import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import canonicalize from 'canonicalize';
import { DataSource, QueryFailedError } from 'typeorm';
import { AgentsService } from '../agents/agents.service.js';
import type { Principal } from '../auth/auth.decorators.js';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/env.schema.js';
import type { Receipt } from '../core/database/receipt.js';
import { insertEntities } from '../core/database/sql.js';
import { CredentialsService } from '../credentials/credentials.service.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { computeDatasetMetrics, formatUtcDay, toUtcDay } from '../metrics/dataset-metrics.rules.js';
import { buildLevelResolver, buildRuleInputs, creditRowsAsOf } from '../metrics/metrics-inputs.rules.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { computeCreditFromRows } from '../metrics/transitive-credit.rules.js';
import { WebhooksService } from '../webhooks/webhooks.service.js';
import { buildAwardCredential } from './award-credential.rules.js';
import {
  AwardExistsError,
  AwardNotFoundError,
  CuratorConflictError,
  InvalidAsOfError,
  NotNominatedError,
} from './awards.errors.js';
import { findCuratorConflict, nominate } from './awards.rules.js';
import type { AwardKind, DatasetAwardCredit, Nomination } from './awards.rules.js';
import type { CreateAwardDto } from './dto/create-award.dto.js';
import { AwardEntity } from './entities/award.entity.js';
import { nominationInputOf } from './nomination-inputs.rules.js';

export interface NominationList {
  readonly kind: AwardKind;
  readonly asOf: string;
  readonly treeSize: string;
  readonly nominations: Nomination[];
}

/**
 * Symbiont- and parasite-style nominations with evidence (credit-and-compliance.md §5), and awards a curator grants
 * on them: an `award.granted` ledger entry plus a signed Open Badges 3.0 credential.
 */
@Injectable()
export class AwardsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly metrics: MetricsService,
    private readonly credentials: CredentialsService,
    private readonly agents: AgentsService,
    private readonly webhooks: WebhooksService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Ranked nominations as of a day (default today, UTC), judged by the works' own dates. */
  async nominations(kind: AwardKind, asOf: string = today()): Promise<NominationList> {
    const day = toUtcDay(asOf);
    if (day === null || formatUtcDay(day) !== asOf) throw new InvalidAsOfError(asOf);
    const policy = this.metrics.policy;
    const snapshot = await this.metrics.snapshot();
    const inputs = buildRuleInputs(snapshot);
    const resolver = buildLevelResolver(snapshot, inputs.concepts);
    // Credit and cohorts as they stood on asOf: later publications have not credited anything yet.
    const credit = computeCreditFromRows(creditRowsAsOf(inputs.credit, asOf), policy, resolver);
    const metrics = computeDatasetMetrics(inputs.metrics, policy, { asOf });
    const awardCredit = new Map<string, DatasetAwardCredit>();
    for (const [id, c] of credit) {
      awardCredit.set(id, {
        independentCredit: c.independentCredit,
        percentile: metrics.get(id)?.cohort.percentile ?? null,
      });
    }
    const input = nominationInputOf(snapshot, inputs, asOf, awardCredit);
    return {
      kind,
      asOf,
      treeSize: snapshot.treeSize,
      nominations: nominate(kind, input, { asOf, treeSize: snapshot.treeSize }, policy),
    };
  }

  /**
   * Grants an award the evidence supports: the nominee must be nominated as of the evidence's `asOf` (else the end
   * of the award year, or today), and the curator must be neither the nominee nor involved in the evidence (§5).
   */
  async grant(
    principal: Principal,
    dto: CreateAwardDto,
    now = new Date(),
  ): Promise<{ award: AwardEntity; receipt: Receipt }> {
    const agent = await this.agents.get(dto.agent);
    const asOf = asOfFor(dto, now);
    const { nominations } = await this.nominations(dto.kind, asOf);
    const nomination = nominations.find((n) => n.agent === dto.agent);
    if (!nomination) throw new NotNominatedError(dto.kind, dto.agent, asOf);
    if (principal.agentId !== null) {
      const submitted = Array.isArray(dto.evidence.involvedAgents)
        ? dto.evidence.involvedAgents.filter((a): a is string => typeof a === 'string')
        : [];
      const involvedAgents = [...new Set([...nomination.evidence.involvedAgents, ...submitted])];
      const conflict = findCuratorConflict(principal.agentId, dto.agent, { involvedAgents });
      if (conflict !== null) throw new CuratorConflictError(conflict);
    }
    const existing = await this.findExisting(dto.kind, dto.agent, dto.year);
    if (existing) throw new AwardExistsError(dto.kind, dto.agent, dto.year, existing.id);

    const id = randomUUID();
    const unsecured = buildAwardCredential({
      awardId: id,
      kind: dto.kind,
      year: dto.year,
      citation: dto.citation ?? null,
      subject: { agentId: agent.id, name: agent.name, orcid: agent.orcid },
      nomination,
      issuer: { id: this.credentials.issuerId, name: `Cell-image credit ledger ${this.config.LEDGER_ORIGIN}` },
      contexts: this.credentials.contexts,
      publicBaseUrl: this.config.PUBLIC_BASE_URL,
      validFrom: now,
    });
    // Signing canonicalizes JSON-LD: done before the transaction so the ledger lock is not held meanwhile.
    const credential = await this.credentials.sign(unsecured, now);

    try {
      return await this.dataSource.transaction(async (manager) => {
        const receipt = await this.ledger.append(manager, {
          kind: 'award.granted',
          actor: principal.agentId,
          payload: {
            id,
            kind: dto.kind,
            agent: dto.agent,
            year: dto.year,
            citation: dto.citation ?? null,
            evidence: nomination.evidence,
            submittedEvidence: dto.evidence,
            credential,
          },
        });
        const award = manager.create(AwardEntity, {
          id,
          kind: dto.kind,
          agentId: dto.agent,
          year: dto.year,
          citation: dto.citation ?? null,
          evidence: nomination.evidence,
          submittedEvidence: JSON.parse(canonicalize(dto.evidence) ?? '{}') as Record<string, unknown>,
          credential,
          grantedBy: principal.agentId,
          ledgerSeq: BigInt(receipt.seq),
        });
        await insertEntities(manager, AwardEntity, award);
        const datasetIds = [...nomination.evidence.datasets, ...nomination.evidence.derivedDatasets].map((d) => d.id);
        await this.webhooks.emit(manager, 'award.granted', {
          datasetIds: [...new Set(datasetIds)],
          award: id,
          kind: dto.kind,
          agent: dto.agent,
          year: dto.year,
        });
        return { award: await manager.findOneByOrFail(AwardEntity, { id }), receipt };
      });
    } catch (error) {
      // Two curators granting the same award at once: the unique index decides.
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505') {
        const winner = await this.findExisting(dto.kind, dto.agent, dto.year);
        throw new AwardExistsError(dto.kind, dto.agent, dto.year, winner?.id ?? 'unknown');
      }
      throw error;
    }
  }

  async get(id: string): Promise<AwardEntity> {
    const award = await this.dataSource.manager.findOneBy(AwardEntity, { id });
    if (!award) throw new AwardNotFoundError(id);
    return award;
  }

  private findExisting(kind: AwardKind, agentId: string, year: number): Promise<AwardEntity | null> {
    return this.dataSource.manager.findOneBy(AwardEntity, { kind, agentId, year });
  }
}

function today(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** The evidence's own asOf when it is a real date not in the future; else the award year's last day, capped at today. */
function asOfFor(dto: CreateAwardDto, now: Date): string {
  const todayString = today(now);
  const given = dto.evidence.asOf;
  if (typeof given === 'string') {
    const day = toUtcDay(given);
    if (day === null || formatUtcDay(day) !== given) throw new InvalidAsOfError(given);
    return given > todayString ? todayString : given;
  }
  const yearEnd = `${dto.year}-12-31`;
  return yearEnd > todayString ? todayString : yearEnd;
}
