import { Redis } from 'ioredis';

/**
 * REDIS_URL for the run, when Redis answers. `REQUIRE_REDIS=1` (set by .ci/run) turns an unreachable Redis into a
 * failure instead of a fallback to in-process jobs.
 */
export async function redisUrlForTests(required: boolean): Promise<string | undefined> {
  const url =
    process.env.REDIS_URL ?? (required || process.env.REQUIRE_REDIS === '1' ? 'redis://127.0.0.1:6379' : undefined);
  if (!url) return undefined;
  const reachable = await ping(url);
  if (reachable) return url;
  if (required || process.env.REQUIRE_REDIS === '1')
    throw new Error(`Redis at ${url} is required for this test but does not answer`);
  return undefined;
}

export async function ping(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
