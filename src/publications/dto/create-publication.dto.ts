import { ArrayMaxSize, IsArray, IsObject, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';

export class CreatePublicationDto {
  /**
   * DOI, bare (10.1038/nmeth.2019) or as https://doi.org/ URL; compared case-insensitively. Alone, it registers the
   * publication with metadata pending (it is never resolved during the request).
   */
  @IsOptional()
  @IsString()
  @Length(1, 500)
  doi?: string;

  /** One CSL-JSON item (title, author, issued, DOI …). Takes precedence over bibtex and ris. */
  @IsOptional()
  @IsObject()
  csl?: Record<string, unknown>;

  /** One BibTeX entry, parsed offline. */
  @IsOptional()
  @IsString()
  @MaxLength(100_000)
  bibtex?: string;

  /** One RIS record, parsed offline. */
  @IsOptional()
  @IsString()
  @MaxLength(100_000)
  ris?: string;

  /** Person agent ids of authors: linked to the parsed author with the same ORCID or name, else appended. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  authors?: string[];
}
