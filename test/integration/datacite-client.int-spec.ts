import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { DataCiteClient, DataCiteError, withDataCiteRetries } from '../../src/dois/datacite.client.js';
import type { DataCiteClientOptions } from '../../src/dois/datacite.client.js';
import {
  buildDataCiteAttributes,
  checkPostCondition,
  compareSentWithReturned,
  localStateAfterPostCondition,
  nextDoiAction,
  validateForPublish,
} from '../../src/dois/datacite.rules.js';
import type { DataCiteAttributes, DataCiteEvent } from '../../src/dois/datacite.rules.js';
import {
  RedisTokenBucketRateLimiter,
  takeToken,
  tokenBucketConfigFor,
  TokenBucketRateLimiter,
} from '../../src/dois/token-bucket.js';
import type { TokenBucketState } from '../../src/dois/token-bucket.js';
import { startDataCiteEmulator } from '../support/datacite-emulator.js';
import { ping, redisUrlForTests } from '../support/redis.js';
import type { DataCiteEmulator, DataCiteEmulatorOptions } from '../support/datacite-emulator.js';
import { imageDatasetInput, withdrawnDatasetInput } from '../fixtures/datacite/dataset-inputs.js';

const USER_AGENT = 'cell-image-ledger-tests/1.0 (https://ledger.example.org; mailto:ops@example.org)';
const DOI = imageDatasetInput.doi;

const attributesFor = (event?: DataCiteEvent): DataCiteAttributes =>
  buildDataCiteAttributes(imageDatasetInput, { schemaVersion: '4.6', event });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function captureError(promise: Promise<unknown>): Promise<DataCiteError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DataCiteError) return error;
    throw error;
  }
  throw new Error('expected a DataCiteError, but the call succeeded');
}

