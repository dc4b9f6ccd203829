import { buildDataCiteAttributes, validateForPublish } from './datacite.rules.js';
import type { DataCiteFailure } from './datacite.rules.js';
import {
  buildDatasetCitation,
  buildDoiMetadataInput,
  buildGrantFromNode,
  buildTombstoneUrl,
  buildVersionFields,
  describeDataCiteFailure,
  doiFromIri,
  hashDesiredRecord,
  identifyRelatedNode,
  nextVersionLabel,
  recheckDelayMs,
  relationTypesForEdge,
  renderTombstoneHtml,
} from './doi-metadata.rules.js';
import type { AgentFacts } from '../agents/agents.rules.js';
import type { DoiDatasetFacts, DoiGraphNodeFacts, DoiMetadataSource } from './doi-metadata.rules.js';

const BASE = 'https://ledger.example.org';
const RAW = '11111111-1111-4111-8111-111111111111';
const DERIVED = '22222222-2222-4222-8222-222222222222';
const PAPER = '33333333-3333-4333-8333-333333333333';
const V2 = '44444444-4444-4444-8444-444444444444';
const GRANT = '55555555-5555-4555-8555-555555555555';
const PERSON = '66666666-6666-4666-8666-666666666666';
const EMBL = '77777777-7777-4777-8777-777777777777';
const EBI = '88888888-8888-4888-8888-888888888888';

const dataset: DoiDatasetFacts = {
  id: RAW,
  kind: 'image',
  title: 'HeLa mitosis time-lapse',
  description: 'Confocal time-lapse.',
  creators: [PERSON],
  publisherId: EBI,
  publicationYear: 2026,
  license: 'CC-BY-4.0',
  accession: 'S-BIAD123',
  identifiers: [{ scheme: 'doi', value: '10.6019/S-BIAD123' }],
  keywords: ['mitosis'],
  organism: 'http://purl.obolibrary.org/obo/NCBITaxon_9606',
  imagingMethod: null,
  embargoUntil: null,
  landingPage: null,
  version: null,
  createdAt: new Date('2026-05-04T10:00:00Z'),
  withdrawnAt: null,
  withdrawnReason: null,
};

const agents: AgentFacts[] = [
  {
    id: PERSON,
    kind: 'person',
    name: 'Josiah Carberry',
    givenName: 'Josiah',
    familyName: 'Carberry',
    orcid: 'https://orcid.org/0000-0002-1825-0097',
    ror: null,
    affiliations: [EMBL],
  },
  {
    id: EMBL,
    kind: 'organization',
    name: 'EMBL',
    givenName: null,
    familyName: null,
    orcid: null,
    ror: 'https://ror.org/03mstc592',
    affiliations: [],
  },
  {
    id: EBI,
    kind: 'organization',
    name: 'EMBL-EBI',
    givenName: null,
    familyName: null,
    orcid: null,
    ror: 'https://ror.org/02catss52',
    affiliations: [],
  },
];

const node = (id: string, type: string, extra: Partial<DoiGraphNodeFacts> = {}): DoiGraphNodeFacts => ({
  id,
  type,
  iri: `${BASE}/id/${id}`,
  label: null,
  properties: {},
  ...extra,
});

function source(overrides: Partial<DoiMetadataSource> = {}): DoiMetadataSource {
  return {
    dataset,
    doi: '10.80123/04hm-asw9-09',
    agents,
    nodes: [],
    edges: [],
    relatedDatasets: [],
    publicBaseUrl: BASE,
    ...overrides,
  };
}

describe('relationTypesForEdge', () => {
  it.each([
    ['wasDerivedFrom', true, ['IsDerivedFrom']],
    ['wasDerivedFrom', false, ['IsSourceOf']],
    ['usesDataFrom', false, ['IsReferencedBy']],
    ['citesAsDataSource', false, ['IsCitedBy']],
    ['wasRevisionOf', true, ['IsNewVersionOf', 'IsVersionOf']],
    ['wasRevisionOf', false, ['IsPreviousVersionOf', 'HasVersion']],
    ['wasAttributedTo', true, []],
    ['funding', true, []],
    ['noSuchRelation', true, []],
  ])('%s (outgoing %s) -> %j', (relation, outgoing, expected) => {
    expect(relationTypesForEdge(relation, outgoing)).toEqual(expected);
  });
});

