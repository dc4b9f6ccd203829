import { DomainError, NotFoundError, ValidationFailedError } from '../core/http/problem.js';

export class DatasetNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('dataset', id, 'DATASET_NOT_FOUND');
  }
}

export class InvalidDatasetFieldError extends ValidationFailedError {
  constructor(field: string, message: string, code: string) {
    super([{ field, message }], code);
  }
}

export class UnknownGrantError extends DomainError {
  constructor(ids: string[]) {
    super('unprocessable', 'UNKNOWN_GRANT', `no grant has the id ${ids.join(', ')}`, { ids });
  }
}
