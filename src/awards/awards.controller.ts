import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Public, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/auth.decorators.js';
import { UuidPipe } from '../core/http/uuid.pipe.js';
import { AwardsService } from './awards.service.js';
import { AwardDto, CreatedAwardDto, NominationDto, toAwardDto, toNominationDto } from './dto/award.dto.js';
import { CreateAwardDto } from './dto/create-award.dto.js';
import { NominationsQuery } from './dto/nominations.query.js';

@ApiTags('awards')
@Controller('v1/awards')
export class AwardsController {
  constructor(private readonly awards: AwardsService) {}

  /**
   * Ranked symbiont- or parasite-style nominations with evidence (only curated reuses count). They are proposals
   * modelled on the Research Symbiont and Parasite awards, not those awards: a curator decides.
   */
  @Get('nominations')
  @Public()
  async nominations(@Query() query: NominationsQuery): Promise<NominationDto[]> {
    const list = await this.awards.nominations(query.kind, query.asOf);
    return list.nominations.map(toNominationDto);
  }

  /** Grants an award on a nomination: `award.granted` ledger entry and a signed Open Badges 3.0 credential. */
  @Post()
  @ApiBearerAuth()
  @Roles('curator')
  async grant(@CurrentPrincipal() principal: Principal, @Body() dto: CreateAwardDto): Promise<CreatedAwardDto> {
    const { award, receipt } = await this.awards.grant(principal, dto);
    return { ...toAwardDto(award), receipt };
  }

  @Get(':id')
  @Public()
  async get(@Param('id', UuidPipe) id: string): Promise<AwardDto> {
    return toAwardDto(await this.awards.get(id));
  }
}
