import { IsObject } from 'class-validator';

export class VerifySignatureDto {
  /** A verification report as returned by GET /v1/verifications/:id (with its `signature`). */
  @IsObject()
  report: Record<string, unknown>;
}
