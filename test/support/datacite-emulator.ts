// A local stand-in for the DataCite REST API, written from reference/datacite.md, traps included: basic auth (401,
// 404 for anonymous reads of non-findable DOIs), PUT upsert (201/200), events with silent no-ops, unknown keys
// silently dropped, drafts unvalidated but registered/findable validated (422 errors[] {source,title,uid}),
// `registered` null for a while after publish, prefix-only POST minting a random DOI, DELETE of drafts only,
// and programmable faults (429 + Retry-After, HTML 503, 500, hangs, resets) with a log of every request.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { getDataCiteVocabularies } from '../../src/dois/datacite-vocabularies.rules.js';
import type { DataCiteSchemaVersion } from '../../src/dois/datacite-vocabularies.rules.js';

export type EmulatedState = 'draft' | 'registered' | 'findable';

export interface EmulatedDoi {
  doi: string;
  state: EmulatedState;
  attributes: Record<string, unknown>;
  created: string;
  updated: string;
  /** When the background Handle registration "completes"; null while never registered. */
  registeredAt: number | null;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
  /** The basic-auth user, or null without credentials. */
  user: string | null;
  at: number;
  /** Attribute paths the emulator dropped silently, as DataCite would. */
  droppedKeys: string[];
  /** Which injected fault answered, if any. */
  fault: FaultSpec['kind'] | null;
  status: number | null;
}

export type FaultSpec =
  | { kind: 'status'; status: number; body?: string; contentType?: string; headers?: Record<string, string> }
  | { kind: 'rate-limit'; retryAfter: string }
  | { kind: 'html'; status: number; retryAfter?: string }
  /** Never answer; the socket stays open until the client gives up or the emulator closes. */
  | { kind: 'hang' }
  /** Apply the write, then never answer: the client times out on a request that did happen. */
  | { kind: 'hang-after-apply' }
  /** Destroy the connection without a response. */
  | { kind: 'reset' }
  /** Answer normally, after a delay. */
  | { kind: 'delay'; ms: number };

export type FaultMatcher = { method?: string; path?: string | RegExp } | ((request: RecordedRequest) => boolean);

export interface FaultRule {
  fault: FaultSpec;
  /** How many matching requests this rule answers (default 1; Infinity for all). */
  times?: number;
  match?: FaultMatcher;
}

export interface DataCiteEmulatorOptions {
  repositoryId?: string;
  password?: string;
  /** Prefixes assigned to the repository; writes elsewhere get 403. */
  prefixes?: string[];
  /** How long `registered` stays null after a DOI first becomes registered/findable. */
  registeredDelayMs?: number;
  /** Fabrica's allowed domains (exact hosts or `*.example.org`); `*` allows all. */
  allowedDomains?: string[];
  /** Extra attribute paths the server drops although they are valid, e.g. `fundingReferences.schemeUri`. */
  serverDroppedKeys?: string[];
  /** The schema the server validates against (DataCite uses its latest bundled 4.x). */
  schemaVersion?: DataCiteSchemaVersion;
  now?: () => number;
}

