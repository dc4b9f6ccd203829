/** The ledger entry that records a write (http-contract.md). */
export class ReceiptDto {
  /** Zero-based leaf index of the entry in the Merkle log (decimal string). */
  seq: string;
  /** Hex SHA-256 leaf hash: SHA-256(0x00 || RFC 8785 JSON of {seq, kind, payload, actor, createdAt}). */
  leafHash: string;
  /** Tree size right after the write (decimal string); always ≥ seq + 1. */
  treeSize: string;
}
