import { ConflictError, DomainError, ForbiddenError, NotFoundError } from '../core/http/problem.js';
import type { ReuseTransitionErrorCode } from './reuses.rules.js';

export class ReuseNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('reuse', id, 'REUSE_NOT_FOUND');
  }
}

export class NotPublicationAuthorError extends ForbiddenError {
  constructor() {
    super(
      'only an author of the publication, its depositor or a curator may claim a reuse for it',
      'NOT_PUBLICATION_AUTHOR',
    );
  }
}

export class NotDatasetOwnerError extends ForbiddenError {
  constructor() {
    super('only the owner of a dataset named in the reuse or a curator may dispute it', 'NOT_DATASET_OWNER');
  }
}

export class UnknownFigurePanelError extends DomainError {
  constructor(ids: string[]) {
    super('unprocessable', 'UNKNOWN_FIGURE_PANEL', `no figure panel has the id ${ids.join(', ')}`, { ids });
  }
}

export class PanelNotFromDatasetsError extends DomainError {
  constructor(ids: string[]) {
    super(
      'unprocessable',
      'PANEL_NOT_FROM_DATASETS',
      `figure panel ${ids.join(', ')} shows none of the reused datasets`,
      { ids },
    );
  }
}

export class DuplicateReuseError extends ConflictError {
  constructor(reuseId: string, datasetId: string) {
    super(
      `reuse ${reuseId} already claims this type of reuse of dataset ${datasetId} by this publication`,
      'REUSE_EXISTS',
      {
        reuse: reuseId,
        dataset: datasetId,
      },
    );
  }
}

export class ReuseStateError extends ConflictError {
  constructor(code: ReuseTransitionErrorCode, detail: string) {
    super(detail, code);
  }
}
