import { Body, Controller, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/auth.decorators.js';
import { ProvenanceImportResultDto } from './dto/provenance-import.dto.js';
import { ProvenanceService } from './provenance.service.js';

@ApiTags('provenance')
@Controller('v1/provenance')
export class ProvenanceController {
  constructor(private readonly provenance: ProvenanceService) {}

  /**
   * Records a JSON-LD provenance document (ledger context and RO-Crate 1.2 only; any other context is refused with
   * 422 REMOTE_CONTEXT_FORBIDDEN without being fetched). Every node and edge is a ledger entry; a document whose
   * nodes and edges are all recorded already answers 200 and writes nothing. Problems name the node and property.
   */
  @Post()
  @ApiBearerAuth()
  @Roles('depositor', 'curator')
  @ApiConsumes('application/ld+json', 'application/json')
  @ApiBody({
    description: 'A JSON-LD document (object or array) using the ledger context.',
    schema: { type: 'object' },
  })
  @ApiCreatedResponse({ type: ProvenanceImportResultDto })
  @ApiOkResponse({
    type: ProvenanceImportResultDto,
    description: 'Everything was already recorded; nothing was written.',
  })
  async import(
    @CurrentPrincipal() principal: Principal,
    @Body() document: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProvenanceImportResultDto> {
    const result = await this.provenance.import(principal, document);
    void reply.status(result.created ? 201 : 200);
    return { nodes: result.nodes, edges: result.edges, receipt: result.receipt, receipts: result.receipts };
  }
}
