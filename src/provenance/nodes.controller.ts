import { Controller, Get, Param, Query, Redirect, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators.js';
import { UuidPipe } from '../core/http/uuid.pipe.js';
import { ExportQuery, LineageQuery, ProvQuery } from './dto/node-queries.dto.js';
import { DEFAULT_LINEAGE_DEPTH, JSON_LD_MEDIA_TYPE } from './exports.rules.js';
import { ProvenanceService } from './provenance.service.js';

/** Set when nodes exist beyond the requested depth (the JSON-LD body has no place for it). */
const TRUNCATED_HEADER = 'ledger-lineage-truncated';

@ApiTags('provenance')
@Controller()
export class NodesController {
  constructor(private readonly provenance: ProvenanceService) {}

  /** A ledger IRI (`<public base>/id/<uuid>`) dereferences to the node's JSON-LD (provenance.md §2). */
  @Get('id/:id')
  @Public()
  @Redirect()
  resolve(@Param('id', UuidPipe) id: string): { url: string; statusCode: number } {
    return { url: `/v1/nodes/${id}`, statusCode: 303 };
  }

  /** The node compacted with the ledger context; relations in both vocabularies (PROV-O and schema.org). */
  @Get('v1/nodes/:id')
  @Public()
  @ApiProduces(JSON_LD_MEDIA_TYPE)
  @ApiOkResponse({ description: 'JSON-LD node', schema: { type: 'object' } })
  async node(@Param('id', UuidPipe) id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    void reply.type(JSON_LD_MEDIA_TYPE);
    return JSON.stringify(await this.provenance.nodeJsonLd(id));
  }

  /** The lineage graph (`@graph`) one way, bounded by depth and cycle-safe, with the agents and software around it. */
  @Get('v1/nodes/:id/lineage')
  @Public()
  @ApiProduces(JSON_LD_MEDIA_TYPE)
  @ApiOkResponse({ description: 'JSON-LD graph', schema: { type: 'object' } })
  async lineage(
    @Param('id', UuidPipe) id: string,
    @Query() query: LineageQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const { document, truncated } = await this.provenance.lineage(
      id,
      query.direction ?? 'upstream',
      query.depth ?? DEFAULT_LINEAGE_DEPTH,
    );
    void reply.type(JSON_LD_MEDIA_TYPE).header(TRUNCATED_HEADER, String(truncated));
    return JSON.stringify(document);
  }

  /** ro-crate-metadata.json (RO-Crate 1.2) for the node, its lineage both ways and the people, software and grants. */
  @Get('v1/nodes/:id/ro-crate')
  @Public()
  @ApiProduces(JSON_LD_MEDIA_TYPE)
  @ApiOkResponse({ description: 'RO-Crate 1.2 metadata document', schema: { type: 'object' } })
  async roCrate(
    @Param('id', UuidPipe) id: string,
    @Query() query: ExportQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const { document, fileName, truncated } = await this.provenance.roCrate(id, query.depth ?? DEFAULT_LINEAGE_DEPTH);
    void reply
      .type(JSON_LD_MEDIA_TYPE)
      .header('content-disposition', `inline; filename="${fileName}"`)
      .header(TRUNCATED_HEADER, String(truncated));
    return JSON.stringify(document);
  }

  /** The PROV reading of the same graph: PROV-JSON (default), N-Quads or JSON-LD. */
  @Get('v1/nodes/:id/prov')
  @Public()
  @ApiProduces('application/json', 'application/n-quads', JSON_LD_MEDIA_TYPE)
  @ApiOkResponse({ description: 'PROV-JSON, N-Quads or JSON-LD' })
  async prov(
    @Param('id', UuidPipe) id: string,
    @Query() query: ProvQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const { body, mediaType } = await this.provenance.prov(
      id,
      query.format ?? 'prov-json',
      query.depth ?? DEFAULT_LINEAGE_DEPTH,
    );
    void reply.type(mediaType);
    return body;
  }
}
