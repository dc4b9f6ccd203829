import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID, Length } from 'class-validator';

export class AddGrantOutputsDto {
  /** Dataset ids funded by the grant (each gets a dataset --funding--> grant edge). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  datasets?: string[];

  /** Publication ids funded by the grant (publication --funding--> grant). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  publications?: string[];

  /**
   * The planned data type the datasets answer. Without it a dataset counts for the only planned type, or the one
   * whose name fits its kind (images vs. derived data); otherwise it is reported as unplanned.
   */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  dataType?: string;
}
