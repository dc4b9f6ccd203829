import { createHash } from 'node:crypto';
import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators.js';
import { JSON_LD_MEDIA_TYPE } from './exports.rules.js';
import { ProvenanceService } from './provenance.service.js';

/** Published contexts never change (a change is a new version at a new URL), so caches may keep them for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

@ApiTags('contexts')
@Controller('contexts')
export class ContextsController {
  private readonly etags = new Map<string, string>();

  constructor(private readonly provenance: ProvenanceService) {}

  /** The ledger JSON-LD context v1 for this deployment (its `ledger:` namespace is the public base's /ns#). */
  @Get('ledger/v1.jsonld')
  @Public()
  @ApiProduces(JSON_LD_MEDIA_TYPE)
  @ApiOkResponse({ description: 'JSON-LD context', schema: { type: 'object' } })
  ledger(
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): string {
    return this.serve(this.provenance.ledgerContext(), ifNoneMatch, reply);
  }

  /** The RO-Crate 1.2 context as shipped (the document behind https://w3id.org/ro/crate/1.2/context), for offline use. */
  @Get('ro-crate/1.2/context.jsonld')
  @Public()
  @ApiProduces(JSON_LD_MEDIA_TYPE)
  @ApiOkResponse({ description: 'JSON-LD context', schema: { type: 'object' } })
  roCrate(
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): string {
    return this.serve(this.provenance.roCrateContext(), ifNoneMatch, reply);
  }

  private serve(body: string, ifNoneMatch: string | undefined, reply: FastifyReply): string {
    let etag = this.etags.get(body);
    if (etag === undefined) {
      etag = `"${createHash('sha256').update(body).digest('base64url')}"`;
      this.etags.set(body, etag);
    }
    // JSON-LD processors in browsers load contexts cross-origin.
    void reply
      .type(JSON_LD_MEDIA_TYPE)
      .header('cache-control', IMMUTABLE)
      .header('etag', etag)
      .header('access-control-allow-origin', '*');
    if (ifNoneMatch !== undefined && ifNoneMatch.split(',').some((tag) => tag.trim() === etag)) {
      void reply.status(304);
      return '';
    }
    return body;
  }
}
