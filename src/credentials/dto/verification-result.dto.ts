import type { VerificationResult } from '../credentials.service.js';

export class VerificationCheckDto {
  /** CONTEXTS_ALLOWED, PROOF_PRESENT, CRYPTOSUITE_SUPPORTED, VERIFICATION_METHOD_RESOLVED, ISSUER_KEY_KNOWN,
   * CANONICALIZATION_OK, SIGNATURE_VALID */
  code: string;
  status: 'pass' | 'fail' | 'skipped';
  message: string;
}

export class VerificationResultDto {
  /** True when every check passed. */
  verified: boolean;
  checks: VerificationCheckDto[];
}

export function toVerificationResultDto(result: VerificationResult): VerificationResultDto {
  return { verified: result.verified, checks: result.checks.map((c) => ({ ...c })) };
}
