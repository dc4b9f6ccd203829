import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { AgentsService } from '../../src/agents/agents.service.js';
import type { Principal } from '../../src/auth/auth.decorators.js';
import { DatasetsService } from '../../src/datasets/datasets.service.js';
import { DoisService } from '../../src/dois/dois.service.js';
import type { DoiRegistrationEntity } from '../../src/dois/entities/doi-registration.entity.js';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';
import { startDataCiteEmulator } from '../support/datacite-emulator.js';
import type { DataCiteEmulator, FaultSpec, RecordedRequest } from '../support/datacite-emulator.js';
import { connect } from '../support/db.js';

const ADMIN: Principal = { agentId: null, roles: ['admin'], keyId: null };
const CURATOR: Principal = { agentId: null, roles: ['curator'], keyId: null };
const PREFIX = '10.80123';

function dataciteEnv(emulator: DataCiteEmulator, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    DOI_PROVIDER: 'datacite',
    DATACITE_API_URL: emulator.url,
    DATACITE_REPOSITORY_ID: emulator.repositoryId,
    DATACITE_PASSWORD: emulator.password,
    DATACITE_PREFIX: PREFIX,
    // Short deadlines so that hung requests time out within the test.
    DATACITE_TIMEOUT_MS: '600',
    DATACITE_RETRY_BASE_MS: '50',
    ...overrides,
  };
}

/** A creator and a publisher, then one dataset per title; returns the dataset ids. */
async function depositDatasets(t: TestApp, count: number): Promise<string[]> {
  const agents = t.app.get(AgentsService);
  const suffix = Math.random().toString(36).slice(2, 8);
  const person = await agents.create(ADMIN, {
    kind: 'person',
    name: `Ana Silva ${suffix}`,
    givenName: 'Ana',
    familyName: 'Silva',
  });
  const org = await agents.create(ADMIN, { kind: 'organization', name: `Imaging Institute ${suffix}` });
  const datasets = t.app.get(DatasetsService);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { dataset } = await datasets.create(ADMIN, {
      kind: 'image',
      title: `Screen plate ${i} ${suffix}`,
      creators: [person.agent.id],
      publisher: org.agent.id,
      license: 'CC-BY-4.0',
    });
    ids.push(dataset.id);
  }
  return ids;
}

async function registrations(t: TestApp, ids: string[]): Promise<DoiRegistrationEntity[]> {
  const dois = t.app.get(DoisService);
  return Promise.all(ids.map(async (id) => (await dois.findRegistration(id)) as DoiRegistrationEntity));
}

/**
 * Waits until every registration satisfies `done`. `drain` runs due jobs in between (jobs waiting for a backoff are
 * not "due"); without it the app's own dispatcher runs them, and other modules' jobs cannot hold the wait up.
 */
async function waitFor(
  t: TestApp,
  ids: string[],
  done: (r: DoiRegistrationEntity) => boolean,
  timeoutMs = 60_000,
  drain = true,
): Promise<DoiRegistrationEntity[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (drain) await t.drainJobs(timeoutMs);
    const regs = await registrations(t, ids);
    if (regs.every(done)) return regs;
    if (Date.now() > deadline)
      throw new Error(`not settled: ${regs.map((r) => `${r.doi} ${r.state} ${r.lastError?.reason ?? ''}`).join('\n')}`);
    await sleep(drain ? 100 : 20);
  }
}

async function doiTrail(t: TestApp, datasetId: string): Promise<string[]> {
  const rows: Array<{ payload: { from: string; to: string } }> = await t.app
    .get(DataSource)
    .query(
      `SELECT payload FROM ledger_entries WHERE kind = 'doi.state_changed' AND payload->>'datasetId' = $1 ORDER BY seq`,
      [datasetId],
    );
  return rows.map((r) => `${r.payload.from}->${r.payload.to}`);
}

const callsFor = (emulator: DataCiteEmulator, doi: string): RecordedRequest[] =>
  emulator.requests.filter((r) => r.path === `/dois/${doi}`);

