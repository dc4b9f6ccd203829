import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Public, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/auth.decorators.js';
import { UuidPipe } from '../core/http/uuid.pipe.js';
import { AgentReusesQuery } from './dto/agent-reuses.query.js';
import { CreateReuseDto } from './dto/create-reuse.dto.js';
import { DisputeReuseDto, ResolveReuseDto } from './dto/dispute-reuse.dto.js';
import { AgentReusePageDto, ReuseDto, ReuseWithReceiptDto, toAgentReuseDto, toReuseDto } from './dto/reuse.dto.js';
import { ReusesService } from './reuses.service.js';

@ApiTags('reuses')
@Controller('v1')
export class ReusesController {
  constructor(private readonly reuses: ReusesService) {}

  /**
   * Claims that a publication analysed datasets: `reuse.curated` from a curator/admin, `reuse.asserted` from an
   * author or the depositor of the publication; each dataset gets an independence level.
   */
  @Post('reuses')
  @ApiBearerAuth()
  @Roles('depositor', 'curator')
  async create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateReuseDto): Promise<ReuseWithReceiptDto> {
    const { reuse, datasets, publication, receipt } = await this.reuses.create(principal, dto);
    return { ...toReuseDto(reuse, datasets, publication), receipt };
  }

  @Get('reuses/:id')
  @Public()
  async get(@Param('id', UuidPipe) id: string): Promise<ReuseDto> {
    const { reuse, datasets, publication } = await this.reuses.get(id);
    return toReuseDto(reuse, datasets, publication);
  }

  /** A curator confirms the claim: evidence becomes `curated` (`reuse.confirmed`). */
  @Post('reuses/:id/confirm')
  @HttpCode(200)
  @ApiBearerAuth()
  @Roles('curator')
  async confirm(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidPipe) id: string,
  ): Promise<ReuseWithReceiptDto> {
    const { reuse, datasets, publication, receipt } = await this.reuses.confirm(principal, id);
    return { ...toReuseDto(reuse, datasets, publication), receipt };
  }

  /** The owner of a reused dataset (or a curator) disputes the claim: it stays listed, flagged, and stops counting. */
  @Post('reuses/:id/dispute')
  @HttpCode(200)
  @ApiBearerAuth()
  @Roles('depositor', 'curator')
  async dispute(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: DisputeReuseDto,
  ): Promise<ReuseWithReceiptDto> {
    const { reuse, datasets, publication, receipt } = await this.reuses.dispute(principal, id, dto.reason);
    return { ...toReuseDto(reuse, datasets, publication), receipt };
  }

  /** A curator resolves a dispute: `upheld` excludes the reuse for good, `rejected` makes it count again. */
  @Post('reuses/:id/resolve')
  @HttpCode(200)
  @ApiBearerAuth()
  @Roles('curator')
  async resolve(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: ResolveReuseDto,
  ): Promise<ReuseWithReceiptDto> {
    const { reuse, datasets, publication, receipt } = await this.reuses.resolve(principal, id, dto.outcome);
    return { ...toReuseDto(reuse, datasets, publication), receipt };
  }

  /**
   * Reuses of the datasets this agent created, and of datasets derived from them (with the derivation path), newest
   * first; filter by reuse type and independence level.
   */
  @Get('agents/:id/reuses')
  @Public()
  async forAgent(@Param('id', UuidPipe) id: string, @Query() query: AgentReusesQuery): Promise<AgentReusePageDto> {
    const page = await this.reuses.listForAgent(id, query);
    return { items: page.items.map(toAgentReuseDto), nextCursor: page.nextCursor };
  }
}
