import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import type { FunderPolicyId } from '../compliance.rules.js';

export const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
export const FUNDER_POLICIES: readonly FunderPolicyId[] = ['nih-dms-2023', 'wellcome', 'horizon-europe'];

export class PlannedDataDto {
  /** One data type of the plan, e.g. "Microscopy images" or "Segmentation masks" (one RPPR C.5.c row each). */
  @IsString()
  @Length(1, 200)
  dataType: string;

  /** Where the plan says these data go, e.g. "BioImage Archive". */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  repository?: string;

  /** A plan deadline (Horizon Europe) or an earlier date set by an institute or funding notice (NIH), YYYY-MM-DD. */
  @IsOptional()
  @Matches(DAY_PATTERN, { message: 'must be a date YYYY-MM-DD' })
  dueDate?: string;
}

export class CreateGrantDto {
  /** The funder: an organization agent. A funder key must be that organization or affiliated with it. */
  @IsUUID()
  funder: string;

  /**
   * The funder's ROR id or Crossref Funder ID (10.13039/…) for DataCite fundingReferences; defaults to the
   * funder organization's ROR.
   */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  funderIdentifier?: string;

  @IsString()
  @Length(1, 200)
  awardNumber: string;

  @IsOptional()
  @IsString()
  @Length(1, 1000)
  title?: string;

  /** The principal investigator: a person agent. */
  @IsUUID()
  pi: string;

  /** Start of the performance period, YYYY-MM-DD. */
  @Matches(DAY_PATTERN, { message: 'must be a date YYYY-MM-DD' })
  start: string;

  /** End of the performance period, YYYY-MM-DD. */
  @Matches(DAY_PATTERN, { message: 'must be a date YYYY-MM-DD' })
  end: string;

  /** End including an approved no-cost extension, YYYY-MM-DD (later ones: POST /v1/grants/:id/extensions). */
  @IsOptional()
  @Matches(DAY_PATTERN, { message: 'must be a date YYYY-MM-DD' })
  extensionEnd?: string;

  /** NIH: the application date (the DMS policy applies from 2023-01-25). */
  @IsOptional()
  @Matches(DAY_PATTERN, { message: 'must be a date YYYY-MM-DD' })
  applicationDate?: string;

  @IsIn(FUNDER_POLICIES)
  policy: FunderPolicyId;

  /** The data types of the approved data management plan. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => PlannedDataDto)
  plannedData?: PlannedDataDto[];
}
