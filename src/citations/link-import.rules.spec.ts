import { readFileSync } from 'node:fs';
import { linkKey, parseLinkImport } from './link-import.rules.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../test/fixtures/citations/${name}`, import.meta.url), 'utf8')) as unknown;

describe('parseLinkImport: Scholix', () => {
  const result = parseLinkImport(fixture('scholix-links.json'));

  it('orients every link from the citing work to the cited one', () => {
    expect(result).toMatchObject({ ok: true, format: 'scholix', duplicates: 1 });
    if (!result.ok) return;
    expect(result.links).toEqual([
      {
        citing: '10.5555/jsm.2024.0007',
        citingScheme: 'doi',
        cited: '10.6019/s-biad123',
        citedScheme: 'doi',
        relation: 'References',
        occurredAt: '2024-05-02',
        source: 'Crossref',
        format: 'scholix',
      },
      {
        citing: '10.1038/s41592-020-0001-x',
        citingScheme: 'doi',
        cited: '10.17867/10000144',
        citedScheme: 'doi',
        relation: 'IsSupplementedBy',
        occurredAt: '2023-11-20T10:00:00.000Z',
        source: 'DataCite, OpenAIRE',
        format: 'scholix',
      },
      {
        citing: '10.1101/2021.12.01.470000',
        citingScheme: 'doi',
        cited: 'https://idr.openmicroscopy.org/webclient/?show=screen-102',
        citedScheme: 'url',
        relation: 'IsRelatedTo',
        occurredAt: '2022-01-15',
        source: 'Europe PMC',
        format: 'scholix',
      },
      {
        citing: '10.1016/j.cell.2021.01.001',
        citingScheme: 'doi',
        cited: '10.6019/empiar-10001',
        citedScheme: 'doi',
        relation: 'IsRelatedTo',
        occurredAt: '2022-02-01',
        source: 'DataCite',
        format: 'scholix',
      },
    ]);
  });

  it('reports each bad package with its index instead of failing the batch', () => {
    if (!result.ok) throw new Error('expected ok');
    expect(result.problems.map(({ index, code }) => [index, code])).toEqual([
      [5, 'MISSING_IDENTIFIER'],
      [6, 'UNSUPPORTED_RELATION'],
      [7, 'INVALID_DOI'],
      [8, 'UNSUPPORTED_IDENTIFIER'],
      [9, 'INVALID_DATE'],
      [10, 'SELF_LINK'],
      [11, 'NOT_AN_OBJECT'],
    ]);
    for (const problem of result.problems) expect(problem.detail).not.toBe('');
  });

  it('accepts one package, a ScholeXplorer result page and camelCase keys', () => {
    const link = {
      linkPublicationDate: '2020-02-02',
      linkProvider: [{ name: 'OpenAIRE' }],
      relationshipType: { name: 'IsRelatedTo', subType: 'IsCitedBy' },
      source: { identifier: [{ identifier: '10.6019/S-BIAD7', schema: 'doi' }], type: { name: 'dataset' } },
      target: { identifier: [{ identifier: '10.1234/Paper', schema: 'doi' }], type: { name: 'literature' } },
    };
    const expected = {
      citing: '10.1234/paper',
      cited: '10.6019/s-biad7',
      relation: 'Cites',
      occurredAt: '2020-02-02',
      source: 'OpenAIRE',
    };
    expect(parseLinkImport({ currentPage: 0, totalLinks: 1, result: [link] })).toMatchObject({
      ok: true,
      links: [expected],
    });
    expect(parseLinkImport({ ...link, RelationshipType: link.relationshipType })).toMatchObject({
      ok: true,
      links: [expected],
    });
  });

  it('leaves occurredAt null when the package has no date', () => {
    const result = parseLinkImport([
      {
        RelationshipType: { Name: 'References' },
        Source: { Identifier: { ID: 'https://example.org/thesis.pdf', IDScheme: 'url' } },
        Target: { Identifier: { ID: 'BBBC021', IDScheme: 'bbbc', IDURL: 'https://bbbc.broadinstitute.org/BBBC021' } },
      },
    ]);
    expect(result).toMatchObject({
      ok: true,
      links: [
        {
          citing: 'https://example.org/thesis.pdf',
          citingScheme: 'url',
          cited: 'https://bbbc.broadinstitute.org/BBBC021',
          citedScheme: 'url',
          occurredAt: null,
          source: 'scholix',
        },
      ],
    });
  });
});

