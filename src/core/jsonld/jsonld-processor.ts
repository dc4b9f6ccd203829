import jsonld from 'jsonld';

/**
 * Narrow, typed view of the parts of jsonld.js 9.x this service uses. `@types/jsonld` describes an older API (no
 * `safe`, no `canonizeOptions`, canonize options at top level), so we declare what 9.x actually accepts
 * (node_modules/jsonld/lib/jsonld.js) and cast once here.
 */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface RemoteDocument {
  contextUrl: string | null;
  document: JsonValue;
  documentUrl: string;
}

/** A jsonld documentLoader. Ours throw synchronously for refused URLs (see document-loader.ts). */
export type DocumentLoader = (url: string) => Promise<RemoteDocument>;

/** Expanded JSON-LD: an array of node objects with absolute IRIs as keys. */
export type ExpandedDocument = JsonObject[];

interface ProcessingOptions {
  documentLoader: DocumentLoader;
  base?: string | null;
  safe?: boolean;
}

interface CanonizeOptions {
  algorithm: 'RDFC-1.0';
  format: 'application/n-quads';
  maxWorkFactor: number;
  signal?: AbortSignal;
}

interface JsonLdApi {
  documentLoader: DocumentLoader;
  expand(input: JsonValue, options: ProcessingOptions): Promise<ExpandedDocument>;
  toRDF(input: JsonValue, options: ProcessingOptions & { format: 'application/n-quads' }): Promise<string>;
  canonize(
    input: JsonValue,
    options: ProcessingOptions & { format: 'application/n-quads'; canonizeOptions: CanonizeOptions },
  ): Promise<string>;
}

const api = jsonld as unknown as JsonLdApi;

/**
 * The package installs a network-capable default loader on Node. Every call below passes its own loader, but a call
 * that forgot would otherwise fetch: replace the default with one that refuses everything (provenance.md §10).
 */
api.documentLoader = (url: string): Promise<RemoteDocument> => {
  throw Object.assign(new Error(`no document loader given for ${url}`), { code: 'REMOTE_CONTEXT_FORBIDDEN', url });
};

/** The error jsonld.js throws; `details` carries the JSON-LD error code and, for loader failures, `cause`. */
export interface JsonLdProcessorError {
  name: string;
  message: string;
  details?: {
    code?: string;
    url?: string;
    cause?: unknown;
    event?: { code?: string; details?: { property?: string; id?: string; expandedProperty?: string | null } };
  };
}

export function isJsonLdProcessorError(error: unknown): error is JsonLdProcessorError {
  return error instanceof Error && error.name.startsWith('jsonld.');
}

export function expandJsonLd(
  input: JsonValue,
  options: { documentLoader: DocumentLoader; base?: string },
): Promise<ExpandedDocument> {
  // An absent base must stay absent: jsonld treats `base: undefined` differently from no key.
  const base = options.base === undefined ? {} : { base: options.base };
  return api.expand(input, { documentLoader: options.documentLoader, safe: true, ...base });
}

export function toNQuadsString(
  input: JsonValue,
  options: { documentLoader: DocumentLoader; base: string },
): Promise<string> {
  return api.toRDF(input, {
    documentLoader: options.documentLoader,
    base: options.base,
    safe: true,
    format: 'application/n-quads',
  });
}

/**
 * RDFC-1.0 canonical N-Quads. In jsonld 9 the algorithm, work factor and signal go under `canonizeOptions`; at top
 * level they are silently ignored (verified in node_modules/jsonld/lib/jsonld.js `canonize`).
 */
export function canonizeJsonLd(
  input: JsonValue,
  options: { documentLoader: DocumentLoader; base: string; timeoutMs?: number },
): Promise<string> {
  return api.canonize(input, {
    documentLoader: options.documentLoader,
    base: options.base,
    safe: true,
    format: 'application/n-quads',
    canonizeOptions: {
      algorithm: 'RDFC-1.0',
      format: 'application/n-quads',
      maxWorkFactor: 1,
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    },
  });
}
