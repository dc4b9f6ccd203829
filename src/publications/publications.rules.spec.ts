import { readFileSync } from 'node:fs';
import { normalizeOrcid } from '../agents/agents.rules.js';
import { normalizeDoi, parsePublicationMetadata, warmCitationJs } from './publications.rules.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../test/fixtures/citations/${name}`, import.meta.url), 'utf8');

describe('normalizeDoi', () => {
  it.each([
    ['10.1038/NMETH.2075', '10.1038/nmeth.2075'],
    ['doi:10.1038/nmeth.2075', '10.1038/nmeth.2075'],
    ['DOI: 10.1038/nmeth.2075', '10.1038/nmeth.2075'],
    ['https://doi.org/10.6019/S-BIAD123', '10.6019/s-biad123'],
    ['http://dx.doi.org/10.17867/10000144', '10.17867/10000144'],
    ['doi.org/10.5281/zenodo.1234567', '10.5281/zenodo.1234567'],
    ['https://doi.org/10.1002%2F%28SICI%291097', '10.1002/(sici)1097'],
    ['  10.1016/S0092-8674(00)81234-5 ', '10.1016/s0092-8674(00)81234-5'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeDoi(input)).toBe(expected);
  });

  it.each([
    '',
    '10.12/abc',
    '11.1234/abc',
    '10.1234',
    '10.1234/',
    'https://example.org/10.1234/x',
    'doi:',
    '10.1234/a b',
  ])('rejects %p', (input) => {
    expect(normalizeDoi(input)).toBeNull();
  });
});

describe('normalizeOrcid', () => {
  it.each([
    ['0000-0002-1825-0097', 'https://orcid.org/0000-0002-1825-0097'],
    ['http://orcid.org/0000-0002-1825-0097', 'https://orcid.org/0000-0002-1825-0097'],
    ['https://orcid.org/0000-0001-5109-3700/', 'https://orcid.org/0000-0001-5109-3700'],
    ['0000000218250097', 'https://orcid.org/0000-0002-1825-0097'],
    // Check character X (value 10): hand-computed for 0000-0002-1694-233X, ORCID's documented example.
    ['0000-0002-1694-233x', 'https://orcid.org/0000-0002-1694-233X'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeOrcid(input)).toBe(expected);
  });

  it.each(['0000-0002-1825-0098', '0000-0002-1825', 'https://example.org/0000-0002-1825-0097', 'abcd-0002-1825-0097'])(
    'rejects %p',
    (input) => {
      expect(normalizeOrcid(input)).toBeNull();
    },
  );
});

