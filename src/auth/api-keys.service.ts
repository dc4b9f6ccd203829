import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { AgentsService } from '../agents/agents.service.js';
import type { Receipt } from '../core/database/receipt.js';
import { LedgerService } from '../ledger/ledger.service.js';
import type { Principal } from './auth.decorators.js';
import { generateToken, hashToken } from './auth.rules.js';
import type { CreateApiKeyDto } from './dto/create-api-key.dto.js';
import { ApiKeyEntity } from './entities/api-key.entity.js';

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly agents: AgentsService,
  ) {}

  async create(
    principal: Principal,
    dto: CreateApiKeyDto,
  ): Promise<{ key: ApiKeyEntity; token: string; receipt: Receipt }> {
    return this.dataSource.transaction(async (manager) => {
      await this.agents.get(dto.agentId, manager);
      const token = generateToken();
      const roles = [...new Set(dto.roles)];
      const key = manager.create(ApiKeyEntity, {
        id: randomUUID(),
        agentId: dto.agentId,
        tokenHash: hashToken(token),
        roles,
      });
      // The ledger records who holds which roles, never the token or its hash.
      const receipt = await this.ledger.append(manager, {
        kind: 'api_key.created',
        actor: principal.agentId,
        payload: { id: key.id, agentId: key.agentId, roles },
      });
      key.ledgerSeq = BigInt(receipt.seq);
      await manager.insert(ApiKeyEntity, key);
      return { key: await manager.findOneByOrFail(ApiKeyEntity, { id: key.id }), token, receipt };
    });
  }

  async resolve(token: string): Promise<Principal | null> {
    const key = await this.dataSource.manager.findOne(ApiKeyEntity, {
      where: { tokenHash: hashToken(token), revokedAt: IsNull() },
      select: { id: true, agentId: true, roles: true },
    });
    return key ? { agentId: key.agentId, roles: key.roles, keyId: key.id } : null;
  }
}
