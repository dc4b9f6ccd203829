import { readFileSync, writeFileSync } from 'node:fs';
import type { CitationStyle, DatasetCitationInput } from './dataset-citation.rules.js';
import {
  CITATION_STYLES,
  buildDatasetCsl,
  formatDatasetCitation,
  negotiateCitationFormat,
} from './dataset-citation.rules.js';

const WITH_DOI: DatasetCitationInput = {
  id: '6f1c2d3e-0000-4000-8000-000000000001',
  title: 'Nuclear segmentation masks for the MitoCheck HeLa screen',
  creators: [
    { family: 'Silva', given: 'Ana', orcid: '0000-0002-1825-0097' },
    { family: 'de Chaumont', given: 'Fabrice' },
    { family: 'Hériché', given: 'Jean-Karim' },
  ],
  publisher: 'Cell Image Credit Ledger',
  publicationYear: 2024,
  version: '2.1',
  doi: 'https://doi.org/10.5555/LEDGER.7K3M-Q2P9',
  landingPage: 'https://ledger.example.org/datasets/6f1c2d3e-0000-4000-8000-000000000001',
  accession: 'idr0013',
};

const WITHOUT_DOI: DatasetCitationInput = {
  id: '6f1c2d3e-0000-4000-8000-000000000002',
  title: 'Human MCF7 cells, compound-profiling experiment',
  creators: [{ name: 'Broad Bioimage Benchmark Collection' }, { family: 'Ljosa', given: 'Vebjorn' }],
  publisher: 'Broad Institute',
  publicationYear: 2012,
  landingPage: 'https://bbbc.broadinstitute.org/BBBC021',
  accession: 'BBBC021',
};

const EXTENSIONS: Record<CitationStyle, string> = {
  apa: 'apa.txt',
  vancouver: 'vancouver.txt',
  harvard1: 'harvard1.txt',
  bibtex: 'bib',
  biblatex: 'biblatex.bib',
  ris: 'ris',
  csl: 'csl.json',
};

const goldenUrl = (name: string): URL => new URL(`../../test/fixtures/citations/${name}`, import.meta.url);

describe('buildDatasetCsl', () => {
  it('builds a dataset item: DOI normalised into DOI and URL, accession as number, organisations as literal', () => {
    expect(buildDatasetCsl(WITH_DOI)).toEqual({
      id: WITH_DOI.id,
      type: 'dataset',
      title: WITH_DOI.title,
      author: [
        { family: 'Silva', given: 'Ana', ORCID: 'https://orcid.org/0000-0002-1825-0097' },
        { family: 'de Chaumont', given: 'Fabrice' },
        { family: 'Hériché', given: 'Jean-Karim' },
      ],
      issued: { 'date-parts': [[2024]] },
      publisher: 'Cell Image Credit Ledger',
      DOI: '10.5555/ledger.7k3m-q2p9',
      URL: 'https://doi.org/10.5555/ledger.7k3m-q2p9',
      version: '2.1',
      number: 'idr0013',
    });
    expect(buildDatasetCsl(WITHOUT_DOI)).toEqual({
      id: WITHOUT_DOI.id,
      type: 'dataset',
      title: WITHOUT_DOI.title,
      author: [{ literal: 'Broad Bioimage Benchmark Collection' }, { family: 'Ljosa', given: 'Vebjorn' }],
      issued: { 'date-parts': [[2012]] },
      publisher: 'Broad Institute',
      URL: 'https://bbbc.broadinstitute.org/BBBC021',
      number: 'BBBC021',
    });
  });

  it('leaves out what is missing or unusable', () => {
    const item = buildDatasetCsl({
      id: 'x',
      title: ' Untitled ',
      creators: [{ family: ' ', name: '' }, { given: 'Only' }],
      publisher: null,
      publicationYear: null,
      version: ' ',
      doi: 'not-a-doi',
      landingPage: 'https://ledger.example.org/datasets/x',
      accession: null,
    });
    expect(item).toEqual({
      id: 'x',
      type: 'dataset',
      title: 'Untitled',
      author: [],
      URL: 'https://ledger.example.org/datasets/x',
    });
  });
});

describe('formatDatasetCitation golden files', () => {
  // Regenerate after a deliberate citation-js upgrade with UPDATE_GOLDEN=1, then read every diff by eye.
  const update = process.env.UPDATE_GOLDEN === '1';
  const cases = CITATION_STYLES.flatMap((style) => [
    ['dataset-with-doi', WITH_DOI, style] as const,
    ['dataset-without-doi', WITHOUT_DOI, style] as const,
  ]);

  it.each(cases)('%s in %s', (name, dataset, style) => {
    const { body } = formatDatasetCitation(buildDatasetCsl(dataset), style);
    const url = goldenUrl(`${name}.${EXTENSIONS[style]}`);
    if (update) writeFileSync(url, body);
    expect(body).toBe(readFileSync(url, 'utf8'));
  });
});

