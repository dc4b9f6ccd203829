import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Public, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/auth.decorators.js';
import { UuidPipe } from '../core/http/uuid.pipe.js';
import { CreatePublicationDto } from './dto/create-publication.dto.js';
import { ListPublicationsQuery } from './dto/list-publications.query.js';
import {
  PublicationDto,
  PublicationPageDto,
  RegisteredPublicationDto,
  toPublicationDto,
} from './dto/publication.dto.js';
import { PublicationsService } from './publications.service.js';

@ApiTags('publications')
@Controller('v1/publications')
export class PublicationsController {
  constructor(private readonly publications: PublicationsService) {}

  /**
   * Registers a publication (`publication.registered`) from a DOI and/or CSL-JSON, BibTeX or RIS parsed offline.
   * 200 with the existing publication when its DOI is already registered.
   */
  @Post()
  @ApiBearerAuth()
  @Roles('depositor', 'curator')
  @ApiCreatedResponse({ type: RegisteredPublicationDto })
  @ApiOkResponse({
    type: RegisteredPublicationDto,
    description: 'The DOI was already registered; nothing was written.',
  })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreatePublicationDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RegisteredPublicationDto> {
    const { publication, receipt, created } = await this.publications.create(principal, dto);
    void reply.status(created ? 201 : 200);
    return { ...toPublicationDto(publication, this.publications.publicBaseUrl), receipt };
  }

  /** Lists publications, newest registration first; `doi` looks one up by DOI. */
  @Get()
  @Public()
  async list(@Query() query: ListPublicationsQuery): Promise<PublicationPageDto> {
    const page = await this.publications.list(query);
    return {
      items: page.items.map((p) => toPublicationDto(p, this.publications.publicBaseUrl)),
      nextCursor: page.nextCursor,
    };
  }

  @Get(':id')
  @Public()
  async get(@Param('id', UuidPipe) id: string): Promise<PublicationDto> {
    return toPublicationDto(await this.publications.get(id), this.publications.publicBaseUrl);
  }
}
