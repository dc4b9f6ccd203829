import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import type { ComplianceStatus } from '../compliance.rules.js';
import { DAY_PATTERN } from './create-grant.dto.js';

export const COMPLIANCE_STATUSES: readonly ComplianceStatus[] = ['compliant', 'due', 'overdue', 'not-yet-due'];

export class ComplianceQuery {
  /** The UTC day to judge at (default today). Only today's report records status changes in the ledger. */
  @ApiPropertyOptional({
    format: 'date',
    description: 'UTC day to judge at (default today); only today records changes',
  })
  @IsOptional()
  @Matches(DAY_PATTERN, { message: 'must be a date YYYY-MM-DD' })
  asOf?: string;
}

export class AuditQuery extends ComplianceQuery {
  /** Only grants with this status. */
  @ApiPropertyOptional({ enum: COMPLIANCE_STATUSES, description: 'only grants with this status' })
  @IsOptional()
  @IsIn(COMPLIANCE_STATUSES)
  status?: ComplianceStatus;

  /** Only grants with this PI (agent id). */
  @ApiPropertyOptional({ format: 'uuid', description: 'only grants with this PI (agent id)' })
  @IsOptional()
  @IsUUID()
  pi?: string;
}
