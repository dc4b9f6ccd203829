import { ConflictError, DomainError, NotFoundError, ValidationFailedError } from '../core/http/problem.js';
import type { PublicationParseErrorCode } from './publications.rules.js';

export class PublicationNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('publication', id, 'PUBLICATION_NOT_FOUND');
  }
}

export class InvalidDoiError extends ValidationFailedError {
  constructor(value: string) {
    super([{ field: 'doi', message: `"${value}" is not a DOI (10.NNNN/...)` }], 'INVALID_DOI');
  }
}

export class DoiMismatchError extends ValidationFailedError {
  constructor(given: string, parsed: string) {
    super([{ field: 'doi', message: `is ${given} but the metadata give ${parsed}` }], 'DOI_MISMATCH');
  }
}

export class MetadataMissingError extends ValidationFailedError {
  constructor(detail: string) {
    super([{ field: 'csl', message: detail }], 'METADATA_MISSING');
  }
}

/** BibTeX/RIS/CSL the offline parser could not read: 422 with the parser's message. */
export class PublicationMetadataError extends DomainError {
  constructor(code: Exclude<PublicationParseErrorCode, 'METADATA_MISSING'>, detail: string) {
    super('unprocessable', code, detail);
  }
}

export class AuthorNotAPersonError extends DomainError {
  constructor(ids: string[]) {
    super('unprocessable', 'AUTHOR_NOT_A_PERSON', `authors must be person agents; ${ids.join(', ')} is not`, { ids });
  }
}

export class DoiInUseError extends ConflictError {
  constructor(doi: string, nodeId: string, type: string) {
    super(`the DOI ${doi} already names a ${type} node`, 'DOI_IN_USE', { doi, node: nodeId });
  }
}
