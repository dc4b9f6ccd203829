import { Body, Controller, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Public, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/auth.decorators.js';
import { UuidPipe } from '../core/http/uuid.pipe.js';
import { CitationsService } from './citations.service.js';
import { CitationImportResultDto, CitationQuery, toCitationDto } from './dto/citation.dto.js';

@ApiTags('citations')
@Controller('v1')
export class CitationsController {
  constructor(private readonly citations: CitationsService) {}

  /**
   * How to cite the dataset: `?style=apa|vancouver|harvard1|bibtex|biblatex|ris|csl`, or by `Accept`
   * (`text/x-bibliography; style=apa`, `application/x-bibtex`, `application/x-research-info-systems`,
   * `application/vnd.citationstyles.csl+json`). Cites the DOI once it is findable, else the landing page.
   */
  @Get('datasets/:id/citation')
  @Public()
  @ApiProduces(
    'text/x-bibliography',
    'application/x-bibtex',
    'application/x-biblatex',
    'application/x-research-info-systems',
    'application/vnd.citationstyles.csl+json',
  )
  async datasetCitation(
    @Param('id', UuidPipe) id: string,
    @Query() query: CitationQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const citation = await this.citations.datasetCitation(id, accept, query.style);
    void reply.header('content-type', citation.contentType).header('vary', 'Accept');
    return citation.body;
  }

  /**
   * Imports citation links (curator): Scholix link packages (one, an array, or a ScholeXplorer response) or DataCite
   * Event Data JSON. Nothing is fetched. Each new (citing, cited, relation) link is one `citation.recorded` entry.
   */
  @Post('citations/import')
  @ApiBearerAuth()
  @Roles('curator')
  @ApiBody({ schema: { oneOf: [{ type: 'object' }, { type: 'array', items: { type: 'object' } }] } })
  async importLinks(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<CitationImportResultDto> {
    const result = await this.citations.importLinks(principal, body);
    return {
      created: result.citations.length,
      duplicates: result.duplicates,
      problems: result.problems,
      receipts: result.receipts,
      citations: result.citations.map(toCitationDto),
    };
  }
}
