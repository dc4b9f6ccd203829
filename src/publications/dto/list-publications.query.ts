import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';

export class ListPublicationsQuery {
  /** Exact DOI lookup (bare or URL form, case-insensitive). */
  @IsOptional()
  @IsString()
  @Length(1, 500)
  doi?: string;

  /** Only publications with this agent among the authors. */
  @IsOptional()
  @IsUUID()
  author?: string;

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
