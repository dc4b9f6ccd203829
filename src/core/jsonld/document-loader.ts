import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import {
  LEDGER_CONTEXT_URL,
  OB_V3P0_CONTEXT_URL,
  PUBLIC_BASE_URL_PLACEHOLDER,
  RO_CRATE_12_CONTEXT_URL,
  VC_V2_CONTEXT_URL,
  ledgerContextUrl,
  ledgerCredentialsContextUrl,
  normalizePublicBaseUrl,
} from './context-urls.js';
import type { DocumentLoader, JsonObject, JsonValue, RemoteDocument } from './jsonld-processor.js';

export const REMOTE_CONTEXT_FORBIDDEN = 'REMOTE_CONTEXT_FORBIDDEN';

/** Thrown (synchronously) by our loaders for every URL outside the shipped table. */
export class RemoteContextForbiddenError extends Error {
  readonly code = REMOTE_CONTEXT_FORBIDDEN;
  constructor(readonly url: string) {
    super(`JSON-LD context not shipped with the service, refusing to fetch it: ${url}`);
    this.name = 'RemoteContextForbiddenError';
  }
}

export function isRemoteContextForbidden(
  error: unknown,
): error is { code: typeof REMOTE_CONTEXT_FORBIDDEN; url: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === REMOTE_CONTEXT_FORBIDDEN &&
    typeof (error as { url?: unknown }).url === 'string'
  );
}

/** Files under contexts/, relative paths. */
export const LEDGER_CONTEXT_FILE = 'ledger/v1.jsonld';
export const RO_CRATE_12_CONTEXT_FILE = 'ro-crate/1.2/context.jsonld';
export const VC_V2_CONTEXT_FILE = 'credentials/v2.jsonld';
export const OB_V3P0_CONTEXT_FILE = 'ob/v3p0/context-3.0.3.json';
export const LEDGER_CREDENTIALS_CONTEXT_FILE = 'ledger/credentials/v1.jsonld';

/** Files holding the public base placeholder (the `ledger:` namespace of this deployment). */
const TEMPLATED_FILES: ReadonlySet<string> = new Set([LEDGER_CONTEXT_FILE, LEDGER_CREDENTIALS_CONTEXT_FILE]);

/**
 * Every URL we answer, with the file behind it. Exact strings only: the same path on another host is remote
 * (provenance.md §10). w3id.org redirects plain http to the same document, so both schemes name it.
 */
function shippedUrlTable(publicBaseUrl: string): ReadonlyArray<readonly [string, string]> {
  return [
    [RO_CRATE_12_CONTEXT_URL, RO_CRATE_12_CONTEXT_FILE],
    ['http://w3id.org/ro/crate/1.2/context', RO_CRATE_12_CONTEXT_FILE],
    [ledgerContextUrl(publicBaseUrl), LEDGER_CONTEXT_FILE],
    [LEDGER_CONTEXT_URL, LEDGER_CONTEXT_FILE],
    [VC_V2_CONTEXT_URL, VC_V2_CONTEXT_FILE],
    [OB_V3P0_CONTEXT_URL, OB_V3P0_CONTEXT_FILE],
    [ledgerCredentialsContextUrl(publicBaseUrl), LEDGER_CREDENTIALS_CONTEXT_FILE],
  ];
}

const fileCache = new Map<string, string>();

function readShippedFile(contextsDir: string, file: string): string {
  const path = resolve(join(contextsDir, file));
  let text = fileCache.get(path);
  if (text === undefined) {
    text = readFileSync(path, 'utf8');
    fileCache.set(path, text);
  }
  return text;
}

/**
 * The ledger context as served for this deployment: the `ledger:` prefix names the deployment's own namespace, so
 * the file holds a placeholder for the public base (contexts/README.md).
 */
export function readLedgerContext(contextsDir: string, publicBaseUrl: string): JsonObject {
  return renderLedgerContext(readShippedFile(contextsDir, LEDGER_CONTEXT_FILE), publicBaseUrl);
}

export function renderLedgerContext(template: string, publicBaseUrl: string): JsonObject {
  if (!template.includes(PUBLIC_BASE_URL_PLACEHOLDER)) {
    throw new Error('ledger context template has no public base placeholder');
  }
  // The normalised base is a URL serialisation (quotes and backslashes percent-encoded), so it is JSON-safe.
  const rendered = template.split(PUBLIC_BASE_URL_PLACEHOLDER).join(normalizePublicBaseUrl(publicBaseUrl));
  return JSON.parse(rendered) as JsonObject;
}

/**
 * A jsonld documentLoader over the shipped contexts. Files are read once (at creation); each call hands out a copy,
 * because jsonld.js rewrites URLs inside fetched contexts in place. Any other URL throws RemoteContextForbiddenError
 * before anything could touch the network. Documents carry no `tag`, so jsonld.js never caches them by URL across
 * calls: two loaders for different public bases cannot see each other's ledger context.
 */
export function createDocumentLoader(contextsDir: string, options: { publicBaseUrl: string }): DocumentLoader {
  const documents = new Map<string, JsonValue>();
  for (const [url, file] of shippedUrlTable(options.publicBaseUrl)) {
    const document = TEMPLATED_FILES.has(file)
      ? renderLedgerContext(readShippedFile(contextsDir, file), options.publicBaseUrl)
      : (JSON.parse(readShippedFile(contextsDir, file)) as JsonValue);
    documents.set(url, document);
  }
  return (url: string): Promise<RemoteDocument> => {
    const document = documents.get(url);
    if (document === undefined) throw new RemoteContextForbiddenError(url);
    return Promise.resolve({ contextUrl: null, document: structuredClone(document), documentUrl: url });
  };
}

/** The URLs a loader for this base answers (for documentation and the contract test). */
export function shippedContextUrls(publicBaseUrl: string): string[] {
  return shippedUrlTable(publicBaseUrl).map(([url]) => url);
}
