import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDateString,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import type { DatasetKind } from '../entities/dataset.entity.js';

export class DatasetIdentifierDto {
  @IsIn(['doi', 'url', 'accession'])
  scheme: 'doi' | 'url' | 'accession';

  @IsString()
  @Length(1, 500)
  value: string;
}

export class SoftwareDto {
  @IsString()
  @Length(1, 200)
  name: string;

  @IsOptional()
  @IsString()
  @Length(1, 100)
  version?: string;

  @IsOptional()
  @IsUrl({ require_protocol: true, protocols: ['http', 'https'] })
  url?: string;
}

export class GeneratedByDto {
  @IsOptional()
  @ValidateNested()
  @Type(() => SoftwareDto)
  software?: SoftwareDto;

  /** The analysis method, free text or an EDAM operation CURIE (EDAM:operation_3443). */
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  method?: string;

  /** Parameters of the analysis run, as given. */
  @IsOptional()
  @IsObject()
  parameters?: Record<string, unknown>;
}

export class CreateDatasetDto {
  /** `image` for acquired images, `derived` for segmentations, tracks, feature tables … */
  @IsIn(['image', 'derived'])
  kind: DatasetKind;

  @IsString()
  @Length(1, 1000)
  title: string;

  @IsOptional()
  @IsString()
  @Length(1, 20000)
  description?: string;

  /** Agent ids of the creators, in author order. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  creators: string[];

  /** Agent id of the publishing organization (the repository). */
  @IsOptional()
  @IsUUID()
  publisher?: string;

  @IsOptional()
  @IsInt()
  @Min(1900)
  @Max(2100)
  publicationYear?: number;

  /** SPDX licence identifier, e.g. CC-BY-4.0 or CC0-1.0. */
  @IsString()
  license: string;

  /** Archive accession: idr0013, S-BIAD123, EMPIAR-10001, BBBC021. */
  @IsOptional()
  @IsString()
  accession?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => DatasetIdentifierDto)
  identifiers?: DatasetIdentifierDto[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  keywords?: string[];

  /** Organism as NCBITaxon IRI or CURIE (NCBITaxon:9606). */
  @IsOptional()
  @IsString()
  organism?: string;

  /** Imaging method as FBbi IRI or CURIE (FBbi:00000251). */
  @IsOptional()
  @IsString()
  imagingMethod?: string;

  /** Dataset ids this one was derived from (required, non-empty, for kind "derived"). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  derivedFrom?: string[];

  @IsOptional()
  @ValidateNested()
  @Type(() => GeneratedByDto)
  generatedBy?: GeneratedByDto;

  /** Grant ids that funded the dataset. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  grants?: string[];

  /** The data stay closed until this date (YYYY-MM-DD). */
  @IsOptional()
  @IsDateString({ strict: true })
  embargoUntil?: string;

  @IsOptional()
  @IsUrl({ require_protocol: true, protocols: ['https'] })
  landingPage?: string;

  @IsOptional()
  @IsString()
  @Length(1, 50)
  version?: string;
}
