import { ConflictError, DomainError, NotFoundError } from '../core/http/problem.js';
import type { FigureProblem } from './figures.rules.js';

export class FigureNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('figure', id, 'FIGURE_NOT_FOUND');
  }
}

export class FigurePublicationNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('publication', id, 'PUBLICATION_NOT_FOUND');
  }
}

export class InvalidFigureError extends DomainError {
  constructor(problems: readonly FigureProblem[]) {
    const first = problems[0];
    super(
      'unprocessable',
      first.code,
      `${first.field}: ${first.message}`,
      {},
      problems.map((p) => ({ field: p.field, message: p.message })),
    );
  }
}

export class UnknownPanelSourceError extends DomainError {
  constructor(field: string, id: string, expected: 'dataset' | 'image') {
    super(
      'unprocessable',
      expected === 'dataset' ? 'UNKNOWN_DATASET' : 'UNKNOWN_IMAGE',
      `${field}: ${id} is not a registered ${expected}`,
      {
        field,
        id,
      },
    );
  }
}

export class FigureExistsError extends ConflictError {
  constructor(label: string, id: string) {
    super(`the publication already has a figure labelled "${label}" (${id})`, 'FIGURE_EXISTS', { id });
  }
}

export class NotPublicationAuthorError extends DomainError {
  constructor() {
    super(
      'forbidden',
      'NOT_OWNER',
      'only whoever registered the publication, its authors or a curator may add its figures',
    );
  }
}
