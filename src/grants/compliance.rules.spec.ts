import {
  addMonths,
  assessGrantCompliance,
  AUDIT_CSV_COLUMNS,
  buildFunderAudit,
  effectiveGrantEnd,
  toCsv,
  worstStatus,
  type ComplianceDatasetRow,
  type CompliancePublicationRow,
  type CsvColumn,
  type GrantRow,
  type PlannedDataRow,
} from './compliance.rules.js';

/** An independent RFC 4180 reader: CRLF between records, quotes doubled inside quoted fields. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        i += 1;
      } else {
        field += ch;
        i += 1;
      }
      continue;
    }
    if (ch === '"') {
      if (field !== '') throw new Error('quote inside an unquoted field');
      quoted = true;
      i += 1;
    } else if (ch === ',') {
      record.push(field);
      field = '';
      i += 1;
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else if (ch === '\r' || ch === '\n') {
      throw new Error('bare line break outside quotes');
    } else {
      field += ch;
      i += 1;
    }
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (field !== '' || record.length > 0) records.push([...record, field]);
  return records;
}

const nihGrant: GrantRow = {
  id: 'grant-1',
  awardNumber: 'R01GM000001',
  funderId: 'nih',
  piId: 'agent-pi',
  start: '2023-04-01',
  end: '2026-03-31',
  policy: 'nih-dms-2023',
  applicationDate: '2023-02-05',
};
const images: PlannedDataRow = { dataType: 'Microscopy images', repository: 'BioImage Archive' };
const article = (issued: string, extra: Partial<CompliancePublicationRow> = {}): CompliancePublicationRow => ({
  id: `pub-${issued}`,
  issued,
  kind: 'article',
  ...extra,
});
const imageDataset = (extra: Partial<ComplianceDatasetRow>): ComplianceDatasetRow => ({
  id: 'ds-1',
  dataType: 'microscopy  Images',
  doi: '10.5555/abc',
  doiState: 'findable',
  license: 'CC-BY-4.0',
  registeredAt: '2024-03-01',
  released: '2024-05-01',
  ...extra,
});

describe('due dates', () => {
  it.each([
    ['NIH, nothing published: end of the period', {}, [], '2024-01-01', '2026-03-31', 'grant-end'],
    [
      'NIH, first peer-reviewed article',
      {},
      [article('2024-05-10'), article('2025-01-01')],
      '2024-06-01',
      '2024-05-10',
      'publication',
    ],
    [
      'NIH, a preprint does not bring the date forward',
      {},
      [article('2024-02-01', { kind: 'preprint' })],
      '2024-06-01',
      '2026-03-31',
      'grant-end',
    ],
    [
      'NIH, nor does a non-peer-reviewed article',
      {},
      [article('2024-02-01', { peerReviewed: false })],
      '2024-06-01',
      '2026-03-31',
      'grant-end',
    ],
    [
      'NIH, no-cost extension moves the end',
      { extensions: [{ end: '2027-03-31', seq: '100' }] },
      [],
      '2024-06-01',
      '2027-03-31',
      'grant-end',
    ],
    [
      'NIH, the latest extension event wins whatever the input order',
      {
        extensions: [
          { end: '2027-03-31', seq: '200' },
          { end: '2026-09-30', seq: '100' },
        ],
      },
      [],
      '2024-06-01',
      '2027-03-31',
      'grant-end',
    ],
    [
      'NIH, an article before the extended end',
      { extensions: [{ end: '2027-03-31', seq: '100' }] },
      [article('2027-01-15')],
      '2027-02-01',
      '2027-01-15',
      'publication',
    ],
    [
      'NIH, an article issued after asOf has not happened yet',
      {},
      [article('2024-05-10')],
      '2024-01-01',
      '2026-03-31',
      'grant-end',
    ],
    [
      'NIH, an article presenting other data only',
      {},
      [article('2024-05-10', { datasetIds: ['ds-other'] })],
      '2024-06-01',
      '2026-03-31',
      'grant-end',
    ],
    [
      'Wellcome, a preprint counts as publication',
      { policy: 'wellcome' },
      [article('2024-02-01', { kind: 'preprint' })],
      '2024-06-01',
      '2024-02-01',
      'publication',
    ],
    [
      'Horizon Europe, nothing in the plan: grant end',
      { policy: 'horizon-europe' },
      [article('2024-05-10')],
      '2024-06-01',
      '2026-03-31',
      'grant-end',
    ],
  ] as const)('%s', (_name, grantChanges, publications, asOf, dueDate, basis) => {
    const result = assessGrantCompliance(
      { ...nihGrant, ...grantChanges },
      [images],
      { datasets: [] },
      publications,
      asOf,
    );
    expect(result.items[0]).toMatchObject({ dueDate, dueBasis: basis });
  });

  it.each([
    // An institute's earlier date (NIH) or the plan's deadline (Horizon Europe, even after a publication).
    ['nih-dms-2023', '2025-01-01', '2025-01-01'],
    ['horizon-europe', '2024-12-31', '2024-12-31'],
  ] as const)('%s plan date %s', (policy, planDue, expected) => {
    const result = assessGrantCompliance(
      { ...nihGrant, policy },
      [{ ...images, dueDate: planDue }],
      { datasets: [] },
      [article('2025-02-01')],
      '2025-03-01',
    );
    expect(result.items[0]).toMatchObject({ dueDate: expected, dueBasis: 'plan' });
  });

  it.each([
    ['2023-01-24', false],
    ['2023-01-25', true],
    [null, null],
  ])('NIH DMS applies to an application of %s: %s', (applicationDate, applies) => {
    const result = assessGrantCompliance(
      { ...nihGrant, applicationDate },
      [images],
      { datasets: [] },
      [],
      '2024-01-01',
    );
    expect(result.grant.policyApplies).toBe(applies);
  });

  it('reports the extended end', () => {
    expect(effectiveGrantEnd({ ...nihGrant, extensions: [{ end: '2026-09-30' }, { end: '2027-03-31' }] })).toBe(
      '2027-03-31',
    );
  });
});

describe('item status and RPPR C.5.c answers', () => {
  // Due on 2024-05-10 by the plan (an institute date), so asOf can be before it.
  const plan: PlannedDataRow = { ...images, dueDate: '2024-05-10' };
  const assess = (datasets: ComplianceDatasetRow[], asOf: string) =>
    assessGrantCompliance(nihGrant, [plan], { datasets }, [], asOf).items[0];

  it.each([
    [
      'findable DOI, released before due',
      { doiState: 'findable' },
      '2024-06-01',
      'compliant',
      null,
      true,
      null,
      ['10.5555/abc'],
    ],
    [
      'draft DOI is not shared',
      { doiState: 'draft', released: null },
      '2024-06-01',
      'overdue',
      22,
      false,
      'submitted',
      [],
    ],
    [
      'pending DOI, 20 days to go',
      { doiState: 'pending', released: null },
      '2024-04-20',
      'due',
      null,
      false,
      'submitted',
      [],
    ],
    [
      'pending DOI, exactly 30 days to go',
      { doiState: 'pending', released: null },
      '2024-04-10',
      'due',
      null,
      false,
      'submitted',
      [],
    ],
    [
      'pending DOI, 31 days to go',
      { doiState: 'pending', released: null },
      '2024-04-09',
      'not-yet-due',
      null,
      false,
      'submitted',
      [],
    ],
    ['findable only after asOf', { released: '2024-07-01' }, '2024-06-01', 'overdue', 22, false, 'submitted', []],
    ['under embargo', { embargoUntil: '2024-09-01' }, '2024-08-01', 'overdue', 83, false, 'submitted', []],
    [
      'no DOI, no accession',
      { doi: null, doiState: 'none', released: null },
      '2024-06-01',
      'overdue',
      22,
      false,
      'being-prepared',
      [],
    ],
    ['failed DOI', { doiState: 'failed', released: null }, '2024-06-01', 'overdue', 22, false, 'being-prepared', []],
    ['withdrawn (registered) DOI', { doiState: 'registered' }, '2024-06-01', 'overdue', 22, false, 'submitted', []],
    [
      'public accession without DOI',
      { doi: null, doiState: 'none', accession: 'S-BIAD9', accessionPublic: true },
      '2024-06-01',
      'compliant',
      null,
      true,
      null,
      ['S-BIAD9'],
    ],
  ] as const)('%s', (_name, changes, asOf, status, overdueDays, shared, notShared, identifiers) => {
    const item = assess([imageDataset(changes)], asOf);
    expect(item).toMatchObject({
      status,
      overdueDays,
      shared,
      notSharedStatus: notShared,
      identifiers,
      generated: true,
    });
    expect(item.correctiveAction === null).toBe(status !== 'overdue');
    if (status === 'overdue') expect(item.correctiveAction).toContain(`${overdueDays} days overdue`);
  });

  it('reports late sharing as compliant with a finding', () => {
    const item = assess([imageDataset({ released: '2024-07-01' })], '2024-08-01');
    expect(item).toMatchObject({ status: 'compliant', sharedAt: '2024-07-01', findings: ['SHARED_AFTER_DUE_DATE'] });
  });

  it.each([
    ['2024-06-01', 'overdue', 22, 'being-prepared'],
    ['2024-01-01', 'not-yet-due', null, 'not-yet-expected'],
  ] as const)('nothing generated as of %s', (asOf, status, overdueDays, notShared) => {
    const item = assess([], asOf);
    expect(item).toMatchObject({
      generated: false,
      shared: false,
      status,
      overdueDays,
      notSharedStatus: notShared,
      repository: 'BioImage Archive',
    });
    if (status === 'overdue')
      expect(item.correctiveAction).toMatch(/generate and deposit the data in BioImage Archive/);
  });

  it('is not shared while one of two datasets of the type is still private', () => {
    const item = assess(
      [imageDataset({}), imageDataset({ id: 'ds-2', doiState: 'draft', released: null })],
      '2024-06-01',
    );
    expect(item).toMatchObject({
      shared: false,
      status: 'overdue',
      identifiers: ['10.5555/abc'],
      generatedDatasets: ['ds-1', 'ds-2'],
    });
    expect(item.doiStates).toEqual([
      { dataset: 'ds-1', doiState: 'findable' },
      { dataset: 'ds-2', doiState: 'draft' },
    ]);
  });
});

describe('grant rollup', () => {
  it('takes the worst item and the earliest unshared due date', () => {
    const result = assessGrantCompliance(
      nihGrant,
      [images, { dataType: 'Segmentation masks' }],
      { datasets: [imageDataset({}), imageDataset({ id: 'ds-code', dataType: 'Code' })] },
      [article('2024-05-10')],
      '2024-06-01',
    );
    expect(result).toMatchObject({
      status: 'overdue',
      dueDate: '2024-05-10',
      worstOverdueDays: 22,
      itemsShared: 1,
      itemsPlanned: 2,
      unplannedDatasets: ['ds-code'],
      asOf: '2024-06-01',
      grant: { end: '2026-03-31', extended: false },
    });
    expect(result.items.map((i) => i.status)).toEqual(['compliant', 'overdue']);
  });

  it.each([
    [['compliant', 'not-yet-due'], 'not-yet-due'],
    [['due', 'not-yet-due', 'compliant'], 'due'],
    [['due', 'overdue'], 'overdue'],
    [[], 'compliant'],
  ] as const)('worst of %j is %s', (statuses, worst) => {
    expect(worstStatus(statuses)).toBe(worst);
  });
});

describe('Horizon Europe', () => {
  const heGrant: GrantRow = {
    id: 'grant-he',
    awardNumber: '101000001',
    start: '2024-01-31',
    end: '2027-01-30',
    policy: 'horizon-europe',
    dmpSubmittedAt: '2024-06-15',
  };
  const plan: PlannedDataRow = { dataType: 'Images', dueDate: '2025-06-30' };
  const nc = (extra: Partial<ComplianceDatasetRow> = {}) =>
    imageDataset({ dataType: 'Images', license: 'CC-BY-NC-4.0', released: '2025-01-01', ...extra });

  it.each([
    [
      'non-open licence without justification',
      nc(),
      '2025-03-01',
      'not-yet-due',
      false,
      ['LICENSE_NOT_OPEN_UNJUSTIFIED'],
    ],
    [
      'non-open licence with a recorded justification',
      nc({ licenseJustification: 'patient consent' }),
      '2025-03-01',
      'compliant',
      true,
      [],
    ],
    ['unjustified, past the plan deadline', nc(), '2025-07-01', 'overdue', false, ['LICENSE_NOT_OPEN_UNJUSTIFIED']],
    ['open licence', nc({ license: 'CC0-1.0' }), '2025-03-01', 'compliant', true, []],
  ] as const)('%s', (_name, dataset, asOf, status, shared, findings) => {
    const item = assessGrantCompliance(heGrant, [plan], { datasets: [dataset] }, [], asOf).items[0];
    expect(item).toMatchObject({ status, shared, findings, dueDate: '2025-06-30' });
    expect(item.openLicence).toBe(dataset.license === 'CC0-1.0');
    if (!shared) expect(item.correctiveAction).toMatch(/open licence/);
  });

  it.each([
    [heGrant.dmpSubmittedAt, '2024-08-01', 'compliant'],
    [null, '2024-07-15', 'due'],
    [null, '2024-08-01', 'overdue'],
  ])('data management plan submitted %s, as of %s: %s', (dmpSubmittedAt, asOf, status) => {
    const result = assessGrantCompliance({ ...heGrant, dmpSubmittedAt }, [plan], { datasets: [] }, [], asOf);
    expect(result.dmp).toMatchObject({ dueDate: '2024-07-31', status });
    expect(result.status).toBe(status === 'compliant' ? 'not-yet-due' : status);
  });

  it.each([
    ['2024-01-31', 6, '2024-07-31'],
    ['2024-08-31', 6, '2025-02-28'],
    ['2023-08-31', 6, '2024-02-29'],
    ['2024-12-15', 1, '2025-01-15'],
  ])('%s + %s months = %s', (date, months, expected) => {
    expect(addMonths(date, months)).toBe(expected);
  });
});

describe('CSV (RFC 4180)', () => {
  interface Row {
    readonly a: string;
    readonly b: string | number | boolean | null | readonly string[];
  }
  const columns: CsvColumn<Row>[] = [
    { header: 'a', value: (r) => r.a },
    { header: 'b, quoted', value: (r) => r.b },
  ];
  const rows: Row[] = [
    { a: 'plain', b: 1 },
    { a: 'has,comma', b: null },
    { a: 'has "quote"', b: true },
    { a: 'line\nbreak', b: ['x', 'y'] },
    { a: 'crlf\r\nhere', b: 0 },
    { a: '', b: '  spaces kept  ' },
  ];

  it('writes CRLF records and quotes only where needed', () => {
    expect(toCsv(rows, columns)).toBe(
      'a,"b, quoted"\r\n' +
        'plain,1\r\n' +
        '"has,comma",\r\n' +
        '"has ""quote""",true\r\n' +
        '"line\nbreak",x y\r\n' +
        '"crlf\r\nhere",0\r\n' +
        ',  spaces kept  \r\n',
    );
  });

  it('parses back to the same fields', () => {
    expect(parseCsv(toCsv(rows, columns))).toEqual([
      ['a', 'b, quoted'],
      ['plain', '1'],
      ['has,comma', ''],
      ['has "quote"', 'true'],
      ['line\nbreak', 'x y'],
      ['crlf\r\nhere', '0'],
      ['', '  spaces kept  '],
    ]);
  });

  it('round-trips the funder audit with its fixed columns', () => {
    const assessment = assessGrantCompliance(
      nihGrant,
      [images, { dataType: 'Segmentation masks' }],
      { datasets: [imageDataset({})] },
      [article('2024-05-10')],
      '2024-06-01',
    );
    const audit = buildFunderAudit(
      [assessment],
      new Map([['agent-pi', { name: 'Silva, Ana "Lab"', orcid: '0000-0002-1825-0097' }]]),
    );
    expect(audit.counts).toEqual({ compliant: 0, due: 0, overdue: 1, 'not-yet-due': 0 });
    const parsed = parseCsv(toCsv(audit.rows, AUDIT_CSV_COLUMNS));
    expect(parsed[0]).toEqual([
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
    ]);
    expect(parsed.slice(1)).toEqual([
      [
        'R01GM000001',
        'Silva, Ana "Lab"',
        '0000-0002-1825-0097',
        'nih-dms-2023',
        '2023-04-01',
        '2026-03-31',
        'overdue',
        '2024-05-10',
        'Microscopy images',
        'compliant',
        '2024-05-10',
        '',
        'true',
        'true',
        'BioImage Archive',
        '10.5555/abc',
      ],
      [
        'R01GM000001',
        'Silva, Ana "Lab"',
        '0000-0002-1825-0097',
        'nih-dms-2023',
        '2023-04-01',
        '2026-03-31',
        'overdue',
        '2024-05-10',
        'Segmentation masks',
        'overdue',
        '2024-05-10',
        '22',
        'false',
        'false',
        '',
        '',
      ],
    ]);
  });
});
