import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  ValidateNested,
} from 'class-validator';
import { REUSE_TYPES } from '../reuses.rules.js';
import type { ReuseType } from '../reuses.rules.js';

export class ReuseEvidenceDto {
  /** Where and how the data were used (methods section, data availability statement …). */
  @IsOptional()
  @IsString()
  @Length(1, 20000)
  text?: string;

  /** Figure panel ids that show the reused data. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  figurePanels?: string[];
}

export class CreateReuseDto {
  /** The publication that reused the data. */
  @IsUUID()
  publication: string;

  /** The datasets it analysed. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  datasets: string[];

  /** How the data were reused (provenance.md §5). */
  @IsIn(REUSE_TYPES)
  type: ReuseType;

  @IsOptional()
  @ValidateNested()
  @Type(() => ReuseEvidenceDto)
  evidence?: ReuseEvidenceDto;
}
