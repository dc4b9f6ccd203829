import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import type { AgentKind, CareerStage } from '../entities/agent.entity.js';

export class CreateAgentDto {
  /** A person or an organization (lab, institute, funder, publisher). */
  @IsIn(['person', 'organization'])
  kind: AgentKind;

  /** Display name. */
  @IsString()
  @Length(1, 500)
  name: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  givenName?: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  familyName?: string;

  /** ORCID iD, bare (0000-0002-1825-0097) or as https URL; the checksum is validated. People only. */
  @IsOptional()
  @IsString()
  orcid?: string;

  /** ROR id as https://ror.org/0xxxxxxxx (checksum validated). Organizations only. */
  @IsOptional()
  @IsString()
  ror?: string;

  /** Organization agent ids this person is affiliated with. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  affiliations?: string[];

  @IsOptional()
  @IsIn(['trainee', 'early-career', 'established'])
  careerStage?: CareerStage;
}