describe('parsePublicationMetadata', () => {
  beforeAll(() => warmCitationJs());

  it('reads a Crossref-style CSL item: type alias, array title, ORCIDs to https, bad checksum dropped', () => {
    const result = parsePublicationMetadata({ csl: JSON.parse(fixture('publication-crossref.csl.json')) as unknown });
    expect(result).toMatchObject({
      ok: true,
      item: {
        title: 'Cell-image reuse across laboratories',
        issued: '2024-03',
        containerTitle: 'Journal of Shared Microscopy',
        doi: '10.5555/jsm.2024.0007',
        type: 'article-journal',
        authors: [
          { family: 'Carberry', given: 'Josiah', orcid: 'https://orcid.org/0000-0002-1825-0097' },
          { family: 'Silva', given: 'Ana' },
          { family: 'Open Imaging Consortium', given: '' },
        ],
      },
    });
    if (!result.ok) return;
    expect(result.item.authors[1]).not.toHaveProperty('orcid');
    expect(result.item.csl).toMatchObject({
      DOI: '10.5555/jsm.2024.0007',
      author: [
        { ORCID: 'https://orcid.org/0000-0002-1825-0097' },
        { family: 'Silva' },
        { literal: 'Open Imaging Consortium' },
      ],
    });
    expect(result.item.csl).not.toHaveProperty('reference-count');
    expect(JSON.stringify(result.item.csl)).not.toContain('_orcid');
  });

  it('reads BibTeX: particles stay in the family name, LaTeX accents decoded, DOI URL normalised', () => {
    const result = parsePublicationMetadata({ bibtex: fixture('publication.bib') });
    expect(result).toEqual({
      ok: true,
      item: expect.objectContaining({
        title: 'Icy: an open bioimage informatics platform for extended reproducible research',
        issued: '2012-06',
        containerTitle: 'Nature Methods',
        doi: '10.1038/nmeth.2075',
        type: 'article-journal',
        authors: [
          { family: 'de Chaumont', given: 'Fabrice' },
          { family: 'Dallongeville', given: 'Stéphane' },
          { family: 'Chenouard', given: 'Nicolas' },
          { family: 'Hériché', given: 'Jean-Karim' },
          { family: 'Maška', given: 'Martin' },
        ],
      }) as unknown,
    });
  });

  it('reads RIS with CRLF line ends, a RIS date and a doi: prefixed DOI; the stored item has no random id', () => {
    const first = parsePublicationMetadata({ ris: fixture('publication.ris') });
    const second = parsePublicationMetadata({ ris: fixture('publication.ris') });
    expect(first).toMatchObject({
      ok: true,
      item: {
        title: 'Systematic analysis of mitotic phenotypes in human cells',
        issued: '2010-04-01',
        containerTitle: 'Nature',
        doi: '10.1038/nature08869',
        authors: [
          { family: 'Neumann', given: 'Beate' },
          { family: 'Walter', given: 'Thomas' },
          { family: 'Hériché', given: 'Jean-Karim' },
        ],
      },
    });
    expect(first).toEqual(second);
  });

  it('prefers csl over bibtex over ris', () => {
    const result = parsePublicationMetadata({
      csl: { type: 'article-journal', title: 'From CSL' },
      bibtex: '@article{b, title={From BibTeX}}',
      ris: 'TY  - JOUR\nTI  - From RIS\nER  - \n',
    });
    expect(result).toMatchObject({ ok: true, item: { title: 'From CSL' } });
    expect(parsePublicationMetadata({ bibtex: '@article{b, title={From BibTeX}}', ris: 'x' })).toMatchObject({
      ok: true,
      item: { title: 'From BibTeX', issued: null, doi: null, containerTitle: null, authors: [] },
    });
  });

  it.each([
    ['prose, not BibTeX', { bibtex: 'Doe J. A paper. Nature 2020.' }, 'BIBTEX_PARSE_ERROR', /No BibTeX entry/],
    ['truncated entry', { bibtex: '@article{x, title={Hello' }, 'BIBTEX_PARSE_ERROR', /expected/],
    ['missing comma', { bibtex: '@article{x title={Hi}}' }, 'BIBTEX_PARSE_ERROR', /expected "comma"/],
    ['entry without title', { bibtex: '@article{x, author={Doe, J}}' }, 'BIBTEX_PARSE_ERROR', /no title/],
    ['two entries', { bibtex: '@article{a, title={A}}\n@article{b, title={B}}' }, 'BIBTEX_PARSE_ERROR', /found 2/],
    ['only a @comment', { bibtex: '@comment{nothing}' }, 'BIBTEX_PARSE_ERROR', /No BibTeX entry/],
    ['invalid DOI', { bibtex: '@article{x, title={T}, doi={12.34/x}}' }, 'BIBTEX_PARSE_ERROR', /not a DOI/],
    ['prose, not RIS', { ris: 'just some words' }, 'RIS_PARSE_ERROR', /No RIS record/],
    ['record without TY', { ris: 'TI  - no type\nER  - \n' }, 'RIS_PARSE_ERROR', /./],
    ['record without title', { ris: 'TY  - JOUR\nER  - \n' }, 'RIS_PARSE_ERROR', /no title/],
    [
      'two records',
      { ris: 'TY  - JOUR\nTI  - A\nER  - \nTY  - JOUR\nTI  - B\nER  - \n' },
      'RIS_PARSE_ERROR',
      /found 2/,
    ],
    ['unreadable date', { ris: 'TY  - JOUR\nTI  - T\nPY  - abcd\nER  - \n' }, 'RIS_PARSE_ERROR', /date/],
    ['a string', { csl: '10.1038/nmeth.2075' }, 'CSL_INVALID', /object/],
    ['an array of two', { csl: [{ title: 'a' }, { title: 'b' }] }, 'CSL_INVALID', /object/],
    ['no title', { csl: { type: 'article-journal' } }, 'CSL_INVALID', /no title/],
    ['unknown type', { csl: { type: 'blog', title: 'T' } }, 'CSL_INVALID', /"type"/],
    ['author not a list', { csl: { title: 'T', author: 'Doe' } }, 'CSL_INVALID', /"author"/],
    ['author without family', { csl: { title: 'T', author: [{ given: 'Only' }] } }, 'CSL_INVALID', /author\[0\]/],
    ['month 13', { csl: { title: 'T', issued: { 'date-parts': [[2020, 13]] } } }, 'CSL_INVALID', /date/],
    ['31 February', { csl: { title: 'T', issued: { 'date-parts': [[2020, 2, 31]] } } }, 'CSL_INVALID', /date/],
    ['issued as a bare string', { csl: { title: 'T', issued: '2020' } }, 'CSL_INVALID', /"issued"/],
    ['nothing given', {}, 'METADATA_MISSING', /csl, bibtex or ris/],
  ])('%s -> %s', (_label, input, code, detail) => {
    const result = parsePublicationMetadata(input);
    expect(result).toEqual({ ok: false, code, detail: expect.stringMatching(detail) as unknown });
  });

  it.each([
    [{ 'date-parts': [[2021]] }, '2021'],
    [{ 'date-parts': [['2021', '5', '7']] }, '2021-05-07'],
    [{ raw: '2019-11' }, '2019-11'],
    [{ literal: 'Spring 2020' }, null],
  ])('issued %j -> %p', (issued, expected) => {
    expect(parsePublicationMetadata({ csl: { title: 'T', issued } })).toMatchObject({
      ok: true,
      item: { issued: expected },
    });
  });

  it('takes the DOI from a doi.org URL when no DOI field is given', () => {
    const result = parsePublicationMetadata({ csl: { title: 'T', URL: 'https://doi.org/10.1234/ABC' } });
    expect(result).toMatchObject({ ok: true, item: { doi: '10.1234/abc', type: 'article' } });
  });
});

// Every form a DOI arrives in across the service (DataCite records, resolver URLs, citations).
describe('normalizeDoi: resolver and scheme forms', () => {
  it.each([
    ['10.80123/04HM-ASW9-09', '10.80123/04hm-asw9-09'],
    ['  10.80123/abc  ', '10.80123/abc'],
    ['doi:10.80123/ABC', '10.80123/abc'],
    ['DOI:10.80123/abc', '10.80123/abc'],
    ['info:doi/10.80123/abc', '10.80123/abc'],
    ['https://doi.org/10.80123/ABC', '10.80123/abc'],
    ['HTTPS://DOI.ORG/10.80123/abc', '10.80123/abc'],
    ['http://doi.org/10.80123/abc', '10.80123/abc'],
    ['http://dx.doi.org/10.80123/abc', '10.80123/abc'],
    ['https://dx.doi.org/10.1000/a%2Fb', '10.1000/a/b'],
    ['https://doi.org/10.1000/100%', null],
    ['https://example.org/10.80123/abc', null],
    ['10.80123', null],
    ['not a doi', null],
    ['', null],
  ])('%j -> %j', (input, expected) => {
    expect(normalizeDoi(input)).toBe(expected);
  });
});
