import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Public, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/auth.decorators.js';
import { UuidPipe } from '../core/http/uuid.pipe.js';
import { AddGrantOutputsDto } from './dto/add-outputs.dto.js';
import { ComplianceQuery } from './dto/compliance.query.js';
import { CreateGrantDto } from './dto/create-grant.dto.js';
import { ExtendGrantDto } from './dto/extend-grant.dto.js';
import {
  ComplianceReportDto,
  CreatedGrantDto,
  GrantDto,
  OutputsAddedDto,
  toComplianceReportDto,
  toGrantDto,
} from './dto/grant.dto.js';
import { GrantsService } from './grants.service.js';

@ApiTags('funders')
@Controller('v1/grants')
export class GrantsController {
  constructor(private readonly grants: GrantsService) {}

  /**
   * Registers a grant and its data management plan (`grant.created`) and its `Grant` graph node. A funder key may
   * only create grants for the organization its agent is, or is affiliated with (403 FORBIDDEN_FUNDER).
   */
  @Post()
  @ApiBearerAuth()
  @Roles('funder')
  async create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateGrantDto): Promise<CreatedGrantDto> {
    const { receipt, ...view } = await this.grants.create(principal, dto);
    return { ...toGrantDto(view), receipt };
  }

  @Get(':id')
  @Public()
  async get(@Param('id', UuidPipe) id: string): Promise<GrantDto> {
    return toGrantDto(await this.grants.get(id));
  }

  /** Attaches outputs as dataset/publication --funding--> grant edges (the grant's funder, its PI, curators). */
  @Post(':id/outputs')
  @HttpCode(200)
  @ApiBearerAuth()
  @Roles('funder', 'depositor', 'curator')
  async addOutputs(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: AddGrantOutputsDto,
  ): Promise<OutputsAddedDto> {
    return this.grants.addOutputs(principal, id, dto);
  }

  /** Records an approved no-cost extension (`grant.extended`); due dates follow the new end. */
  @Post(':id/extensions')
  @HttpCode(200)
  @ApiBearerAuth()
  @Roles('funder', 'curator')
  async extend(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: ExtendGrantDto,
  ): Promise<CreatedGrantDto> {
    const { receipt, ...view } = await this.grants.extend(principal, id, dto);
    return { ...toGrantDto(view), receipt };
  }

  /**
   * Per planned data type the RPPR C.5.c answers, due date and status, and the grant's status. Today's report
   * appends a `compliance.status_changed` entry per status that moved (then it carries a `receipt`); reports for
   * other dates are read-only. Funder keys see their own funder's grants only; PIs their own; curators all.
   */
  @Get(':id/compliance')
  @ApiBearerAuth()
  @Roles('funder', 'curator', 'depositor')
  async compliance(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidPipe) id: string,
    @Query() query: ComplianceQuery,
  ): Promise<ComplianceReportDto> {
    return toComplianceReportDto(await this.grants.compliance(principal, id, query.asOf));
  }
}
