/** RFC 9457 problem details and the DomainError hierarchy every feature's `<feature>.errors.ts` builds on. */

export interface FieldProblem {
  field: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  requestId: string;
  errors?: FieldProblem[];
  [extension: string]: unknown;
}

export type ProblemKind =
  | 'bad-request'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'gone'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'not-acceptable'
  | 'unprocessable'
  | 'too-many-requests'
  | 'unavailable';

/** The one place a problem kind becomes an HTTP status; the switch is exhaustive (lint checks it). */
export function statusOf(kind: ProblemKind): number {
  switch (kind) {
    case 'bad-request':
      return 400;
    case 'unauthorized':
      return 401;
    case 'forbidden':
      return 403;
    case 'not-found':
      return 404;
    case 'not-acceptable':
      return 406;
    case 'conflict':
      return 409;
    case 'gone':
      return 410;
    case 'payload-too-large':
      return 413;
    case 'unsupported-media-type':
      return 415;
    case 'unprocessable':
      return 422;
    case 'too-many-requests':
      return 429;
    case 'unavailable':
      return 503;
  }
}

/**
 * A failure the caller can act on. `code` is stable (UPPER_SNAKE) and documented; `detail` is for humans;
 * `extensions` are extra members of the problem body (e.g. the node and property a JSON-LD error names).
 */
export class DomainError extends Error {
  constructor(
    readonly kind: ProblemKind,
    readonly code: string,
    detail: string,
    readonly extensions: Record<string, unknown> = {},
    readonly fields: FieldProblem[] = [],
  ) {
    super(detail);
    this.name = new.target.name;
  }
}

export class ValidationFailedError extends DomainError {
  constructor(fields: FieldProblem[], code = 'VALIDATION_FAILED') {
    super(
      'bad-request',
      code,
      fields.length === 1 ? `${fields[0].field}: ${fields[0].message}` : `${fields.length} fields are invalid`,
      {},
      fields,
    );
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, id: string, code = `${what.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_NOT_FOUND`) {
    super('not-found', code, `${what} ${id} does not exist`, { resource: what, id });
  }
}

export class ForbiddenError extends DomainError {
  constructor(detail: string, code = 'FORBIDDEN') {
    super('forbidden', code, detail);
  }
}

export class ConflictError extends DomainError {
  constructor(detail: string, code = 'CONFLICT', extensions: Record<string, unknown> = {}) {
    super('conflict', code, detail, extensions);
  }
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function buildProblem(args: {
  status: number;
  code: string;
  detail: string;
  requestId: string;
  instance?: string;
  errors?: FieldProblem[];
  extensions?: Record<string, unknown>;
}): ProblemBody {
  const body: ProblemBody = {
    ...(args.extensions ?? {}),
    // A relative reference resolved against the service root (RFC 9457 §3.1.1); codes are listed in docs/errors.md.
    type: `/problems/${args.code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[args.status] ?? 'Error',
    status: args.status,
    detail: args.detail,
    code: args.code,
    requestId: args.requestId,
  };
  if (args.instance) body.instance = args.instance;
  if (args.errors && args.errors.length > 0) body.errors = args.errors;
  return body;
}
