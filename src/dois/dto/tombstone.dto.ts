export class TombstoneDto {
  datasetId: string;
  doi: string | null;
  title: string;
  creators: string[];
  publicationYear: number;
  publisher: string | null;
  version: string | null;
  withdrawnAt: string;
  reason: string;
  /** DataCite's recommended citation form. */
  citation: string;
  /** What is kept (metadata, DOI, ledger entries) now that the data are gone. */
  retention: string;
}
