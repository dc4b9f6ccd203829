import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Public, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/auth.decorators.js';
import { UuidPipe } from '../core/http/uuid.pipe.js';
import { ImagePartPageDto, RegisteredImagesDto, toImagePartDto } from './dto/image-part.dto.js';
import { ListImagesQuery, RegisterImagesDto } from './dto/register-images.dto.js';
import { ImagesService } from './images.service.js';

@ApiTags('datasets')
@Controller('v1/datasets/:id/images')
export class ImagesController {
  constructor(private readonly images: ImagesService) {}

  /**
   * Registers images of a dataset (its owner or a curator), up to 10,000 per request: an ImagePart node per image
   * and a `hasPart` edge from the dataset, each a ledger entry. Images already registered with the same omeroId /
   * uri / path are skipped (200 with `created: 0` when nothing is new). Credit for an image accrues to its dataset.
   */
  @Post()
  @ApiBearerAuth()
  @Roles('depositor', 'curator')
  @ApiCreatedResponse({ type: RegisteredImagesDto })
  @ApiOkResponse({ type: RegisteredImagesDto, description: 'Every image was already registered; nothing was written.' })
  async register(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: RegisterImagesDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RegisteredImagesDto> {
    const result = await this.images.register(principal, id, dto);
    void reply.status(result.created > 0 ? 201 : 200);
    return result;
  }

  /** The dataset's images in registration order, each with its own IRI. */
  @Get()
  @Public()
  async list(@Param('id', UuidPipe) id: string, @Query() query: ListImagesQuery): Promise<ImagePartPageDto> {
    const page = await this.images.list(id, query);
    return {
      items: page.items.map((part) => toImagePartDto(part, this.images.publicBaseUrl)),
      nextCursor: page.nextCursor,
    };
  }
}