describe('parseLinkImport: DataCite Event Data', () => {
  const result = parseLinkImport(fixture('datacite-events.json'));

  it('turns events into links oriented from the citing work', () => {
    expect(result).toMatchObject({ ok: true, format: 'datacite-event', duplicates: 1 });
    if (!result.ok) return;
    expect(result.links.map((link) => [link.citing, link.relation, link.cited, link.occurredAt, link.source])).toEqual([
      ['10.1038/s41592-024-0001-x', 'References', '10.6019/s-biad123', '2024-06-01T12:30:00.000Z', 'crossref'],
      ['10.1016/j.cell.2022.02.002', 'References', '10.17867/10000144', '2022-03-04T00:00:00.000Z', 'datacite-related'],
      [
        '10.7554/elife.00001',
        'IsSupplementedBy',
        '10.6019/empiar-10001',
        '2021-09-09T07:09:09.000Z',
        'datacite-related',
      ],
      ['10.5281/zenodo.1234567', 'Cites', '10.6019/s-biad123', '2023-01-01T00:00:00.000Z', 'datacite-related'],
      [
        'https://en.wikipedia.org/wiki/Image_Data_Resource',
        'References',
        '10.17867/10000144',
        '2020-10-10T10:10:10.000Z',
        'wikipedia',
      ],
    ]);
    expect(result.links[0]).toMatchObject({
      externalId: '0f4b1a2c-1111-4aaa-8bbb-000000000001',
      format: 'datacite-event',
    });
    expect(result.links[4]).toMatchObject({ citingScheme: 'url', citedScheme: 'doi' });
  });

  it('reports usage events, missing ids, deletions and broken items as problems', () => {
    if (!result.ok) throw new Error('expected ok');
    expect(result.problems.map(({ index, code }) => [index, code])).toEqual([
      [4, 'UNSUPPORTED_RELATION'],
      [5, 'MISSING_IDENTIFIER'],
      [7, 'EVENT_DELETION_NOT_SUPPORTED'],
      [9, 'NOT_AN_OBJECT'],
    ]);
  });

  it('accepts a single event document', () => {
    const single = {
      data: {
        id: 'e1',
        type: 'events',
        attributes: {
          'subj-id': 'https://doi.org/10.1234/a',
          'obj-id': 'https://doi.org/10.1234/b',
          'relation-type-id': 'is-cited-by',
          'occurred-at': '2024-01-01',
        },
      },
    };
    expect(parseLinkImport(single)).toMatchObject({
      ok: true,
      links: [
        {
          citing: '10.1234/b',
          cited: '10.1234/a',
          relation: 'Cites',
          occurredAt: '2024-01-01',
          source: 'datacite-event',
        },
      ],
    });
  });

  it.each([
    ['not a date', 'INVALID_DATE'],
    ['2024-02-30', 'INVALID_DATE'],
    ['Sat, 01 Jun 2024 12:00:00 GMT', 'INVALID_DATE'],
  ])('rejects occurred-at %p', (occurredAt, code) => {
    const body = {
      data: [
        {
          attributes: {
            'subj-id': '10.1234/a',
            'obj-id': '10.1234/b',
            'relation-type-id': 'references',
            'occurred-at': occurredAt,
          },
        },
      ],
    };
    expect(parseLinkImport(body)).toMatchObject({ ok: true, links: [], problems: [{ index: 0, code }] });
  });
});

describe('parseLinkImport: shape', () => {
  it.each([['a string'], [null], [42], [{ foo: 'bar' }], [[1, 2, 3]]])('refuses %p', (body) => {
    expect(parseLinkImport(body)).toMatchObject({ ok: false, code: 'LINK_FORMAT_UNRECOGNIZED' });
  });

  it('accepts an empty list', () => {
    expect(parseLinkImport([])).toEqual({ ok: true, format: 'scholix', links: [], duplicates: 0, problems: [] });
  });
});

describe('linkKey', () => {
  it('is the same for a link reported from either side', () => {
    const fromPaper = parseLinkImport({
      data: [
        { attributes: { 'subj-id': '10.1234/paper', 'obj-id': '10.1234/data', 'relation-type-id': 'references' } },
      ],
    });
    const fromData = parseLinkImport({
      data: [
        {
          attributes: {
            'subj-id': '10.1234/DATA',
            'obj-id': 'doi:10.1234/paper',
            'relation-type-id': 'is-referenced-by',
          },
        },
      ],
    });
    if (!fromPaper.ok || !fromData.ok) throw new Error('expected ok');
    expect(linkKey(fromPaper.links[0])).toBe('10.1234/paper 10.1234/data References');
    expect(linkKey(fromData.links[0])).toBe(linkKey(fromPaper.links[0]));
  });
});
