import { assessGrantCompliance } from './compliance.rules.js';
import type { AuditRow, GrantRow } from './compliance.rules.js';
import {
  actsForFunder,
  auditCsvColumns,
  diffComplianceStatuses,
  findDuplicateDataTypes,
  parseDay,
  parseFunderIdentifier,
  publicationKindOf,
  resolveDataType,
  toComplianceDataset,
  wantsCsv,
} from './grants.rules.js';
import type { OutputDatasetFacts } from './grants.rules.js';

describe('parseFunderIdentifier', () => {
  it.each([
    ['https://ror.org/01cwqze88', { identifier: 'https://ror.org/01cwqze88', type: 'ROR' }],
    ['ror.org/01CWQZE88', { identifier: 'https://ror.org/01cwqze88', type: 'ROR' }],
    ['01cwqze88', { identifier: 'https://ror.org/01cwqze88', type: 'ROR' }],
    ['10.13039/100000002', { identifier: 'https://doi.org/10.13039/100000002', type: 'Crossref Funder ID' }],
    [
      'https://doi.org/10.13039/100010269',
      { identifier: 'https://doi.org/10.13039/100010269', type: 'Crossref Funder ID' },
    ],
    ['doi:10.13039/501100000780', { identifier: 'https://doi.org/10.13039/501100000780', type: 'Crossref Funder ID' }],
    ['100000002', { identifier: 'https://doi.org/10.13039/100000002', type: 'Crossref Funder ID' }],
  ])('%s -> %j', (input, expected) => {
    expect(parseFunderIdentifier(input)).toEqual(expected);
  });

  it.each([
    // bad ROR check digits
    ['https://ror.org/01cwqze89'],
    // a DOI outside the Funder Registry prefix
    ['10.1000/182'],
    ['10.13039/'],
    ['NIH'],
  ])('rejects %s', (input) => {
    expect(parseFunderIdentifier(input)).toBeNull();
  });
});

describe('actsForFunder', () => {
  it.each([
    [{ id: 'org', affiliations: [] }, true],
    [{ id: 'officer', affiliations: ['other', 'org'] }, true],
    [{ id: 'officer', affiliations: ['other'] }, false],
    [null, false],
  ])('%j acting for org -> %s', (agent, expected) => {
    expect(actsForFunder(agent, 'org')).toBe(expected);
  });
});

describe('findDuplicateDataTypes', () => {
  it.each([
    [['Images', 'Segmentations'], []],
    [['Microscopy images', 'microscopy  IMAGES'], ['microscopy  IMAGES']],
    [[], []],
  ])('%j -> %j', (types, expected) => {
    expect(findDuplicateDataTypes(types.map((dataType) => ({ dataType })))).toEqual(expected);
  });
});

describe('resolveDataType', () => {
  const two = [{ dataType: 'Microscopy images' }, { dataType: 'Segmentation masks' }];
  it.each([
    ['assigned wins, spelled as in the plan', 'image', two, { d: 'segmentation MASKS' }, 'Segmentation masks'],
    ['assigned type outside the plan stays as given', 'image', two, { d: 'Movies' }, 'Movies'],
    ['a one-item plan takes everything', 'derived', [{ dataType: 'Raw images' }], {}, 'Raw images'],
    ['image kind fits the image item', 'image', two, {}, 'Microscopy images'],
    ['derived kind fits the derived item', 'derived', two, {}, 'Segmentation masks'],
    ['two image items: ambiguous', 'image', [{ dataType: 'Light-sheet images' }, { dataType: 'EM images' }], {}, null],
    ['no fitting words', 'image', [{ dataType: 'Protocols' }, { dataType: 'Code' }], {}, null],
    ['empty plan', 'image', [], {}, null],
  ] as const)('%s', (_name, kind, planned, assigned, expected) => {
    expect(resolveDataType({ id: 'd', kind }, planned, assigned)).toBe(expected);
  });
});

describe('publicationKindOf', () => {
  it.each([
    [{ cslType: 'article-journal', containerTitle: 'Nature Methods' }, 'article'],
    [{ cslType: 'article', containerTitle: null }, 'preprint'],
    [{ cslType: 'manuscript', containerTitle: null }, 'preprint'],
    [{ cslType: 'article-journal', containerTitle: 'bioRxiv' }, 'preprint'],
    [{ cslType: 'article-journal', containerTitle: 'Cell', genre: 'Preprint' }, 'preprint'],
    [{ cslType: null, containerTitle: null }, 'article'],
  ])('%j -> %s', (publication, expected) => {
    expect(publicationKindOf(publication)).toBe(expected);
  });
});

describe('parseDay', () => {
  it.each([
    ['2024-02-29', '2024-02-29'],
    ['2023-02-29', null],
    ['2024-13-01', null],
    ['2024-1-01', null],
    ['yesterday', null],
  ])('%s -> %s', (input, expected) => {
    expect(parseDay(input)).toBe(expected);
  });
});

