import { didKeyOf } from '../../src/credentials/data-integrity.rules.js';
import { admin, bearer, createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';
import { connect } from '../support/db.js';
import { createActor, depositDataset } from '../support/factories.js';
import type { Actor } from '../support/factories.js';
import { expectRowsOfWholeRecompute } from '../support/metrics-check.js';

// Nominations worked out by hand (default policy; every dataset below released 2020-01-01 unless said otherwise).
//
//   D1 Silva idr0101 CC-BY-4.0      D2 Cho idr0102 CC0-1.0      D3 Lee idr0103 CC-BY-NC-4.0 (not open)
//   D4 Park idr0104 CC-BY-4.0       N1 Novak, derived from D1 (released 2021-05-01)
//   N2 Novak, derived from D2 (released 2023-02-01)               K1 Kim (trainee), derived from D2 (2022-02-01)
//
//   P1 Novak 2021-03-01  D1 secondary-analysis  curated      P2 Osei 2021-06-01  D1 benchmarking      curated
//   P3 Kim   2022-01-01  D2 replication         curated      P4 Novak 2022-06-01 D3 secondary-analysis curated
//   P5 Kim   2023-06-01  D4 secondary-analysis  asserted     P6 Novak 2023-01-01 D2 integration       curated
//   Every one of these reuses is independent (no shared person, lab or grant).
//
// Symbiont-style, as of 2024-12-31: D1 gets 0.4 from P1 and 0.4 from P2 (a publication keeps 0.6, its one input
// gets 0.4) = 0.8 from 2 groups, first independent reuse 425 days after release (366 + 59); D2 likewise 0.8 from
// P3 and P6, 2 groups, but 731 days. D3 is not openly licensed, D4 has no curated reuse. => Silva, then Cho.
// As of 2021-04-01 only P1 exists: Silva alone with 0.4.
//
// Parasite-style, as of 2024-12-31: Novak has P1 (D1, deposited N1) and P6 (D2, deposited N2) = 2 works reusing
// 2 source groups (P4 deposited nothing; P2's benchmarking does not qualify); Kim has P3 (D2, deposited K1) and
// is a trainee first author => junior track. As of 2021-04-01 N1 is not released yet: nobody.

interface EvidenceBody {
  kind: string;
  asOf: string;
  treeSize: string;
  policy: { version: string; hash: string };
  metrics: Record<string, unknown>;
  datasets: Array<{ id: string; recordedAt: string }>;
  reuses: Array<{ id: string; publication: string; dataset: string; level: string; seq: string; recordedAt: string }>;
  publications: Array<{ id: string; role?: string; recordedAt: string }>;
  derivedDatasets: Array<{ id: string; derivedFrom: string[] }>;
  ledgerSeqs: string[];
  involvedAgents: string[];
}

interface NominationBody {
  rank: number;
  agent: string;
  score: number;
  track: string;
  evidence: EvidenceBody;
}

interface CredentialBody {
  '@context': string[];
  issuer: { id: string };
  credentialSubject: { id: string; name: string };
  evidence: Array<{ id: string; narrative?: string }>;
  [term: string]: unknown;
}

interface AwardBody {
  id: string;
  receipt: { seq: string };
  credential: CredentialBody;
}

describe('awards (e2e)', () => {
  let t: TestApp;
  let curator: Actor;
  let oseiCurator: Actor;
  let choCurator: Actor;
  const ids: Record<string, string> = {};
  const seqs: Record<string, string> = {};
  const actors: Record<string, Actor> = {};

  async function person(
    key: string,
    given: string,
    family: string,
    roles: string[],
    extra: Record<string, unknown> = {},
  ): Promise<Actor> {
    const res = await t.http
      .post('/v1/agents')
      .set(admin)
      .send({ kind: 'person', name: `${given} ${family}`, givenName: given, familyName: family, ...extra })
      .expect(201);
    const key2 = await t.http.post('/v1/api-keys').set(admin).send({ agentId: res.body.id, roles }).expect(201);
    const actor = {
      id: res.body.id as string,
      token: key2.body.token as string,
      headers: bearer(key2.body.token as string),
    };
    ids[key] = actor.id;
    actors[key] = actor;
    return actor;
  }

  async function deposit(key: string, as: Actor, fields: Record<string, unknown>): Promise<void> {
    const res = await depositDataset(t, as, { title: `Dataset ${key}`, embargoUntil: '2020-01-01', ...fields });
    ids[key] = res.id;
    seqs[key] = (res.body.receipt as { seq: string }).seq;
  }

  async function publish(key: string, as: Actor, issued: [number, number, number], author: string): Promise<void> {
    const agent = (await t.http.get(`/v1/agents/${ids[author]}`).expect(200)).body;
    const res = await t.http
      .post('/v1/publications')
      .set(as.headers)
      .send({
        csl: {
          type: 'article-journal',
          title: `Study ${key}`,
          issued: { 'date-parts': [issued] },
          author: [{ family: agent.familyName, given: agent.givenName }],
        },
        authors: [ids[author]],
      })
      .expect(201);
    ids[key] = res.body.id as string;
    seqs[key] = res.body.receipt.seq as string;
  }

  async function claim(key: string, as: Actor, publication: string, dataset: string, type: string): Promise<void> {
    const res = await t.http
      .post('/v1/reuses')
      .set(as.headers)
      .send({ publication: ids[publication], datasets: [ids[dataset]], type })
      .expect(201);
    const levels = (res.body.independence as Array<{ dataset: string; level: string }>).map((i) => [
      i.dataset,
      i.level,
    ]);
    expect(levels).toEqual([[ids[dataset], 'independent']]);
    ids[key] = res.body.id as string;
    seqs[key] = res.body.receipt.seq as string;
  }

  const nominations = async (kind: string, asOf: string) =>
    (await t.http.get(`/v1/awards/nominations?kind=${kind}&asOf=${asOf}`).expect(200)).body as NominationBody[];
  const name = (id: string): string => Object.keys(ids).find((k) => ids[k] === id) ?? id;

  beforeAll(async () => {
    t = await createTestApp();
    curator = await createActor(t, ['curator'], { givenName: 'Quinn', familyName: 'Curatorova' });
    await person('silva', 'Ana', 'Silva', ['depositor']);
    await person('cho', 'Min', 'Cho', ['depositor']);
    await person('lee', 'Jun', 'Lee', ['depositor']);
    await person('park', 'Bo', 'Park', ['depositor']);
    await person('novak', 'Petra', 'Novak', ['depositor']);
    await person('kim', 'Hana', 'Kim', ['depositor'], { careerStage: 'trainee' });
    oseiCurator = await person('osei', 'Kwame', 'Osei', ['curator']);
    // Cho is also a curator: the nominee cannot decide their own award.
    choCurator = {
      ...actors.cho,
      ...(await t.http
        .post('/v1/api-keys')
        .set(admin)
        .send({ agentId: ids.cho, roles: ['curator'] })
        .expect(201)
        .then((r) => ({ token: r.body.token as string, headers: bearer(r.body.token as string) }))),
    };

    await deposit('D1', actors.silva, { accession: 'idr0101', license: 'CC-BY-4.0' });
    await deposit('D2', actors.cho, { accession: 'idr0102', license: 'CC0-1.0' });
    await deposit('D3', actors.lee, { accession: 'idr0103', license: 'CC-BY-NC-4.0' });
    await deposit('D4', actors.park, { accession: 'idr0104', license: 'CC-BY-4.0' });
    await deposit('N1', actors.novak, { kind: 'derived', derivedFrom: [ids.D1], embargoUntil: '2021-05-01' });
    await deposit('N2', actors.novak, { kind: 'derived', derivedFrom: [ids.D2], embargoUntil: '2023-02-01' });
    await deposit('K1', actors.kim, { kind: 'derived', derivedFrom: [ids.D2], embargoUntil: '2022-02-01' });

    await publish('P1', curator, [2021, 3, 1], 'novak');
    await publish('P2', curator, [2021, 6, 1], 'osei');
    await publish('P3', curator, [2022, 1, 1], 'kim');
    await publish('P4', curator, [2022, 6, 1], 'novak');
    await publish('P5', actors.kim, [2023, 6, 1], 'kim');
    await publish('P6', curator, [2023, 1, 1], 'novak');
    await claim('R1', curator, 'P1', 'D1', 'secondary-analysis');
    await claim('R2', curator, 'P2', 'D1', 'benchmarking');
    await claim('R3', curator, 'P3', 'D2', 'replication');
    await claim('R4', curator, 'P4', 'D3', 'secondary-analysis');
    await claim('R5', actors.kim, 'P5', 'D4', 'secondary-analysis');
    await claim('R6', curator, 'P6', 'D2', 'integration');
    await t.drainJobs();
  });

  afterAll(async () => {
    await t.close();
  });

  describe('nominations', () => {
    it('ranks symbiont-style depositors by independent credit, then groups, then time to first reuse', async () => {
      const list = await nominations('symbiont', '2024-12-31');
      expect(list.map((n) => [n.rank, name(n.agent), n.score, n.track])).toEqual([
        [1, 'silva', 0.8, 'general'],
        [2, 'cho', 0.8, 'general'],
      ]);
      const [silva, cho] = list;
      expect(silva.evidence.metrics).toMatchObject({
        bestDataset: ids.D1,
        independentCredit: 0.8,
        independentGroups: 2,
        firstIndependentReuseAt: '2021-03-01',
        daysToFirstIndependentReuse: 425,
      });
      expect(cho.evidence.metrics).toMatchObject({
        bestDataset: ids.D2,
        independentGroups: 2,
        daysToFirstIndependentReuse: 731,
      });
    });

    it('backs each claim with the ledger entry that recorded it, its recording time, policy, asOf and tree size', async () => {
      const [silva] = await nominations('symbiont', '2024-12-31');
      const evidence = silva.evidence;
      expect(evidence).toMatchObject({ kind: 'symbiont', asOf: '2024-12-31', policy: { version: 'metrics-1.0.0' } });
      expect(BigInt(evidence.treeSize)).toBeGreaterThan(BigInt(seqs.R6));
      expect(evidence.datasets).toEqual([
        expect.objectContaining({
          id: ids.D1,
          accession: 'idr0101',
          openLicence: true,
          releasedAt: '2020-01-01',
          seq: seqs.D1,
        }),
      ]);
      expect(evidence.reuses.map((r) => [name(r.id), name(r.publication), name(r.dataset), r.level, r.seq])).toEqual(
        [
          ['R1', 'P1', 'D1', 'independent', seqs.R1],
          ['R2', 'P2', 'D1', 'independent', seqs.R2],
        ].sort((a, b) => (ids[a[0]] < ids[b[0]] ? -1 : 1)),
      );
      for (const fact of [...evidence.datasets, ...evidence.reuses, ...evidence.publications]) {
        expect(Date.parse(fact.recordedAt)).not.toBeNaN();
      }
      expect(evidence.ledgerSeqs).toEqual(expect.arrayContaining([seqs.D1, seqs.R1, seqs.R2, seqs.P1, seqs.P2]));
      expect(evidence.involvedAgents).toEqual(expect.arrayContaining([ids.silva, ids.novak, ids.osei]));
      const entry = await t.http.get(`/v1/ledger/entries/${seqs.R1}`).expect(200);
      expect(entry.body).toMatchObject({ kind: 'reuse.curated', payload: { id: ids.R1, publication: ids.P1 } });
    });

    it('judges asOf by the works’ own dates', async () => {
      const early = await nominations('symbiont', '2021-04-01');
      expect(early.map((n) => [name(n.agent), n.score])).toEqual([['silva', 0.4]]);
      expect(await nominations('parasite', '2021-04-01')).toEqual([]);
    });

    it('ranks parasite-style reusers by qualifying works, with the junior track for a trainee first author', async () => {
      const list = await nominations('parasite', '2024-12-31');
      expect(list.map((n) => [n.rank, name(n.agent), n.score, n.track])).toEqual([
        [1, 'novak', 2, 'general'],
        [2, 'kim', 1, 'junior'],
      ]);
      const novak = list[0].evidence;
      expect(novak.metrics).toMatchObject({ qualifyingPublications: 2, sourceGroups: 2, calendarYears: 2 });
      expect(novak.publications.map((p) => [name(p.id), p.role]).sort()).toEqual([
        ['P1', 'first-and-last'],
        ['P6', 'first-and-last'],
      ]);
      expect(novak.derivedDatasets.map((d) => [name(d.id), d.derivedFrom.map(name)]).sort()).toEqual([
        ['N1', ['D1']],
        ['N2', ['D2']],
      ]);
    });

    it('refuses an unknown kind and a date that is not one', async () => {
      expect((await t.http.get('/v1/awards/nominations?kind=mutualist').expect(400)).body.code).toBe(
        'VALIDATION_FAILED',
      );
      expect((await t.http.get('/v1/awards/nominations?kind=symbiont&asOf=2024-02-30').expect(400)).body.code).toBe(
        'INVALID_AS_OF',
      );
    });
  });

  describe('granting', () => {
    let award: AwardBody;

    beforeAll(async () => {
      const [silva] = await nominations('symbiont', '2024-12-31');
      const res = await t.http
        .post('/v1/awards')
        .set(curator.headers)
        .send({
          kind: 'symbiont',
          agent: ids.silva,
          year: 2024,
          citation: 'For idr0101, reused by two independent groups.',
          evidence: silva.evidence,
        })
        .expect(201);
      award = res.body as AwardBody;
    });

    it('records award.granted and returns a signed Open Badges 3.0 credential', async () => {
      expect(award).toMatchObject({ kind: 'symbiont', agent: ids.silva, year: 2024, grantedBy: curator.id });
      const entry = await t.http.get(`/v1/ledger/entries/${award.receipt.seq}`).expect(200);
      expect(entry.body).toMatchObject({
        kind: 'award.granted',
        payload: { id: award.id, agent: ids.silva, year: 2024 },
      });
      expect(entry.body.payload.credential).toEqual(award.credential);

      const credential = award.credential;
      expect(credential['@context']).toEqual([
        'https://www.w3.org/ns/credentials/v2',
        'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
        'http://ledger.test/contexts/ledger/credentials/v1.jsonld',
      ]);
      expect(credential).toMatchObject({
        id: `urn:uuid:${award.id}`,
        type: ['VerifiableCredential', 'OpenBadgeCredential'],
        issuer: { id: expect.stringMatching(/^did:key:z6Mk/), type: ['Profile'] },
        description: 'For idr0101, reused by two independent groups.',
        credentialSubject: {
          id: `http://ledger.test/id/${ids.silva}`,
          type: ['AchievementSubject'],
          achievement: {
            type: ['Achievement'],
            name: 'Data symbiont-style recognition',
            criteria: { narrative: expect.any(String) },
          },
        },
        proof: {
          type: 'DataIntegrityProof',
          cryptosuite: 'eddsa-rdfc-2022',
          proofPurpose: 'assertionMethod',
          verificationMethod: `${credential.issuer.id}#${credential.issuer.id.slice('did:key:'.length)}`,
          proofValue: expect.stringMatching(/^z[1-9A-HJ-NP-Za-km-z]+$/),
        },
      });
      expect(credential.evidence.map((e) => e.id)).toEqual(
        expect.arrayContaining([
          `http://ledger.test/v1/awards/${award.id}`,
          `http://ledger.test/v1/ledger/entries/${seqs.R1}`,
        ]),
      );
      // Not the checkpoint key: the credential key is derived apart.
      const ledgerKey = (await t.http.get('/v1/ledger/public-key').expect(200)).body.publicKey as string;
      expect(credential.issuer.id).not.toBe(didKeyOf(Buffer.from(ledgerKey, 'base64')));
    });

    it('serves the award', async () => {
      const got = await t.http.get(`/v1/awards/${award.id}`).expect(200);
      expect(got.body).toMatchObject({
        id: award.id,
        kind: 'symbiont',
        agent: ids.silva,
        year: 2024,
        credential: award.credential,
      });
      expect((await t.http.get('/v1/awards/7d1c51a4-4b3c-4f7e-9a51-0d6f0c7e7a11').expect(404)).body.code).toBe(
        'AWARD_NOT_FOUND',
      );
    });

    it('verifies the credential, and fails it when any character of subject or evidence changes', async () => {
      const ok = await t.http.post('/v1/credentials/verify').send(award.credential).expect(200);
      expect(ok.body.verified).toBe(true);
      expect(ok.body.checks.map((c: Record<string, string>) => [c.code, c.status])).toEqual([
        ['CONTEXTS_ALLOWED', 'pass'],
        ['PROOF_PRESENT', 'pass'],
        ['CRYPTOSUITE_SUPPORTED', 'pass'],
        ['VERIFICATION_METHOD_RESOLVED', 'pass'],
        ['ISSUER_KEY_KNOWN', 'pass'],
        ['CANONICALIZATION_OK', 'pass'],
        ['SIGNATURE_VALID', 'pass'],
      ]);
      const clone = (): CredentialBody => structuredClone(award.credential);
      const tampered: Array<[string, CredentialBody]> = [];
      let c = clone();
      c.credentialSubject.name = `${c.credentialSubject.name.slice(0, -1)}x`;
      tampered.push(['subject name', c]);
      c = clone();
      c.credentialSubject.id = c.credentialSubject.id.replace(/.$/, (ch) => (ch === '0' ? '1' : '0'));
      tampered.push(['subject id', c]);
      c = clone();
      c.evidence[1].id = c.evidence[1].id.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
      tampered.push(['evidence entry', c]);
      c = clone();
      c.evidence[0].narrative = `${c.evidence[0].narrative ?? ''} `;
      tampered.push(['evidence narrative', c]);
      for (const [what, credential] of tampered) {
        const res = await t.http.post('/v1/credentials/verify').send(credential).expect(200);
        expect([what, res.body.verified]).toEqual([what, false]);
        expect(res.body.checks).toEqual(
          expect.arrayContaining([expect.objectContaining({ code: 'SIGNATURE_VALID', status: 'fail' })]),
        );
      }
    });

    it('fails a credential with a remote context or an undefined term before any signature check', async () => {
      const remote = structuredClone(award.credential);
      remote['@context'] = [...remote['@context'], 'https://example.org/evil-context'];
      const res = await t.http.post('/v1/credentials/verify').send(remote).expect(200);
      expect(res.body.verified).toBe(false);
      expect(res.body.checks).toContainEqual(expect.objectContaining({ code: 'CONTEXTS_ALLOWED', status: 'fail' }));
      const extra = { ...structuredClone(award.credential), colour: 'gold' };
      const res2 = await t.http.post('/v1/credentials/verify').send(extra).expect(200);
      expect(res2.body.verified).toBe(false);
      expect(res2.body.checks).toContainEqual(expect.objectContaining({ code: 'CANONICALIZATION_OK', status: 'fail' }));
    });

    it('refuses a second award of the same kind and year, a non-nominee, and conflicted curators', async () => {
      const [silva, cho] = await nominations('symbiont', '2024-12-31');
      const again = await t.http
        .post('/v1/awards')
        .set(curator.headers)
        .send({ kind: 'symbiont', agent: ids.silva, year: 2024, evidence: silva.evidence })
        .expect(409);
      expect(again.body.code).toBe('AWARD_EXISTS');
      const lee = await t.http
        .post('/v1/awards')
        .set(curator.headers)
        .send({ kind: 'symbiont', agent: ids.lee, year: 2024, evidence: silva.evidence })
        .expect(422);
      expect(lee.body.code).toBe('NOT_NOMINATED');
      // Osei authored P2, a reuse in Silva's evidence.
      const involved = await t.http
        .post('/v1/awards')
        .set(oseiCurator.headers)
        .send({ kind: 'symbiont', agent: ids.silva, year: 2023, evidence: silva.evidence })
        .expect(403);
      expect(involved.body.code).toBe('CURATOR_INVOLVED');
      const self = await t.http
        .post('/v1/awards')
        .set(choCurator.headers)
        .send({ kind: 'symbiont', agent: ids.cho, year: 2024, evidence: cho.evidence })
        .expect(403);
      expect(self.body.code).toBe('CURATOR_IS_NOMINEE');
      await t.http
        .post('/v1/awards')
        .set(actors.silva.headers)
        .send({ kind: 'symbiont', agent: ids.cho, year: 2024, evidence: cho.evidence })
        .expect(403);
      const db = await connect(t.db.url);
      try {
        const rows = await db.query('SELECT count(*)::int AS n FROM awards');
        expect(rows.rows[0].n).toBe(1);
      } finally {
        await db.end();
      }
    });
  });

  it('leaves every cached metrics row as a whole recompute writes it', async () => {
    expect(await expectRowsOfWholeRecompute(t)).toBeGreaterThan(0);
  });
});
