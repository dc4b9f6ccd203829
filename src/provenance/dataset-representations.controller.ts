import { Controller, Get, Headers, Param, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators.js';
import { UuidPipe } from '../core/http/uuid.pipe.js';
import { DatasetsService } from '../datasets/datasets.service.js';
import { DatasetDto, toDatasetDto } from '../datasets/dto/dataset.dto.js';
import { JSON_LD_MEDIA_TYPE, chooseRepresentation } from './exports.rules.js';
import { ProvenanceService } from './provenance.service.js';

/**
 * GET /v1/datasets/:id in both representations. It lives here, not in the datasets module, because the JSON-LD one
 * is provenance's and datasets must not depend on provenance.
 */
@ApiTags('datasets')
@Controller('v1/datasets')
export class DatasetRepresentationsController {
  constructor(
    private readonly datasets: DatasetsService,
    private readonly provenance: ProvenanceService,
  ) {}

  /** JSON by default; `Accept: application/ld+json` gives the dataset's node compacted with the ledger context. */
  @Get(':id')
  @Public()
  @ApiProduces('application/json', JSON_LD_MEDIA_TYPE)
  @ApiOkResponse({ type: DatasetDto })
  async get(
    @Param('id', UuidPipe) id: string,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DatasetDto | string> {
    void reply.header('vary', 'Accept');
    if (chooseRepresentation(accept) === 'jsonld') {
      void reply.type(JSON_LD_MEDIA_TYPE);
      return JSON.stringify(await this.provenance.datasetJsonLd(id));
    }
    return toDatasetDto(await this.datasets.get(id), this.datasets.publicBaseUrl);
  }
}
