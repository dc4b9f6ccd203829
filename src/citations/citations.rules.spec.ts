import type { CandidateDataset, CitableAgent, CitableDataset } from './citations.rules.js';
import {
  accessionOfDoi,
  buildDatasetCitationInput,
  citingIri,
  collectDatasetLookup,
  matchCitedDataset,
  ownDatasetId,
  toOccurredAt,
} from './citations.rules.js';

const BASE = 'https://ledger.example.org';
const ID = '6f1c2d3e-0000-4000-8000-000000000001';

describe('buildDatasetCitationInput', () => {
  const agents: CitableAgent[] = [
    {
      id: 'a1',
      kind: 'person',
      name: 'Ana Silva',
      givenName: 'Ana',
      familyName: 'Silva',
      orcid: 'https://orcid.org/0000-0002-1825-0097',
    },
    {
      id: 'a2',
      kind: 'organization',
      name: 'Broad Bioimage Benchmark Collection',
      givenName: null,
      familyName: null,
      orcid: null,
    },
    { id: 'a3', kind: 'person', name: 'Prince', givenName: null, familyName: null, orcid: null },
    { id: 'pub', kind: 'organization', name: 'EMBL-EBI', givenName: null, familyName: null, orcid: null },
  ];
  const dataset: CitableDataset = {
    id: ID,
    title: 'Mitotic spindle time-lapse',
    creators: ['a3', 'a1', 'a2'],
    publisherId: 'pub',
    publicationYear: 2024,
    version: '2',
    doi: '10.80000/ABC-DEF',
    doiState: 'findable',
    landingPage: null,
    accession: 'S-BIAD901',
  };

  it('keeps author order, splits only people with a family name, names the publisher', () => {
    expect(buildDatasetCitationInput(dataset, agents, BASE)).toEqual({
      id: ID,
      title: 'Mitotic spindle time-lapse',
      creators: [
        { name: 'Prince' },
        { family: 'Silva', given: 'Ana', orcid: 'https://orcid.org/0000-0002-1825-0097' },
        { name: 'Broad Bioimage Benchmark Collection' },
      ],
      publisher: 'EMBL-EBI',
      publicationYear: 2024,
      version: '2',
      doi: '10.80000/ABC-DEF',
      landingPage: `${BASE}/datasets/${ID}`,
      accession: 'S-BIAD901',
    });
  });

  it.each([
    ['findable', '10.80000/ABC-DEF'],
    ['registered', null],
    ['draft', null],
    ['pending', null],
    ['failed', null],
    ['none', null],
  ])('cites the DOI only when %s is findable', (doiState, doi) => {
    expect(buildDatasetCitationInput({ ...dataset, doiState }, agents, BASE).doi).toBe(doi);
  });

  it('prefers the recorded landing page and copes with no publisher', () => {
    const input = buildDatasetCitationInput(
      { ...dataset, publisherId: null, landingPage: 'https://www.ebi.ac.uk/biostudies/bioimages/studies/S-BIAD901' },
      agents,
      BASE,
    );
    expect(input.landingPage).toBe('https://www.ebi.ac.uk/biostudies/bioimages/studies/S-BIAD901');
    expect(input.publisher).toBeNull();
  });
});

