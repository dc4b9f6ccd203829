import { ReceiptDto } from '../../core/http/receipt.dto.js';

export class ProvenanceImportResultDto {
  /** Ids of the nodes the document describes (new or already recorded), in IRI order. */
  nodes: string[];
  /** Ids of the edges the document states (new or already recorded). */
  edges: string[];
  /** The last ledger entry this import wrote; for a repeated document, the latest entry it refers to. */
  receipt: ReceiptDto;
  /** Every entry this import wrote, in log order (empty when nothing was new). */
  receipts: ReceiptDto[];
}
