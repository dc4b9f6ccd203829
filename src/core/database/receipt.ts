/** What every successful write returns: the ledger entry that proves it (http-contract.md). */
export interface Receipt {
  seq: string;
  leafHash: string;
  treeSize: string;
}
