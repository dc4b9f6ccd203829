import { NotFoundError, ValidationFailedError } from '../core/http/problem.js';

export class VerificationNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('verification', id, 'VERIFICATION_NOT_FOUND');
  }
}

export class InvalidVerificationDateError extends ValidationFailedError {
  constructor(field: string) {
    super([{ field, message: 'must be a calendar date YYYY-MM-DD or an RFC 3339 timestamp' }], 'INVALID_DATE');
  }
}

export class InvalidArticleDoiError extends ValidationFailedError {
  constructor(value: string) {
    super([{ field: 'articleDoi', message: `"${value}" is not a DOI` }], 'INVALID_DOI');
  }
}
