import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { MAX_IMAGES_PER_REQUEST } from '../images.rules.js';

export class ImagePartInputDto {
  /** OMERO image id (e.g. in IDR). At least one of omeroId, uri, path is required. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  omeroId?: number;

  /** http(s), s3 or gs URL of the image; OME-Zarr (NGFF) multiscale images included. */
  @IsOptional()
  @IsString()
  @Length(1, 2048)
  uri?: string;

  /** Path of the image file within the dataset's storage. */
  @IsOptional()
  @IsString()
  @Length(1, 2048)
  path?: string;

  /** SHA-256 of the image file, 64 hexadecimal digits. */
  @IsOptional()
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'must be 64 hexadecimal digits' })
  sha256?: string;

  /** Size in bytes. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  size?: number;

  @IsOptional()
  @IsString()
  @Length(1, 500)
  label?: string;
}

export class RegisterImagesDto {
  /** Up to 10,000 images per request (within the request body limit). */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_IMAGES_PER_REQUEST)
  @ValidateNested({ each: true })
  @Type(() => ImagePartInputDto)
  images: ImagePartInputDto[];
}

export class ListImagesQuery {
  /** Opaque cursor from the previous page's nextCursor. */
  @IsOptional()
  @IsString()
  cursor?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
