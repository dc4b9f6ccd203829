import { Body, Controller, Get, Header, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Public, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/auth.decorators.js';
import { UuidPipe } from '../core/http/uuid.pipe.js';
import { CreatedDatasetDto, toDatasetDto } from '../datasets/dto/dataset.dto.js';
import type { DataCiteAttributes } from './datacite.rules.js';
import { buildTombstoneUrl, renderTombstoneHtml } from './doi-metadata.rules.js';
import { DoisService } from './dois.service.js';
import { CreateVersionDto } from './dto/create-version.dto.js';
import { DoiRequestedDto, DoiStatusDto, toDoiRequestedDto, toDoiStatusDto } from './dto/doi-status.dto.js';
import { TombstoneDto } from './dto/tombstone.dto.js';
import { WithdrawDatasetDto, WithdrawnDatasetDto } from './dto/withdraw-dataset.dto.js';

/** JSON when the client asks for it before HTML (q-values are not weighed: browsers list text/html first). */
function wantsJson(accept: string | undefined): boolean {
  const first = (accept ?? '').split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('application/json') || first.startsWith('application/ld+json');
}

@ApiTags('dois')
@Controller()
export class DoisController {
  constructor(private readonly dois: DoisService) {}

  /**
   * Assigns the dataset's DOI now (final, "pending, do not share" until DataCite confirms it) and registers it in the
   * background. 409 DOI_ALREADY_ASSIGNED names the DOI a dataset already has; 422 DATACITE_METADATA_INVALID lists the
   * fields DataCite would reject, and nothing is written.
   */
  @Post('v1/datasets/:id/doi')
  @HttpCode(202)
  @ApiBearerAuth()
  @Roles('depositor', 'curator')
  async request(@CurrentPrincipal() principal: Principal, @Param('id', UuidPipe) id: string): Promise<DoiRequestedDto> {
    const { registration, receipt } = await this.dois.requestDoi(principal, id);
    return toDoiRequestedDto(id, registration, receipt);
  }

  /** Re-drives a `failed` DOI (owner or curator) once its cause is fixed; 409 DOI_NOT_FAILED otherwise. */
  @Post('v1/datasets/:id/doi/retry')
  @HttpCode(202)
  @ApiBearerAuth()
  @Roles('depositor', 'curator')
  async retry(@CurrentPrincipal() principal: Principal, @Param('id', UuidPipe) id: string): Promise<DoiRequestedDto> {
    const { registration, receipt } = await this.dois.retry(principal, id);
    return toDoiRequestedDto(id, registration, receipt);
  }

  @Get('v1/datasets/:id/doi')
  @Public()
  async status(@Param('id', UuidPipe) id: string): Promise<DoiStatusDto> {
    return toDoiStatusDto(id, await this.dois.status(id));
  }

  /** The DataCite REST attributes the DOI job sends for this dataset (without `event`). */
  @Get('v1/datasets/:id/datacite')
  @Public()
  async datacite(@Param('id', UuidPipe) id: string): Promise<DataCiteAttributes> {
    return this.dois.dataciteAttributes(id);
  }

  /** The same record as DataCite kernel-4 XML, valid against the schema 4.6 XSD. */
  @Get('v1/datasets/:id/datacite.xml')
  @Public()
  @ApiProduces('application/xml')
  @Header('content-type', 'application/xml; charset=utf-8')
  async dataciteXml(@Param('id', UuidPipe) id: string): Promise<string> {
    return this.dois.dataciteXml(id);
  }

  /** Withdraws a dataset (curator): its DOI is hidden (registered) and resolves to the tombstone page. */
  @Post('v1/datasets/:id/withdraw')
  @HttpCode(200)
  @ApiBearerAuth()
  @Roles('curator')
  async withdraw(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: WithdrawDatasetDto,
  ): Promise<WithdrawnDatasetDto> {
    const { registration, withdrawnAt, receipt } = await this.dois.withdraw(principal, id, dto.reason);
    return {
      datasetId: id,
      withdrawnAt: withdrawnAt.toISOString(),
      reason: dto.reason,
      doi: registration?.doi ?? null,
      doiState: registration?.state ?? 'none',
      tombstoneUrl: buildTombstoneUrl(this.dois.publicBaseUrl, id),
      receipt,
    };
  }

  /** A new version of the dataset (owner or curator), copying unchanged fields; `mintDoi` also requests its DOI. */
  @Post('v1/datasets/:id/versions')
  @ApiBearerAuth()
  @Roles('depositor', 'curator')
  async createVersion(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: CreateVersionDto,
  ): Promise<CreatedDatasetDto> {
    const { dataset, receipt } = await this.dois.createVersion(principal, id, dto);
    return { ...toDatasetDto(dataset, this.dois.publicBaseUrl), receipt };
  }

  /** The tombstone landing page of a withdrawn dataset (§12): HTML, or JSON with `Accept: application/json`. */
  @Get('datasets/:id/tombstone')
  @Public()
  @ApiProduces('text/html', 'application/json')
  async tombstone(
    @Param('id', UuidPipe) id: string,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TombstoneDto | string> {
    const view = await this.dois.tombstone(id);
    if (wantsJson(accept)) return view;
    void reply.header('content-type', 'text/html; charset=utf-8');
    return renderTombstoneHtml(view);
  }
}
