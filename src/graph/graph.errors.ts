import { DomainError, NotFoundError } from '../core/http/problem.js';

export class NodeNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('node', id, 'NODE_NOT_FOUND');
  }
}

export class DerivationCycleError extends DomainError {
  constructor(relation: string, nodeIds: string[]) {
    super(
      'unprocessable',
      'DERIVATION_CYCLE',
      `these ${relation} edges would make a cycle through ${nodeIds.join(' -> ')}`,
      {
        relation,
        nodes: nodeIds,
      },
    );
  }
}

export class InvalidEdgeError extends DomainError {
  constructor(detail: string, extensions: Record<string, unknown> = {}) {
    super('unprocessable', 'INVALID_EDGE', detail, extensions);
  }
}