export interface DataCiteEmulator {
  url: string;
  repositoryId: string;
  password: string;
  requests: RecordedRequest[];
  dois: Map<string, EmulatedDoi>;
  /** DOIs minted by prefix-only POSTs: a client that never uses them leaves this empty. */
  mintedByPrefixOnly: string[];
  setFaults(rules: FaultRule[]): void;
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  setRegisteredDelay(ms: number): void;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;
type ApiError = { source?: string; status?: string; title: string; uid?: string };

const JSON_API = 'application/vnd.api+json; charset=utf-8';

// REST attribute names the server stores (§4); anything else is logged and dropped.
const KEYS: Record<string, readonly string[]> = {
  root: [
    'doi',
    'prefix',
    'suffix',
    'url',
    'event',
    'schemaVersion',
    'xml',
    'creators',
    'contributors',
    'titles',
    'publisher',
    'publicationYear',
    'types',
    'subjects',
    'dates',
    'identifiers',
    'alternateIdentifiers',
    'relatedIdentifiers',
    'relatedItems',
    'rightsList',
    'descriptions',
    'fundingReferences',
    'geoLocations',
    'language',
    'version',
    'sizes',
    'formats',
  ],
  creators: ['name', 'nameType', 'givenName', 'familyName', 'lang', 'nameIdentifiers', 'affiliation'],
  contributors: [
    'name',
    'nameType',
    'givenName',
    'familyName',
    'lang',
    'nameIdentifiers',
    'affiliation',
    'contributorType',
  ],
  nameIdentifiers: ['nameIdentifier', 'nameIdentifierScheme', 'schemeUri'],
  affiliation: ['name', 'affiliationIdentifier', 'affiliationIdentifierScheme', 'schemeUri'],
  titles: ['title', 'titleType', 'lang'],
  publisher: ['name', 'publisherIdentifier', 'publisherIdentifierScheme', 'schemeUri', 'lang'],
  types: ['resourceTypeGeneral', 'resourceType', 'schemaOrg', 'bibtex', 'citeproc', 'ris'],
  subjects: ['subject', 'subjectScheme', 'schemeUri', 'valueUri', 'classificationCode', 'lang'],
  dates: ['date', 'dateType', 'dateInformation'],
  identifiers: ['identifier', 'identifierType'],
  alternateIdentifiers: ['alternateIdentifier', 'alternateIdentifierType'],
  relatedIdentifiers: [
    'relatedIdentifier',
    'relatedIdentifierType',
    'relationType',
    'resourceTypeGeneral',
    'relatedMetadataScheme',
    'schemeUri',
    'schemeType',
    'relationTypeInformation',
  ],
  rightsList: ['rights', 'rightsUri', 'rightsIdentifier', 'rightsIdentifierScheme', 'schemeUri', 'lang'],
  descriptions: ['description', 'descriptionType', 'lang'],
  fundingReferences: [
    'funderName',
    'funderIdentifier',
    'funderIdentifierType',
    'awardNumber',
    'awardUri',
    'awardTitle',
    'schemeUri',
  ],
};

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function filterObject(
  value: Json,
  allowed: readonly string[],
  path: string,
  dropped: string[],
  serverDropped: readonly string[],
): Json {
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    const dotted = `${path.replace(/\[\d+\]/g, '')}${path ? '.' : ''}${key}`;
    if (!allowed.includes(key) || serverDropped.includes(dotted)) {
      dropped.push(`${path}${path ? '.' : ''}${key}`);
      continue;
    }
    out[key] = v;
  }
  return out;
}

class UnprocessableError extends Error {
  constructor(readonly errors: ApiError[]) {
    super(errors.map((e) => e.title).join('; '));
  }
}

/** The attributes the server keeps from a request body, with the paths it dropped. */
function sanitizeAttributes(
  input: Json,
  doi: string,
  serverDropped: readonly string[],
): { kept: Json; dropped: string[] } {
  const dropped: string[] = [];
  const kept = filterObject(input, KEYS['root'] ?? [], '', dropped, serverDropped);
  const nestedArrays = [
    'titles',
    'subjects',
    'dates',
    'identifiers',
    'alternateIdentifiers',
    'relatedIdentifiers',
    'rightsList',
    'descriptions',
    'fundingReferences',
  ];
  for (const key of nestedArrays) {
    const value = kept[key];
    if (Array.isArray(value)) {
      kept[key] = value.map((item, i) =>
        isRecord(item) ? filterObject(item, KEYS[key] ?? [], `${key}[${i}]`, dropped, serverDropped) : item,
      );
    }
  }
  for (const key of ['creators', 'contributors']) {
    const value = kept[key];
    if (!Array.isArray(value)) continue;
    kept[key] = value.map((item, i) => {
      if (!isRecord(item)) return item;
      const person = filterObject(item, KEYS[key] ?? [], `${key}[${i}]`, dropped, serverDropped);
      const ids = person['nameIdentifiers'];
      if (ids !== undefined && !Array.isArray(ids)) {
        // §4: nameIdentifiers must be an array; an object gives 422.
        throw new UnprocessableError([
          { source: key, title: `DOI ${doi}: nameIdentifiers should be an array of objects`, uid: doi },
        ]);
      }
      if (Array.isArray(ids)) {
        person['nameIdentifiers'] = ids.map((ni, j) =>
          isRecord(ni)
            ? filterObject(
                ni,
                KEYS['nameIdentifiers'] ?? [],
                `${key}[${i}].nameIdentifiers[${j}]`,
                dropped,
                serverDropped,
              )
            : ni,
        );
      }
      const affiliation = person['affiliation'];
      if (Array.isArray(affiliation)) {
        person['affiliation'] = affiliation.map((a, j) =>
          isRecord(a)
            ? filterObject(a, KEYS['affiliation'] ?? [], `${key}[${i}].affiliation[${j}]`, dropped, serverDropped)
            : { name: String(a) },
        );
      }
      return person;
    });
  }
  if (isRecord(kept['publisher']))
    kept['publisher'] = filterObject(kept['publisher'], KEYS['publisher'] ?? [], 'publisher', dropped, serverDropped);
  if (isRecord(kept['types']))
    kept['types'] = filterObject(kept['types'], KEYS['types'] ?? [], 'types', dropped, serverDropped);
  return { kept, dropped };
}

