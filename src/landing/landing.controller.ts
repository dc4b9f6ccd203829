import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators.js';
import { UuidPipe } from '../core/http/uuid.pipe.js';
import { LandingService } from './landing.service.js';

@ApiTags('datasets')
@Controller('datasets')
export class LandingController {
  constructor(private readonly landing: LandingService) {}

  /** The dataset's landing page (the URL its DOI resolves to): HTML with embedded JSON-LD. Withdrawn → tombstone. */
  @Get(':id')
  @Public()
  @ApiProduces('text/html')
  @Header('content-type', 'text/html; charset=utf-8')
  async page(@Param('id', UuidPipe) id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const page = await this.landing.page(id);
    if (page.redirect !== null) {
      void reply.status(303).header('location', page.redirect);
      return '';
    }
    return page.html;
  }
}
