import { ConflictError, DomainError, NotFoundError } from '../core/http/problem.js';
import type { FieldProblem } from '../core/http/problem.js';

/** A dataset gets one DOI, ever: a second request answers 409 and names the DOI it already has. */
export class DoiAlreadyAssignedError extends ConflictError {
  constructor(datasetId: string, doi: string, doiState: string) {
    super(`dataset ${datasetId} already has the DOI ${doi} (${doiState})`, 'DOI_ALREADY_ASSIGNED', { doi, doiState });
  }
}

/** Local validation (datacite.md §5) failed: nothing was written and no DOI was assigned. */
export class DataCiteMetadataInvalidError extends DomainError {
  constructor(fields: FieldProblem[]) {
    super(
      'unprocessable',
      'DATACITE_METADATA_INVALID',
      `the dataset's metadata would be rejected by DataCite: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`,
      {},
      fields,
    );
  }
}

export class DoiNotAssignedError extends NotFoundError {
  constructor(datasetId: string) {
    super('DOI of dataset', datasetId, 'DOI_NOT_ASSIGNED');
  }
}

export class DoiNotFailedError extends ConflictError {
  constructor(doi: string, doiState: string) {
    super(`only a failed DOI can be retried; ${doi} is ${doiState}`, 'DOI_NOT_FAILED', { doi, doiState });
  }
}

export class DatasetWithdrawnError extends ConflictError {
  constructor(datasetId: string) {
    super(`dataset ${datasetId} has been withdrawn`, 'DATASET_WITHDRAWN');
  }
}

export class DatasetNotWithdrawnError extends NotFoundError {
  constructor(datasetId: string) {
    super('tombstone of dataset', datasetId, 'DATASET_NOT_WITHDRAWN');
  }
}