describe('DataCiteClient against the DataCite emulator', () => {
  let emulator: DataCiteEmulator;
  let client: DataCiteClient;

  const makeClient = (overrides: Partial<DataCiteClientOptions> = {}): DataCiteClient =>
    new DataCiteClient({
      apiUrl: emulator.url,
      repositoryId: emulator.repositoryId,
      password: emulator.password,
      userAgent: USER_AGENT,
      connectTimeoutMs: 1_000,
      readTimeoutMs: 2_000,
      ...overrides,
    });

  const start = async (opts: DataCiteEmulatorOptions = {}): Promise<void> => {
    await emulator?.close();
    emulator = await startDataCiteEmulator(opts);
    client = makeClient();
  };

  beforeEach(async () => {
    emulator = await startDataCiteEmulator();
    client = makeClient();
  });

  afterEach(async () => {
    // §9.4: no code path may ever POST, least of all with only a prefix.
    expect(emulator.requests.filter((r) => r.method === 'POST')).toEqual([]);
    expect(emulator.mintedByPrefixOnly).toEqual([]);
    await emulator.close();
  });

  it('creates a draft with PUT /dois/{doi} (201), and a replay updates it (200)', async () => {
    const attrs = attributesFor();
    const first = await client.putDoi(DOI, attrs);
    expect({
      status: first.status,
      created: first.created,
      state: first.record.state,
      registered: first.record.registered,
    }).toEqual({
      status: 201,
      created: true,
      state: 'draft',
      registered: null,
    });
    expect(first.mismatches).toEqual([]);
    expect(checkPostCondition({ state: 'draft', sent: attrs }, first.record)).toEqual({ outcome: 'ok' });

    const second = await client.putDoi(DOI, attrs);
    expect([second.status, second.created]).toEqual([200, false]);
    expect(emulator.dois.size).toBe(1);

    const [request] = emulator.requests;
    expect(request?.method).toBe('PUT');
    expect(request?.path).toBe(`/dois/${DOI}`);
    expect(request?.query).toEqual({ publisher: 'true', affiliation: 'true' });
    expect(request?.headers['content-type']).toBe('application/vnd.api+json');
    expect(request?.headers['user-agent']).toBe(USER_AGENT);
    expect(request?.headers['authorization']).toBe(
      `Basic ${Buffer.from(`${emulator.repositoryId}:${emulator.password}`).toString('base64')}`,
    );
    expect(request?.json).toEqual({ data: { id: DOI, type: 'dois', attributes: attrs } });
    expect(request?.droppedKeys).toEqual([]);
  });

  it('publishes; the DOI is findable but not live until registered is set, then passes the post-condition', async () => {
    emulator.setRegisteredDelay(400);
    await client.putDoi(DOI, attributesFor());
    const action = nextDoiAction('draft', 'findable', { kind: 'not-checked' });
    expect(action).toEqual({ kind: 'put', event: 'publish', expectState: 'findable' });

    const sent = attributesFor(action.kind === 'put' ? action.event : undefined);
    const published = await client.putDoi(DOI, sent);
    expect(published.record.state).toBe('findable');
    expect(published.record.registered).toBeNull();
    const immediately = checkPostCondition({ state: 'findable', sent }, published.record);
    expect(immediately.outcome).toBe('not-live');
    expect(localStateAfterPostCondition('findable', immediately)).toBe('pending');

    let record = await client.getDoi(DOI);
    for (let i = 0; i < 30 && record?.registered === null; i++) {
      await sleep(50);
      record = await client.getDoi(DOI);
    }
    expect(record?.registered).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/));
    expect(record && checkPostCondition({ state: 'findable', sent }, record)).toEqual({ outcome: 'ok' });
  });

  it('does not validate drafts, but a publish with invalid metadata is a permanent 422 with errors[] source/title', async () => {
    const invalid = {
      ...attributesFor(),
      titles: [],
      types: { resourceTypeGeneral: 'dataset', resourceType: 'Microscopy image set' },
    };
    // Our own check would have refused to send it.
    expect(validateForPublish(invalid).map((i) => i.field)).toEqual(['titles', 'types.resourceTypeGeneral']);

    const draft = await client.putDoi(DOI, invalid);
    expect(draft.record.state).toBe('draft');

    const error = await captureError(client.putDoi(DOI, { ...invalid, event: 'publish' }));
    expect(error.failure).toMatchObject({ kind: 'permanent', code: 'VALIDATION', status: 422 });
    expect(error.failure.errors.map((e) => e.source)).toEqual(['titles', 'types']);
    expect(error.failure.errors[1]?.title).toContain("The value 'dataset' is not an element of the set");
    expect(emulator.dois.get(DOI)?.state).toBe('draft');
  });

  it('maps 401 Bad credentials to an auth failure, on writes and reads', async () => {
    const wrong = makeClient({ password: 'not-the-password' });
    const write = await captureError(wrong.putDoi(DOI, attributesFor()));
    expect(write.failure).toMatchObject({
      kind: 'auth',
      code: 'BAD_CREDENTIALS',
      status: 401,
      errors: [{ source: null, title: 'Bad credentials.' }],
    });
    const read = await captureError(wrong.getDoi(DOI));
    expect(read.kind).toBe('auth');
    expect(emulator.dois.size).toBe(0);
  });

  it('maps a prefix the repository does not own to an auth failure (403)', async () => {
    const error = await captureError(
      client.putDoi('10.99999/04hm-asw9-09', { ...attributesFor(), doi: '10.99999/04hm-asw9-09' }),
    );
    expect(error.failure).toMatchObject({ kind: 'auth', code: 'FORBIDDEN', status: 403 });
  });

  it('honours Retry-After on 429', async () => {
    emulator.setFaults([{ fault: { kind: 'rate-limit', retryAfter: '1' }, match: { method: 'PUT' } }]);
    const error = await captureError(client.putDoi(DOI, attributesFor()));
    expect(error.failure).toMatchObject({ kind: 'retry', code: 'RATE_LIMITED', status: 429, retryAfterMs: 1_000 });

    emulator.requests.length = 0;
    emulator.setFaults([{ fault: { kind: 'rate-limit', retryAfter: '1' }, match: { method: 'PUT' } }]);
    const delays: number[] = [];
    // rng 0: the jitter alone would retry at once, so any wait comes from Retry-After.
    const result = await withDataCiteRetries(() => client.putDoi(DOI, attributesFor()), {
      maxAttempts: 3,
      rng: () => 0,
      onRetry: (_error, delayMs) => delays.push(delayMs),
    });
    expect(result.status).toBe(201);
    expect(delays).toEqual([1_000]);
    const [first, second] = emulator.requests;
    expect([first?.status, second?.status]).toEqual([429, 201]);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(990);
  });

  it('classifies a 503 with an HTML body as retryable, keeping status and an excerpt', async () => {
    emulator.setFaults([{ fault: { kind: 'html', status: 503 } }]);
    const error = await captureError(client.putDoi(DOI, attributesFor()));
    expect(error.failure).toMatchObject({ kind: 'retry', code: 'SERVER_ERROR', status: 503, errors: [] });
    expect(error.failure.reason).toBe(
      'HTTP 503 text/html: 503 Service Temporarily Unavailable 503 Service Temporarily Unavailable nginx',
    );
  });

  it('classifies a JSON 500 as retryable', async () => {
    emulator.setFaults([{ fault: { kind: 'status', status: 500 } }]);
    const error = await captureError(client.getDoi(DOI));
    expect(error.failure).toMatchObject({ kind: 'retry', code: 'SERVER_ERROR', status: 500 });
  });

  it('classifies a dropped connection as a retryable network failure', async () => {
    emulator.setFaults([{ fault: { kind: 'reset' } }]);
    const error = await captureError(client.getDoi(DOI));
    expect(error.failure).toMatchObject({ kind: 'retry', code: 'NETWORK', status: null });
  });

  it('times out on a hanging server and classifies it as retryable', async () => {
    const impatient = makeClient({ connectTimeoutMs: 100, readTimeoutMs: 200 });
    emulator.setFaults([{ fault: { kind: 'hang' } }]);
    const startedAt = Date.now();
    const error = await captureError(impatient.putDoi(DOI, attributesFor()));
    const elapsed = Date.now() - startedAt;
    expect(error.failure).toMatchObject({ kind: 'retry', code: 'TIMEOUT', status: null });
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('replays a PUT that timed out after the server applied it: one DOI, updated not duplicated', async () => {
    const impatient = makeClient({ connectTimeoutMs: 100, readTimeoutMs: 200 });
    emulator.setFaults([{ fault: { kind: 'hang-after-apply' } }]);
    const error = await captureError(impatient.putDoi(DOI, attributesFor('publish')));
    expect(error.failure.code).toBe('TIMEOUT');
    expect(emulator.dois.get(DOI)?.state).toBe('findable');

    const replay = await impatient.putDoi(DOI, attributesFor('publish'));
    expect([replay.status, replay.record.state, emulator.dois.size]).toEqual([200, 'findable', 1]);
  });

  it('detects an attribute key the server dropped silently (wrong spelling)', async () => {
    const attrs = attributesFor();
    const [firstCreator, ...others] = attrs.creators;
    // A caller that spelled the key in the plural, as the schema docs might suggest.
    const misspelled = {
      ...attrs,
      creators: [
        {
          name: firstCreator?.name,
          nameType: firstCreator?.nameType,
          nameIdentifiers: firstCreator?.nameIdentifiers,
          affiliations: firstCreator?.affiliation,
        },
        ...others,
      ],
    };
    expect(validateForPublish(misspelled).map((i) => i.field)).toEqual(['creators[0].affiliations']);
    const sent = {
      ...misspelled,
      creators: [{ ...misspelled.creators[0], affiliation: firstCreator?.affiliation }, ...others],
    };
    // Send the misspelled record but compare with what we meant to send.
    const result = await client.putDoi(DOI, misspelled as unknown as DataCiteAttributes);
    expect(emulator.requests[0]?.droppedKeys).toEqual(['creators[0].affiliations']);
    expect(compareSentWithReturned(sent, result.record.attributes).map((m) => m.field)).toEqual([
      'creators[0].affiliation',
    ]);
  });

  it('reports a valid key the server does not store as a mismatch (as with fundingReferences.schemeUri)', async () => {
    await start({ serverDroppedKeys: ['publisher.schemeUri'] });
    const attrs = attributesFor('publish');
    const result = await client.putDoi(DOI, attrs);
    expect(result.mismatches).toEqual([
      {
        field: 'publisher.publisherIdentifier',
        expected: 'https://ror.org/02catss52 | ror | https://ror.org',
        actual: ['https://ror.org/02catss52 | ror | '],
      },
    ]);
    expect(checkPostCondition({ state: 'findable', sent: attrs }, result.record).outcome).toBe('mismatch');
  });

  it('shows why reads need ?publisher=true&affiliation=true: without them the identifiers are missing', async () => {
    const attrs = attributesFor();
    await client.putDoi(DOI, attrs);
    const flagged = await client.getDoi(DOI);
    expect(flagged && compareSentWithReturned(attrs, { ...flagged.attributes, url: flagged.url })).toEqual([]);

    const response = await fetch(`${emulator.url}/dois/${DOI}`, {
      headers: {
        Authorization: `Basic ${Buffer.from(`${emulator.repositoryId}:${emulator.password}`).toString('base64')}`,
      },
    });
    const bare = ((await response.json()) as { data: { attributes: Record<string, unknown> } }).data.attributes;
    expect(bare['publisher']).toBe('European Bioinformatics Institute');
    expect(compareSentWithReturned(attrs, bare).map((m) => m.field)).toEqual([
      'creators[0].affiliation',
      'creators[1].affiliation',
      'publisher.publisherIdentifier',
    ]);
  });

  it('catches an event DataCite ignored silently, then recovers with the event the state machine picks', async () => {
    await client.putDoi(DOI, attributesFor('publish'));
    const ignored = await client.putDoi(DOI, attributesFor('register'));
    expect([ignored.status, ignored.record.state]).toEqual([200, 'findable']);
    const check = checkPostCondition({ state: 'registered' }, ignored.record);
    expect(check.outcome).toBe('mismatch');

    const remote = await client.getDoi(DOI);
    const action = nextDoiAction(
      'pending',
      'registered',
      remote ? { kind: 'present', state: remote.state, registered: remote.registered } : { kind: 'absent' },
    );
    expect(action).toEqual({ kind: 'put', event: 'hide', expectState: 'registered' });
    const hidden = await client.putDoi(DOI, attributesFor('hide'));
    expect(hidden.record.state).toBe('registered');
  });

  it('withdraws: hide with a tombstone URL and a Withdrawn date; the record leaves anonymous reads', async () => {
    await client.putDoi(DOI, attributesFor('publish'));
    const anonymousBefore = await fetch(`${emulator.url}/dois/${DOI}`);
    expect(anonymousBefore.status).toBe(200);

    const tombstone = buildDataCiteAttributes(withdrawnDatasetInput, { schemaVersion: '4.6', event: 'hide' });
    const result = await client.putDoi(DOI, tombstone);
    expect(checkPostCondition({ state: 'registered', sent: tombstone }, result.record)).toEqual({ outcome: 'ok' });
    expect(result.record.url).toBe(withdrawnDatasetInput.landingPageUrl);
    expect(result.record.attributes['dates']).toContainEqual({
      date: '2026-07-01',
      dateType: 'Withdrawn',
      dateInformation: withdrawnDatasetInput.withdrawn?.reason,
    });

    const anonymousAfter = await fetch(`${emulator.url}/dois/${DOI}`);
    expect(anonymousAfter.status).toBe(404);
  });

  it('reads an unknown DOI as null, deletes drafts only', async () => {
    expect(await client.getDoi(DOI)).toBeNull();
    await client.putDoi(DOI, attributesFor());
    await client.deleteDraftDoi(DOI);
    expect(emulator.dois.has(DOI)).toBe(false);

    await client.putDoi(DOI, attributesFor('publish'));
    const error = await captureError(client.deleteDraftDoi(DOI));
    expect(error.failure).toMatchObject({ kind: 'permanent', code: 'METHOD_NOT_ALLOWED', status: 405 });
  });

  it('answers the heartbeat probe', async () => {
    expect(await client.heartbeat()).toBe(true);
    emulator.setFaults([{ fault: { kind: 'html', status: 502 } }]);
    expect(await client.heartbeat()).toBe(false);
  });

  it('waits for its rate limiter before every request', async () => {
    let now = 0;
    const sleeps: number[] = [];
    const limited = makeClient({
      rateLimiter: new TokenBucketRateLimiter({
        limit: 11,
        windowMs: 1_000,
        burst: 1,
        now: () => now,
        sleep: async (ms) => {
          sleeps.push(ms);
          now += ms;
        },
      }),
    });
    await limited.putDoi(DOI, attributesFor());
    await limited.getDoi(DOI);
    await limited.getDoi(DOI);
    expect(sleeps).toEqual([100, 100]);
    expect(emulator.requests).toHaveLength(3);
  });

  it('refuses configurations that break DataCite etiquette', () => {
    expect(() => makeClient({ userAgent: 'cell-image-ledger/1.0' })).toThrow(/mailto/);
    expect(() => makeClient({ apiUrl: 'http://api.datacite.org' })).toThrow(/https/);
    expect(() => makeClient({ password: '' })).toThrow(RangeError);
  });

  it('refuses to write one record under another DOI', async () => {
    await expect(client.putDoi('10.80123/zzzz-zzzz-90', attributesFor())).rejects.toThrow(RangeError);
    expect(emulator.requests).toEqual([]);
  });
});

