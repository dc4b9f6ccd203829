import { DomainError } from '../core/http/problem.js';
import type { JsonLdSafetyError } from '../core/jsonld/safe-expand.js';

/** A document jsonld.js refused or that broke a structural limit, before any graph rule ran. */
export class JsonLdRejectedError extends DomainError {
  constructor(error: JsonLdSafetyError) {
    super(error.code === 'JSONLD_TOO_LARGE' ? 'payload-too-large' : 'unprocessable', error.code, error.detail, {
      node: error.node ?? null,
      property: error.property ?? null,
      ...(error.url === undefined ? {} : { url: error.url }),
    });
  }
}

export interface ProvenanceProblem {
  code: string;
  node: string | null;
  property: string | null;
  message: string;
}

/**
 * A graph that breaks a provenance rule (provenance.md §8) or cannot be stored. The problem code is the first
 * problem's (DERIVATION_CYCLE, PROV_TYPE_CONFLICT, …); `node` and `property` name where it is, `problems` lists all.
 */
export class ProvenanceRejectedError extends DomainError {
  constructor(problems: readonly ProvenanceProblem[]) {
    const first = problems[0];
    const where = [first.node, first.property].filter((part) => part !== null).join(' ');
    super('unprocessable', first.code, where === '' ? first.message : `${where}: ${first.message}`, {
      node: first.node,
      property: first.property,
      problems: problems.map((problem) => ({ ...problem })),
    });
  }
}

export class NotNodeControllerError extends DomainError {
  constructor(nodeId: string, iri: string) {
    super('forbidden', 'NOT_OWNER', `only whoever recorded ${iri} (or a curator) may add relations from it`, {
      node: iri,
      id: nodeId,
    });
  }
}
