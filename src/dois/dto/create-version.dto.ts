import { PartialType } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { CreateDatasetDto } from '../../datasets/dto/create-dataset.dto.js';

/** Fields that change in the new version; everything else is copied from the previous one. */
export class CreateVersionDto extends PartialType(CreateDatasetDto) {
  /** Also request a DOI for the new version (202-style: it starts `pending`). */
  @IsOptional()
  @IsBoolean()
  mintDoi?: boolean;
}
