import {
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  ValidationFailedError,
} from '../core/http/problem.js';

export class GrantNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('grant', id, 'GRANT_NOT_FOUND');
  }
}

export class FunderNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('funder', id, 'FUNDER_NOT_FOUND');
  }
}

/** A funder key acting on another funder's grant or portfolio. */
export class ForbiddenFunderError extends ForbiddenError {
  constructor(detail = "a funder key may only act on its own funder organization's grants") {
    super(detail, 'FORBIDDEN_FUNDER');
  }
}

/** Neither the grant's funder, its PI, nor a curator. */
export class NotGrantPartyError extends ForbiddenError {
  constructor() {
    super("only the grant's funder, its PI, a curator or an admin may do this", 'NOT_GRANT_PARTY');
  }
}

export class FunderNotOrganizationError extends DomainError {
  constructor(id: string) {
    super('unprocessable', 'FUNDER_NOT_ORGANIZATION', `the funder ${id} must be an organization agent`, { id });
  }
}

export class PiNotPersonError extends DomainError {
  constructor(id: string) {
    super('unprocessable', 'PI_NOT_A_PERSON', `the PI ${id} must be a person agent`, { id });
  }
}

export class InvalidFunderIdentifierError extends ValidationFailedError {
  constructor(value: string) {
    super(
      [{ field: 'funderIdentifier', message: `"${value}" is neither a ROR id nor a Crossref Funder ID (10.13039/…)` }],
      'INVALID_FUNDER_IDENTIFIER',
    );
  }
}

export class InvalidDateError extends ValidationFailedError {
  constructor(field: string, message = 'must be a calendar date YYYY-MM-DD') {
    super([{ field, message }], 'INVALID_DATE');
  }
}

export class InvalidGrantPeriodError extends ValidationFailedError {
  constructor(field: string, message: string) {
    super([{ field, message }], 'INVALID_GRANT_PERIOD');
  }
}

export class DuplicateDataTypeError extends ValidationFailedError {
  constructor(types: string[]) {
    super(
      [{ field: 'plannedData', message: `data types must be distinct (case-insensitive): ${types.join(', ')}` }],
      'DUPLICATE_DATA_TYPE',
    );
  }
}

export class DataTypeNotPlannedError extends DomainError {
  constructor(dataType: string, planned: string[]) {
    super('unprocessable', 'DATA_TYPE_NOT_PLANNED', `"${dataType}" is not a data type of the grant's plan`, {
      dataType,
      planned,
    });
  }
}

export class GrantExistsError extends ConflictError {
  constructor(awardNumber: string, existingId: string) {
    super(`this funder already has a grant with award number ${awardNumber}`, 'GRANT_EXISTS', {
      awardNumber,
      existingId,
    });
  }
}

export class OutputsEmptyError extends ValidationFailedError {
  constructor() {
    super([{ field: 'datasets', message: 'give at least one dataset or publication' }], 'OUTPUTS_EMPTY');
  }
}
