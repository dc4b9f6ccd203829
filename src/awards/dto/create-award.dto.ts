import { IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import type { AwardKind } from '../awards.rules.js';

export class CreateAwardDto {
  @IsIn(['symbiont', 'parasite'])
  kind: AwardKind;

  /** The nominated person (agent id). */
  @IsUUID()
  agent: string;

  /** The award year; nominations are judged as of evidence.asOf, else the end of this year (or today). */
  @IsInt()
  @Min(1900)
  @Max(2200)
  year: number;

  /** The curator's citation, shown as the credential's description. */
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  citation?: string;

  /** The nomination evidence the curator relied on (as GET /v1/awards/nominations returned it). */
  @IsObject()
  evidence: Record<string, unknown>;
}
