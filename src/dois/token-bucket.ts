// Client-side throttle for DataCite calls (datacite.md §8, §11): a token bucket sized so that no window of
// `windowMs` ever sees more than `limit` requests, in-process or shared by every worker through Redis.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface RateLimiter {
  /** Resolves when the caller may send one request. */
  acquire(): Promise<void>;
}

export interface RateLimitOptions {
  /** Requests allowed per window. DataCite authenticated: 3000 / 5 min; test system ≤ 750; bulk backfills 300–500. */
  limit?: number;
  windowMs?: number;
  /** Bucket capacity (the largest burst). Defaults to a tenth of the limit. */
  burst?: number;
}

export const DEFAULT_RATE_LIMIT = 3000;
export const DEFAULT_RATE_WINDOW_MS = 300_000;

export interface TokenBucketConfig {
  capacity: number;
  refillPerMs: number;
}

export interface TokenBucketState {
  tokens: number;
  updatedAtMs: number;
}

export interface TakeResult {
  state: TokenBucketState;
  granted: boolean;
  /** When not granted: how long until one token is available. */
  waitMs: number;
}

/**
 * A full bucket can be emptied at once and then refills, so any window W admits at most capacity + rate·W
 * requests. Choosing rate = (limit − burst) / W keeps that at `limit`: the firewall's fixed 5-minute windows
 * (§8) can never see more than the limit from us, however the bursts fall.
 */
export function tokenBucketConfigFor(opts: RateLimitOptions = {}): TokenBucketConfig {
  const limit = opts.limit ?? DEFAULT_RATE_LIMIT;
  const windowMs = opts.windowMs ?? DEFAULT_RATE_WINDOW_MS;
  const burst = opts.burst ?? Math.max(1, Math.floor(limit / 10));
  if (!Number.isInteger(limit) || !Number.isInteger(burst) || burst < 1 || burst >= limit) {
    throw new RangeError(`rate limit needs integers with 1 <= burst < limit (got burst ${burst}, limit ${limit})`);
  }
  if (!(windowMs > 0)) throw new RangeError('rate limit window must be positive');
  return { capacity: burst, refillPerMs: (limit - burst) / windowMs };
}

/** Refill for the time elapsed, then take one token if there is one. A missing state is a full bucket. */
export function takeToken(state: TokenBucketState | undefined, nowMs: number, config: TokenBucketConfig): TakeResult {
  const previous = state ?? { tokens: config.capacity, updatedAtMs: nowMs };
  // A clock that steps backwards must not mint tokens.
  const elapsed = Math.max(0, nowMs - previous.updatedAtMs);
  const tokens = Math.min(config.capacity, previous.tokens + elapsed * config.refillPerMs);
  const updatedAtMs = Math.max(nowMs, previous.updatedAtMs);
  if (tokens >= 1) return { state: { tokens: tokens - 1, updatedAtMs }, granted: true, waitMs: 0 };
  return { state: { tokens, updatedAtMs }, granted: false, waitMs: Math.ceil((1 - tokens) / config.refillPerMs) };
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface InProcessRateLimiterOptions extends RateLimitOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** For a single process (the embedded default without Redis). */
export class TokenBucketRateLimiter implements RateLimiter {
  private state: TokenBucketState | undefined;
  private readonly config: TokenBucketConfig;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(opts: InProcessRateLimiterOptions = {}) {
    this.config = tokenBucketConfigFor(opts);
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? realSleep;
  }

  tryAcquire(): { granted: boolean; waitMs: number } {
    const result = takeToken(this.state, this.now(), this.config);
    this.state = result.state;
    return { granted: result.granted, waitMs: result.waitMs };
  }

  async acquire(): Promise<void> {
    for (;;) {
      const { granted, waitMs } = this.tryAcquire();
      if (granted) return;
      await this.sleep(waitMs);
    }
  }
}

// The same arithmetic as takeToken, atomically inside Redis. Redis's own clock (TIME) is shared by every worker, so
// unsynchronised host clocks cannot over-admit; ARGV[4] overrides it for tests. Tokens are stored as strings because
// Lua numbers returned to Redis are truncated to integers.
const TAKE_TOKEN_LUA = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
local now
if ARGV[4] ~= nil and ARGV[4] ~= '' then
  now = tonumber(ARGV[4])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local data = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(data[1])
local ts = tonumber(data[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
if now > ts then
  tokens = math.min(capacity, tokens + (now - ts) * rate)
  ts = now
end
local granted = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  granted = 1
else
  wait = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'ts', string.format('%.17g', ts))
redis.call('PEXPIRE', KEYS[1], ttl)
return {granted, wait}
`;
const TAKE_TOKEN_SHA = createHash('sha1').update(TAKE_TOKEN_LUA).digest('hex');

export interface RedisRateLimiterOptions extends RateLimitOptions {
  /** Redis key of the shared bucket, e.g. `datacite-rate-limit:{repositoryId}`. */
  key: string;
  /** Only for tests: use this clock instead of Redis TIME. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** One bucket shared by all api and worker processes (DataCite limits per client IP, §8). */
export class RedisTokenBucketRateLimiter implements RateLimiter {
  private readonly config: TokenBucketConfig;
  private readonly ttlMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly redis: Redis,
    private readonly opts: RedisRateLimiterOptions,
  ) {
    this.config = tokenBucketConfigFor(opts);
    // Once the bucket would be full again, a missing key means the same thing: let it expire.
    this.ttlMs = Math.ceil(this.config.capacity / this.config.refillPerMs) + 1_000;
    this.sleep = opts.sleep ?? realSleep;
  }

  async tryAcquire(): Promise<{ granted: boolean; waitMs: number }> {
    const args = [
      String(this.config.capacity),
      String(this.config.refillPerMs),
      String(this.ttlMs),
      this.opts.now ? String(this.opts.now()) : '',
    ];
    let reply: unknown;
    try {
      reply = await this.redis.evalsha(TAKE_TOKEN_SHA, 1, this.opts.key, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      reply = await this.redis.eval(TAKE_TOKEN_LUA, 1, this.opts.key, ...args);
    }
    if (!Array.isArray(reply) || reply.length !== 2)
      throw new Error(`unexpected rate limiter reply: ${JSON.stringify(reply)}`);
    return { granted: Number(reply[0]) === 1, waitMs: Number(reply[1]) };
  }

  async acquire(): Promise<void> {
    for (;;) {
      const { granted, waitMs } = await this.tryAcquire();
      if (granted) return;
      await this.sleep(Math.max(1, waitMs));
    }
  }
}
