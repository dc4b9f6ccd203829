import { DomainError } from '../core/http/problem.js';

export class UnauthenticatedError extends DomainError {
  constructor(detail = 'a valid bearer token is required') {
    super('unauthorized', 'UNAUTHENTICATED', detail);
  }
}

export class MissingRoleError extends DomainError {
  constructor(roles: string[]) {
    super('forbidden', 'FORBIDDEN_ROLE', `this route requires one of the roles: ${roles.join(', ')}`, {
      requiredRoles: roles,
    });
  }
}

export class NotOwnerError extends DomainError {
  constructor(what: string) {
    super('forbidden', 'NOT_OWNER', `only the owner of this ${what} or a curator may do this`);
  }
}
