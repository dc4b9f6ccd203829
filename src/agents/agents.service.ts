import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../auth/auth.decorators.js';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/env.schema.js';
import type { Receipt } from '../core/database/receipt.js';
import { LedgerService } from '../ledger/ledger.service.js';
import {
  AgentFieldMismatchError,
  AgentNotFoundError,
  DuplicateAgentError,
  InvalidOrcidError,
  InvalidRorError,
  UnknownAffiliationError,
} from './agents.errors.js';
import { normalizeOrcid, normalizeRor } from './agents.rules.js';
import type { CreateAgentDto } from './dto/create-agent.dto.js';
import { AgentEntity } from './entities/agent.entity.js';

@Injectable()
export class AgentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get publicBaseUrl(): string {
    return this.config.PUBLIC_BASE_URL;
  }

  async create(principal: Principal, dto: CreateAgentDto): Promise<{ agent: AgentEntity; receipt: Receipt }> {
    return this.dataSource.transaction((manager) => this.createIn(manager, principal, dto));
  }

  /** Creates an agent inside the caller's transaction (publications create their authors this way). */
  async createIn(
    manager: EntityManager,
    principal: Principal,
    dto: CreateAgentDto,
  ): Promise<{ agent: AgentEntity; receipt: Receipt }> {
    const orcid = dto.orcid === undefined ? null : normalizeOrcid(dto.orcid);
    if (dto.orcid !== undefined && orcid === null) throw new InvalidOrcidError(dto.orcid);
    const ror = dto.ror === undefined ? null : normalizeRor(dto.ror);
    if (dto.ror !== undefined && ror === null) throw new InvalidRorError(dto.ror);
    if (dto.kind === 'organization' && orcid)
      throw new AgentFieldMismatchError('orcid', 'organizations have a ROR id, not an ORCID');
    if (dto.kind === 'person' && ror) throw new AgentFieldMismatchError('ror', 'people have an ORCID, not a ROR id');
    const affiliations = [...new Set(dto.affiliations ?? [])];
    if (affiliations.length > 0) {
      const found = await manager.find(AgentEntity, {
        where: { id: In(affiliations), kind: 'organization' },
        select: { id: true },
      });
      const missing = affiliations.filter((id) => !found.some((f) => f.id === id));
      if (missing.length > 0) throw new UnknownAffiliationError(missing);
    }
    for (const [field, value] of [
      ['orcid', orcid],
      ['ror', ror],
    ] as const) {
      if (!value) continue;
      const existing = await manager.findOne(AgentEntity, { where: { [field]: value }, select: { id: true } });
      if (existing) throw new DuplicateAgentError(field, value, existing.id);
    }
    const agent = manager.create(AgentEntity, {
      id: randomUUID(),
      kind: dto.kind,
      name: dto.name,
      givenName: dto.givenName ?? null,
      familyName: dto.familyName ?? null,
      orcid,
      ror,
      affiliations,
      careerStage: dto.careerStage ?? null,
    });
    const receipt = await this.ledger.append(manager, {
      kind: 'agent.created',
      actor: principal.agentId,
      payload: {
        id: agent.id,
        kind: agent.kind,
        name: agent.name,
        givenName: agent.givenName,
        familyName: agent.familyName,
        orcid,
        ror,
        affiliations,
        careerStage: agent.careerStage,
      },
    });
    agent.ledgerSeq = BigInt(receipt.seq);
    await manager.insert(AgentEntity, agent);
    const saved = await manager.findOneByOrFail(AgentEntity, { id: agent.id });
    return { agent: saved, receipt };
  }

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<AgentEntity> {
    const agent = await manager.findOneBy(AgentEntity, { id });
    if (!agent) throw new AgentNotFoundError(id);
    return agent;
  }

  /** Loads agents by id; throws AGENT_NOT_FOUND naming the first unknown id. */
  async getMany(ids: readonly string[], manager: EntityManager = this.dataSource.manager): Promise<AgentEntity[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const found = await manager.findBy(AgentEntity, { id: In(unique) });
    const missing = unique.find((id) => !found.some((a) => a.id === id));
    if (missing) throw new AgentNotFoundError(missing);
    return unique.map((id) => found.find((a) => a.id === id) as AgentEntity);
  }

  async findByOrcid(orcid: string, manager: EntityManager = this.dataSource.manager): Promise<AgentEntity | null> {
    return manager.findOneBy(AgentEntity, { orcid });
  }

  /** Agents named by id, ORCID or ROR IRI (provenance imports resolve the agents a document references); no error for unknown ones. */
  async findByIdentifiers(
    query: { ids: readonly string[]; orcids: readonly string[]; rors: readonly string[] },
    manager: EntityManager = this.dataSource.manager,
  ): Promise<AgentEntity[]> {
    const where = [
      ...(query.ids.length > 0 ? [{ id: In([...query.ids]) }] : []),
      ...(query.orcids.length > 0 ? [{ orcid: In([...query.orcids]) }] : []),
      ...(query.rors.length > 0 ? [{ ror: In([...query.rors]) }] : []),
    ];
    return where.length === 0 ? [] : manager.find(AgentEntity, { where });
  }
}
