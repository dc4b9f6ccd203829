import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Public, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/auth.decorators.js';
import { UuidPipe } from '../core/http/uuid.pipe.js';
import { CreateVerificationDto } from './dto/create-verification.dto.js';
import { SignatureVerificationDto, toVerificationReportDto, VerificationReportDto } from './dto/verification.dto.js';
import { VerifySignatureDto } from './dto/verify-signature.dto.js';
import { VerificationsService } from './verifications.service.js';

@ApiTags('journals')
@Controller('v1/verifications')
export class VerificationsController {
  constructor(private readonly verifications: VerificationsService) {}

  /**
   * Checks a data availability statement and its identifiers against the ledger and returns a signed report
   * (`verification.issued`). Verifying the same manuscript again links the new report to the previous one.
   */
  @Post()
  @ApiBearerAuth()
  @Roles('journal')
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateVerificationDto,
  ): Promise<VerificationReportDto> {
    return toVerificationReportDto(await this.verifications.create(principal, dto));
  }

  /**
   * Checks a report's signature. Offline: fetch GET /v1/ledger/public-key, drop `signature` and `receipt` from the
   * report, serialise the rest as RFC 8785 canonical JSON (UTF-8) and verify the base64 Ed25519 `signature.value`
   * over those bytes; their SHA-256 is the `reportHash` of the `verification.issued` entry at `receipt.seq`.
   */
  @Post('verify-signature')
  @HttpCode(200)
  @Public()
  verifySignature(@Body() dto: VerifySignatureDto): SignatureVerificationDto {
    return this.verifications.verifySignature(dto.report);
  }

  /** A stored report: the journal key that requested it, curators and admins. */
  @Get(':id')
  @ApiBearerAuth()
  @Roles('journal', 'curator')
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidPipe) id: string,
  ): Promise<VerificationReportDto> {
    return toVerificationReportDto(await this.verifications.get(principal, id));
  }
}
