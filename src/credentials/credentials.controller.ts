import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators.js';
import { CredentialsService } from './credentials.service.js';
import { toVerificationResultDto, VerificationResultDto } from './dto/verification-result.dto.js';

@ApiTags('awards')
@Controller('v1/credentials')
export class CredentialsController {
  constructor(private readonly credentials: CredentialsService) {}

  /**
   * Verifies a credential this service issued (eddsa-rdfc-2022 Data Integrity proof over the shipped contexts). The
   * body is the credential itself, as JSON or JSON-LD; a failed check is an answer, not an error.
   */
  @Post('verify')
  @Public()
  @HttpCode(200)
  @ApiBody({ schema: { type: 'object', description: 'A W3C Verifiable Credential 2.0 with a DataIntegrityProof' } })
  async verify(@Body() credential: Record<string, unknown>): Promise<VerificationResultDto> {
    return toVerificationResultDto(await this.credentials.verify(credential));
  }
}
