import { ReceiptDto } from '../../core/http/receipt.dto.js';
import type { ImagePartEntity } from '../entities/image-part.entity.js';

export class ImagePartDto {
  id: string;
  /** The image's own IRI: PUBLIC_BASE_URL/id/<uuid>. */
  iri: string;
  /** The dataset that holds the image (and receives its credit). */
  dataset: string;
  omeroId: number | null;
  uri: string | null;
  path: string | null;
  sha256: string | null;
  size: number | null;
  label: string | null;
  createdAt: string;
}

export class ImagePartPageDto {
  items: ImagePartDto[];
  nextCursor: string | null;
}

export class RegisteredImagesDto {
  /** Images newly registered (images already registered with the same identity are not counted). */
  created: number;
  receipt: ReceiptDto;
}

export function toImagePartDto(part: ImagePartEntity, publicBaseUrl: string): ImagePartDto {
  return {
    id: part.id,
    iri: `${publicBaseUrl}/id/${part.id}`,
    dataset: part.datasetId,
    omeroId: part.omeroId,
    uri: part.uri,
    path: part.path,
    sha256: part.sha256,
    size: part.size,
    label: part.label,
    createdAt: part.createdAt.toISOString(),
  };
}
