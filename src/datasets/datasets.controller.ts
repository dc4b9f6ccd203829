import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Public, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/auth.decorators.js';
import { DatasetsService } from './datasets.service.js';
import { CreateDatasetDto } from './dto/create-dataset.dto.js';
import { CreatedDatasetDto, DatasetPageDto, toDatasetDto } from './dto/dataset.dto.js';
import { ListDatasetsQuery } from './dto/list-datasets.query.js';

@ApiTags('datasets')
@Controller('v1/datasets')
export class DatasetsController {
  constructor(private readonly datasets: DatasetsService) {}

  /** Deposits an image or derived dataset: a `dataset.deposited` ledger entry plus its graph node and edges. */
  @Post()
  @ApiBearerAuth()
  @Roles('depositor', 'curator')
  async create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateDatasetDto): Promise<CreatedDatasetDto> {
    const { dataset, receipt } = await this.datasets.create(principal, dto);
    return { ...toDatasetDto(dataset, this.datasets.publicBaseUrl), receipt };
  }

  @Get()
  @Public()
  async list(@Query() query: ListDatasetsQuery): Promise<DatasetPageDto> {
    const page = await this.datasets.list(query);
    return { items: page.items.map((d) => toDatasetDto(d, this.datasets.publicBaseUrl)), nextCursor: page.nextCursor };
  }

  // GET /v1/datasets/:id (JSON or JSON-LD by Accept) is served by provenance's DatasetRepresentationsController.
}
