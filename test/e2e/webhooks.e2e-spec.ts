import { setTimeout as sleep } from 'node:timers/promises';
import { admin, createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';
import { connect } from '../support/db.js';
import { createActor, depositDataset } from '../support/factories.js';
import type { Actor } from '../support/factories.js';
import { startWebhookReceiver, verifyAsReceiver } from '../support/webhook-receiver.js';
import type { WebhookReceiver } from '../support/webhook-receiver.js';

/** One Scholix link package: `citing` References `cited`. */
function scholix(citing: string, cited: string): Record<string, unknown> {
  return {
    LinkPublicationDate: '2024-05-02',
    LinkProvider: [{ Name: 'Crossref' }],
    RelationshipType: { Name: 'References' },
    Source: { Identifier: { ID: citing, IDScheme: 'doi' }, Type: { Name: 'literature' } },
    Target: { Identifier: { ID: cited, IDScheme: 'doi' }, Type: { Name: 'dataset' } },
  };
}

async function ledgerSize(t: TestApp): Promise<string> {
  const client = await connect(t.db.url);
  try {
    return (await client.query<{ size: string }>('SELECT size FROM ledger_head')).rows[0].size;
  } finally {
    await client.end();
  }
}

describe('webhooks (e2e)', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let owner: Actor;
  let stranger: Actor;
  let curator: Actor;
  let accession: string;

  beforeAll(async () => {
    // The receiver listens on 127.0.0.1, which the SSRF guard refuses unless private addresses are allowed.
    t = await createTestApp({
      env: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: '20', WEBHOOK_TIMEOUT_MS: '500' },
    });
    receiver = await startWebhookReceiver();
    owner = await createActor(t, ['depositor']);
    stranger = await createActor(t, ['depositor']);
    curator = await createActor(t, ['curator']);
    accession = 'S-BIAD901';
    await depositDataset(t, owner, { accession, title: 'Mitotic spindle time-lapse' });
  });

  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  async function subscribe(
    as: Actor | { headers: Record<string, string> },
    path: string,
    events = ['citation.created'],
  ) {
    const res = await t.http
      .post('/v1/webhooks')
      .set(as.headers)
      .send({ url: `${receiver.url}${path}`, events });
    expect(res.status).toBe(201);
    return res.body as { id: string; secret: string; scope: string; receipt: { seq: string } };
  }

  async function importLinks(links: Array<Record<string, unknown>>) {
    const res = await t.http.post('/v1/citations/import').set(curator.headers).send(links);
    expect(res.status).toBe(201);
    return res.body as { created: number };
  }

  async function deliveries(subscriptionId: string, headers: Record<string, string>) {
    const res = await t.http.get(`/v1/webhooks/${subscriptionId}/deliveries`).set(headers);
    expect(res.status).toBe(200);
    return res.body.items as Array<
      Record<string, unknown> & { history: Array<{ attempt: number; statusCode: number | null; error: string | null }> }
    >;
  }

  /** Runs jobs until `done` holds; retries are scheduled a little later, so one drain is not always enough. */
  async function drainUntil(done: () => boolean | Promise<boolean>): Promise<void> {
    for (let i = 0; i < 100; i++) {
      await t.drainJobs();
      if (await done()) return;
      await sleep(50);
    }
    throw new Error('condition not reached');
  }

  it('subscribes: the secret is shown once, the ledger records neither secret nor URL', async () => {
    const created = await subscribe(owner, '/hooks/ledger?token=abc');
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(created.scope).toBe('own');
    const entry = await t.http.get(`/v1/ledger/entries/${created.receipt.seq}`).expect(200);
    expect(entry.body.kind).toBe('webhook.subscribed');
    expect(entry.body.payload).toMatchObject({
      id: created.id,
      events: ['citation.created'],
      urlOrigin: receiver.url,
      scope: 'own',
    });
    const text = JSON.stringify(entry.body);
    expect(text).not.toContain(created.secret);
    expect(text).not.toContain('token=abc');
    const listed = await t.http.get('/v1/webhooks').set(owner.headers).expect(200);
    const mine = listed.body.items.find((w: { id: string }) => w.id === created.id);
    expect(mine).toMatchObject({ url: `${receiver.url}/hooks/ledger?token=abc`, active: true });
    expect(mine).not.toHaveProperty('secret');
    const others = await t.http.get('/v1/webhooks').set(stranger.headers).expect(200);
    expect(others.body.items.map((w: { id: string }) => w.id)).not.toContain(created.id);
  });

  it('delivers a signed event to the dataset owner and to curators, not to other agents', async () => {
    const mine = await subscribe(owner, '/owner');
    const theirs = await subscribe(stranger, '/stranger');
    const all = await subscribe(curator, '/curator');
    expect(all.scope).toBe('all');

    await importLinks([scholix('10.5555/jcb.2024.0101', `10.6019/${accession}`)]);
    await drainUntil(() => receiver.received('/owner').length === 1 && receiver.received('/curator').length === 1);

    const [request] = receiver.received('/owner');
    expect(verifyAsReceiver(mine.secret, request)).toBe(true);
    expect(verifyAsReceiver(theirs.secret, request)).toBe(false);
    expect(verifyAsReceiver(all.secret, receiver.received('/curator')[0])).toBe(true);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['ledger-webhook-event']).toBe('citation.created');
    const timestamp = Number(request.headers['ledger-webhook-timestamp']);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(60);
    const body = JSON.parse(request.body);
    expect(body.id).toBe(request.headers['ledger-webhook-id']);
    expect(body.event).toBe('citation.created');
    expect(body.data.citation).toMatchObject({
      citing: '10.5555/jcb.2024.0101',
      cited: '10.6019/s-biad901',
      relation: 'References',
    });
    expect(body.data.datasetIds).toEqual([body.data.citation.citedDataset]);

    const log = await deliveries(mine.id, owner.headers);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      id: body.id,
      status: 'delivered',
      attempts: 1,
      lastStatusCode: 204,
      lastError: null,
    });
    expect(log[0].deliveredAt).not.toBeNull();

    // Jobs drained, yet nothing reached the agent whose datasets the event is not about.
    expect(receiver.received('/stranger')).toHaveLength(0);
    expect(await deliveries(theirs.id, stranger.headers)).toHaveLength(0);
  });

  it('retries a failing receiver with backoff, the same delivery id and body, and logs every attempt', async () => {
    receiver.script('/flaky', [500, 503]);
    const flaky = await subscribe(owner, '/flaky');
    await importLinks([scholix('10.5555/jcb.2024.0102', `10.6019/${accession}`)]);
    await drainUntil(async () => (await deliveries(flaky.id, owner.headers))[0]?.status === 'delivered');

    const requests = receiver.received('/flaky');
    expect(requests.map((r) => r.answered)).toEqual([500, 503, 204]);
    expect(new Set(requests.map((r) => r.headers['ledger-webhook-id'])).size).toBe(1);
    expect(new Set(requests.map((r) => r.body)).size).toBe(1);
    for (const request of requests) expect(verifyAsReceiver(flaky.secret, request)).toBe(true);

    const [delivery] = await deliveries(flaky.id, owner.headers);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 204, lastError: null });
    expect(delivery.history.map((a) => a.statusCode)).toEqual([500, 503, 204]);
    expect(delivery.history.map((a) => a.attempt)).toEqual([1, 2, 3]);
  });

  it('gives up on a receiver that does not answer in time, then retries', async () => {
    receiver.script('/silent', [0]);
    const silent = await subscribe(owner, '/silent');
    await importLinks([scholix('10.5555/jcb.2024.0105', `10.6019/${accession}`)]);
    await drainUntil(async () => (await deliveries(silent.id, owner.headers))[0]?.status === 'delivered');
    const [delivery] = await deliveries(silent.id, owner.headers);
    expect(delivery.history.map((a) => a.statusCode)).toEqual([null, 204]);
    expect(delivery.history[0].error).toBe('no complete response within 500 ms');
    expect(receiver.received('/silent').map((r) => r.answered)).toEqual([0, 204]);
  });

  it('marks a delivery failed after the last attempt', async () => {
    receiver.script('/down', new Array(8).fill(500));
    const down = await subscribe(owner, '/down');
    await importLinks([scholix('10.5555/jcb.2024.0103', `10.6019/${accession}`)]);
    await drainUntil(async () => (await deliveries(down.id, owner.headers))[0]?.status === 'failed');
    const [delivery] = await deliveries(down.id, owner.headers);
    expect(delivery).toMatchObject({ attempts: 8, lastStatusCode: 500, lastError: 'the receiver answered HTTP 500' });
    expect(receiver.received('/down')).toHaveLength(8);
  });

  it('shows a delivery log only to its owner and admins', async () => {
    const created = await subscribe(owner, '/private-log');
    const res = await t.http.get(`/v1/webhooks/${created.id}/deliveries`).set(stranger.headers);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('WEBHOOK_NOT_FOUND');
    await t.http.get(`/v1/webhooks/${created.id}/deliveries`).set(admin).expect(200);
    await t.http.get(`/v1/webhooks/${created.id}/deliveries`).expect(401);
  });

  it.each([
    [{ events: ['dataset.deleted'] }, 'VALIDATION_FAILED'],
    [{ events: [] }, 'VALIDATION_FAILED'],
    [{ url: 'ftp://127.0.0.1/in' }, 'WEBHOOK_URL_FORBIDDEN'],
    [{ url: 'http://user:pw@127.0.0.1/in' }, 'WEBHOOK_URL_FORBIDDEN'],
    // Cloud metadata stays refused even where private addresses are allowed.
    [{ url: 'http://169.254.169.254/latest/meta-data/' }, 'WEBHOOK_URL_FORBIDDEN'],
    [{ url: 'http://[fd00:ec2::254]/' }, 'WEBHOOK_URL_FORBIDDEN'],
    [{ secret: 'mine' }, 'UNKNOWN_FIELD'],
  ])('refuses %j with %s and writes nothing', async (fields, code) => {
    const before = await ledgerSize(t);
    const res = await t.http
      .post('/v1/webhooks')
      .set(owner.headers)
      .send({ url: `${receiver.url}/x`, events: ['reuse.created'], ...fields });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(code);
    expect(await ledgerSize(t)).toBe(before);
  });

  it('stops delivering after DELETE and keeps the log readable', async () => {
    const gone = await subscribe(owner, '/gone');
    const deleted = await t.http.delete(`/v1/webhooks/${gone.id}`).set(owner.headers).expect(200);
    expect(deleted.body.active).toBe(false);
    const entry = await t.http.get(`/v1/ledger/entries/${deleted.body.receipt.seq}`).expect(200);
    expect(entry.body).toMatchObject({ kind: 'webhook.unsubscribed', payload: { id: gone.id } });
    const again = await t.http.delete(`/v1/webhooks/${gone.id}`).set(owner.headers);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('WEBHOOK_ALREADY_DELETED');

    await importLinks([scholix('10.5555/jcb.2024.0104', `10.6019/${accession}`)]);
    await drainUntil(() => receiver.received('/owner').some((r) => r.body.includes('jcb.2024.0104')));
    expect(receiver.received('/gone')).toHaveLength(0);
    expect(await deliveries(gone.id, owner.headers)).toHaveLength(0);
  });
});

