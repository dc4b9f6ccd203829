import { DomainError } from '../core/http/problem.js';

export class LedgerEntryNotFoundError extends DomainError {
  constructor(seq: bigint) {
    super('not-found', 'LEDGER_ENTRY_NOT_FOUND', `no ledger entry has seq ${seq}`, { seq: seq.toString() });
  }
}

export class InvalidTreeSizeError extends DomainError {
  constructor(detail: string) {
    super('bad-request', 'INVALID_TREE_SIZE', detail);
  }
}

export class InvalidTreeRangeError extends DomainError {
  constructor(detail: string) {
    super('bad-request', 'INVALID_TREE_RANGE', detail);
  }
}

export class InvalidIndexError extends DomainError {
  constructor(parameter: string, value: string) {
    super('bad-request', 'INVALID_INDEX', `${parameter} must be a decimal integer in [0, 2^64-1], got "${value}"`, {
      parameter,
    });
  }
}

export class NoCheckpointError extends DomainError {
  constructor() {
    super('not-found', 'NO_CHECKPOINT', 'no checkpoint has been signed yet');
  }
}
