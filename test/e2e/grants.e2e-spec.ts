import type pg from 'pg';
import { admin, createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';
import { connect } from '../support/db.js';
import { createActor, createOrganization, depositDataset, uniqueName } from '../support/factories.js';
import type { Actor } from '../support/factories.js';
import { expectRowsOfWholeRecompute } from '../support/metrics-check.js';

/** An RFC 4180 reader written for the test: CRLF records, quoted fields with doubled quotes. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field !== '' || record.length > 0) throw new Error('the last record does not end in CRLF');
  return records;
}

const DAY_MS = 86_400_000;
const today = new Date().toISOString().slice(0, 10);
const daysSince = (day: string) =>
  Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${day}T00:00:00Z`)) / DAY_MS);

describe('grants and funder compliance (e2e)', () => {
  let t: TestApp;
  let db: pg.Client;
  let nih: string;
  let wellcome: string;
  let publisher: string;
  let nihOfficer: Actor;
  let wellcomeOfficer: Actor;
  let pi: Actor;
  let curator: Actor;

  const statusChanges = async (grant: string) =>
    (
      await db.query<{ payload: Record<string, unknown> }>(
        `SELECT payload FROM ledger_entries WHERE kind = 'compliance.status_changed' AND payload->>'grant' = $1 ORDER BY seq`,
        [grant],
      )
    ).rows.map((r) => r.payload);

  const createGrant = (as: Actor, fields: Record<string, unknown> = {}) =>
    t.http
      .post('/v1/grants')
      .set(as.headers)
      .send({
        funder: nih,
        awardNumber: uniqueName('R01GM').replace(' ', ''),
        title: 'Mitotic atlas of human cells',
        pi: pi.id,
        start: '2022-01-01',
        end: '2024-12-31',
        policy: 'nih-dms-2023',
        applicationDate: '2023-02-05',
        plannedData: [{ dataType: 'Microscopy images', repository: 'BioImage Archive' }],
        ...fields,
      });

  beforeAll(async () => {
    t = await createTestApp();
    db = await connect(t.db.url);
    nih = (await createOrganization(t, { name: 'National Institutes of Health', ror: 'https://ror.org/01cwqze88' })).id;
    wellcome = (await createOrganization(t, { name: 'Wellcome Trust' })).id;
    publisher = (await createOrganization(t, { name: 'EMBL-EBI', ror: 'https://ror.org/02catss52' })).id;
    nihOfficer = await createActor(t, ['funder'], { affiliations: [nih] });
    wellcomeOfficer = await createActor(t, ['funder'], { affiliations: [wellcome] });
    pi = await createActor(t, ['depositor'], { givenName: 'Ana', familyName: 'Silva', orcid: '0000-0003-4567-8125' });
    curator = await createActor(t, ['curator']);
  });

  afterAll(async () => {
    await db.end();
    await t.close();
  });

  it('creates a grant with a Grant node whose properties feed DataCite fundingReferences', async () => {
    const res = await createGrant(nihOfficer, { awardNumber: 'R01GM000001' }).expect(201);
    expect(res.body).toMatchObject({
      awardNumber: 'R01GM000001',
      funder: {
        id: nih,
        name: 'National Institutes of Health',
        identifier: 'https://ror.org/01cwqze88',
        identifierType: 'ROR',
      },
      pi: { id: pi.id, orcid: 'https://orcid.org/0000-0003-4567-8125' },
      end: '2024-12-31',
      policy: 'nih-dms-2023',
    });
    const entry = await t.http.get(`/v1/ledger/entries/${res.body.receipt.seq}`).expect(200);
    expect(entry.body.kind).toBe('grant.created');
    const node = await db.query('SELECT type, properties FROM graph_nodes WHERE id = $1', [res.body.id]);
    expect(node.rows[0]).toEqual({
      type: 'Grant',
      properties: {
        funderName: 'National Institutes of Health',
        funderIdentifier: 'https://ror.org/01cwqze88',
        funderIdentifierType: 'ROR',
        awardNumber: 'R01GM000001',
        awardTitle: 'Mitotic atlas of human cells',
      },
    });
    await createGrant(nihOfficer, { awardNumber: 'R01GM000001' }).expect(409);
  });

  it('takes a Crossref Funder ID given as funderIdentifier', async () => {
    const res = await createGrant(nihOfficer, { funderIdentifier: '10.13039/100000002' }).expect(201);
    expect(res.body.funder).toMatchObject({
      identifier: 'https://doi.org/10.13039/100000002',
      identifierType: 'Crossref Funder ID',
    });
  });

  it.each([
    ['another funder org', () => wellcomeOfficer, {}, 403, 'FORBIDDEN_FUNDER'],
    ['a depositor key', () => pi, {}, 403, 'FORBIDDEN_ROLE'],
    ['a funder that is a person', () => nihOfficer, () => ({ funder: pi.id }), 422, 'FUNDER_NOT_ORGANIZATION'],
    [
      'a bad funder identifier',
      () => nihOfficer,
      { funderIdentifier: '10.1000/182' },
      400,
      'INVALID_FUNDER_IDENTIFIER',
    ],
    ['an end before the start', () => nihOfficer, { end: '2021-12-31' }, 400, 'INVALID_GRANT_PERIOD'],
    ['a date that does not exist', () => nihOfficer, { start: '2023-02-30' }, 400, 'INVALID_DATE'],
    ['a policy outside the list', () => nihOfficer, { policy: 'nsf' }, 400, 'VALIDATION_FAILED'],
    [
      'the same data type twice',
      () => nihOfficer,
      { plannedData: [{ dataType: 'Images' }, { dataType: ' images' }] },
      400,
      'DUPLICATE_DATA_TYPE',
    ],
  ])('refuses %s and writes nothing', async (_name, as, fields, status, code) => {
    const before = (await db.query('SELECT size FROM ledger_head')).rows[0].size;
    const res = await createGrant(as(), typeof fields === 'function' ? fields() : fields);
    expect([res.status, res.body.code]).toEqual([status, code]);
    expect((await db.query('SELECT size FROM ledger_head')).rows[0].size).toBe(before);
  });

  it('goes overdue, then compliant once its dataset DOI turns findable; each change is a ledger entry', async () => {
    const grant = (await createGrant(nihOfficer, { awardNumber: 'R01GM000042' }).expect(201)).body;
    const dataset = await depositDataset(t, pi, { publisher, grants: [grant.id] });

    const first = await t.http.get(`/v1/grants/${grant.id}/compliance`).set(nihOfficer.headers).expect(200);
    expect(first.body).toMatchObject({
      status: 'overdue',
      dueDate: '2024-12-31',
      asOf: today,
      recorded: true,
      worstOverdueDays: daysSince('2024-12-31'),
    });
    expect(first.body.items).toEqual([
      expect.objectContaining({
        dataType: 'Microscopy images',
        generated: true,
        generatedDatasets: [dataset.id],
        shared: false,
        status: 'overdue',
        dueDate: '2024-12-31',
        dueBasis: 'grant-end',
        overdueDays: daysSince('2024-12-31'),
        notSharedStatus: 'being-prepared',
        doiStates: [{ dataset: dataset.id, doiState: 'none' }],
        repository: 'BioImage Archive',
      }),
    ]);
    expect(first.body.items[0].correctiveAction).toContain('overdue');
    expect(first.body.receipt).toBeDefined();
    const head = await t.http.get(`/v1/ledger/entries/${first.body.receipt.seq}`).expect(200);
    expect(head.body.kind).toBe('compliance.status_changed');
    expect(BigInt(first.body.checkpoint.treeSize)).toBeGreaterThan(BigInt(first.body.receipt.seq));
    expect(first.body.checkpoint.rootHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await statusChanges(grant.id)).map((p) => [p.scope, p.dataType, p.from, p.to])).toEqual([
      ['grant', null, null, 'overdue'],
      ['item', 'Microscopy images', null, 'overdue'],
    ]);

    // Same day, nothing moved: no entry, no receipt.
    const again = await t.http.get(`/v1/grants/${grant.id}/compliance`).set(nihOfficer.headers).expect(200);
    expect(again.body.receipt).toBeUndefined();
    expect(again.body.changes).toEqual([]);

    // A past date is a read-only view: nothing was generated then and the due date was months away.
    const past = await t.http
      .get(`/v1/grants/${grant.id}/compliance?asOf=2024-06-01`)
      .set(nihOfficer.headers)
      .expect(200);
    expect(past.body).toMatchObject({ status: 'not-yet-due', recorded: false, asOf: '2024-06-01' });
    expect(past.body.items[0]).toMatchObject({ generated: false, notSharedStatus: 'not-yet-expected' });
    expect(await statusChanges(grant.id)).toHaveLength(2);

    await t.http.post(`/v1/datasets/${dataset.id}/doi`).set(pi.headers).expect(202);
    await t.drainJobs();
    const doi = (await t.http.get(`/v1/datasets/${dataset.id}/doi`).expect(200)).body;
    expect(doi.doiState).toBe('findable');

    const after = await t.http.get(`/v1/grants/${grant.id}/compliance`).set(pi.headers).expect(200);
    expect(after.body).toMatchObject({ status: 'compliant', dueDate: null, itemsShared: 1, itemsPlanned: 1 });
    expect(after.body.items[0]).toMatchObject({
      shared: true,
      status: 'compliant',
      sharedAt: today,
      identifiers: [doi.doi],
      doiStates: [{ dataset: dataset.id, doiState: 'findable' }],
      openLicence: true,
      findings: ['SHARED_AFTER_DUE_DATE'],
    });
    expect(after.body.changes).toEqual([
      { scope: 'grant', dataType: null, from: 'overdue', to: 'compliant' },
      { scope: 'item', dataType: 'Microscopy images', from: 'overdue', to: 'compliant' },
    ]);
    expect((await statusChanges(grant.id)).map((p) => p.to)).toEqual(['overdue', 'overdue', 'compliant', 'compliant']);
    const states = await db.query(
      'SELECT scope, data_type, status FROM grant_compliance_states WHERE grant_id = $1 ORDER BY scope, data_type',
      [grant.id],
    );
    expect(states.rows).toEqual([
      { scope: 'grant', data_type: '', status: 'compliant' },
      { scope: 'item', data_type: 'Microscopy images', status: 'compliant' },
    ]);

    // The DOI module reads the Grant node for the dataset's DataCite record.
    const datacite = await t.http.get(`/v1/datasets/${dataset.id}/datacite`).expect(200);
    expect(datacite.body.fundingReferences).toEqual([
      expect.objectContaining({
        funderName: 'National Institutes of Health',
        funderIdentifier: 'https://ror.org/01cwqze88',
        funderIdentifierType: 'ROR',
        awardNumber: 'R01GM000042',
      }),
    ]);
  });

  it('attaches outputs as funding edges; an associated article moves the due date earlier', async () => {
    const grant = (
      await createGrant(nihOfficer, {
        end: '2099-12-31',
        plannedData: [{ dataType: 'Microscopy images' }, { dataType: 'Segmentation masks' }],
      }).expect(201)
    ).body;
    const raw = await depositDataset(t, pi, { publisher });
    const masks = await depositDataset(t, pi, {
      kind: 'derived',
      derivedFrom: [raw.id],
      publisher,
      generatedBy: { method: 'watershed' },
    });
    const article = await t.http
      .post('/v1/publications')
      .set(pi.headers)
      .send({
        csl: {
          type: 'article-journal',
          title: 'Atlas',
          'container-title': 'Cell',
          issued: { 'date-parts': [[2025, 1, 15]] },
          author: [{ family: 'Silva', given: 'Ana' }],
        },
      })
      .expect(201);

    const added = await t.http
      .post(`/v1/grants/${grant.id}/outputs`)
      .set(pi.headers)
      .send({ datasets: [raw.id, masks.id], publications: [article.body.id] })
      .expect(200);
    expect((await t.http.get(`/v1/ledger/entries/${added.body.receipt.seq}`).expect(200)).body.kind).toBe(
      'grant.outputs_added',
    );
    const edges = await db.query(
      `SELECT source_id FROM graph_edges WHERE relation = 'funding' AND target_id = $1 ORDER BY source_id`,
      [grant.id],
    );
    expect(edges.rows.map((r) => r.source_id)).toEqual([raw.id, masks.id, article.body.id].sort());
    // Idempotent edges, fresh receipt.
    const again = await t.http
      .post(`/v1/grants/${grant.id}/outputs`)
      .set(nihOfficer.headers)
      .send({ datasets: [raw.id] })
      .expect(200);
    expect(BigInt(again.body.receipt.seq)).toBeGreaterThan(BigInt(added.body.receipt.seq));

    const report = await t.http.get(`/v1/grants/${grant.id}/compliance`).set(curator.headers).expect(200);
    // Images and masks are matched to their plan items by kind; the article (2025-01-15) sets both due dates.
    expect(
      report.body.items.map((i: Record<string, unknown>) => [
        i.dataType,
        i.generatedDatasets,
        i.dueDate,
        i.dueBasis,
        i.status,
      ]),
    ).toEqual([
      ['Microscopy images', [raw.id], '2025-01-15', 'publication', 'overdue'],
      ['Segmentation masks', [masks.id], '2025-01-15', 'publication', 'overdue'],
    ]);
    expect(report.body.publications).toEqual([
      { id: article.body.id, doi: null, issued: '2025-01-15', kind: 'article', datasets: null },
    ]);

    const stranger = await createActor(t, ['depositor']);
    for (const [as, code] of [
      [wellcomeOfficer, 'FORBIDDEN_FUNDER'],
      [stranger, 'NOT_GRANT_PARTY'],
    ] as const) {
      const res = await t.http
        .post(`/v1/grants/${grant.id}/outputs`)
        .set(as.headers)
        .send({ datasets: [raw.id] })
        .expect(403);
      expect(res.body.code).toBe(code);
    }
    const empty = await t.http.post(`/v1/grants/${grant.id}/outputs`).set(pi.headers).send({}).expect(400);
    expect(empty.body.code).toBe('OUTPUTS_EMPTY');
    const unplanned = await t.http
      .post(`/v1/grants/${grant.id}/outputs`)
      .set(pi.headers)
      .send({ datasets: [raw.id], dataType: 'Movies' })
      .expect(422);
    expect(unplanned.body.code).toBe('DATA_TYPE_NOT_PLANNED');
  });

  it('dates an item by the first article presenting its dataset in a figure panel', async () => {
    const grant = (
      await createGrant(nihOfficer, {
        end: '2099-12-31',
        plannedData: [{ dataType: 'Microscopy images' }, { dataType: 'Segmentation masks' }],
      }).expect(201)
    ).body;
    const images = await depositDataset(t, pi, { publisher, grants: [grant.id] });
    const article = await t.http
      .post('/v1/publications')
      .set(pi.headers)
      .send({
        csl: {
          type: 'article-journal',
          title: 'Spindle defects',
          issued: { 'date-parts': [[2025, 2, 1]] },
          author: [{ family: 'Silva', given: 'Ana' }],
        },
      })
      .expect(201);
    await t.http
      .post('/v1/figures')
      .set(pi.headers)
      .send({ publication: article.body.id, label: 'Figure 1', panels: [{ label: 'A', sourceData: [images.id] }] })
      .expect(201);

    const report = await t.http.get(`/v1/grants/${grant.id}/compliance`).set(nihOfficer.headers).expect(200);
    // The article is not an output of the grant: it dates only the item whose data it presents.
    expect(
      report.body.items.map((i: Record<string, unknown>) => [i.dataType, i.dueDate, i.dueBasis, i.status]),
    ).toEqual([
      ['Microscopy images', '2025-02-01', 'publication', 'overdue'],
      ['Segmentation masks', '2099-12-31', 'grant-end', 'not-yet-due'],
    ]);
    expect(report.body.publications).toEqual([
      { id: article.body.id, doi: null, issued: '2025-02-01', kind: 'article', datasets: [images.id] },
    ]);
  });

  it('records a no-cost extension as a new event and judges the new end', async () => {
    const grant = (await createGrant(nihOfficer, { end: '2025-06-30' }).expect(201)).body;
    const extended = await t.http
      .post(`/v1/grants/${grant.id}/extensions`)
      .set(nihOfficer.headers)
      .send({ end: '2099-06-30' })
      .expect(200);
    expect(extended.body).toMatchObject({
      end: '2099-06-30',
      originalEnd: '2025-06-30',
      extensions: [{ end: '2099-06-30', seq: extended.body.receipt.seq }],
    });
    const report = await t.http.get(`/v1/grants/${grant.id}/compliance`).set(nihOfficer.headers).expect(200);
    expect(report.body).toMatchObject({
      status: 'not-yet-due',
      dueDate: '2099-06-30',
      grant: { extended: true, end: '2099-06-30' },
    });
    await t.http.post(`/v1/grants/${grant.id}/extensions`).set(pi.headers).send({ end: '2099-07-30' }).expect(403);
  });

  it("denies a funder key another funder's grant compliance and audit; curators see all", async () => {
    const grant = (await createGrant(nihOfficer).expect(201)).body;
    const denied = await t.http.get(`/v1/grants/${grant.id}/compliance`).set(wellcomeOfficer.headers).expect(403);
    expect(denied.body.code).toBe('FORBIDDEN_FUNDER');
    const audit = await t.http.get(`/v1/funders/${nih}/audit`).set(wellcomeOfficer.headers).expect(403);
    expect(audit.body.code).toBe('FORBIDDEN_FUNDER');
    const stranger = await createActor(t, ['depositor']);
    expect((await t.http.get(`/v1/grants/${grant.id}/compliance`).set(stranger.headers).expect(403)).body.code).toBe(
      'NOT_GRANT_PARTY',
    );
    await t.http.get(`/v1/grants/${grant.id}/compliance`).set(curator.headers).expect(200);
    await t.http.get(`/v1/funders/${nih}/audit`).set(curator.headers).expect(200);
    await t.http.get(`/v1/funders/${wellcome}/audit`).set(wellcomeOfficer.headers).expect(200);
    const bad = await t.http.get(`/v1/grants/${grant.id}/compliance?asOf=2024-13-01`).set(curator.headers).expect(400);
    expect(bad.body.code).toBe('INVALID_DATE');
  });

  it('audits the portfolio as JSON and as RFC 4180 CSV, row by row', async () => {
    // A Wellcome grant whose data type needs quoting in CSV, with one reuse of its dataset.
    const officer = await createActor(t, ['funder'], { affiliations: [wellcome] });
    const grant = (
      await createGrant(officer, {
        funder: wellcome,
        awardNumber: 'WT-226791/Z/22/Z',
        policy: 'wellcome',
        end: '2099-12-31',
        plannedData: [{ dataType: 'Images, "raw" stacks', repository: 'IDR' }, { dataType: 'Protocols' }],
      }).expect(201)
    ).body;
    const ds = await depositDataset(t, pi, { publisher, accession: 'idr0013', grants: [grant.id] });
    await t.http
      .post(`/v1/grants/${grant.id}/outputs`)
      .set(officer.headers)
      .send({ datasets: [ds.id], dataType: 'images, "RAW" stacks' })
      .expect(200);
    const reuser = await createActor(t, ['depositor'], { givenName: 'Ken', familyName: 'Okafor' });
    const paper = await t.http
      .post('/v1/publications')
      .set(reuser.headers)
      .send({
        csl: {
          type: 'article-journal',
          title: 'Reuse',
          issued: { 'date-parts': [[2026, 2, 1]] },
          author: [{ family: 'Okafor', given: 'Ken' }],
        },
      })
      .expect(201);
    await t.http
      .post('/v1/reuses')
      .set(reuser.headers)
      .send({ publication: paper.body.id, datasets: [ds.id], type: 'secondary-analysis' })
      .expect(201);

    // Metrics are maintained by recompute jobs.
    await t.drainJobs();
    const json = await t.http.get(`/v1/funders/${wellcome}/audit`).set(officer.headers).expect(200);
    expect(json.body.grants).toHaveLength(1);
    expect(json.body.grants[0]).toMatchObject({
      id: grant.id,
      awardNumber: 'WT-226791/Z/22/Z',
      status: 'not-yet-due',
      itemsShared: 1,
      itemsPlanned: 2,
      identifiers: ['idr0013'],
      pi: { id: pi.id, orcid: 'https://orcid.org/0000-0003-4567-8125' },
      reuse: { datasets: 1, citations: 1, reuses: 1, independent: 1, sameLab: 0, coAuthored: 0, independentGroups: 1 },
    });
    expect(json.body.counts).toEqual({ compliant: 0, due: 0, overdue: 0, 'not-yet-due': 1 });
    const filtered = await t.http.get(`/v1/funders/${wellcome}/audit?status=overdue`).set(officer.headers).expect(200);
    expect(filtered.body.grants).toEqual([]);

    const csv = await t.http
      .get(`/v1/funders/${wellcome}/audit`)
      .set(officer.headers)
      .set('Accept', 'text/csv')
      .expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(BigInt(csv.headers['ledger-tree-size'])).toBeGreaterThan(0n);
    expect(csv.headers['ledger-root-hash']).toMatch(/^[0-9a-f]{64}$/);
    const records = parseCsv(csv.text);
    // One dataset, cited by the reusing paper, reused once by an independent group.
    const reuseCells = ['1', '1', '1', '1', '0', '0', '1'];
    expect(records[0]).toEqual([
      'award_number',
      'pi_name',
      'pi_orcid',
      'policy',
      'start',
      'end',
      'grant_status',
      'grant_due_date',
      'data_type',
      'item_status',
      'item_due_date',
      'overdue_days',
      'generated',
      'shared',
      'repository',
      'identifiers',
      'output_datasets',
      'citations',
      'reuses',
      'reuses_independent',
      'reuses_same_lab',
      'reuses_co_authored',
      'independent_groups',
    ]);
    expect(records.slice(1)).toEqual([
      [
        'WT-226791/Z/22/Z',
        'Ana Silva',
        'https://orcid.org/0000-0003-4567-8125',
        'wellcome',
        '2022-01-01',
        '2099-12-31',
        'not-yet-due',
        '2099-12-31',
        'Images, "raw" stacks',
        'compliant',
        '2099-12-31',
        '',
        'true',
        'true',
        'IDR',
        'idr0013',
        ...reuseCells,
      ],
      [
        'WT-226791/Z/22/Z',
        'Ana Silva',
        'https://orcid.org/0000-0003-4567-8125',
        'wellcome',
        '2022-01-01',
        '2099-12-31',
        'not-yet-due',
        '2099-12-31',
        'Protocols',
        'not-yet-due',
        '2099-12-31',
        '',
        'false',
        'false',
        '',
        '',
        ...reuseCells,
      ],
    ]);
    // Every record, parsed back, lines up with the JSON rows.
    expect(records.slice(1).map((r) => [r[0], r[8], r[9]])).toEqual(
      json.body.rows.map((r: Record<string, string>) => [r.awardNumber, r.dataType, r.itemStatus]),
    );
    await t.http.get(`/v1/funders/${pi.id}/audit`).set(admin).expect(404);
  });

  it('leaves every cached metrics row as a whole recompute writes it', async () => {
    expect(await expectRowsOfWholeRecompute(t)).toBeGreaterThan(0);
  });
});