describe('identifiers', () => {
  it.each([
    ['10.6019/s-biad901', 'S-BIAD901'],
    ['10.6019/EMPIAR-10001', 'EMPIAR-10001'],
    ['10.6019/empiar-999', null],
    ['10.17867/10000144', null],
    ['10.5555/s-biad901', null],
  ])('accessionOfDoi(%s) = %s', (doi, accession) => {
    expect(accessionOfDoi(doi)).toBe(accession);
  });

  it.each([
    [`${BASE}/datasets/${ID}`, ID],
    [`${BASE}/id/${ID}/`, ID],
    [`${BASE}/datasets/${ID.toUpperCase()}`, ID],
    [`${BASE}/datasets/${ID}/citation`, null],
    [`${BASE}/publications/${ID}`, null],
    [`https://elsewhere.example.org/datasets/${ID}`, null],
  ])('ownDatasetId(%s) = %s', (url, id) => {
    expect(ownDatasetId(url, BASE)).toBe(id);
  });

  it('collects what to look datasets up by', () => {
    expect(
      collectDatasetLookup(
        [
          { cited: '10.6019/s-biad901', citedScheme: 'doi' },
          { cited: '10.17867/10000144', citedScheme: 'doi' },
          { cited: `${BASE}/id/${ID}`, citedScheme: 'url' },
          { cited: 'https://idr.openmicroscopy.org/webclient/?show=screen-102', citedScheme: 'url' },
          { cited: '10.6019/s-biad901', citedScheme: 'doi' },
        ],
        BASE,
      ),
    ).toEqual({
      ids: [ID],
      dois: ['10.6019/s-biad901', '10.17867/10000144'],
      accessions: ['S-BIAD901'],
      urls: [`${BASE}/id/${ID}`, 'https://idr.openmicroscopy.org/webclient/?show=screen-102'],
    });
  });

  it.each([
    [
      { citing: '10.1038/s41592-024-0001-x', citingScheme: 'doi' as const },
      'https://doi.org/10.1038/s41592-024-0001-x',
    ],
    [
      { citing: 'https://www.biorxiv.org/content/x', citingScheme: 'url' as const },
      'https://www.biorxiv.org/content/x',
    ],
  ])('citingIri(%j) = %s', (link, iri) => {
    expect(citingIri(link)).toBe(iri);
  });

  it.each([
    ['2024-05-02', '2024-05-02T00:00:00.000Z'],
    ['2024-05-03T06:15:00.000Z', '2024-05-03T06:15:00.000Z'],
  ])('toOccurredAt(%s)', (value, iso) => {
    expect(toOccurredAt(value)?.toISOString()).toBe(iso);
  });

  it('toOccurredAt(null) is null', () => {
    expect(toOccurredAt(null)).toBeNull();
  });
});

describe('matchCitedDataset', () => {
  const at = (day: number) => new Date(Date.UTC(2024, 0, day));
  const candidate = (id: string, fields: Partial<CandidateDataset>): CandidateDataset => ({
    id,
    doi: null,
    accession: null,
    landingPage: null,
    identifiers: [],
    createdAt: at(10),
    ...fields,
  });
  const own = candidate(ID, { doi: '10.80000/ABC-DEF', createdAt: at(20) });
  const listed = candidate('listed', {
    identifiers: [{ scheme: 'doi', value: 'https://doi.org/10.6019/S-BIAD901' }],
    createdAt: at(15),
  });
  const byAccession = candidate('by-accession', { accession: 'S-BIAD901', createdAt: at(1) });
  const byAccessionLater = candidate('by-accession-v2', { accession: 'S-BIAD901', createdAt: at(5) });
  const byPage = candidate('by-page', { landingPage: 'https://idr.openmicroscopy.org/webclient/?show=screen-102' });
  const byUrl = candidate('by-url', { identifiers: [{ scheme: 'url', value: 'https://example.org/data/7' }] });
  const all = [own, listed, byAccession, byAccessionLater, byPage, byUrl];

  it.each<[string, 'doi' | 'url', CandidateDataset[], string | null]>([
    ['10.80000/abc-def', 'doi', all, ID],
    ['10.6019/s-biad901', 'doi', all, 'listed'],
    ['10.6019/s-biad901', 'doi', [byAccessionLater, byAccession], 'by-accession'],
    ['10.6019/s-biad901', 'doi', [byAccession, byAccessionLater], 'by-accession'],
    ['10.6019/s-biad902', 'doi', all, null],
    [`${BASE}/datasets/${ID}`, 'url', all, ID],
    ['https://idr.openmicroscopy.org/webclient/?show=screen-102', 'url', all, 'by-page'],
    ['https://example.org/data/7', 'url', all, 'by-url'],
    ['https://example.org/data/8', 'url', all, null],
    ['10.5555/anything', 'doi', [], null],
  ])('%s (%s) -> %s', (identifier, scheme, candidates, expected) => {
    expect(matchCitedDataset({ identifier, scheme }, candidates, BASE)).toBe(expected);
  });
});
