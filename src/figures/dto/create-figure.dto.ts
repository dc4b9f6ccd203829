import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { ENTITY_TAG_ROLES, ENTITY_TAG_TYPES } from '../../provenance/provenance.rules.js';
import type { EntityTagRole, EntityTagType } from '../../provenance/graph-mapping.rules.js';

export class FigureEntityDto {
  /** SourceData entity type. */
  @IsIn(ENTITY_TAG_TYPES)
  type: EntityTagType;

  /** IRI or CURIE of the entity (UniProt, ChEBI, GO, CL or Cellosaurus, UBERON, NCBITaxon, FBbi/OBI …). */
  @IsString()
  @Length(1, 500)
  id: string;

  /** The entity as the legend writes it ("lamin A/C"). */
  @IsOptional()
  @IsString()
  @Length(1, 500)
  label?: string;

  /** Experimental role; required except for assays, which default to `component`. */
  @ValidateIf((entity: FigureEntityDto) => entity.type !== 'assay' || entity.role !== undefined)
  @IsIn(ENTITY_TAG_ROLES)
  role?: EntityTagRole;
}

export class FigurePanelDto {
  /** Panel label within the figure ("B"). */
  @IsString()
  @Length(1, 50)
  label: string;

  @IsOptional()
  @IsString()
  @Length(1, 10_000)
  caption?: string;

  /** Datasets the panel plots, at the finest registered granularity (provenance.md §6). */
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  sourceData: string[];

  /** Image parts the panel shows. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  sourceImages?: string[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => FigureEntityDto)
  entities?: FigureEntityDto[];
}

export class CreateFigureDto {
  /** Publication id (a graph node of type Publication). */
  @IsUUID()
  publication: string;

  /** Figure label ("Figure 2"). */
  @IsString()
  @Length(1, 200)
  label: string;

  @IsOptional()
  @IsString()
  @Length(1, 20_000)
  caption?: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => FigurePanelDto)
  panels: FigurePanelDto[];
}