describe('identifyRelatedNode', () => {
  it.each([
    [
      'a dataset with our DOI',
      node(RAW, 'ImageDataset'),
      { id: RAW, doi: '10.80123/ABCD-EFGH-12', identifiers: [], landingPage: null },
      { relatedIdentifier: '10.80123/abcd-efgh-12', relatedIdentifierType: 'DOI', resourceTypeGeneral: 'Dataset' },
    ],
    [
      'a dataset with only an archive DOI',
      node(RAW, 'ImageDataset'),
      {
        id: RAW,
        doi: null,
        identifiers: [{ scheme: 'doi', value: 'https://doi.org/10.6019/EMPIAR-10001' }],
        landingPage: null,
      },
      { relatedIdentifier: '10.6019/empiar-10001', relatedIdentifierType: 'DOI', resourceTypeGeneral: 'Dataset' },
    ],
    [
      'a dataset without any DOI: its landing page',
      node(RAW, 'DerivedDataset'),
      { id: RAW, doi: null, identifiers: [], landingPage: null },
      { relatedIdentifier: `${BASE}/datasets/${RAW}`, relatedIdentifierType: 'URL', resourceTypeGeneral: 'Dataset' },
    ],
    [
      'a publication with a doi property and a CSL type',
      node(PAPER, 'Publication', { properties: { doi: 'doi:10.1038/S41586-020-2649-2', type: 'article-journal' } }),
      undefined,
      {
        relatedIdentifier: '10.1038/s41586-020-2649-2',
        relatedIdentifierType: 'DOI',
        resourceTypeGeneral: 'JournalArticle',
      },
    ],
    [
      'a publication whose IRI is a doi.org IRI',
      node(PAPER, 'Publication', { iri: 'https://doi.org/10.1101/2024.01.01.123456' }),
      undefined,
      { relatedIdentifier: '10.1101/2024.01.01.123456', relatedIdentifierType: 'DOI' },
    ],
    [
      'a publication with only a PMID',
      node(PAPER, 'Publication', { properties: { pmid: '20360735' } }),
      undefined,
      { relatedIdentifier: '20360735', relatedIdentifierType: 'PMID' },
    ],
    ['a publication known only by a local IRI', node(PAPER, 'Publication'), undefined, null],
    ['a figure panel without a DOI', node(PAPER, 'FigurePanel'), undefined, null],
    [
      'software with a DOI',
      node(PAPER, 'Software', { properties: { doi: '10.5281/zenodo.1234' } }),
      undefined,
      { relatedIdentifier: '10.5281/zenodo.1234', relatedIdentifierType: 'DOI', resourceTypeGeneral: 'Software' },
    ],
  ])('%s', (_name, n, related, expected) => {
    expect(identifyRelatedNode(n, related, BASE)).toEqual(expected);
  });
});

describe('buildGrantFromNode', () => {
  it.each([
    [
      'flat properties with a ROR funder',
      {
        funderName: 'National Institutes of Health',
        funderIdentifier: 'https://ror.org/01cwqze88',
        awardNumber: 'R01GM000001',
      },
      'Cell morphology at scale',
      {
        funderName: 'National Institutes of Health',
        funderIdentifier: 'https://ror.org/01cwqze88',
        funderIdentifierType: 'ROR',
        awardNumber: 'R01GM000001',
        awardTitle: 'Cell morphology at scale',
      },
    ],
    [
      'a nested funder with a Crossref Funder ID',
      { funder: { name: 'Wellcome Trust', identifier: '10.13039/100010269' }, awardNumber: '221234/Z/20/Z' },
      null,
      {
        funderName: 'Wellcome Trust',
        funderIdentifier: '10.13039/100010269',
        funderIdentifierType: 'Crossref Funder ID',
        awardNumber: '221234/Z/20/Z',
      },
    ],
    ['no funder name', { awardNumber: 'X1' }, 'A grant', null],
  ])('%s', (_name, properties, label, expected) => {
    expect(buildGrantFromNode(node(GRANT, 'Grant', { properties, label }))).toEqual(expected);
  });
});

