import { DomainError } from '../core/http/problem.js';
import type { LinkImportProblem } from './link-import.rules.js';

/** `?style=` names no style this service formats (400). */
export class CitationStyleUnsupportedError extends DomainError {
  constructor(detail: string) {
    super('bad-request', 'CITATION_STYLE_UNSUPPORTED', detail);
  }
}

/** No media range of `Accept` is a citation format this service produces (406). */
export class CitationFormatNotAcceptableError extends DomainError {
  constructor(detail: string) {
    super('not-acceptable', 'CITATION_FORMAT_NOT_ACCEPTABLE', detail);
  }
}

export class LinkFormatUnrecognizedError extends DomainError {
  constructor(detail: string) {
    super('bad-request', 'LINK_FORMAT_UNRECOGNIZED', detail);
  }
}

/** The package held items but none of them was a usable citation link; `problems` says why, item by item. */
export class NoUsableLinksError extends DomainError {
  constructor(problems: readonly LinkImportProblem[]) {
    super('unprocessable', 'NO_USABLE_LINKS', `none of the ${problems.length} items is a usable citation link`, {
      problems,
    });
  }
}