describe('formatDatasetCitation', () => {
  const csl = buildDatasetCsl(WITH_DOI);

  it.each<[CitationStyle, string]>([
    ['apa', 'text/x-bibliography; charset=utf-8'],
    ['vancouver', 'text/x-bibliography; charset=utf-8'],
    ['harvard1', 'text/x-bibliography; charset=utf-8'],
    ['bibtex', 'application/x-bibtex; charset=utf-8'],
    ['biblatex', 'application/x-biblatex; charset=utf-8'],
    ['ris', 'application/x-research-info-systems; charset=utf-8'],
    ['csl', 'application/vnd.citationstyles.csl+json'],
  ])('%s is served as %s', (style, contentType) => {
    expect(formatDatasetCitation(csl, style).contentType).toBe(contentType);
  });

  it.each<[CitationStyle, RegExp[]]>([
    [
      'apa',
      [
        /\[Data set\]/,
        /Version 2\.1/,
        /No\. idr0013/,
        /Cell Image Credit Ledger\./,
        /https:\/\/doi\.org\/10\.5555\/ledger\.7k3m-q2p9$/,
      ],
    ],
    [
      'vancouver',
      [/^Silva A, de Chaumont F, Hériché JK\./, /Available from: https:\/\/doi\.org\/10\.5555\/ledger\.7k3m-q2p9$/],
    ],
    ['harvard1', [/\(2024\)/, /doi:10\.5555\/ledger\.7k3m-q2p9/]],
    ['bibtex', [/^@misc\{/, /doi = \{10\.5555\/ledger\.7k3m-q2p9\}/, /publisher = \{Cell Image Credit Ledger\}/]],
    ['biblatex', [/^@dataset\{/, /version = \{2\.1\}/, /doi = \{10\.5555\/ledger\.7k3m-q2p9\}/]],
    ['ris', [/^TY {2}- DATA$/m, /^DO {2}- 10\.5555\/ledger\.7k3m-q2p9$/m, /^ET {2}- 2\.1$/m, /^ER {2}- $/m]],
    ['csl', [/"type": "dataset"/, /"version": "2\.1"/]],
  ])('%s carries the fields readers look for', (style, patterns) => {
    const { body } = formatDatasetCitation(csl, style);
    for (const pattern of patterns) expect(body).toMatch(pattern);
  });

  it.each([
    ['3', '(No. idr0013; Version 3)'],
    ['2.1.0', '(No. idr0013; Version 2.1.0)'],
    ['2024 release', '(No. idr0013; 2024 release)'],
  ])('labels version %s in APA', (version, expected) => {
    expect(formatDatasetCitation({ ...csl, version }, 'apa').body).toContain(expected);
  });

  it('prints the landing page when there is no DOI', () => {
    const { body } = formatDatasetCitation(buildDatasetCsl(WITHOUT_DOI), 'apa');
    expect(body).toMatch(/https:\/\/bbbc\.broadinstitute\.org\/BBBC021$/);
    expect(body).not.toMatch(/doi/i);
  });

  it('returns CSL JSON that parses back to the item', () => {
    expect(JSON.parse(formatDatasetCitation(csl, 'csl').body)).toEqual(csl);
  });
});

describe('negotiateCitationFormat', () => {
  it.each<[string | undefined, string | undefined, CitationStyle]>([
    [undefined, undefined, 'apa'],
    ['', undefined, 'apa'],
    ['*/*', undefined, 'apa'],
    ['text/x-bibliography', undefined, 'apa'],
    ['text/x-bibliography; style=vancouver', undefined, 'vancouver'],
    ['text/x-bibliography; style="harvard1"', undefined, 'harvard1'],
    ['text/x-bibliography; style=harvard-cite-them-right', undefined, 'harvard1'],
    ['application/x-bibtex', undefined, 'bibtex'],
    ['application/x-biblatex', undefined, 'biblatex'],
    ['application/x-research-info-systems', undefined, 'ris'],
    ['application/vnd.citationstyles.csl+json', undefined, 'csl'],
    ['application/json, text/plain, */*', undefined, 'csl'],
    ['application/x-bibtex;q=0.5, application/x-research-info-systems', undefined, 'ris'],
    ['text/x-bibliography; style=chicago, application/x-bibtex;q=0.1', undefined, 'bibtex'],
    ['image/png, */*;q=0.1', undefined, 'apa'],
    ['application/x-bibtex', 'ris', 'ris'],
    [undefined, 'VANCOUVER', 'vancouver'],
    [undefined, 'biblatex', 'biblatex'],
  ])('Accept %p, style %p -> %s', (accept, style, expected) => {
    expect(negotiateCitationFormat(accept, style)).toEqual({ ok: true, style: expected });
  });

  it.each<[string | undefined, string | undefined, string]>([
    [undefined, 'chicago', 'CITATION_STYLE_UNSUPPORTED'],
    ['image/png', undefined, 'CITATION_FORMAT_NOT_ACCEPTABLE'],
    ['application/x-bibtex;q=0', undefined, 'CITATION_FORMAT_NOT_ACCEPTABLE'],
    ['text/x-bibliography; style=chicago', undefined, 'CITATION_FORMAT_NOT_ACCEPTABLE'],
    ['not a media type', undefined, 'CITATION_FORMAT_NOT_ACCEPTABLE'],
  ])('Accept %p, style %p -> %s', (accept, style, code) => {
    expect(negotiateCitationFormat(accept, style)).toMatchObject({ ok: false, code });
  });
});
