import type pg from 'pg';
import { verifyReportSignature, hashReport } from '../../src/verifications/verification-report.rules.js';
import { admin, createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';
import { connect } from '../support/db.js';
import { createActor, createOrganization, depositDataset, uniqueName } from '../support/factories.js';
import type { Actor } from '../support/factories.js';

interface Finding {
  code: string;
  severity: string;
}

const codesOf = (findings: Finding[]) => findings.map((f) => `${f.code}:${f.severity}`);

describe('data availability verifications (e2e)', () => {
  // The api process records intents only: DOIs stay `pending` until a worker process drains the jobs.
  let t: TestApp;
  let worker: TestApp | null = null;
  let db: pg.Client;
  let journal: Actor;
  let otherJournal: Actor;
  let depositor: Actor;
  let curator: Actor;
  let publisher: string;

  const rembi = { organism: 'NCBITaxon:9606', imagingMethod: 'FBbi:00000251' };
  const verify = (as: Actor, body: Record<string, unknown>) =>
    t.http
      .post('/v1/verifications')
      .set(as.headers)
      .send({ manuscriptId: uniqueName('MS').replace(' ', '-'), submittedAt: '2025-03-01', ...body });

  beforeAll(async () => {
    t = await createTestApp({ dispatch: { relay: false, workers: false } });
    db = await connect(t.db.url);
    journal = await createActor(t, ['journal']);
    otherJournal = await createActor(t, ['journal']);
    depositor = await createActor(t, ['depositor']);
    curator = await createActor(t, ['curator']);
    publisher = (await createOrganization(t, { name: 'EMBL-EBI', ror: 'https://ror.org/02catss52' })).id;
  });

  afterAll(async () => {
    await worker?.close();
    await db.end();
    await t.close();
  });

  it('fails a statement whose DOI is still pending (DOI_NOT_REGISTERED)', async () => {
    const ds = await depositDataset(t, depositor, { publisher, accession: 'S-BIAD9001', ...rembi });
    const minted = await t.http.post(`/v1/datasets/${ds.id}/doi`).set(depositor.headers).expect(202);
    expect(minted.body.doiState).toBe('pending');
    const res = await verify(journal, {
      statement: `Images are in the BioImage Archive: doi:${minted.body.doi as string}.`,
    }).expect(201);
    expect(res.body.verdict).toBe('fail');
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({
      identifier: minted.body.doi,
      identifierType: 'doi',
      found: true,
      dataset: ds.id,
      doiState: 'pending',
    });
    expect(codesOf(res.body.items[0].findings)).toEqual(
      expect.arrayContaining(['IDENTIFIER_RESOLVES:pass', 'DOI_NOT_REGISTERED:fail', 'REVIEWER_ACCESS_MISSING:warn']),
    );
  });

  it('fails an "available on request" statement (STATEMENT_ON_REQUEST_ONLY)', async () => {
    const res = await verify(journal, {
      statement: 'The data are available from the corresponding author upon reasonable request.',
    }).expect(201);
    expect(res.body.verdict).toBe('fail');
    expect(res.body.items).toEqual([]);
    expect(codesOf(res.body.statementFindings)).toEqual([
      'STATEMENT_ON_REQUEST_ONLY:fail',
      'IDENTIFIER_NONE_FOUND:fail',
    ]);
  });

  it.each([
    ['default', 'warn', 'IDENTIFIER_NOT_IN_LEDGER:warn'],
    ['plos', 'fail', 'IDENTIFIER_NOT_FOUND:fail'],
  ])('flags a DOI unknown to the ledger under %s (never a silent pass)', async (policy, verdict, code) => {
    const res = await verify(journal, {
      policy,
      statement: 'Raw data: https://doi.org/10.5281/zenodo.1234567 (Zenodo).',
    }).expect(201);
    expect(res.body.verdict).toBe(verdict);
    expect(res.body.items).toEqual([
      expect.objectContaining({ identifier: '10.5281/zenodo.1234567', found: false, dataset: null, doiState: null }),
    ]);
    expect(codesOf(res.body.items[0].findings)).toEqual([code]);
  });

  it('recognises a publication DOI and an unparseable identifier', async () => {
    await t.http
      .post('/v1/publications')
      .set(depositor.headers)
      .send({
        doi: '10.5555/Atlas.2025',
        csl: { type: 'article-journal', title: 'Atlas', DOI: '10.5555/atlas.2025', issued: { 'date-parts': [[2025]] } },
      })
      .expect(201);
    const res = await verify(journal, {
      statement: 'See the Image Data Resource.',
      identifiers: ['https://doi.org/10.5555/ATLAS.2025', 'my lab server'],
    }).expect(201);
    expect(res.body.items[0]).toMatchObject({ identifier: '10.5555/atlas.2025', found: true, dataset: null });
    expect(res.body.items[0].publication).toEqual(expect.any(String));
    expect(codesOf(res.body.statementFindings)).toContain('IDENTIFIER_UNPARSEABLE:fail');
  });

  it('passes a findable DOI, signs the report and records its hash in the ledger', async () => {
    const ds = await depositDataset(t, depositor, { publisher, accession: 'S-BIAD9002', ...rembi });
    const minted = await t.http.post(`/v1/datasets/${ds.id}/doi`).set(depositor.headers).expect(202);
    worker = await createTestApp({ reuse: t });
    await worker.drainJobs();
    expect((await t.http.get(`/v1/datasets/${ds.id}/doi`).expect(200)).body.doiState).toBe('findable');

    const doi = minted.body.doi as string;
    const res = await verify(journal, {
      journal: 'Journal of Cell Images',
      statement: `All images are deposited in the BioImage Archive (https://doi.org/${doi.toUpperCase()}).`,
      expectedPublicationDate: '2025-06-01',
    }).expect(201);
    expect(res.body).toMatchObject({
      verdict: 'pass',
      policy: 'default',
      journal: 'Journal of Cell Images',
      previous: null,
    });
    expect(codesOf(res.body.statementFindings)).toEqual(['STATEMENT_OK:pass']);
    expect(res.body.items).toEqual([
      expect.objectContaining({
        identifier: doi,
        found: true,
        dataset: ds.id,
        doiState: 'findable',
        license: 'CC-BY-4.0',
        openLicense: true,
      }),
    ]);
    expect(codesOf(res.body.items[0].findings)).toEqual([
      'IDENTIFIER_RESOLVES:pass',
      'DOI_FINDABLE:pass',
      'LICENSE_OPEN:pass',
      'METADATA_COMPLETE:pass',
    ]);

    // The ledger entry carries the SHA-256 of the signed bytes.
    const entry = await t.http.get(`/v1/ledger/entries/${res.body.receipt.seq}`).expect(200);
    expect(entry.body.kind).toBe('verification.issued');
    expect(entry.body.payload).toMatchObject({ id: res.body.id, verdict: 'pass', reportHash: hashReport(res.body) });

    // Offline: the published key verifies the report as served; any change breaks it.
    const key = (await t.http.get('/v1/ledger/public-key').expect(200)).body;
    expect(res.body.signature).toMatchObject({ algorithm: 'ed25519', keyId: key.keyId });
    const raw = Buffer.from(key.publicKey as string, 'base64');
    const stored = (await t.http.get(`/v1/verifications/${res.body.id}`).set(journal.headers).expect(200)).body;
    expect(stored).toEqual(res.body);
    expect(verifyReportSignature(stored, raw, key.keyId)).toEqual({ verified: true, check: 'SIGNATURE_VALID' });
    const tampered = { ...stored, verdict: 'fail' };
    expect(verifyReportSignature(tampered, raw, key.keyId)).toEqual({ verified: false, check: 'SIGNATURE_INVALID' });

    // The same through the service.
    const ok = await t.http.post('/v1/verifications/verify-signature').send({ report: stored }).expect(200);
    expect(ok.body).toMatchObject({
      verified: true,
      check: 'SIGNATURE_VALID',
      keyId: key.keyId,
      reportHash: entry.body.payload.reportHash,
    });
    const bad = await t.http
      .post('/v1/verifications/verify-signature')
      .send({ report: { ...stored, items: [{ ...stored.items[0], findings: [] }] } })
      .expect(200);
    expect(bad.body).toMatchObject({ verified: false, check: 'SIGNATURE_INVALID' });
  });

  it('finds the dataset-article relation through a figure panel when the article DOI is given', async () => {
    const ds = await depositDataset(t, depositor, { publisher, accession: 'S-BIAD9003', ...rembi });
    const article = await t.http
      .post('/v1/publications')
      .set(depositor.headers)
      .send({
        doi: '10.5555/spindle.2025',
        csl: { type: 'article-journal', title: 'Spindles', issued: { 'date-parts': [[2025]] } },
      })
      .expect(201);
    await t.http
      .post('/v1/figures')
      .set(depositor.headers)
      .send({ publication: article.body.id, label: 'Figure 2', panels: [{ label: 'B', sourceData: [ds.id] }] })
      .expect(201);
    const statement = 'Images are in the BioImage Archive under accession S-BIAD9003.';
    const linked = await verify(journal, { statement, articleDoi: 'https://doi.org/10.5555/SPINDLE.2025' }).expect(201);
    expect(linked.body.verdict).toBe('pass');
    expect(codesOf(linked.body.items[0].findings)).toEqual([
      'IDENTIFIER_RESOLVES:pass',
      'ACCESSION_PUBLIC:pass',
      'LICENSE_OPEN:pass',
      'METADATA_COMPLETE:pass',
      'RELATION_PRESENT:pass',
    ]);
    const unlinked = await verify(journal, { statement, articleDoi: '10.5555/other.2025' }).expect(201);
    expect(unlinked.body.verdict).toBe('warn');
    expect(codesOf(unlinked.body.items[0].findings)).toContain('RELATION_MISSING:warn');
  });

  it('links a re-verification of the same manuscript to the previous report, per journal key', async () => {
    const manuscriptId = uniqueName('MS').replace(' ', '-');
    const first = await verify(journal, { manuscriptId, statement: 'Data are available on request.' }).expect(201);
    const second = await verify(journal, { manuscriptId, statement: 'Images: idr0013 (IDR).' }).expect(201);
    const third = await verify(journal, { manuscriptId, statement: 'Images: idr0013 (IDR).' }).expect(201);
    expect([first.body.previous, second.body.previous, third.body.previous]).toEqual([
      null,
      first.body.id,
      second.body.id,
    ]);
    const elsewhere = await verify(otherJournal, { manuscriptId, statement: 'Images: idr0013 (IDR).' }).expect(201);
    expect(elsewhere.body.previous).toBeNull();
    const rows = await db.query(
      'SELECT previous_id, verdict FROM verifications WHERE manuscript_id = $1 ORDER BY ledger_seq',
      [manuscriptId],
    );
    expect(rows.rows.map((r) => r.previous_id)).toEqual([null, first.body.id, second.body.id, null]);
  });

  it('keeps reports to the journal that asked, curators and admins', async () => {
    const res = await verify(journal, { statement: 'Images: idr0013.' }).expect(201);
    await t.http.get(`/v1/verifications/${res.body.id}`).set(curator.headers).expect(200);
    await t.http.get(`/v1/verifications/${res.body.id}`).set(admin).expect(200);
    const other = await t.http.get(`/v1/verifications/${res.body.id}`).set(otherJournal.headers).expect(403);
    expect(other.body.code).toBe('NOT_OWNER');
    await t.http.get(`/v1/verifications/${res.body.id}`).expect(401);
    const asDepositor = await verify(depositor, { statement: 'x' }).expect(403);
    expect(asDepositor.body.code).toBe('FORBIDDEN_ROLE');
    const badDate = await verify(journal, { statement: 'x', submittedAt: '2025-02-30' }).expect(400);
    expect(badDate.body.code).toBe('INVALID_DATE');
    await t.http.get('/v1/verifications/00000000-0000-4000-8000-000000000000').set(curator.headers).expect(404);
  });
});
