import { admin, createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';

describe('service foundation (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('reports liveness and readiness', async () => {
    await t.http.get('/health/live').expect(200, { status: 'ok' });
    const ready = await t.http.get('/health/ready').expect(200);
    expect(ready.body.checks.database).toBe('up');
    expect(ready.body.checks.queue).toBe(t.usesRedis ? 'up' : 'not-configured');
  });

  it('refuses unauthenticated writes with 401 problem+json', async () => {
    const res = await t.http.post('/v1/agents').send({ kind: 'person', name: 'Ada' }).expect(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', title: 'Unauthorized' });
    expect(typeof res.body.requestId).toBe('string');
    expect(res.body.stack).toBeUndefined();
  });

  it('refuses an unknown token with 401', async () => {
    const res = await t.http
      .post('/v1/agents')
      .set('Authorization', 'Bearer cil_nope')
      .send({ kind: 'person', name: 'A' });
    expect(res.status).toBe(401);
  });

  it('answers malformed JSON with 400 problem+json', async () => {
    const res = await t.http.post('/v1/agents').set(admin).set('content-type', 'application/json').send('{"kind": ');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('MALFORMED_JSON');
  });

  it('answers an unknown route with 404 problem+json', async () => {
    const res = await t.http.get('/v1/nothing-here').expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('ROUTE_NOT_FOUND');
  });

  it('refuses a 2 MiB body with 413 and writes nothing', async () => {
    const before = await t.http.get('/v1/ledger/checkpoint');
    const res = await t.http
      .post('/v1/agents')
      .set(admin)
      .set('content-type', 'application/json')
      .send(JSON.stringify({ kind: 'person', name: 'x'.repeat(2 * 1024 * 1024) }));
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('BODY_TOO_LARGE');
    const after = await t.http.get('/v1/ledger/checkpoint');
    expect(after.text.split('\n')[1]).toBe(before.text.split('\n')[1]);
  });

  it('refuses an unsupported media type with 415', async () => {
    const res = await t.http.post('/v1/agents').set(admin).set('content-type', 'text/csv').send('a,b');
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('rejects an unknown field with 400 naming it', async () => {
    const res = await t.http
      .post('/v1/agents')
      .set(admin)
      .send({ kind: 'person', name: 'Ada', nickname: 'A' })
      .expect(400);
    expect(res.body.code).toBe('UNKNOWN_FIELD');
    expect(res.body.errors).toEqual([{ field: 'nickname', message: 'is not a known field' }]);
  });

  it('rejects a bad ORCID checksum with 400 naming orcid', async () => {
    const res = await t.http
      .post('/v1/agents')
      .set(admin)
      .send({ kind: 'person', name: 'Josiah Carberry', orcid: '0000-0002-1825-0098' })
      .expect(400);
    expect(res.body.code).toBe('INVALID_ORCID');
    expect(res.body.errors[0].field).toBe('orcid');
  });

  it('echoes a caller-supplied request id in the body and header', async () => {
    const res = await t.http.get('/v1/agents/not-a-uuid').set('x-request-id', 'req-abcdef123').expect(400);
    expect(res.body.requestId).toBe('req-abcdef123');
    expect(res.headers['x-request-id']).toBe('req-abcdef123');
    expect(res.body.code).toBe('INVALID_ID');
  });

  it('creates agents and keys through the ledger; a depositor key cannot mint keys', async () => {
    const person = await t.http
      .post('/v1/agents')
      .set(admin)
      .send({
        kind: 'person',
        name: 'Josiah Carberry',
        givenName: 'Josiah',
        familyName: 'Carberry',
        orcid: '0000-0002-1825-0097',
      })
      .expect(201);
    expect(person.body.orcid).toBe('https://orcid.org/0000-0002-1825-0097');
    expect(person.body.iri).toBe('https://orcid.org/0000-0002-1825-0097');
    expect(BigInt(person.body.receipt.treeSize)).toBe(BigInt(person.body.receipt.seq) + 1n);
    expect(person.body.receipt.leafHash).toMatch(/^[0-9a-f]{64}$/);

    const dup = await t.http
      .post('/v1/agents')
      .set(admin)
      .send({ kind: 'person', name: 'J', orcid: '0000-0002-1825-0097' });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('AGENT_ALREADY_EXISTS');

    const key = await t.http
      .post('/v1/api-keys')
      .set(admin)
      .send({ agentId: person.body.id, roles: ['depositor'] })
      .expect(201);
    expect(key.body.token).toMatch(/^cil_/);

    const entry = await t.http.get(`/v1/ledger/entries/${key.body.receipt.seq}`).expect(200);
    expect(entry.body.kind).toBe('api_key.created');
    expect(JSON.stringify(entry.body)).not.toContain(key.body.token);

    const asDepositor = { Authorization: `Bearer ${key.body.token}` };
    const denied = await t.http
      .post('/v1/api-keys')
      .set(asDepositor)
      .send({ agentId: person.body.id, roles: ['admin'] });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('FORBIDDEN_ROLE');

    const org = await t.http
      .post('/v1/agents')
      .set(asDepositor)
      .send({ kind: 'organization', name: 'EMBL', ror: 'https://ror.org/03mstc592' });
    expect(org.status).toBe(201);
    expect(org.body.ror).toBe('https://ror.org/03mstc592');
    const got = await t.http.get(`/v1/agents/${org.body.id}`).expect(200);
    expect(got.body.name).toBe('EMBL');
  });

  it('serves an OpenAPI 3 document covering the routes', async () => {
    const res = await t.http.get('/openapi.json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/v1/agents', '/v1/api-keys', '/v1/ledger/checkpoint']),
    );
  });
});
