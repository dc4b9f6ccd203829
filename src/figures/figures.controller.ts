import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Public, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/auth.decorators.js';
import { UuidPipe } from '../core/http/uuid.pipe.js';
import { CreateFigureDto } from './dto/create-figure.dto.js';
import { CreatedFigureDto, FigureDto } from './dto/figure.dto.js';
import { FiguresService } from './figures.service.js';

@ApiTags('figures')
@Controller('v1/figures')
export class FiguresController {
  constructor(private readonly figures: FiguresService) {}

  /**
   * Registers a figure of a publication with its panels (whoever registered the publication, an author, or a
   * curator). Each panel is derived from the datasets and images it plots; entities are SourceData tags.
   */
  @Post()
  @ApiBearerAuth()
  @Roles('depositor', 'curator')
  @ApiCreatedResponse({ type: CreatedFigureDto })
  async create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateFigureDto): Promise<CreatedFigureDto> {
    const { figure, receipt } = await this.figures.create(principal, dto);
    return { ...figure, receipt };
  }

  @Get(':id')
  @Public()
  async get(@Param('id', UuidPipe) id: string): Promise<FigureDto> {
    return this.figures.get(id);
  }
}