describe('the emulator trap the client avoids', () => {
  it('a prefix-only POST mints a different random DOI on every replay', async () => {
    const emulator = await startDataCiteEmulator();
    try {
      const post = (): Promise<Response> =>
        fetch(`${emulator.url}/dois`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/vnd.api+json',
            Authorization: `Basic ${Buffer.from(`${emulator.repositoryId}:${emulator.password}`).toString('base64')}`,
          },
          body: JSON.stringify({ data: { type: 'dois', attributes: { prefix: '10.80123' } } }),
        });
      expect((await post()).status).toBe(201);
      expect((await post()).status).toBe(201);
      expect(emulator.mintedByPrefixOnly).toHaveLength(2);
      expect(new Set(emulator.mintedByPrefixOnly).size).toBe(2);
    } finally {
      await emulator.close();
    }
  });
});

// ───────────── shared rate limiter on the real Redis (127.0.0.1:6379) ─────────────

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
// REDIS_URL wins; REQUIRE_REDIS=1 makes an unreachable Redis a failure (test/support/redis.ts).
const redisUrl = (await redisUrlForTests(false)) ?? ((await ping(DEFAULT_REDIS_URL)) ? DEFAULT_REDIS_URL : undefined);
if (!redisUrl)
  console.warn(`SKIPPED: RedisTokenBucketRateLimiter tests, because Redis at ${DEFAULT_REDIS_URL} is unreachable`);