describe('toComplianceDataset', () => {
  const base: OutputDatasetFacts = {
    id: 'd1',
    kind: 'image',
    title: 'Screen',
    doi: '10.5072/abc',
    doiState: 'findable',
    accession: null,
    license: 'CC-BY-4.0',
    createdAt: '2024-03-01T10:00:00.000Z',
    releasedAt: '2024-03-01',
    embargoUntil: null,
    withdrawnAt: null,
    findableAt: '2024-05-10T08:00:00.000Z',
  };
  it.each([
    ['findable DOI: public from the day it became findable', {}, '2024-06-01', '2024-05-10', 'findable', false],
    [
      'findable with no recorded date: the release day',
      { findableAt: null },
      '2024-06-01',
      '2024-03-01',
      'findable',
      false,
    ],
    [
      'embargo later than findable: release day wins',
      { releasedAt: '2024-07-01', embargoUntil: '2024-07-01' },
      '2024-08-01',
      '2024-07-01',
      'findable',
      false,
    ],
    [
      'accession public from release, before the DOI',
      { accession: 'idr0013' },
      '2024-06-01',
      '2024-03-01',
      'findable',
      true,
    ],
    [
      'pending DOI and no accession: release day only',
      { doiState: 'pending' as const },
      '2024-06-01',
      '2024-03-01',
      'pending',
      false,
    ],
    [
      'withdrawn by asOf: hidden, accession not public',
      { accession: 'idr0013', withdrawnAt: '2024-05-20T00:00:00Z' },
      '2024-06-01',
      '2024-03-01',
      'registered',
      false,
    ],
    [
      'withdrawn after asOf: still public then',
      { accession: 'idr0013', withdrawnAt: '2024-07-20T00:00:00Z' },
      '2024-06-01',
      '2024-03-01',
      'findable',
      true,
    ],
  ])('%s', (_name, patch, asOf, released, doiState, accessionPublic) => {
    const row = toComplianceDataset({ ...base, ...patch }, 'Images', asOf);
    expect(row.released).toBe(released);
    expect(row.doiState).toBe(doiState);
    expect(row.accessionPublic).toBe(accessionPublic);
    expect(row.registeredAt).toBe(base.createdAt);
  });

  it('names the archive of an accession as the repository', () => {
    expect(toComplianceDataset({ ...base, accession: 'S-BIAD123' }, null, '2024-06-01').repository).toBe(
      'BioImage Archive',
    );
  });
});

describe('diffComplianceStatuses', () => {
  const grant: GrantRow = {
    id: 'g',
    awardNumber: 'R01',
    start: '2023-04-01',
    end: '2024-03-31',
    policy: 'nih-dms-2023',
  };
  const plan = [{ dataType: 'Images' }, { dataType: 'Masks' }];
  // Nothing deposited, period over on 2024-03-31: both items and the grant are overdue on 2024-04-10.
  const overdue = assessGrantCompliance(grant, plan, { datasets: [] }, [], '2024-04-10');

  it('records every status the first time, grant first', () => {
    expect(
      diffComplianceStatuses(overdue, []).map((c) => [c.scope, c.dataType, c.from, c.status, c.overdueDays]),
    ).toEqual([
      ['grant', '', null, 'overdue', 10],
      ['item', 'Images', null, 'overdue', 10],
      ['item', 'Masks', null, 'overdue', 10],
    ]);
  });

  it('records only what moved (data types compared case-insensitively)', () => {
    const changes = diffComplianceStatuses(overdue, [
      { scope: 'grant', dataType: '', status: 'due' },
      { scope: 'item', dataType: 'images', status: 'overdue' },
      { scope: 'item', dataType: 'Masks', status: 'due' },
    ]);
    expect(changes.map((c) => [c.scope, c.dataType, c.from, c.status])).toEqual([
      ['grant', '', 'due', 'overdue'],
      ['item', 'Masks', 'due', 'overdue'],
    ]);
  });

  it('records nothing when nothing moved', () => {
    expect(
      diffComplianceStatuses(overdue, [
        { scope: 'grant', dataType: '', status: 'overdue' },
        { scope: 'item', dataType: 'Images', status: 'overdue' },
        { scope: 'item', dataType: 'Masks', status: 'overdue' },
      ]),
    ).toEqual([]);
  });
});

describe('auditCsvColumns', () => {
  it('appends reuse figures after the fixed columns, zero for unknown awards', () => {
    const figures = {
      datasets: 2,
      citations: 7,
      reuses: 5,
      independent: 3,
      sameLab: 1,
      coAuthored: 1,
      independentGroups: 2,
    };
    const columns = auditCsvColumns(new Map([['R01', figures]]));
    expect(columns.slice(-7).map((c) => c.header)).toEqual([
      'output_datasets',
      'citations',
      'reuses',
      'reuses_independent',
      'reuses_same_lab',
      'reuses_co_authored',
      'independent_groups',
    ]);
    expect(columns[0].header).toBe('award_number');
    expect(columns).toHaveLength(16 + 7);
    const row = { awardNumber: 'R01' } as AuditRow;
    expect(columns.slice(-7).map((c) => c.value(row))).toEqual([2, 7, 5, 3, 1, 1, 2]);
    expect(columns.slice(-7).map((c) => c.value({ awardNumber: 'X' } as AuditRow))).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('wantsCsv', () => {
  it.each([
    [undefined, false],
    ['application/json', false],
    ['text/csv', true],
    ['text/csv; charset=utf-8', true],
    ['application/json, text/csv;q=0.5', false],
    ['text/csv, application/json;q=0.9', true],
    ['*/*', false],
    ['text/csv;q=0', false],
  ])('%s -> %s', (accept, expected) => {
    expect(wantsCsv(accept)).toBe(expected);
  });
});
