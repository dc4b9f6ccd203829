import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/auth.decorators.js';
import { UuidPipe } from '../core/http/uuid.pipe.js';
import { AuditQuery } from './dto/compliance.query.js';
import { FunderAuditDto, toFunderAuditCsv, toFunderAuditDto } from './dto/grant.dto.js';
import { wantsCsv } from './grants.rules.js';
import { GrantsService } from './grants.service.js';

@ApiTags('funders')
@Controller('v1/funders')
export class FundersController {
  constructor(private readonly grants: GrantsService) {}

  /**
   * The funder's portfolio: counts by status, one summary per grant (with reuse figures), one row per grant and
   * planned data type. `Accept: text/csv` gives RFC 4180 CSV with a header row; the ledger tree size and root the
   * audit was computed at are then in the `Ledger-Tree-Size` and `Ledger-Root-Hash` headers.
   */
  @Get(':id/audit')
  @ApiBearerAuth()
  @Roles('funder', 'curator')
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: FunderAuditDto, description: 'JSON; with Accept: text/csv, RFC 4180 CSV with a header row' })
  async audit(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidPipe) id: string,
    @Query() query: AuditQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<FunderAuditDto | string> {
    const report = await this.grants.audit(principal, id, query);
    reply.header('vary', 'Accept');
    if (!wantsCsv(accept)) return toFunderAuditDto(report);
    reply.header('content-type', 'text/csv; charset=utf-8; header=present');
    reply.header('content-disposition', `attachment; filename="funder-audit-${report.asOf}.csv"`);
    reply.header('ledger-tree-size', report.checkpoint.treeSize);
    reply.header('ledger-root-hash', report.checkpoint.rootHash);
    reply.header('ledger-as-of', report.asOf);
    return toFunderAuditCsv(report);
  }
}