/** Registered/findable records are checked against the kernel-4 schema; the messages imitate XSD errors (§7). */
function validateRecord(doi: string, a: Json, schemaVersion: DataCiteSchemaVersion): ApiError[] {
  const vocab = getDataCiteVocabularies(schemaVersion);
  const errors: ApiError[] = [];
  const ns = '{http://datacite.org/schema/kernel-4}';
  const fail = (source: string, message: string): void => {
    errors.push({ source, title: `DOI ${doi}: ${message} at line 4, column 0`, uid: doi });
  };
  const records = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isRecord) : []);
  const enumFail = (source: string, element: string, attr: string, value: unknown): void => {
    fail(
      source,
      `Element '${ns}${element}', attribute '${attr}': [facet 'enumeration'] The value '${String(value)}' is not an element of the set.`,
    );
  };

  if (typeof a['url'] !== 'string' || a['url'] === '')
    errors.push({ source: 'url', title: "can't be blank", uid: doi });
  const creators = records(a['creators']);
  if (creators.length === 0 || creators.some((c) => typeof c['name'] !== 'string' || c['name'] === '')) {
    fail('creators', `Missing child element(s). Expected is ( ${ns}creator ).`);
  }
  for (const c of creators) {
    for (const ni of records(c['nameIdentifiers'])) {
      if (typeof ni['nameIdentifierScheme'] !== 'string')
        fail(
          'creators',
          `Element '${ns}nameIdentifier': The attribute 'nameIdentifierScheme' is required but missing.`,
        );
    }
    if (c['nameType'] !== undefined && !vocab.nameType.includes(String(c['nameType'])))
      enumFail('creators', 'creatorName', 'nameType', c['nameType']);
  }
  const titles = records(a['titles']);
  if (titles.length === 0 || titles.some((t) => typeof t['title'] !== 'string' || t['title'] === '')) {
    fail('titles', `Missing child element(s). Expected is ( ${ns}title ).`);
  }
  const publisher = a['publisher'];
  const publisherName = isRecord(publisher) ? publisher['name'] : publisher;
  if (typeof publisherName !== 'string' || publisherName === '')
    fail('publisher', `Element '${ns}publisher': [facet 'minLength'] The value has a length of '0'.`);
  if (!/^\d{4}$/.test(String(a['publicationYear'] ?? ''))) {
    fail(
      'publicationYear',
      `Element '${ns}publicationYear': [facet 'pattern'] The value '${String(a['publicationYear'] ?? '')}' is not accepted by the pattern '[\\d]{4}'.`,
    );
  }
  const types = isRecord(a['types']) ? a['types'] : {};
  if (!vocab.resourceTypeGeneral.includes(String(types['resourceTypeGeneral'])))
    enumFail('types', 'resourceType', 'resourceTypeGeneral', types['resourceTypeGeneral']);
  for (const r of records(a['relatedIdentifiers'])) {
    if (!vocab.relationType.includes(String(r['relationType'])))
      enumFail('relatedIdentifiers', 'relatedIdentifier', 'relationType', r['relationType']);
    if (!vocab.relatedIdentifierType.includes(String(r['relatedIdentifierType']))) {
      enumFail('relatedIdentifiers', 'relatedIdentifier', 'relatedIdentifierType', r['relatedIdentifierType']);
    }
  }
  for (const d of records(a['dates'])) {
    if (!vocab.dateType.includes(String(d['dateType']))) enumFail('dates', 'date', 'dateType', d['dateType']);
  }
  for (const d of records(a['descriptions'])) {
    if (!vocab.descriptionType.includes(String(d['descriptionType'])))
      enumFail('descriptions', 'description', 'descriptionType', d['descriptionType']);
  }
  for (const f of records(a['fundingReferences'])) {
    if (typeof f['funderName'] !== 'string' || f['funderName'] === '')
      fail('fundingReferences', `Missing child element(s). Expected is ( ${ns}funderName ).`);
    if (
      f['funderIdentifier'] !== undefined &&
      !vocab.funderIdentifierType.includes(String(f['funderIdentifierType']))
    ) {
      enumFail('fundingReferences', 'funderIdentifier', 'funderIdentifierType', f['funderIdentifierType']);
    }
  }
  return errors;
}

