import { NotFoundError } from '../core/http/problem.js';

export class GrantNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('grant', id, 'GRANT_NOT_FOUND');
  }
}
