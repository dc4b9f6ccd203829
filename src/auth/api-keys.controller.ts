import { Body, Controller, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiKeysService } from './api-keys.service.js';
import { CurrentPrincipal, Roles } from './auth.decorators.js';
import type { Principal } from './auth.decorators.js';
import { CreateApiKeyDto, CreatedApiKeyDto } from './dto/create-api-key.dto.js';

@ApiTags('agents')
@ApiBearerAuth()
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  /** Issues an API key for an agent with the given roles. The token is returned once and stored only as a hash. */
  @Post()
  @Roles('admin')
  async create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    const { key, token, receipt } = await this.keys.create(principal, dto);
    return {
      id: key.id,
      agentId: key.agentId,
      roles: key.roles,
      token,
      createdAt: key.createdAt.toISOString(),
      receipt,
    };
  }
}