describe('DOI registration under DataCite failures (integration)', () => {
  let emulator: DataCiteEmulator;

  beforeEach(async () => {
    emulator = await startDataCiteEmulator({ prefixes: [PREFIX] });
  });

  afterEach(async () => {
    // §9.4: the service never POSTs, so no retry can ever mint a second, server-chosen name.
    expect(emulator.requests.filter((r) => r.method === 'POST')).toEqual([]);
    expect(emulator.mintedByPrefixOnly).toEqual([]);
    await emulator.close();
  });

  describe('with working credentials', () => {
    let t: TestApp;

    beforeEach(async () => {
      t = await createTestApp({ env: dataciteEnv(emulator) });
    });

    afterEach(async () => {
      await t.close();
    });

    it('registers 20 DOIs, each exactly once and under its first name, while a third of all calls fail', async () => {
      const kinds: Array<[string, FaultSpec]> = [
        ['rate-limit', { kind: 'rate-limit', retryAfter: '1' }],
        ['html-503', { kind: 'html', status: 503 }],
        ['500', { kind: 'status', status: 500 }],
        ['timeout', { kind: 'hang' }],
        ['timeout-after-write', { kind: 'hang-after-apply' }],
      ];
      // Every third request to /dois fails, cycling through the kinds; decided once per request.
      const verdicts = new WeakMap<RecordedRequest, string | null>();
      let seen = 0;
      const verdict = (r: RecordedRequest): string | null => {
        if (!verdicts.has(r)) {
          seen += 1;
          verdicts.set(r, r.path.startsWith('/dois/') && seen % 3 === 0 ? kinds[(seen / 3) % kinds.length][0] : null);
        }
        return verdicts.get(r) ?? null;
      };
      emulator.setFaults(
        kinds.map(([name, fault]) => ({ fault, times: Infinity, match: (r: RecordedRequest) => verdict(r) === name })),
      );

      const ids = await depositDatasets(t, 20);
      const dois = t.app.get(DoisService);
      const assigned = new Map<string, string>();
      for (const id of ids) assigned.set(id, (await dois.requestDoi(ADMIN, id)).registration.doi);

      const regs = await waitFor(t, ids, (r) => r.state === 'findable', 90_000);
      expect(regs.map((r) => r.doi)).toEqual(ids.map((id) => assigned.get(id)));
      expect([...emulator.dois.keys()].sort()).toEqual([...assigned.values()].sort());
      expect([...emulator.dois.values()].every((d) => d.state === 'findable' && d.registeredAt !== null)).toBe(true);
      const faults = new Set(emulator.requests.map((r) => r.fault).filter((f) => f !== null));
      expect([...faults].sort()).toEqual(['hang', 'hang-after-apply', 'html', 'rate-limit', 'status']);
      for (const id of ids) expect(await doiTrail(t, id)).toEqual(['none->pending', 'pending->findable']);
      const rows: Array<{ doi_state: string }> = await t.app
        .get(DataSource)
        .query('SELECT doi_state FROM datasets WHERE id = ANY($1)', [ids]);
      expect(rows.every((r) => r.doi_state === 'findable')).toBe(true);
    }, 120_000);

    it('parks a record DataCite rejects with 422, showing its errors, and registers it after a retry', async () => {
      const title = 'URL http://ledger.test/datasets/x is not allowed by repository EXAMPLE.LEDGER domain settings.';
      emulator.setFaults([
        {
          fault: {
            kind: 'status',
            status: 422,
            body: JSON.stringify({ errors: [{ source: 'url', title, uid: 'n/a' }] }),
          },
          match: { method: 'PUT' },
          times: 1,
        },
      ]);
      const [id] = await depositDatasets(t, 1);
      const dois = t.app.get(DoisService);
      const { registration } = await dois.requestDoi(ADMIN, id);
      const [failed] = await waitFor(t, [id], (r) => r.state !== 'pending');
      expect(failed).toMatchObject({
        state: 'failed',
        attempts: 1,
        lastError: { code: 'VALIDATION', status: 422, errors: [{ source: 'url', title }] },
      });
      expect(failed.lastError?.reason).toContain(`url: ${title}`);
      expect(callsFor(emulator, registration.doi)).toHaveLength(1);

      // The curator fixes the repository's domain setting (the fault is used up) and re-drives the DOI.
      await dois.retry(CURATOR, id);
      const [done] = await waitFor(t, [id], (r) => r.state === 'findable');
      expect(done).toMatchObject({ doi: registration.doi, attempts: 2, lastError: null });
      expect(await doiTrail(t, id)).toEqual([
        'none->pending',
        'pending->failed',
        'failed->pending',
        'pending->findable',
      ]);
      expect(emulator.dois.get(registration.doi)?.state).toBe('findable');
    });

    it('keeps a DOI pending while DataCite reports `registered: null`, re-checking with GET until it resolves', async () => {
      emulator.setRegisteredDelay(1_500);
      const [id] = await depositDatasets(t, 1);
      const { registration } = await t.app.get(DoisService).requestDoi(ADMIN, id);
      const [waiting] = await waitFor(t, [id], (r) => r.remoteState !== null, 10_000, false);
      expect(waiting).toMatchObject({
        state: 'pending',
        remoteState: 'findable',
        registeredAt: null,
        lastError: { code: 'HANDLE_NOT_REGISTERED' },
      });
      expect(emulator.dois.get(registration.doi)?.state).toBe('findable');
      const dataset = await t.app.get(DatasetsService).get(id);
      expect(dataset.doiState).toBe('pending');

      const [live] = await waitFor(t, [id], (r) => r.state === 'findable', 20_000);
      expect(live.registeredAt).not.toBeNull();
      const calls = callsFor(emulator, registration.doi).map((r) => r.method);
      expect(calls[0]).toBe('PUT');
      expect(calls.slice(1).every((m) => m === 'GET')).toBe(true);
      expect(calls.length).toBeGreaterThan(1);
      expect(await doiTrail(t, id)).toEqual(['none->pending', 'pending->findable']);
    });
  });

  it('fails fast on wrong credentials, naming them, without retrying', async () => {
    const t = await createTestApp({ env: dataciteEnv(emulator, { DATACITE_PASSWORD: 'not-the-password' }) });
    try {
      const [id] = await depositDatasets(t, 1);
      const { registration } = await t.app.get(DoisService).requestDoi(ADMIN, id);
      const [failed] = await waitFor(t, [id], (r) => r.state !== 'pending');
      expect(failed).toMatchObject({
        state: 'failed',
        attempts: 1,
        lastError: { code: 'BAD_CREDENTIALS', status: 401 },
      });
      expect(failed.lastError?.reason).toContain('DATACITE_PASSWORD');
      expect(failed.lastError?.reason).toContain(`DATACITE_REPOSITORY_ID=${emulator.repositoryId}`);
      await sleep(300);
      await t.drainJobs();
      expect(callsFor(emulator, registration.doi)).toHaveLength(1);
      const client = await connect(t.db.url);
      try {
        const outbox = await client.query('SELECT status FROM outbox WHERE job_key = $1', [`doi-sync-${id}`]);
        expect(outbox.rows).toEqual([{ status: 'dead' }]);
      } finally {
        await client.end();
      }
      expect(await doiTrail(t, id)).toEqual(['none->pending', 'pending->failed']);
      expect(emulator.dois.size).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('finishes, without a duplicate, a registration whose worker died after DataCite applied the write', async () => {
    // The PUT lands but its answer never comes; the process dies before it can record anything.
    emulator.setFaults([{ fault: { kind: 'hang-after-apply' }, match: { method: 'PUT' }, times: 1 }]);
    const env = dataciteEnv(emulator, { DATACITE_TIMEOUT_MS: '1000' });
    const first = await createTestApp({ env });
    const [id] = await depositDatasets(first, 1);
    const { registration } = await first.app.get(DoisService).requestDoi(ADMIN, id);
    const doi = registration.doi;
    for (let i = 0; i < 200 && !emulator.dois.has(doi); i++) await sleep(20);
    expect(emulator.dois.get(doi)?.state).toBe('findable');
    // The "kill": its database connections go first, so nothing about the call in flight gets recorded.
    await first.app.get(DataSource).destroy();
    await first.stop();

    const second = await createTestApp({ env, reuse: first });
    try {
      // The lease (2 × timeout + 5 s) runs out, then the new process takes the job over.
      // (Other modules' jobs the dead process held stay locked for their own, longer leases: poll, do not drain.)
      const [done] = await waitFor(second, [id], (r) => r.state === 'findable', 30_000, false);
      expect(done.doi).toBe(doi);
      expect([...emulator.dois.keys()]).toEqual([doi]);
      expect(callsFor(emulator, doi).map((r) => `${r.method} ${r.status ?? 'no answer'}`)).toEqual([
        'PUT no answer',
        'PUT 200',
      ]);
      expect(await doiTrail(second, id)).toEqual(['none->pending', 'pending->findable']);
    } finally {
      await second.close();
      await first.close();
    }
  }, 60_000);
});
