// HTTP client for the DataCite REST API (reference/datacite.md). It only ever writes with PUT /dois/{doi}: a
// prefix-only POST mints a server-random name, and a replay after a timeout would mint a second one (§9.4).
import { z } from 'zod';
import {
  backoffDelayMs,
  buildDataCiteRequestBody,
  classifyDataCiteFailure,
  compareSentWithReturned,
} from './datacite.rules.js';
import type {
  AttributeMismatch,
  BackoffOptions,
  DataCiteAttributes,
  DataCiteDoiRecord,
  DataCiteFailure,
  HeaderLookup,
} from './datacite.rules.js';
import { normalizeDoi } from '../publications/publications.rules.js';
import type { RateLimiter } from './token-bucket.js';

export interface DataCiteClientOptions {
  /** `https://api.datacite.org` or `https://api.test.datacite.org` (plain http only for loopback test servers). */
  apiUrl: string;
  /** Repository account id, e.g. `MEMBER.REPO` (member accounts cannot create DOIs, §2). */
  repositoryId: string;
  password: string;
  /** Names the service and carries a `mailto:` contact (§2, and a higher rate limit, §8). */
  userAgent: string;
  /** fetch has no separate connect phase: connect + read make one deadline for headers and body. */
  connectTimeoutMs: number;
  /** A publish includes a synchronous Handle update; about 60 s (§11). */
  readTimeoutMs: number;
  fetch?: typeof fetch;
  rateLimiter?: RateLimiter;
  /** Clock for HTTP-date Retry-After values. */
  now?: () => number;
}

export class DataCiteError extends Error {
  override readonly name = 'DataCiteError';

  constructor(
    readonly failure: DataCiteFailure,
    readonly method: string,
    readonly doi: string | null,
  ) {
    super(`DataCite ${method}${doi ? ` ${doi}` : ''} failed (${failure.code}): ${failure.reason}`);
  }

  get kind(): DataCiteFailure['kind'] {
    return this.failure.kind;
  }
}

export interface DataCiteWriteResult {
  /** 201 created, 200 updated: both are success (§9.3); see isSuspectedOverwrite for a first attempt's 200. */
  status: 200 | 201;
  created: boolean;
  record: DataCiteDoiRecord;
  /** Facts we sent that did not come back (a silently dropped key, §4, §10.2). Empty when all is well. */
  mismatches: AttributeMismatch[];
}

const doiResponseSchema = z.object({
  data: z.object({
    id: z.string(),
    type: z.literal('dois'),
    attributes: z.looseObject({
      doi: z.string(),
      state: z.enum(['draft', 'registered', 'findable']),
      url: z.string().nullable().optional(),
      registered: z.string().nullable().optional(),
    }),
  }),
});

const JSON_API = 'application/vnd.api+json';
// The flags make publisher and affiliations come back as objects with their identifiers, on reads and writes (§3).
const RECORD_FLAGS = 'publisher=true&affiliation=true';

function toHeaderLookup(headers: Headers): HeaderLookup {
  return Object.fromEntries(headers.entries());
}

function encodeDoiPath(doi: string): string {
  return doi.split('/').map(encodeURIComponent).join('/');
}

interface RawResponse {
  status: number;
  headers: HeaderLookup;
  body: string;
}