describe('buildDoiMetadataInput', () => {
  const edges = [
    { sourceId: DERIVED, relation: 'wasDerivedFrom', targetId: RAW },
    { sourceId: PAPER, relation: 'usesDataFrom', targetId: RAW },
    { sourceId: V2, relation: 'wasRevisionOf', targetId: RAW },
    { sourceId: RAW, relation: 'wasAttributedTo', targetId: PERSON },
    { sourceId: RAW, relation: 'funding', targetId: GRANT },
  ];
  const nodes = [
    node(DERIVED, 'DerivedDataset'),
    node(PAPER, 'Publication', { properties: { doi: '10.1000/paper.1' } }),
    node(V2, 'ImageDataset'),
    node(GRANT, 'Grant', { properties: { funderName: 'Wellcome Trust', awardNumber: 'W-1' } }),
  ];
  const relatedDatasets = [
    { id: DERIVED, doi: null, identifiers: [], landingPage: null },
    { id: V2, doi: '10.80123/v2v2-v2v2-00', identifiers: [], landingPage: null },
  ];

  it('maps creators, publisher, subjects, relations, funding and dates', () => {
    const input = buildDoiMetadataInput(source({ edges, nodes, relatedDatasets }));
    expect(input.creators).toEqual([
      {
        kind: 'person',
        name: 'Josiah Carberry',
        givenName: 'Josiah',
        familyName: 'Carberry',
        orcid: 'https://orcid.org/0000-0002-1825-0097',
        affiliations: [{ name: 'EMBL', ror: 'https://ror.org/03mstc592' }],
      },
    ]);
    expect(input.publisher).toEqual({ name: 'EMBL-EBI', ror: 'https://ror.org/02catss52' });
    expect(input.landingPageUrl).toBe(`${BASE}/datasets/${RAW}`);
    expect(input.related.map((r) => `${r.relationType} ${r.relatedIdentifierType} ${r.relatedIdentifier}`)).toEqual([
      'HasVersion DOI 10.80123/v2v2-v2v2-00',
      'IsIdenticalTo DOI 10.6019/s-biad123',
      'IsPreviousVersionOf DOI 10.80123/v2v2-v2v2-00',
      'IsReferencedBy DOI 10.1000/paper.1',
      `IsSourceOf URL ${BASE}/datasets/${DERIVED}`,
    ]);
    expect(input.grants).toEqual([{ funderName: 'Wellcome Trust', awardNumber: 'W-1' }]);
    expect(input.dates).toEqual([{ date: '2026-05-04', dateType: 'Issued' }]);
    expect(input.organism).toEqual({ id: 'http://purl.obolibrary.org/obo/NCBITaxon_9606' });
    expect(input.withdrawn).toBeUndefined();
  });

  it('builds a record that passes local validation', () => {
    const attributes = buildDataCiteAttributes(buildDoiMetadataInput(source({ edges, nodes, relatedDatasets })), {
      schemaVersion: '4.6',
    });
    expect(validateForPublish(attributes)).toEqual([]);
  });

  it('reports a missing publisher by field instead of inventing one', () => {
    const input = buildDoiMetadataInput(source({ dataset: { ...dataset, publisherId: null } }));
    const issues = validateForPublish(buildDataCiteAttributes(input, { schemaVersion: '4.6' }));
    expect(issues.map((i) => i.field)).toEqual(['publisher.name']);
  });

  it('points a withdrawn dataset at its tombstone with a Withdrawn date', () => {
    const withdrawn = {
      ...dataset,
      withdrawnAt: new Date('2026-07-01T08:00:00Z'),
      withdrawnReason: 'consent withdrawn',
      embargoUntil: '2026-06-01',
    };
    const input = buildDoiMetadataInput(source({ dataset: withdrawn }));
    expect(input.landingPageUrl).toBe(buildTombstoneUrl(BASE, RAW));
    expect(input.withdrawn).toEqual({ date: '2026-07-01', reason: 'consent withdrawn' });
    const attributes = buildDataCiteAttributes(input, { schemaVersion: '4.6' });
    expect(attributes.dates).toEqual([
      { date: '2026-05-04', dateType: 'Issued' },
      { date: '2026-06-01', dateType: 'Available' },
      { date: '2026-07-01', dateType: 'Withdrawn', dateInformation: 'consent withdrawn' },
    ]);
  });

  it('keeps the record hash independent of the order edges come back in', () => {
    const a = buildDataCiteAttributes(buildDoiMetadataInput(source({ edges, nodes, relatedDatasets })), {
      schemaVersion: '4.6',
    });
    const b = buildDataCiteAttributes(
      buildDoiMetadataInput(source({ edges: [...edges].reverse(), nodes, relatedDatasets })),
      {
        schemaVersion: '4.6',
      },
    );
    expect(hashDesiredRecord(a, 'findable')).toBe(hashDesiredRecord(b, 'findable'));
    expect(hashDesiredRecord(a, 'findable')).not.toBe(hashDesiredRecord(a, 'registered'));
    expect(hashDesiredRecord({ ...a, event: 'publish' }, 'findable')).toBe(hashDesiredRecord(a, 'findable'));
  });
});

