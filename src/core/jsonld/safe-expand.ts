import { performance } from 'node:perf_hooks';

import { isRemoteContextForbidden } from './document-loader.js';
import { expandJsonLd, isJsonLdProcessorError } from './jsonld-processor.js';
import type { DocumentLoader, ExpandedDocument, JsonValue, RemoteDocument } from './jsonld-processor.js';

export type JsonLdSafetyCode =
  'JSONLD_TOO_LARGE' | 'JSONLD_TOO_DEEP' | 'JSONLD_TIMEOUT' | 'JSONLD_INVALID' | 'REMOTE_CONTEXT_FORBIDDEN';

export interface JsonLdSafetyError {
  code: JsonLdSafetyCode;
  detail: string;
  /** `@id` the failure is about, when jsonld reported one. */
  node?: string;
  /** Key of the input that failed (e.g. a term no accepted context defines). */
  property?: string;
  /** The refused context URL, for REMOTE_CONTEXT_FORBIDDEN. */
  url?: string;
}

export type ExpandOutcome = { ok: true; expanded: ExpandedDocument } | { ok: false; error: JsonLdSafetyError };

export interface ExpandLimits {
  /** Maximum number of JSON objects in the raw input (every JSON-LD node or value object is one). */
  maxNodes: number;
  /** Maximum nesting of objects and arrays in the raw input; the top-level value is depth 1. */
  maxDepth: number;
  /** Time budget for expansion, context loading included. */
  timeoutMs: number;
}

export const DEFAULT_EXPAND_LIMITS: ExpandLimits = { maxNodes: 5000, maxDepth: 32, timeoutMs: 2000 };

export interface JsonShape {
  objects: number;
  depth: number;
  /** Set when the walk stopped early because a limit was passed. */
  exceeded: 'objects' | 'depth' | null;
  /** Set when the value is not plain JSON (undefined, function, bigint, class instance, shared or cyclic refs). */
  invalid: string | null;
}

/**
 * Counts objects and nesting depth without recursion (a hostile document must not overflow the stack) and stops as
 * soon as a limit is passed, so a 10-million-node body costs no more than the limit.
 */
export function measureJson(value: unknown, limits: { maxNodes: number; maxDepth: number }): JsonShape {
  const shape: JsonShape = { objects: 0, depth: 0, exceeded: null, invalid: null };
  const seen = new Set<object>();
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 1 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop() as { value: unknown; depth: number };
    if (current === null || typeof current === 'string' || typeof current === 'boolean') continue;
    if (typeof current === 'number') {
      if (!Number.isFinite(current)) shape.invalid = 'non-finite number';
      if (shape.invalid !== null) return shape;
      continue;
    }
    if (typeof current !== 'object') {
      shape.invalid = `${typeof current} is not JSON`;
      return shape;
    }
    if (seen.has(current)) {
      shape.invalid = 'the same object appears twice (cyclic or shared reference)';
      return shape;
    }
    seen.add(current);
    shape.depth = Math.max(shape.depth, depth);
    if (depth > limits.maxDepth) {
      shape.exceeded = 'depth';
      return shape;
    }
    if (Array.isArray(current)) {
      for (const item of current) stack.push({ value: item, depth: depth + 1 });
      continue;
    }
    const proto = Object.getPrototypeOf(current) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      shape.invalid = 'not a plain JSON object';
      return shape;
    }
    shape.objects += 1;
    if (shape.objects > limits.maxNodes) {
      shape.exceeded = 'objects';
      return shape;
    }
    for (const item of Object.values(current)) stack.push({ value: item, depth: depth + 1 });
  }
  return shape;
}

/**
 * Expands an untrusted JSON-LD document: structural limits are checked on the raw JSON before jsonld.js sees it,
 * expansion runs in safe mode (unmapped keys, relative IRIs and other lossy cases raise instead of vanishing;
 * provenance.md §10), and the whole call has a time budget.
 *
 * The budget is enforced with Promise.race plus an abort flag the loader observes. jsonld.js runs its CPU-bound work
 * in microtasks, which a timer cannot pre-empt; the structural limits bound that part, and a result that arrives
 * after the budget is still reported as a timeout so the limit is a contract rather than a hint.
 */