const describeWithRedis = redisUrl ? describe : describe.skip;

async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0 });
  await redis.connect();
  return redis;
}

describeWithRedis('RedisTokenBucketRateLimiter (real Redis)', () => {
  const clients: Redis[] = [];
  const keys: string[] = [];
  const connect = async (): Promise<Redis> => {
    const redis = await connectRedis(redisUrl ?? DEFAULT_REDIS_URL);
    clients.push(redis);
    return redis;
  };
  const uniqueKey = (): string => {
    const key = `test-datacite-rate-limit-${randomUUID()}`;
    keys.push(key);
    return key;
  };

  afterAll(async () => {
    if (clients[0] && keys.length > 0) await clients[0].del(...keys);
    for (const c of clients) c.disconnect();
  });

  it('follows the same arithmetic as takeToken, with an injected clock', async () => {
    const redis = await connect();
    let now = 1_000_000;
    const opts = { limit: 12, windowMs: 1_000, burst: 2 };
    const limiter = new RedisTokenBucketRateLimiter(redis, { ...opts, key: uniqueKey(), now: () => now });
    const config = tokenBucketConfigFor(opts);
    let state: TokenBucketState | undefined;
    const steps = [0, 0, 0, 50, 100, 100, 250, 10_000, 10_000, 10_000];
    const fromRedis: Array<[boolean, number]> = [];
    const expected: Array<[boolean, number]> = [];
    for (const t of steps) {
      now = 1_000_000 + t;
      const r = await limiter.tryAcquire();
      fromRedis.push([r.granted, r.waitMs]);
      const local = takeToken(state, now, config);
      state = local.state;
      expected.push([local.granted, local.waitMs]);
    }
    expect(fromRedis).toEqual(expected);
    // Hand-checked: burst 2, then (12 − 2) per second = one token per 100 ms.
    expect(fromRedis.map(([g]) => g)).toEqual([true, true, false, false, true, false, true, true, true, false]);
  });

  it('is atomic across workers sharing one bucket', async () => {
    const key = uniqueKey();
    const workers = await Promise.all([connect(), connect(), connect()]);
    const limiters = workers.map(
      (redis) =>
        new RedisTokenBucketRateLimiter(redis, { limit: 1_000, windowMs: 3_600_000, burst: 5, key, now: () => 42 }),
    );
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => limiters[i % 3]?.tryAcquire()));
    expect(results.filter((r) => r?.granted)).toHaveLength(5);
  });

  it('paces acquire() on Redis time and expires an idle bucket', async () => {
    const redis = await connect();
    const key = uniqueKey();
    // burst 2, then (12 − 2) per second = one token per 100 ms.
    const limiter = new RedisTokenBucketRateLimiter(redis, { limit: 12, windowMs: 1_000, burst: 2, key });
    const startedAt = Date.now();
    for (let i = 0; i < 5; i++) await limiter.acquire();
    const elapsed = Date.now() - startedAt;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2_000);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1_200); // refill time of a full bucket (200 ms) + 1 s
  });
});