describe('small decisions', () => {
  it.each([
    [null, '2'],
    ['1', '2'],
    ['v1.4', 'v1.5'],
    ['2.09', '2.10'],
    ['009', '010'],
    ['final', null],
  ])('nextVersionLabel(%j) = %j', (previous, expected) => {
    expect(nextVersionLabel(previous)).toBe(expected);
  });

  it.each([
    [0, 500, 60_000, 500],
    [1_200, 500, 60_000, 1_200],
    [3_600_000, 500, 60_000, 60_000],
  ])('recheckDelayMs(waited %d, base %d, cap %d) = %d', (waited, base, cap, expected) => {
    expect(recheckDelayMs(waited, base, cap)).toBe(expected);
  });

  it.each([
    ['https://doi.org/10.1000/ABC', '10.1000/abc'],
    ['http://dx.doi.org/10.1000/x', '10.1000/x'],
    ['https://example.org/10.1000/x', null],
    ['10.1000/x', null],
  ])('doiFromIri(%s) = %j', (iri, expected) => {
    expect(doiFromIri(iri)).toBe(expected);
  });

  const failure = (code: DataCiteFailure['code'], status: number, title: string): DataCiteFailure => ({
    kind: status === 401 || status === 403 ? 'auth' : 'permanent',
    code,
    status,
    reason: `HTTP ${status} ${title}`,
    errors: [{ source: null, title }],
  });

  it.each([
    [
      '401',
      failure('BAD_CREDENTIALS', 401, 'Bad credentials.'),
      ['DATACITE_REPOSITORY_ID=ACME.REPO', 'DATACITE_PASSWORD', 'HTTP 401 Bad credentials.'],
    ],
    [
      '403',
      failure('FORBIDDEN', 403, 'You are not authorized'),
      ['prefix 10.80123', 'DATACITE_PREFIX', 'HTTP 403 You are not authorized'],
    ],
  ])('describeDataCiteFailure names the credentials for a %s', (_status, f, fragments) => {
    const described = describeDataCiteFailure(f, { repositoryId: 'ACME.REPO', prefix: '10.80123' });
    for (const fragment of fragments) expect(described.reason).toContain(fragment);
    expect(described.errors).toEqual(f.errors);
  });

  it('keeps DataCite validation errors verbatim', () => {
    const f: DataCiteFailure = {
      kind: 'permanent',
      code: 'VALIDATION',
      status: 422,
      reason: 'HTTP 422 url: URL is not allowed',
      errors: [{ source: 'url', title: 'URL is not allowed' }],
    };
    expect(describeDataCiteFailure(f, { repositoryId: 'R', prefix: '10.1' })).toEqual({
      code: 'VALIDATION',
      status: 422,
      reason: 'HTTP 422 url: URL is not allowed',
      errors: [{ source: 'url', title: 'URL is not allowed' }],
    });
  });

  it('cites a dataset the DataCite way and escapes the tombstone page', () => {
    const citation = buildDatasetCitation({
      creators: ['Carberry, J.', 'EMBL-EBI'],
      publicationYear: 2026,
      title: 'Nuclei <masks>.',
      version: '2',
      publisher: 'EMBL-EBI',
      doi: '10.80123/abcd-efgh-12',
      fallbackUrl: 'unused',
    });
    expect(citation).toBe(
      'Carberry, J.; EMBL-EBI (2026). Nuclei <masks> (Version 2) [Data set]. EMBL-EBI. https://doi.org/10.80123/abcd-efgh-12',
    );
    const html = renderTombstoneHtml({
      datasetId: RAW,
      doi: '10.80123/abcd-efgh-12',
      title: 'Nuclei <masks>',
      creators: [],
      publicationYear: 2026,
      publisher: null,
      version: null,
      withdrawnAt: '2026-07-01T08:00:00.000Z',
      reason: 'consent "withdrawn"',
      citation,
      retention: 'kept',
    });
    expect(html).toContain('Nuclei &lt;masks&gt;');
    expect(html).toContain('Reason: consent &quot;withdrawn&quot;');
    expect(html).not.toContain('<masks>');
  });
});

describe('buildVersionFields', () => {
  const previous = {
    ...dataset,
    kind: 'derived' as const,
    version: 'v1.4',
    derivedFrom: [RAW],
    grants: [GRANT],
    generatedBy: { method: 'EDAM:operation_3443', activityId: PAPER },
    landingPage: 'https://example.org/landing',
  };

  it('copies every field not given, but not the year or the analysis activity, and bumps the version', () => {
    expect(buildVersionFields(previous, { title: 'Corrected masks' })).toEqual({
      kind: 'derived',
      title: 'Corrected masks',
      description: 'Confocal time-lapse.',
      creators: [PERSON],
      publisher: EBI,
      license: 'CC-BY-4.0',
      accession: 'S-BIAD123',
      identifiers: [{ scheme: 'doi', value: '10.6019/S-BIAD123' }],
      keywords: ['mitosis'],
      organism: 'http://purl.obolibrary.org/obo/NCBITaxon_9606',
      derivedFrom: [RAW],
      grants: [GRANT],
      generatedBy: { method: 'EDAM:operation_3443' },
      landingPage: 'https://example.org/landing',
      version: 'v1.5',
    });
  });

  it.each([
    [{ version: '2026-06' }, '2026-06'],
    [{ version: undefined }, 'v1.5'],
  ])('takes the version given (%j) over the bumped one', (changes, expected) => {
    expect(buildVersionFields(previous, changes).version).toBe(expected);
  });

  it('leaves the version out when the previous label has no number to bump', () => {
    expect(buildVersionFields({ ...previous, version: 'final' }, {})).not.toHaveProperty('version');
  });
});