export async function expandSafely(
  doc: unknown,
  options: ExpandLimits & { loader: DocumentLoader; base?: string },
): Promise<ExpandOutcome> {
  if (doc === null || typeof doc !== 'object') {
    // A string would be dereferenced by jsonld as a document URL.
    return fail('JSONLD_INVALID', 'a JSON-LD document must be a JSON object or array');
  }
  const shape = measureJson(doc, options);
  if (shape.invalid !== null) return fail('JSONLD_INVALID', shape.invalid);
  if (shape.exceeded === 'objects') {
    return fail('JSONLD_TOO_LARGE', `more than ${options.maxNodes} JSON objects`);
  }
  if (shape.exceeded === 'depth') {
    return fail('JSONLD_TOO_DEEP', `nesting deeper than ${options.maxDepth} levels`);
  }

  const refused: string[] = [];
  let aborted = false;
  const guardedLoader: DocumentLoader = (url: string): Promise<RemoteDocument> => {
    if (aborted) throw new Error(`expansion aborted after ${options.timeoutMs} ms`);
    try {
      return options.loader(url).catch((error: unknown) => {
        if (isRemoteContextForbidden(error)) refused.push(url);
        throw error;
      });
    } catch (error) {
      // Our loaders refuse synchronously; remember the URL because jsonld reports scoped-context failures
      // without the loader's error (provenance.md §10).
      if (isRemoteContextForbidden(error)) refused.push(url);
      throw error;
    }
  };

  type Settled =
    { kind: 'done'; expanded: ExpandedDocument } | { kind: 'failed'; error: unknown } | { kind: 'timeout' };
  const started = performance.now();
  const expansion: Promise<Settled> = expandJsonLd(doc as JsonValue, {
    documentLoader: guardedLoader,
    ...(options.base === undefined ? {} : { base: options.base }),
  }).then(
    (expanded): Settled => ({ kind: 'done', expanded }),
    (error: unknown): Settled => ({ kind: 'failed', error }),
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Settled>((resolveTimeout) => {
    timer = setTimeout(() => resolveTimeout({ kind: 'timeout' }), options.timeoutMs);
  });
  let settled: Settled;
  try {
    settled = await Promise.race([expansion, timeout]);
  } finally {
    clearTimeout(timer);
    aborted = true;
  }

  if (refused.length > 0) {
    return {
      ok: false,
      error: { code: 'REMOTE_CONTEXT_FORBIDDEN', detail: `context not shipped: ${refused[0]}`, url: refused[0] },
    };
  }
  if (settled.kind === 'timeout' || performance.now() - started > options.timeoutMs) {
    return fail('JSONLD_TIMEOUT', `expansion exceeded ${options.timeoutMs} ms`);
  }
  if (settled.kind === 'failed') return { ok: false, error: describeFailure(settled.error) };
  return { ok: true, expanded: settled.expanded };
}

function fail(code: JsonLdSafetyCode, detail: string): ExpandOutcome {
  return { ok: false, error: { code, detail } };
}

function describeFailure(error: unknown): JsonLdSafetyError {
  if (!isJsonLdProcessorError(error)) {
    return { code: 'JSONLD_INVALID', detail: error instanceof Error ? error.message : String(error) };
  }
  const event = error.details?.event;
  if (event?.code === 'invalid property') {
    const property = event.details?.property ?? 'unknown';
    return { code: 'JSONLD_INVALID', detail: `term not defined by any accepted context: ${property}`, property };
  }
  if (event?.code !== undefined) {
    const node = event.details?.id;
    return { code: 'JSONLD_INVALID', detail: `${event.code}`, ...(node === undefined ? {} : { node }) };
  }
  const code = error.details?.code;
  return { code: 'JSONLD_INVALID', detail: code === undefined ? error.message : `${code}: ${error.message}` };
}
