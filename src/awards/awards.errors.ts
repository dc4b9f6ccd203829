import { ConflictError, DomainError, ForbiddenError, NotFoundError } from '../core/http/problem.js';
import type { CuratorConflict } from './awards.rules.js';

export class AwardNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('award', id, 'AWARD_NOT_FOUND');
  }
}

export class AwardExistsError extends ConflictError {
  constructor(kind: string, agent: string, year: number, existing: string) {
    super(`a ${kind}-style award for ${year} was already granted to agent ${agent}`, 'AWARD_EXISTS', {
      award: existing,
    });
  }
}

/** Awards follow nominations: the service only issues a credential it can back with evidence. */
export class NotNominatedError extends DomainError {
  constructor(kind: string, agent: string, asOf: string) {
    super('unprocessable', 'NOT_NOMINATED', `agent ${agent} has no ${kind}-style nomination as of ${asOf}`, {
      kind,
      agent,
      asOf,
    });
  }
}

export class CuratorConflictError extends ForbiddenError {
  constructor(reason: CuratorConflict) {
    super(
      reason === 'CURATOR_IS_NOMINEE'
        ? 'a curator cannot grant an award to themselves'
        : 'the curator is a co-author or co-creator in the nomination evidence',
      reason,
    );
  }
}

export class InvalidAsOfError extends DomainError {
  constructor(value: string) {
    super('bad-request', 'INVALID_AS_OF', `asOf ${value} is not a calendar date (YYYY-MM-DD)`, { asOf: value });
  }
}
