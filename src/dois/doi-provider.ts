// Where DOIs are registered: DataCite (the REST client) or a fake that keeps the same state machine without any
// network. The DOI job drives both the same way; only these two calls differ.
import { Redis } from 'ioredis';
import type { AppConfig } from '../core/config/env.schema.js';
import { DataCiteClient } from './datacite.client.js';
import type { DataCiteWriteResult } from './datacite.client.js';
import { applyDataCiteEvent } from './datacite.rules.js';
import type { DataCiteAttributes, DataCiteDoiRecord, RemoteDoiState } from './datacite.rules.js';
import { RedisTokenBucketRateLimiter, TokenBucketRateLimiter } from './token-bucket.js';
import type { RateLimiter } from './token-bucket.js';
import type { DoiProviderName } from './entities/doi-registration.entity.js';

export const DOI_PROVIDER = Symbol('DOI_PROVIDER');

/** What our row says the provider holds: the fake's only store, ignored by DataCite (which is asked instead). */
export interface KnownRemote {
  state: RemoteDoiState | null;
  registered: string | null;
}

export interface DoiProvider {
  readonly name: DoiProviderName;
  /** Authenticated read (with publisher/affiliation flags); null when the provider has no such DOI. */
  get(doi: string, known: KnownRemote): Promise<DataCiteDoiRecord | null>;
  /** `PUT /dois/{doi}` with the full desired record (§9.3): create or update, never a prefix-only POST. */
  put(doi: string, attributes: DataCiteAttributes, known: KnownRemote): Promise<DataCiteWriteResult>;
  close(): Promise<void>;
}

/**
 * No network. Applies DataCite's event rules (§6) to the state our row knows and reports the Handle as registered at
 * once. Records made with it are marked `provider: 'fake'`: they are not registered anywhere.
 */
export class FakeDoiProvider implements DoiProvider {
  readonly name = 'fake' as const;

  constructor(private readonly now: () => Date = () => new Date()) {}

  get(doi: string, known: KnownRemote): Promise<DataCiteDoiRecord | null> {
    if (!known.state) return Promise.resolve(null);
    return Promise.resolve({ doi, state: known.state, registered: known.registered, url: null, attributes: {} });
  }

  put(doi: string, attributes: DataCiteAttributes, known: KnownRemote): Promise<DataCiteWriteResult> {
    const created = known.state === null;
    const state = applyDataCiteEvent(known.state ?? 'draft', attributes.event);
    const registered = known.registered ?? (state === 'draft' ? null : this.now().toISOString());
    const { event: _event, ...stored } = attributes;
    return Promise.resolve({
      status: created ? 201 : 200,
      created,
      record: { doi, state, registered, url: attributes.url, attributes: { ...stored, state, registered } },
      mismatches: [],
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export class DataCiteDoiProvider implements DoiProvider {
  readonly name = 'datacite' as const;

  constructor(
    private readonly client: DataCiteClient,
    private readonly redis: Redis | null,
  ) {}

  get(doi: string): Promise<DataCiteDoiRecord | null> {
    return this.client.getDoi(doi);
  }

  put(doi: string, attributes: DataCiteAttributes): Promise<DataCiteWriteResult> {
    return this.client.putDoi(doi, attributes);
  }

  async close(): Promise<void> {
    if (this.redis) await this.redis.quit().catch(() => undefined);
  }
}

/**
 * DataCite limits per client IP (§8): with REDIS_URL every api and worker process shares one token bucket, else the
 * bucket lives in this process.
 */
function createRateLimiter(config: AppConfig, redis: Redis | null): RateLimiter {
  const limits = { limit: config.DATACITE_RATE_LIMIT, windowMs: config.DATACITE_RATE_WINDOW_SECONDS * 1000 };
  if (!redis) return new TokenBucketRateLimiter(limits);
  return new RedisTokenBucketRateLimiter(redis, {
    ...limits,
    key: `${config.REDIS_QUEUE_PREFIX}-datacite-rate-${config.DATACITE_REPOSITORY_ID ?? 'none'}`,
  });
}

export function createDoiProvider(config: AppConfig): DoiProvider {
  if (config.DOI_PROVIDER === 'fake') return new FakeDoiProvider();
  const redis = config.REDIS_URL ? new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 }) : null;
  const client = new DataCiteClient({
    apiUrl: config.DATACITE_API_URL,
    repositoryId: config.DATACITE_REPOSITORY_ID ?? '',
    password: config.DATACITE_PASSWORD ?? '',
    userAgent: `cell-image-ledger/1.0 (${config.PUBLIC_BASE_URL}; mailto:${config.DATACITE_CONTACT_EMAIL})`,
    // fetch has one deadline for connect + read: DATACITE_TIMEOUT_MS is that whole deadline.
    connectTimeoutMs: 0,
    readTimeoutMs: config.DATACITE_TIMEOUT_MS,
    rateLimiter: createRateLimiter(config, redis),
  });
  return new DataCiteDoiProvider(client, redis);
}