function transition(state: EmulatedState, event: unknown): EmulatedState {
  // Non-raising transitions (§6, server behaviour): an event that does not fit leaves the state unchanged.
  if (event === 'publish' && (state === 'draft' || state === 'registered')) return 'findable';
  if (event === 'register' && state === 'draft') return 'registered';
  if (event === 'hide' && state === 'findable') return 'registered';
  if (event === 'show' && state === 'registered') return 'findable';
  return state;
}

function hostAllowed(url: string, allowed: readonly string[]): boolean {
  if (allowed.includes('*')) return true;
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return allowed.some((pattern) => (pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBasicAuth(header: string | undefined): { user: string; password: string } | null {
  const match = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function matches(rule: FaultRule, request: RecordedRequest): boolean {
  const m = rule.match;
  if (m === undefined) return true;
  if (typeof m === 'function') return m(request);
  if (m.method && m.method.toUpperCase() !== request.method) return false;
  if (m.path instanceof RegExp) return m.path.test(request.path);
  if (typeof m.path === 'string') return request.path === m.path || request.path.startsWith(m.path);
  return true;
}

export async function startDataCiteEmulator(opts: DataCiteEmulatorOptions = {}): Promise<DataCiteEmulator> {
  const repositoryId = opts.repositoryId ?? 'EXAMPLE.LEDGER';
  const password = opts.password ?? 'emulator-secret';
  const prefixes = (opts.prefixes ?? ['10.80123']).map((p) => p.toLowerCase());
  const allowedDomains = opts.allowedDomains ?? ['*'];
  const serverDropped = opts.serverDroppedKeys ?? [];
  const schemaVersion = opts.schemaVersion ?? '4.6';
  const now = opts.now ?? Date.now;
  let registeredDelayMs = opts.registeredDelayMs ?? 0;
  let faults: Array<FaultRule & { remaining: number }> = [];
  const requests: RecordedRequest[] = [];
  const dois = new Map<string, EmulatedDoi>();
  const mintedByPrefixOnly: string[] = [];
  const sockets = new Set<Socket>();

  const send = (
    res: ServerResponse,
    record: RecordedRequest,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void => {
    record.status = status;
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : JSON_API,
      ...headers,
    });
    res.end(text);
  };
  const sendErrors = (
    res: ServerResponse,
    record: RecordedRequest,
    status: number,
    errors: ApiError[],
    headers?: Record<string, string>,
  ): void => {
    send(res, record, status, { errors }, headers);
  };

  const render = (entry: EmulatedDoi, query: Record<string, string>): Json => {
    const attributes: Json = { ...entry.attributes };
    // Without ?publisher=true / ?affiliation=true the server flattens these to strings (§3).
    const publisher = attributes['publisher'];
    if (query['publisher'] !== 'true' && isRecord(publisher)) attributes['publisher'] = publisher['name'];
    if (query['publisher'] === 'true' && typeof publisher === 'string') attributes['publisher'] = { name: publisher };
    if (query['affiliation'] !== 'true') {
      for (const key of ['creators', 'contributors']) {
        const people = attributes[key];
        if (!Array.isArray(people)) continue;
        attributes[key] = people.map((p) =>
          isRecord(p) && Array.isArray(p['affiliation'])
            ? { ...p, affiliation: p['affiliation'].map((a) => (isRecord(a) ? a['name'] : a)) }
            : p,
        );
      }
    }
    const registered =
      entry.registeredAt !== null && now() >= entry.registeredAt ? new Date(entry.registeredAt).toISOString() : null;
    const [prefix, ...rest] = entry.doi.split('/');
    return {
      data: {
        id: entry.doi,
        type: 'dois',
        attributes: {
          ...attributes,
          doi: entry.doi,
          prefix,
          suffix: rest.join('/'),
          state: entry.state,
          registered,
          created: entry.created,
          updated: entry.updated,
        },
        relationships: { client: { data: { id: repositoryId.toLowerCase(), type: 'clients' } } },
      },
    };
  };

  /** Create or update; returns the HTTP status, or throws UnprocessableError. */
  const upsert = (
    doi: string,
    input: Json,
    record: RecordedRequest,
    mustCreate: boolean,
  ): { status: 200 | 201; entry: EmulatedDoi } => {
    const { kept, dropped } = sanitizeAttributes(input, doi, serverDropped);
    record.droppedKeys.push(...dropped);
    const existing = dois.get(doi);
    if (existing && mustCreate)
      throw new UnprocessableError([{ source: 'doi', title: 'This DOI has already been taken', uid: doi }]);
    if (!existing && !/^10\.\d{4,5}\/[-._;()/:a-zA-Z0-9*~$=]+$/.test(doi)) {
      throw new UnprocessableError([{ source: 'doi', title: 'Is invalid', uid: doi }]);
    }
    const event = kept['event'];
    // Control attributes steer the request; they are not stored metadata.
    const stored = Object.fromEntries(
      Object.entries(kept).filter(
        ([key]) => !['event', 'doi', 'prefix', 'suffix', 'schemaVersion', 'xml'].includes(key),
      ),
    );
    // Attributes left out keep their stored values; arrays sent replace the stored ones wholesale (§4).
    const attributes = { ...(existing?.attributes ?? {}), ...stored };
    const fromState = existing?.state ?? 'draft';
    const state = transition(fromState, event);
    const errors: ApiError[] = [];
    if (typeof attributes['url'] === 'string' && !hostAllowed(attributes['url'], allowedDomains)) {
      errors.push({
        source: 'url',
        title: `URL ${attributes['url']} is not allowed by repository ${repositoryId} domain settings.`,
        uid: doi,
      });
    }
    // Drafts are not schema-validated (§5).
    if (state !== 'draft') errors.push(...validateRecord(doi, attributes, schemaVersion));
    if (errors.length > 0) throw new UnprocessableError(errors);
    const stamp = new Date(now()).toISOString();
    const entry: EmulatedDoi = {
      doi,
      state,
      attributes,
      created: existing?.created ?? stamp,
      updated: stamp,
      registeredAt: existing?.registeredAt ?? (state !== 'draft' ? now() + registeredDelayMs : null),
    };
    dois.set(doi, entry);
    return { status: existing ? 200 : 201, entry };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://emulator');
    let json: unknown;
    try {
      json = body ? JSON.parse(body) : undefined;
    } catch {
      json = undefined;
    }
    const auth = parseBasicAuth(req.headers.authorization);
    const record: RecordedRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: decodeURIComponent(url.pathname),
      query: Object.fromEntries(url.searchParams.entries()),
      headers: req.headers,
      body,
      json,
      user: auth?.user ?? null,
      at: now(),
      droppedKeys: [],
      fault: null,
      status: null,
    };
    requests.push(record);

    const rule = faults.find((f) => f.remaining > 0 && matches(f, record));
    let holdResponse = false;
    if (rule) {
      rule.remaining -= 1;
      const fault = rule.fault;
      record.fault = fault.kind;
      switch (fault.kind) {
        case 'status':
          record.status = fault.status;
          res.writeHead(fault.status, { 'Content-Type': fault.contentType ?? JSON_API, ...fault.headers });
          res.end(
            fault.body ?? JSON.stringify({ errors: [{ status: String(fault.status), title: 'Injected failure' }] }),
          );
          return;
        case 'rate-limit':
          record.status = 429;
          res.writeHead(429, { 'Content-Type': 'text/plain', 'Retry-After': fault.retryAfter });
          res.end('Too Many Requests');
          return;
        case 'html':
          record.status = fault.status;
          res.writeHead(fault.status, {
            'Content-Type': 'text/html',
            ...(fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {}),
          });
          res.end(
            `<html><head><title>${fault.status} Service Temporarily Unavailable</title></head><body><center><h1>${fault.status} Service Temporarily Unavailable</h1></center><hr><center>nginx</center></body></html>`,
          );
          return;
        case 'hang':
          return;
        case 'reset':
          req.socket.destroy();
          return;
        case 'delay':
          await new Promise((resolve) => setTimeout(resolve, fault.ms));
          break;
        case 'hang-after-apply':
          holdResponse = true;
          break;
      }
    }
    const out = holdResponse
      ? () => undefined
      : (status: number, payload: unknown, headers?: Record<string, string>) =>
          send(res, record, status, payload, headers);
    const outErrors = holdResponse
      ? () => undefined
      : (status: number, errors: ApiError[], headers?: Record<string, string>) =>
          sendErrors(res, record, status, errors, headers);

    if (record.method === 'GET' && record.path === '/heartbeat') return out(200, 'OK');

    const doiMatch = /^\/dois\/(.+)$/.exec(record.path);
    const isCollection = record.path === '/dois' || record.path === '/dois/';
    if (!doiMatch && !isCollection)
      return outErrors(404, [{ status: '404', title: "The resource you are looking for doesn't exist." }]);

    const authenticated =
      auth !== null && auth.user.toUpperCase() === repositoryId.toUpperCase() && auth.password === password;
    if (auth !== null && !authenticated) return outErrors(401, [{ status: '401', title: 'Bad credentials.' }]);
    const doi = doiMatch?.[1]?.toLowerCase() ?? '';

    if (record.method === 'GET' && doiMatch) {
      const entry = dois.get(doi);
      // Anonymous reads see findable DOIs only; others look absent (§2).
      if (!entry || (!authenticated && entry.state !== 'findable')) {
        return outErrors(404, [{ status: '404', title: "The resource you are looking for doesn't exist." }]);
      }
      return out(200, render(entry, record.query));
    }
    // Unauthenticated writes get 401, not 403 (§7).
    if (!authenticated) return outErrors(401, [{ status: '401', title: 'Bad credentials.' }]);

    if (record.method === 'DELETE' && doiMatch) {
      const entry = dois.get(doi);
      if (!entry) return outErrors(404, [{ status: '404', title: "The resource you are looking for doesn't exist." }]);
      if (entry.state !== 'draft')
        return outErrors(405, [{ status: '405', title: 'Method not allowed' }], { Allow: 'GET, PUT, PATCH' });
      dois.delete(doi);
      record.status = 204;
      if (!holdResponse) {
        res.writeHead(204);
        res.end();
      }
      return;
    }

    if (record.method !== 'PUT' && record.method !== 'POST')
      return outErrors(405, [{ status: '405', title: 'Method not allowed' }]);
    if (!/^application\/(vnd\.api\+)?json/i.test(req.headers['content-type'] ?? '')) {
      return outErrors(406, [{ status: '406', title: 'The content type is not recognized.' }]);
    }
    if (!isRecord(json) || !isRecord(json['data'])) {
      return outErrors(400, [{ status: '400', title: 'You need to provide a payload following the JSONAPI spec' }]);
    }
    const attributes = isRecord(json['data']['attributes']) ? json['data']['attributes'] : {};

    let target = doi;
    if (record.method === 'POST') {
      if (typeof attributes['doi'] === 'string') target = attributes['doi'].toLowerCase();
      else if (typeof attributes['prefix'] === 'string') {
        // The trap of §9.4: the server picks a random name, so a replayed POST mints a second DOI.
        const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
        const bytes = randomBytes(8);
        const suffix = [...bytes].map((b) => alphabet.charAt(b % 32)).join('');
        target = `${attributes['prefix'].toLowerCase()}/${suffix.slice(0, 4)}-${suffix.slice(4)}`;
        mintedByPrefixOnly.push(target);
      } else {
        return outErrors(422, [{ source: 'doi', title: "can't be blank" }]);
      }
    }
    const prefix = target.split('/')[0] ?? '';
    if (!prefixes.includes(prefix))
      return outErrors(403, [{ status: '403', title: 'You are not authorized to access this resource.' }]);

    try {
      const { status, entry } = upsert(target, attributes, record, record.method === 'POST');
      return out(status, render(entry, record.query));
    } catch (error) {
      if (error instanceof UnprocessableError) return outErrors(422, error.errors);
      throw error;
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': JSON_API });
        res.end(
          JSON.stringify({ errors: [{ status: '500', title: error instanceof Error ? error.message : 'error' }] }),
        );
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    repositoryId,
    password,
    requests,
    dois,
    mintedByPrefixOnly,
    setFaults(rules) {
      faults = rules.map((r) => ({ ...r, remaining: r.times ?? 1 }));
    },
    addFault(rule) {
      faults.push({ ...rule, remaining: rule.times ?? 1 });
    },
    clearFaults() {
      faults = [];
    },
    setRegisteredDelay(ms) {
      registeredDelayMs = ms;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
