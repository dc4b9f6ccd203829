import { ReceiptDto } from '../../core/http/receipt.dto.js';
import type { MetadataStatus, PublicationEntity } from '../entities/publication.entity.js';

export class PublicationAuthorDto {
  family: string;
  given: string;
  /** https://orcid.org/… when known. */
  orcid?: string;
  /** The person agent (and graph node) this author is. */
  agentId: string;
}

export class PublicationDto {
  id: string;
  /** https://doi.org/<doi> when it has a DOI, else PUBLIC_BASE_URL/id/<uuid>. */
  iri: string;
  /** Lower-case bare DOI. */
  doi: string | null;
  /** Null while metadata are pending. */
  title: string | null;
  /** YYYY, YYYY-MM or YYYY-MM-DD. */
  issued: string | null;
  containerTitle: string | null;
  /** CSL item type. */
  type: string | null;
  authors: PublicationAuthorDto[];
  /** `pending` when registered from a DOI alone. */
  metadataStatus: MetadataStatus;
  /** The cleaned CSL-JSON item. */
  csl: Record<string, unknown> | null;
  createdBy: string | null;
  createdAt: string;
  ledgerSeq: string;
}

export class RegisteredPublicationDto extends PublicationDto {
  /** The ledger entry that registered the publication (the original one when the DOI was already known). */
  receipt: ReceiptDto;
}

export class PublicationPageDto {
  items: PublicationDto[];
  nextCursor: string | null;
}

export function toPublicationDto(p: PublicationEntity, publicBaseUrl: string): PublicationDto {
  return {
    id: p.id,
    iri: p.doi ? `https://doi.org/${p.doi}` : `${publicBaseUrl}/id/${p.id}`,
    doi: p.doi,
    title: p.title,
    issued: p.issued,
    containerTitle: p.containerTitle,
    type: p.cslType,
    authors: p.authors.map((a) => ({
      family: a.family,
      given: a.given,
      ...(a.orcid ? { orcid: a.orcid } : {}),
      agentId: a.agentId,
    })),
    metadataStatus: p.metadataStatus,
    csl: p.csl,
    createdBy: p.createdBy,
    createdAt: p.createdAt.toISOString(),
    ledgerSeq: p.ledgerSeq.toString(),
  };
}