describe('webhooks SSRF guard (WEBHOOK_ALLOW_PRIVATE=false)', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let agent: Actor;

  beforeAll(async () => {
    t = await createTestApp({ env: { WEBHOOK_ALLOW_PRIVATE: 'false', WEBHOOK_RETRY_BASE_MS: '20' } });
    receiver = await startWebhookReceiver();
    agent = await createActor(t, ['depositor']);
  });

  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  it.each([
    ['http://127.0.0.1:8080/in', 'loopback'],
    ['http://169.254.169.254/latest/meta-data/', 'metadata'],
    ['http://localhost:8080/in', 'loopback'],
    ['http://[::1]:8080/in', 'loopback'],
    ['http://[::ffff:127.0.0.1]/in', 'loopback'],
    ['http://10.0.0.7/in', 'private'],
    ['http://192.168.1.20/in', 'private'],
    ['http://169.254.10.1/in', 'link-local'],
    ['http://[fe80::1]/in', 'link-local'],
    ['http://0.0.0.0/in', 'unspecified'],
    ['file:///etc/passwd', 'scheme'],
  ])('refuses %s (%s)', async (url, reason) => {
    const before = await ledgerSize(t);
    const res = await t.http
      .post('/v1/webhooks')
      .set(agent.headers)
      .send({ url, events: ['doi.findable'] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'WEBHOOK_URL_FORBIDDEN', reason });
    expect(await ledgerSize(t)).toBe(before);
  });

  it('checks again at delivery time: an address that became private is not contacted', async () => {
    // A subscription whose host resolved to a public address when it was made and to 127.0.0.1 now: the API cannot
    // create that state without a DNS change, so the row is written directly.
    const client = await connect(t.db.url);
    try {
      await client.query(
        `INSERT INTO webhook_subscriptions (id, owner_id, url, events, scope, secret, ledger_seq)
         VALUES ('7d1c1d2e-0000-4000-8000-0000000000aa', NULL, $1, '{citation.created}', 'all', 'whsec_x', 0)`,
        [`${receiver.url}/rebound`],
      );
    } finally {
      await client.end();
    }
    const curator = await createActor(t, ['curator']);
    await t.http
      .post('/v1/citations/import')
      .set(curator.headers)
      .send([scholix('10.5555/x.1', '10.5555/y.1')])
      .expect(201);
    await t.drainJobs();
    const res = await t.http.get('/v1/webhooks/7d1c1d2e-0000-4000-8000-0000000000aa/deliveries').set(admin).expect(200);
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: null });
    expect(res.body.items[0].lastError).toMatch(/SSRF guard.*127\.0\.0\.1.*loopback/);
    expect(receiver.requests).toHaveLength(0);
  });
});
