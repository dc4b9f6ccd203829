import { ReceiptDto } from '../../core/http/receipt.dto.js';
import type {
  DatasetEntity,
  DatasetIdentifier,
  DatasetKind,
  DoiState,
  GeneratedBy,
} from '../entities/dataset.entity.js';

export class DatasetDto {
  id: string;
  /** Stable IRI of the dataset: https://doi.org/<doi> once it has a DOI, else PUBLIC_BASE_URL/id/<uuid>. */
  iri: string;
  kind: DatasetKind;
  title: string;
  description: string | null;
  creators: string[];
  publisher: string | null;
  owner: string | null;
  publicationYear: number;
  license: string;
  accession: string | null;
  identifiers: DatasetIdentifier[];
  keywords: string[];
  organism: string | null;
  imagingMethod: string | null;
  derivedFrom: string[];
  generatedBy: GeneratedBy | null;
  grants: string[];
  embargoUntil: string | null;
  landingPage: string;
  version: string | null;
  previousVersion: string | null;
  releasedAt: string;
  doi: string | null;
  doiState: DoiState;
  withdrawn: { at: string; reason: string | null } | null;
  createdAt: string;
  ledgerSeq: string;
}

export class CreatedDatasetDto extends DatasetDto {
  receipt: ReceiptDto;
}

export class DatasetPageDto {
  items: DatasetDto[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export function toDatasetDto(d: DatasetEntity, publicBaseUrl: string): DatasetDto {
  return {
    id: d.id,
    iri: d.doi && d.doiState === 'findable' ? `https://doi.org/${d.doi}` : `${publicBaseUrl}/id/${d.id}`,
    kind: d.kind,
    title: d.title,
    description: d.description,
    creators: d.creators,
    publisher: d.publisherId,
    owner: d.ownerId,
    publicationYear: d.publicationYear,
    license: d.license,
    accession: d.accession,
    identifiers: d.identifiers,
    keywords: d.keywords,
    organism: d.organism,
    imagingMethod: d.imagingMethod,
    derivedFrom: d.derivedFrom,
    generatedBy: d.generatedBy,
    grants: d.grants,
    embargoUntil: d.embargoUntil,
    landingPage: d.landingPage ?? `${publicBaseUrl}/datasets/${d.id}`,
    version: d.version,
    previousVersion: d.previousVersionId,
    releasedAt: d.releasedAt,
    doi: d.doi,
    doiState: d.doiState,
    withdrawn: d.withdrawnAt ? { at: d.withdrawnAt.toISOString(), reason: d.withdrawnReason } : null,
    createdAt: d.createdAt.toISOString(),
    ledgerSeq: d.ledgerSeq.toString(),
  };
}
