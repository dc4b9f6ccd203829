import { takeToken, tokenBucketConfigFor, TokenBucketRateLimiter } from './token-bucket.js';
import type { TokenBucketState } from './token-bucket.js';

describe('tokenBucketConfigFor', () => {
  it.each([
    // limit, window, burst -> capacity, refill per ms
    [{}, 300, 0.009], // defaults: 3000 / 300 s, burst 300, (3000 − 300) / 300 000 ms
    [{ limit: 750 }, 75, 0.00225],
    [{ limit: 500, windowMs: 300_000, burst: 50 }, 50, 0.0015],
    [{ limit: 10, windowMs: 1_000, burst: 2 }, 2, 0.008],
  ])('%j -> capacity %i, %f tokens/ms', (opts, capacity, rate) => {
    const config = tokenBucketConfigFor(opts);
    expect(config.capacity).toBe(capacity);
    expect(config.refillPerMs).toBeCloseTo(rate, 12);
  });

  it.each([{ limit: 10, burst: 10 }, { limit: 10, burst: 0 }, { limit: 2.5 }, { windowMs: 0 }])(
    'rejects %j',
    (opts) => {
      expect(() => tokenBucketConfigFor(opts)).toThrow(RangeError);
    },
  );
});

describe('takeToken', () => {
  const config = { capacity: 2, refillPerMs: 0.01 }; // one token per 100 ms

  it('starts full, drains, then tells how long to wait', () => {
    let state: TokenBucketState | undefined;
    const results: Array<[boolean, number]> = [];
    for (let i = 0; i < 3; i++) {
      const r = takeToken(state, 1_000, config);
      state = r.state;
      results.push([r.granted, r.waitMs]);
    }
    expect(results).toEqual([
      [true, 0],
      [true, 0],
      [false, 100],
    ]);
  });

  it.each([
    // tokens, last update, now -> granted, tokens left, wait
    [0, 1_000, 1_050, false, 0.5, 50],
    [0, 1_000, 1_100, true, 0, 0],
    [0.5, 1_000, 1_000, false, 0.5, 50],
    [1.5, 1_000, 1_000, true, 0.5, 0],
    [0, 1_000, 10_000, true, 1, 0], // refill is capped at capacity (2), then one is taken
    [1, 1_000, 500, true, 0, 0], // a clock step backwards adds nothing
  ])('tokens %f at %i, now %i -> granted %s, left %f, wait %i', (tokens, updatedAtMs, now, granted, left, wait) => {
    const r = takeToken({ tokens, updatedAtMs }, now, config);
    expect(r.granted).toBe(granted);
    expect(r.state.tokens).toBeCloseTo(left, 9);
    expect(r.waitMs).toBe(wait);
    expect(r.state.updatedAtMs).toBe(Math.max(now, updatedAtMs));
  });

  it('never admits more than the limit in any sliding window, for a greedy client', () => {
    const limit = 300;
    const windowMs = 30_000;
    const cfg = tokenBucketConfigFor({ limit, windowMs, burst: 40 });
    let state: TokenBucketState | undefined;
    const grants: number[] = [];
    for (let now = 0; now < 5 * windowMs; now += 7) {
      for (;;) {
        const r = takeToken(state, now, cfg);
        state = r.state;
        if (!r.granted) break;
        grants.push(now);
      }
    }
    let maxInWindow = 0;
    for (let lo = 0, hi = 0; hi < grants.length; hi++) {
      while ((grants[hi] ?? 0) - (grants[lo] ?? 0) >= windowMs) lo++;
      maxInWindow = Math.max(maxInWindow, hi - lo + 1);
    }
    expect(maxInWindow).toBeLessThanOrEqual(limit);
    // …and it is not needlessly slow: a greedy client gets close to the limit.
    expect(maxInWindow).toBeGreaterThanOrEqual(limit - 2);
  });
});

describe('TokenBucketRateLimiter', () => {
  it('sleeps for exactly the refill time when the bucket is empty', async () => {
    let now = 0;
    const sleeps: number[] = [];
    const limiter = new TokenBucketRateLimiter({
      limit: 11,
      windowMs: 1_000,
      burst: 1,
      now: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
    });
    for (let i = 0; i < 4; i++) await limiter.acquire();
    // burst 1, then (11 − 1) tokens per 1000 ms = one per 100 ms.
    expect(sleeps).toEqual([100, 100, 100]);
    expect(now).toBe(300);
  });
});
