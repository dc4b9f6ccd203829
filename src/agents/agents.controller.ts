import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { UuidPipe } from '../core/http/uuid.pipe.js';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Public, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/auth.decorators.js';
import { AgentsService } from './agents.service.js';
import { AgentDto, CreatedAgentDto, toAgentDto } from './dto/agent.dto.js';
import { CreateAgentDto } from './dto/create-agent.dto.js';

@ApiTags('agents')
@Controller('v1/agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  /** Registers a person (ORCID) or an organization (ROR) as a ledger entry `agent.created`. */
  @Post()
  @ApiBearerAuth()
  @Roles('admin', 'curator', 'depositor')
  async create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateAgentDto): Promise<CreatedAgentDto> {
    const { agent, receipt } = await this.agents.create(principal, dto);
    return { ...toAgentDto(agent, this.agents.publicBaseUrl), receipt };
  }

  @Get(':id')
  @Public()
  async get(@Param('id', UuidPipe) id: string): Promise<AgentDto> {
    return toAgentDto(await this.agents.get(id), this.agents.publicBaseUrl);
  }
}