export class DataCiteClient {
  private readonly apiUrl: string;
  private readonly authorization: string;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly options: DataCiteClientOptions) {
    const url = new URL(options.apiUrl);
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
      throw new RangeError('DataCite apiUrl must use https');
    }
    if (!/mailto:\S+@\S+/.test(options.userAgent)) {
      throw new RangeError('DataCite User-Agent must carry a mailto: contact (datacite.md §2)');
    }
    if (!options.repositoryId || !options.password)
      throw new RangeError('DataCite repository id and password are required');
    this.apiUrl = url.toString().replace(/\/+$/, '');
    this.authorization = `Basic ${Buffer.from(`${options.repositoryId}:${options.password}`).toString('base64')}`;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? Date.now;
  }

  /** Authenticated read (anonymous reads see findable DOIs only, §2). Null when DataCite answers 404. */
  async getDoi(doi: string): Promise<DataCiteDoiRecord | null> {
    const name = this.requireDoi(doi);
    const response = await this.send('GET', `/dois/${encodeDoiPath(name)}?${RECORD_FLAGS}`, name);
    if (response.status === 404) return null;
    if (response.status !== 200) throw this.failure('GET', name, response);
    return this.parseRecord('GET', name, response);
  }

  /**
   * Create or update with the full desired state (§9.3). `attributes.event` moves the state; check the result with
   * checkPostCondition. Mismatches between what was sent and what came back are reported, not thrown.
   */
  async putDoi(doi: string, attributes: DataCiteAttributes): Promise<DataCiteWriteResult> {
    const name = this.requireDoi(doi);
    if (attributes.doi !== undefined && normalizeDoi(attributes.doi) !== name) {
      throw new RangeError(`attributes.doi ${attributes.doi} does not match the DOI being written (${name})`);
    }
    const body = JSON.stringify(buildDataCiteRequestBody(name, attributes));
    const response = await this.send('PUT', `/dois/${encodeDoiPath(name)}?${RECORD_FLAGS}`, name, body);
    if (response.status !== 200 && response.status !== 201) throw this.failure('PUT', name, response);
    const record = this.parseRecord('PUT', name, response);
    const mismatches = compareSentWithReturned(attributes, { ...record.attributes, url: record.url ?? undefined });
    if (normalizeDoi(record.doi) !== name) mismatches.unshift({ field: 'doi', expected: name, actual: [record.doi] });
    return { status: response.status, created: response.status === 201, record, mismatches };
  }

  /** Deletes a draft (204). Registered and findable DOIs answer 405 and can only be hidden (§6, §12). */
  async deleteDraftDoi(doi: string): Promise<void> {
    const name = this.requireDoi(doi);
    const response = await this.send('DELETE', `/dois/${encodeDoiPath(name)}`, name);
    if (response.status !== 204 && response.status !== 200) throw this.failure('DELETE', name, response);
  }

  /** `GET /heartbeat`: probe before closing a circuit breaker (§11). Never throws. */
  async heartbeat(): Promise<boolean> {
    try {
      const response = await this.send('GET', '/heartbeat', null);
      return response.status === 200;
    } catch {
      return false;
    }
  }

  private requireDoi(doi: string): string {
    const name = normalizeDoi(doi);
    if (!name) throw new RangeError(`not a DOI: ${doi}`);
    return name;
  }

  private async send(method: string, path: string, doi: string | null, body?: string): Promise<RawResponse> {
    await this.options.rateLimiter?.acquire();
    const signal = AbortSignal.timeout(this.options.connectTimeoutMs + this.options.readTimeoutMs);
    const headers: Record<string, string> = {
      Accept: JSON_API,
      Authorization: this.authorization,
      'User-Agent': this.options.userAgent,
    };
    if (body !== undefined) headers['Content-Type'] = JSON_API;
    try {
      // redirect: 'manual' so a wrong host (http→https, moved API) surfaces instead of being followed without auth.
      const response = await this.fetchImpl(`${this.apiUrl}${path}`, {
        method,
        headers,
        body,
        signal,
        redirect: 'manual',
      });
      const text = await response.text();
      return { status: response.status, headers: toHeaderLookup(response.headers), body: text };
    } catch (error) {
      const detail =
        error instanceof Error
          ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}`
          : String(error);
      const kind = signal.aborted ? 'timeout' : 'network';
      throw new DataCiteError(classifyDataCiteFailure(kind, {}, '', { method, detail }), method, doi);
    }
  }

  private failure(method: string, doi: string, response: RawResponse): DataCiteError {
    return new DataCiteError(
      classifyDataCiteFailure(response.status, response.headers, response.body, { method, nowMs: this.now() }),
      method,
      doi,
    );
  }

  private parseRecord(method: string, doi: string, response: RawResponse): DataCiteDoiRecord {
    let json: unknown;
    try {
      json = JSON.parse(response.body);
    } catch {
      json = undefined;
    }
    const parsed = doiResponseSchema.safeParse(json);
    if (!parsed.success) throw this.failure(method, doi, response);
    const attributes = parsed.data.data.attributes;
    return {
      doi: attributes.doi,
      state: attributes.state,
      registered: attributes.registered ?? null,
      url: attributes.url ?? null,
      attributes,
    };
  }
}

export interface RetryOptions {
  /** Total attempts, the first included. */
  maxAttempts: number;
  rng: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Longer waits are left to the job queue: the error is rethrown instead of sleeping in-process. */
  maxDelayMs?: number;
  backoff?: BackoffOptions;
  onRetry?: (error: DataCiteError, delayMs: number, attempt: number) => void;
}

/**
 * Re-runs a DataCite call on retryable failures with backoff and Retry-After (§11), for short hiccups inside one job
 * run. Safe for putDoi because every PUT carries the full desired state (§9.3).
 */
export async function withDataCiteRetries<T>(operation: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!(error instanceof DataCiteError) || error.kind !== 'retry') throw error;
      const allowed = Math.min(
        opts.maxAttempts,
        error.failure.maxRetries === undefined ? Infinity : error.failure.maxRetries + 1,
      );
      if (attempt >= allowed) throw error;
      const delayMs = backoffDelayMs(attempt - 1, opts.rng, error.failure.retryAfterMs, opts.backoff);
      if (opts.maxDelayMs !== undefined && delayMs > opts.maxDelayMs) throw error;
      opts.onRetry?.(error, delayMs, attempt);
      await sleep(delayMs);
    }
  }
}
