import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, Min } from 'class-validator';
import { Type } from 'class-transformer';
import type { DatasetKind } from '../entities/dataset.entity.js';

export class ListDatasetsQuery {
  /** Only datasets with this agent among the creators. */
  @IsOptional()
  @IsUUID()
  creator?: string;

  @IsOptional()
  @IsString()
  accession?: string;

  @IsOptional()
  @IsIn(['image', 'derived'])
  kind?: DatasetKind;

  /** Opaque cursor from the previous page's nextCursor. */
  @IsOptional()
  @IsString()
  cursor?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
