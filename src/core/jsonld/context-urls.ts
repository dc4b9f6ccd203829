/**
 * URLs of the JSON-LD contexts the service ships (contexts/), and the IRIs derived from the public base URL.
 * Pure: no file access, so rules files may import it.
 */

/** RO-Crate 1.2 context, as exports reference it (provenance.md §9: RO-Crate context first). */
export const RO_CRATE_12_CONTEXT_URL = 'https://w3id.org/ro/crate/1.2/context';

/** The RO-Crate 1.2 specification: the descriptor's single `conformsTo` value. */
export const RO_CRATE_12_SPEC_URL = 'https://w3id.org/ro/crate/1.2';

/** Served path of the ledger context; its absolute URL is `ledgerContextUrl(publicBaseUrl)`. */
export const LEDGER_CONTEXT_PATH = '/contexts/ledger/v1.jsonld';

/**
 * Deployment-independent alias of the ledger context v1, for documents built before the public base is known
 * (stored records, fixtures). `.invalid` is reserved never to resolve (RFC 6761 §6.4), so this name can only ever be
 * served by our own document loader; exports use `ledgerContextUrl(publicBaseUrl)` instead.
 */
export const LEDGER_CONTEXT_URL = 'https://cell-image-ledger.invalid/contexts/ledger/v1.jsonld';

/** Placeholder in contexts/ledger/v1.jsonld replaced by the normalised public base URL. */
export const PUBLIC_BASE_URL_PLACEHOLDER = '{{PUBLIC_BASE_URL}}';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * `https://Ledger.Example.org/` → `https://ledger.example.org`. Node IRIs, the context URL and the `ledger:`
 * namespace all hang off this string, so it must be one canonical spelling (provenance.md §2).
 */
export function normalizePublicBaseUrl(publicBaseUrl: string): string {
  let url: URL;
  try {
    url = new URL(publicBaseUrl);
  } catch {
    throw new TypeError(`public base URL is not an absolute URL: ${publicBaseUrl}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`public base URL must be http(s): ${publicBaseUrl}`);
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new TypeError(`public base URL must not carry credentials, a query or a fragment: ${publicBaseUrl}`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export function ledgerContextUrl(publicBaseUrl: string): string {
  return `${normalizePublicBaseUrl(publicBaseUrl)}${LEDGER_CONTEXT_PATH}`;
}

/** W3C Verifiable Credentials Data Model 2.0 base context (shipped as contexts/credentials/v2.jsonld). */
export const VC_V2_CONTEXT_URL = 'https://www.w3.org/ns/credentials/v2';

/** Open Badges 3.0 context, release 3.0.3 (shipped as contexts/ob/v3p0/context-3.0.3.json). */
export const OB_V3P0_CONTEXT_URL = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';

/**
 * Served path of the ledger's credential terms (award kind and year, ledger seqs). Kept apart from the ledger context:
 * its http://schema.org terms would redefine terms the VC 2.0 context protects, which JSON-LD 1.1 forbids.
 */
export const LEDGER_CREDENTIALS_CONTEXT_PATH = '/contexts/ledger/credentials/v1.jsonld';

export function ledgerCredentialsContextUrl(publicBaseUrl: string): string {
  return `${normalizePublicBaseUrl(publicBaseUrl)}${LEDGER_CREDENTIALS_CONTEXT_PATH}`;
}

/** The `ledger:` vocabulary namespace: resolvable on the deployment's own host (provenance.md §4). */
export function ledgerNamespace(publicBaseUrl: string): string {
  return `${normalizePublicBaseUrl(publicBaseUrl)}/ns#`;
}

/** `https://<public-host>/id/<uuid>`: the IRI of a ledger-minted node (provenance.md §2). */
export function ledgerNodeIri(publicBaseUrl: string, uuid: string): string {
  if (!UUID_PATTERN.test(uuid)) throw new TypeError(`not a lowercase UUID: ${uuid}`);
  return `${normalizePublicBaseUrl(publicBaseUrl)}/id/${uuid}`;
}

/** The UUID of a ledger-minted node IRI (fragment ignored), or null when the IRI is not one of ours. */
export function parseLedgerNodeIri(
  publicBaseUrl: string,
  iri: string,
): { uuid: string; fragment: string | null } | null {
  const prefix = `${normalizePublicBaseUrl(publicBaseUrl)}/id/`;
  if (!iri.startsWith(prefix)) return null;
  const rest = iri.slice(prefix.length);
  const hash = rest.indexOf('#');
  const uuid = hash === -1 ? rest : rest.slice(0, hash);
  const fragment = hash === -1 ? null : rest.slice(hash + 1);
  if (!UUID_PATTERN.test(uuid)) return null;
  if (fragment !== null && !/^[A-Za-z0-9._~-]+$/.test(fragment)) return null;
  return { uuid, fragment };
}
