import { ConflictError, DomainError, NotFoundError, ValidationFailedError } from '../core/http/problem.js';

export class AgentNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('agent', id, 'AGENT_NOT_FOUND');
  }
}

export class InvalidOrcidError extends ValidationFailedError {
  constructor(value: string) {
    super([{ field: 'orcid', message: `"${value}" is not a valid ORCID iD (syntax or checksum)` }], 'INVALID_ORCID');
  }
}

export class InvalidRorError extends ValidationFailedError {
  constructor(value: string) {
    super(
      [{ field: 'ror', message: `"${value}" is not a valid ROR id (https://ror.org/0xxxxxxxx, checksum)` }],
      'INVALID_ROR',
    );
  }
}

export class AgentFieldMismatchError extends ValidationFailedError {
  constructor(field: string, message: string) {
    super([{ field, message }], 'AGENT_FIELD_MISMATCH');
  }
}

export class DuplicateAgentError extends ConflictError {
  constructor(field: 'orcid' | 'ror', value: string, existingId: string) {
    super(`an agent with this ${field} already exists`, 'AGENT_ALREADY_EXISTS', { field, value, existingId });
  }
}

export class UnknownAffiliationError extends DomainError {
  constructor(ids: string[]) {
    super(
      'unprocessable',
      'UNKNOWN_AFFILIATION',
      `affiliations must be existing organization agents: ${ids.join(', ')}`,
      {
        ids,
      },
    );
  }
}
