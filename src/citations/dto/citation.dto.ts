import { IsOptional, IsString, MaxLength } from 'class-validator';
import { ReceiptDto } from '../../core/http/receipt.dto.js';
import type { LinkFormat, LinkImportProblemCode, LinkRelation } from '../link-import.rules.js';
import type { CitationEntity } from '../entities/citation.entity.js';

export class CitationQuery {
  /** apa | vancouver | harvard1 | bibtex | biblatex | ris | csl; wins over `Accept` (default apa). */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  style?: string;
}

export class CitationDto {
  id: string;
  /** Bare lower-case DOI or URL of the citing work. */
  citing: string;
  citingScheme: 'doi' | 'url';
  cited: string;
  citedScheme: 'doi' | 'url';
  /** As read from the citing side: References, Cites, IsSupplementedBy or IsRelatedTo. */
  relation: LinkRelation;
  occurredAt: string | null;
  source: string;
  format: LinkFormat;
  externalId: string | null;
  /** Our dataset the cited identifier names, when there is one. */
  citedDataset: string | null;
  /** The registered publication that cites it, when its DOI or URL is known here. */
  citingPublication: string | null;
  ledgerSeq: string;
}

export class LinkImportProblemDto {
  /** Position of the item in the package. */
  index: number;
  code: LinkImportProblemCode;
  detail: string;
}

export class CitationImportResultDto {
  /** Links recorded by this import. */
  created: number;
  /** Links skipped as already recorded, or repeated within the package. */
  duplicates: number;
  /** Items that are not usable citation links (nothing was recorded for them). */
  problems: LinkImportProblemDto[];
  /** One `citation.recorded` receipt per created link, in the order of `citations`. */
  receipts: ReceiptDto[];
  citations: CitationDto[];
}

export function toCitationDto(c: CitationEntity): CitationDto {
  return {
    id: c.id,
    citing: c.citingIdentifier,
    citingScheme: c.citingScheme,
    cited: c.citedIdentifier,
    citedScheme: c.citedScheme,
    relation: c.relation,
    occurredAt: c.occurredAt ? c.occurredAt.toISOString() : null,
    source: c.source,
    format: c.format,
    externalId: c.externalId,
    citedDataset: c.citedDatasetId,
    citingPublication: c.citingPublicationId,
    ledgerSeq: c.ledgerSeq.toString(),
  };
}
