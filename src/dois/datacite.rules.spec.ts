import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  applyDataCiteEvent,
  backoffDelayMs,
  buildDataCiteAttributes,
  buildDataCiteRequestBody,
  buildRightsFromSpdx,
  buildSubjectFromTerm,
  checkPostCondition,
  classifyDataCiteFailure,
  compareSentWithReturned,
  decideAfterFailure,
  isSuspectedOverwrite,
  isValidOrcid,
  isValidRor,
  localStateAfterPostCondition,
  nextDoiAction,
  normalizeCrossrefFunderId,
  normalizeOrcid,
  normalizeRor,
  parseRetryAfterMs,
  selectDataCiteEvent,
  validateForPublish,
} from './datacite.rules.js';
import type {
  DataCiteAttributes,
  DataCiteDoiRecord,
  DataCiteFailure,
  LocalDoiState,
  PostConditionResult,
  RemoteObservation,
} from './datacite.rules.js';
import {
  derivedDatasetInput,
  imageDatasetInput,
  withdrawnDatasetInput,
} from '../../test/fixtures/datacite/dataset-inputs.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../test/fixtures/datacite/${name}`, import.meta.url));
const readFixture = (name: string): string => readFileSync(fixture(name), 'utf8');

/** Golden files are reviewed by hand; regenerate with UPDATE_GOLDEN=1 and review the diff. */
function expectGolden(name: string, value: unknown): void {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(fixture(name), text);
  expect(text).toBe(readFixture(name));
}

const image = (): DataCiteAttributes => buildDataCiteAttributes(imageDatasetInput, { schemaVersion: '4.6' });
const derived = (): DataCiteAttributes => buildDataCiteAttributes(derivedDatasetInput, { schemaVersion: '4.6' });

describe('identifier helpers', () => {
  it.each([
    ['0000-0002-1825-0097', 'https://orcid.org/0000-0002-1825-0097'],
    ['http://orcid.org/0000-0002-1825-0097', 'https://orcid.org/0000-0002-1825-0097'],
    ['https://orcid.org/0000-0001-5109-370x', 'https://orcid.org/0000-0001-5109-370X'],
    ['orcid.org/0000-0002-1825-0097', null],
    ['0000-0002-1825', null],
  ])('normalizeOrcid(%j) = %j', (value, expected) => {
    expect(normalizeOrcid(value)).toBe(expected);
  });

  // 0000-0002-1825-0097 and 0000-0001-5109-3700 are ORCID's documented examples; the others alter one digit.
  it.each([
    ['https://orcid.org/0000-0002-1825-0097', true],
    ['0000-0001-5109-3700', true],
    ['0000-0002-1825-0098', false],
    ['0000-0002-1852-0097', false],
  ])('isValidOrcid(%j) = %s', (value, expected) => {
    expect(isValidOrcid(value)).toBe(expected);
  });

  it.each([
    ['02catss52', 'https://ror.org/02catss52'],
    ['ror.org/02CATSS52', 'https://ror.org/02catss52'],
    ['https://ror.org/02catss52/', 'https://ror.org/02catss52'],
    ['https://ror.org/https://ror.org/02catss52', null], // §16 pitfall 10: doubled prefix
    ['12catss52', null],
  ])('normalizeRor(%j) = %j', (value, expected) => {
    expect(normalizeRor(value)).toBe(expected);
  });

  it.each([
    ['https://ror.org/01cwqze88', true],
    ['https://ror.org/01cwqze87', false],
    ['https://ror.org/01cwqez88', false],
  ])('isValidRor(%j) = %s', (value, expected) => {
    expect(isValidRor(value)).toBe(expected);
  });

  it.each([
    ['100010269', 'https://doi.org/10.13039/100010269'],
    ['10.13039/100010269', 'https://doi.org/10.13039/100010269'],
    ['http://dx.doi.org/10.13039/100010269', 'https://doi.org/10.13039/100010269'],
    ['10.5555/100010269', null],
  ])('normalizeCrossrefFunderId(%j) = %j', (value, expected) => {
    expect(normalizeCrossrefFunderId(value)).toBe(expected);
  });

  it.each([
    ['cc-by-4.0', 'CC-BY-4.0', 'https://creativecommons.org/licenses/by/4.0/legalcode'],
    ['CC0-1.0', 'CC0-1.0', 'https://creativecommons.org/publicdomain/zero/1.0/legalcode'],
    ['MIT', 'MIT', 'https://spdx.org/licenses/MIT.html'],
  ])('buildRightsFromSpdx(%j)', (id, rightsIdentifier, rightsUri) => {
    expect(buildRightsFromSpdx(id)).toMatchObject({
      rightsIdentifier,
      rightsUri,
      rightsIdentifierScheme: 'SPDX',
      schemeUri: 'https://spdx.org/licenses/',
    });
  });

  it.each([
    [
      { id: 'NCBITaxon:10090', label: 'Mus musculus' },
      {
        subject: 'Mus musculus',
        subjectScheme: 'NCBI Taxonomy',
        schemeUri: 'http://purl.obolibrary.org/obo/ncbitaxon.owl',
        valueUri: 'http://purl.obolibrary.org/obo/NCBITaxon_10090',
      },
    ],
    [
      { id: 'fbbi:00000246' },
      {
        subject: 'fbbi:00000246',
        subjectScheme: 'Biological Imaging Methods Ontology',
        schemeUri: 'http://purl.obolibrary.org/obo/fbbi.owl',
        valueUri: 'http://purl.obolibrary.org/obo/FBbi_00000246',
      },
    ],
    [
      { id: 'http://purl.obolibrary.org/obo/CL_0000057', label: 'fibroblast' },
      {
        subject: 'fibroblast',
        subjectScheme: 'Cell Ontology',
        schemeUri: 'http://purl.obolibrary.org/obo/cl.owl',
        valueUri: 'http://purl.obolibrary.org/obo/CL_0000057',
      },
    ],
    [
      { id: 'MESH:D006367', label: 'HeLa Cells' },
      { subject: 'HeLa Cells', subjectScheme: 'MESH' },
    ],
    [
      { id: 'https://www.wikidata.org/wiki/Q15397819', label: 'HeLa' },
      { subject: 'HeLa', valueUri: 'https://www.wikidata.org/wiki/Q15397819' },
    ],
  ])('buildSubjectFromTerm(%j)', (term, expected) => {
    expect(buildSubjectFromTerm(term)).toEqual(expected);
  });
});

describe('buildDataCiteAttributes', () => {
  it('matches the reviewed golden file for an image dataset', () => {
    expectGolden('image-dataset.attributes.json', image());
  });

  it('matches the reviewed golden file for a derived dataset with relations and funding', () => {
    expectGolden('derived-dataset.attributes.json', derived());
  });

  it('matches the reviewed golden file for a withdrawal (hide)', () => {
    expectGolden(
      'withdrawn-dataset.attributes.json',
      buildDataCiteAttributes(withdrawnDatasetInput, { schemaVersion: '4.6', event: 'hide' }),
    );
  });

  it('formats personal names as "Family, Given" and keeps organisations verbatim', () => {
    expect(image().creators.map((c) => [c.name, c.nameType])).toEqual([
      ['Carberry, Josiah', 'Personal'],
      ['EMBL-EBI Imaging Team', 'Organizational'],
    ]);
  });

  it('sends affiliation (singular, array) and nameIdentifiers as arrays, never the dropped spellings', () => {
    const creator = image().creators[0] as unknown as Record<string, unknown>;
    expect(Object.keys(creator).sort()).toEqual([
      'affiliation',
      'familyName',
      'givenName',
      'name',
      'nameIdentifiers',
      'nameType',
    ]);
    expect(Array.isArray(creator['nameIdentifiers'])).toBe(true);
  });

  it.each([
    ['image', 'Microscopy image set'],
    ['derived', 'Derived image features'],
  ] as const)('types for kind %s', (kind, resourceType) => {
    const attrs = buildDataCiteAttributes({ ...imageDatasetInput, kind }, { schemaVersion: '4.6' });
    expect(attrs.types).toEqual({ resourceTypeGeneral: 'Dataset', resourceType });
  });

  it('omits event unless asked, and passes it through when asked', () => {
    expect('event' in image()).toBe(false);
    expect(buildDataCiteAttributes(imageDatasetInput, { schemaVersion: '4.6', event: 'publish' }).event).toBe(
      'publish',
    );
  });

  it('replaces a stale Withdrawn date instead of adding a second one, and keeps the other dates', () => {
    const attrs = buildDataCiteAttributes(withdrawnDatasetInput, { schemaVersion: '4.6', event: 'hide' });
    expect(attrs.dates).toEqual([
      { date: '2026-05-04', dateType: 'Issued' },
      { date: '2026-07-01', dateType: 'Withdrawn', dateInformation: withdrawnDatasetInput.withdrawn?.reason },
    ]);
  });

  it('normalises DOI relations to bare lower-case and drops exact duplicates', () => {
    const attrs = buildDataCiteAttributes(
      {
        ...derivedDatasetInput,
        related: [
          ...derivedDatasetInput.related,
          {
            relationType: 'IsDerivedFrom',
            relatedIdentifier: 'doi:10.80123/04hm-asw9-09',
            relatedIdentifierType: 'DOI',
          },
        ],
      },
      { schemaVersion: '4.6' },
    );
    expect(attrs.relatedIdentifiers.filter((r) => r.relationType === 'IsDerivedFrom')).toEqual([
      {
        relatedIdentifier: '10.80123/04hm-asw9-09',
        relatedIdentifierType: 'DOI',
        relationType: 'IsDerivedFrom',
        resourceTypeGeneral: 'Dataset',
      },
    ]);
  });
});

describe('buildDataCiteRequestBody', () => {
  it('wraps attributes as a JSON:API dois resource with the normalised DOI as id', () => {
    const body = buildDataCiteRequestBody('https://doi.org/10.80123/04HM-ASW9-09', image());
    expect(body.data.id).toBe('10.80123/04hm-asw9-09');
    expect(body.data.type).toBe('dois');
    expect(body.data.attributes.doi).toBe('10.80123/04hm-asw9-09');
    expect(body.data.attributes.titles).toEqual([{ title: imageDatasetInput.title }]);
  });
});

describe('validateForPublish', () => {
  it.each([
    ['image', image],
    ['derived', derived],
    ['withdrawn', () => buildDataCiteAttributes(withdrawnDatasetInput, { schemaVersion: '4.6', event: 'hide' })],
  ])('accepts the built %s record', (_name, build) => {
    expect(validateForPublish(build())).toEqual([]);
  });

  type Mutation = (a: Record<string, unknown>) => void;
  const first = (a: Record<string, unknown>, key: string): Record<string, unknown> =>
    (a[key] as Array<Record<string, unknown>>)[0];

  it.each<[string, Mutation, string]>([
    ['missing creators', (a) => delete a['creators'], 'creators'],
    ['empty creators', (a) => (a['creators'] = []), 'creators'],
    ['creator without name', (a) => (first(a, 'creators')['name'] = ' '), 'creators[0].name'],
    ['empty titles', (a) => (a['titles'] = []), 'titles'],
    ['missing publisher', (a) => delete a['publisher'], 'publisher'],
    [
      'publisher id without scheme',
      (a) => delete (a['publisher'] as Record<string, unknown>)['publisherIdentifierScheme'],
      'publisher.publisherIdentifierScheme',
    ],
    ['two-digit year', (a) => (a['publicationYear'] = 26), 'publicationYear'],
    ['missing url', (a) => delete a['url'], 'url'],
    ['ftp url', (a) => (a['url'] = 'ftp://example.org/x'), 'url'],
    ['bad DOI name', (a) => (a['doi'] = '10.123/x'), 'doi'],
    [
      'lower-case resourceTypeGeneral',
      (a) => (a['types'] = { resourceTypeGeneral: 'dataset' }),
      'types.resourceTypeGeneral',
    ],
    [
      '4.7-only resourceTypeGeneral',
      (a) => (a['types'] = { resourceTypeGeneral: 'Poster' }),
      'types.resourceTypeGeneral',
    ],
    ['missing types', (a) => delete a['types'], 'types.resourceTypeGeneral'],
    [
      'lower-case relatedIdentifierType',
      (a) => (first(a, 'relatedIdentifiers')['relatedIdentifierType'] = 'doi'),
      'relatedIdentifiers[0].relatedIdentifierType',
    ],
    [
      'wrong-case relationType',
      (a) => (first(a, 'relatedIdentifiers')['relationType'] = 'isDerivedFrom'),
      'relatedIdentifiers[0].relationType',
    ],
    [
      'missing relationType',
      (a) => delete first(a, 'relatedIdentifiers')['relationType'],
      'relatedIdentifiers[0].relationType',
    ],
    [
      'DOI relation given as URL',
      (a) => (first(a, 'relatedIdentifiers')['relatedIdentifier'] = 'https://doi.org/10.80123/x'),
      'relatedIdentifiers[0].relatedIdentifier',
    ],
    [
      '4.7 relationTypeInformation',
      (a) => (first(a, 'relatedIdentifiers')['relationTypeInformation'] = 'x'),
      'relatedIdentifiers[0].relationTypeInformation',
    ],
    ['unknown dateType', (a) => (first(a, 'dates')['dateType'] = 'Published'), 'dates[0].dateType'],
    ['bare-string date', (a) => (a['dates'] = ['2026-05-04']), 'dates[0]'],
    ['malformed date', (a) => (first(a, 'dates')['date'] = '04/05/2026'), 'dates[0].date'],
    [
      'funderIdentifierType with underscores',
      (a) => (first(a, 'fundingReferences')['funderIdentifierType'] = 'Crossref_Funder_ID'),
      'fundingReferences[0].funderIdentifierType',
    ],
    [
      'funderIdentifier without type',
      (a) => delete first(a, 'fundingReferences')['funderIdentifierType'],
      'fundingReferences[0].funderIdentifierType',
    ],
    [
      'fundingReferences.schemeUri',
      (a) => (first(a, 'fundingReferences')['schemeUri'] = 'https://ror.org'),
      'fundingReferences[0].schemeUri',
    ],
    [
      'missing funderName',
      (a) => delete first(a, 'fundingReferences')['funderName'],
      'fundingReferences[0].funderName',
    ],
    [
      'nameIdentifiers as an object',
      (a) => (first(a, 'creators')['nameIdentifiers'] = { nameIdentifier: 'x', nameIdentifierScheme: 'ORCID' }),
      'creators[0].nameIdentifiers',
    ],
    [
      'nameIdentifier without scheme',
      (a) =>
        delete (first(a, 'creators')['nameIdentifiers'] as Array<Record<string, unknown>>)[0]['nameIdentifierScheme'],
      'creators[0].nameIdentifiers[0].nameIdentifierScheme',
    ],
    [
      'ORCID with bad check digit',
      (a) =>
        ((first(a, 'creators')['nameIdentifiers'] as Array<Record<string, unknown>>)[0]['nameIdentifier'] =
          'https://orcid.org/0000-0002-1825-0098'),
      'creators[0].nameIdentifiers[0].nameIdentifier',
    ],
    [
      'bare ORCID',
      (a) =>
        ((first(a, 'creators')['nameIdentifiers'] as Array<Record<string, unknown>>)[0]['nameIdentifier'] =
          '0000-0002-1825-0097'),
      'creators[0].nameIdentifiers[0].nameIdentifier',
    ],
    ['affiliations (plural) key', (a) => (first(a, 'creators')['affiliations'] = []), 'creators[0].affiliations'],
    ['rightsURI spelling', (a) => (first(a, 'rightsList')['rightsURI'] = 'https://x'), 'rightsList[0].rightsURI'],
    [
      'awardURI spelling',
      (a) => (first(a, 'fundingReferences')['awardURI'] = 'https://x'),
      'fundingReferences[0].awardURI',
    ],
    ['unknown top-level key', (a) => (a['keywords'] = ['x']), 'keywords'],
    [
      'lower-case descriptionType',
      (a) => (first(a, 'descriptions')['descriptionType'] = 'abstract'),
      'descriptions[0].descriptionType',
    ],
    [
      'contributor without contributorType',
      (a) => (a['contributors'] = [{ name: 'X', nameIdentifiers: [], affiliation: [] }]),
      'contributors[0].contributorType',
    ],
    ['unknown event', (a) => (a['event'] = 'delete'), 'event'],
  ])('reports %s', (_name, mutate, field) => {
    const attrs = JSON.parse(JSON.stringify(derived())) as Record<string, unknown>;
    mutate(attrs);
    expect(validateForPublish(attrs).map((i) => i.field)).toContain(field);
  });

  it('names the right spelling for a trap key', () => {
    const attrs = JSON.parse(JSON.stringify(derived())) as Record<string, unknown>;
    first(attrs, 'rightsList')['rightsURI'] = 'https://x';
    expect(validateForPublish(attrs)).toEqual([
      {
        field: 'rightsList[0].rightsURI',
        message: 'unknown attribute, DataCite would silently drop it; use rightsUri',
      },
    ]);
  });

  it('hints at the exact case for a near-miss vocabulary value', () => {
    const attrs = JSON.parse(JSON.stringify(derived())) as Record<string, unknown>;
    first(attrs, 'relatedIdentifiers')['relatedIdentifierType'] = 'doi';
    expect(validateForPublish(attrs)[0]?.message).toContain('did you mean "DOI"?');
  });

  it.each([
    [
      '4.5',
      'IsTranslationOf',
      'RRID',
      ['relatedIdentifiers[0].relationType', 'relatedIdentifiers[0].relatedIdentifierType'],
    ],
    ['4.6', 'IsTranslationOf', 'RRID', []],
    ['4.6', 'Other', 'SWHID', ['relatedIdentifiers[0].relationType', 'relatedIdentifiers[0].relatedIdentifierType']],
    ['4.7', 'Other', 'SWHID', []],
  ] as const)(
    'schema %s: relationType %s, relatedIdentifierType %s',
    (version, relationType, identifierType, fields) => {
      const attrs = JSON.parse(JSON.stringify(derived())) as Record<string, unknown>;
      attrs['relatedIdentifiers'] = [{ relatedIdentifier: 'x:1', relatedIdentifierType: identifierType, relationType }];
      expect(validateForPublish(attrs, version).map((i) => i.field)).toEqual(fields);
    },
  );
});

describe('state machine', () => {
  it.each([
    ['absent', 'draft', undefined],
    ['absent', 'registered', 'register'],
    ['absent', 'findable', 'publish'],
    ['draft', 'draft', undefined],
    ['draft', 'registered', 'register'],
    ['draft', 'findable', 'publish'],
    ['registered', 'draft', null],
    ['registered', 'registered', undefined],
    ['registered', 'findable', 'publish'],
    ['findable', 'draft', null],
    ['findable', 'registered', 'hide'],
    ['findable', 'findable', undefined],
  ] as const)('selectDataCiteEvent(%s -> %s) = %s', (from, to, event) => {
    expect(selectDataCiteEvent(from, to)).toBe(event);
  });

  // The server's transitions, including the silent no-ops of §6.
  it.each([
    ['draft', 'publish', 'findable'],
    ['registered', 'publish', 'findable'],
    ['draft', 'register', 'registered'],
    ['findable', 'hide', 'registered'],
    ['registered', 'show', 'findable'],
    ['findable', 'register', 'findable'],
    ['draft', 'hide', 'draft'],
    ['findable', 'publish', 'findable'],
    ['draft', 'show', 'draft'],
    ['registered', undefined, 'registered'],
  ] as const)('applyDataCiteEvent(%s, %s) = %s', (state, event, expected) => {
    expect(applyDataCiteEvent(state, event)).toBe(expected);
  });

  const notChecked: RemoteObservation = { kind: 'not-checked' };
  const absent: RemoteObservation = { kind: 'absent' };
  const present = (state: 'draft' | 'registered' | 'findable'): RemoteObservation => ({
    kind: 'present',
    state,
    registered: '2026-05-04T10:00:00Z',
  });

  it.each<[LocalDoiState, 'draft' | 'registered' | 'findable', RemoteObservation, string]>([
    ['none', 'findable', notChecked, 'skip'],
    ['failed', 'findable', notChecked, 'park'],
    ['pending', 'findable', notChecked, 'put:publish->findable'],
    ['pending', 'draft', notChecked, 'put:-->draft'],
    ['pending', 'registered', notChecked, 'observe'],
    ['pending', 'registered', absent, 'put:register->registered'],
    ['pending', 'registered', present('findable'), 'put:hide->registered'],
    ['pending', 'registered', present('draft'), 'put:register->registered'],
    ['pending', 'draft', present('findable'), 'park'],
    ['draft', 'findable', notChecked, 'put:publish->findable'],
    ['findable', 'registered', notChecked, 'put:hide->registered'],
    ['registered', 'registered', notChecked, 'put:-->registered'],
    ['findable', 'findable', notChecked, 'put:-->findable'],
    ['findable', 'draft', notChecked, 'park'],
    ['findable', 'findable', absent, 'park'],
    ['draft', 'findable', absent, 'put:publish->findable'],
    ['registered', 'findable', present('registered'), 'put:publish->findable'],
  ])('nextDoiAction(%s, target %s, %j)', (local, target, remote, expected) => {
    const action = nextDoiAction(local, target, remote);
    const summary = action.kind === 'put' ? `put:${action.event ?? '-'}->${action.expectState}` : action.kind;
    expect(summary).toBe(expected);
  });
});

describe('post-conditions', () => {
  const sent = derived();
  const record = (
    overrides: Partial<DataCiteDoiRecord> = {},
    attributes: Record<string, unknown> = {},
  ): DataCiteDoiRecord => ({
    doi: sent.doi,
    state: 'findable',
    registered: '2026-05-04T10:00:00.000Z',
    url: sent.url,
    attributes: { ...(JSON.parse(JSON.stringify(sent)) as Record<string, unknown>), ...attributes },
    ...overrides,
  });

  it('is ok when state matches, registered is set and the identifiers came back', () => {
    expect(checkPostCondition({ state: 'findable', sent }, record())).toEqual({ outcome: 'ok' });
  });

  it('reports a state mismatch when the event was silently ignored', () => {
    const result = checkPostCondition({ state: 'registered', sent }, record());
    expect(result.outcome).toBe('mismatch');
    expect(result.outcome === 'mismatch' && result.mismatches).toEqual([
      { field: 'state', expected: 'registered', actual: ['findable'] },
    ]);
  });

  it('says not live yet when registered is null for a findable DOI', () => {
    expect(checkPostCondition({ state: 'findable', sent }, record({ registered: null })).outcome).toBe('not-live');
  });

  it('accepts registered null for a draft', () => {
    expect(checkPostCondition({ state: 'draft' }, record({ state: 'draft', registered: null }))).toEqual({
      outcome: 'ok',
    });
  });

  it('reports a different landing URL', () => {
    const result = checkPostCondition({ state: 'findable', sent }, record({ url: 'https://other.example.org/x' }));
    expect(result.outcome === 'mismatch' && result.mismatches.map((m) => m.field)).toEqual(['url']);
  });

  it.each([
    [
      'affiliations read without ?affiliation=true come back as names',
      {
        creators: [
          {
            name: 'Carberry, Josiah',
            nameIdentifiers: sent.creators[0]?.nameIdentifiers,
            affiliation: ['European Molecular Biology Laboratory', 'Brown University (visiting)'],
          },
        ],
      },
      ['creators[0].affiliation'],
    ],
    [
      'publisher read without ?publisher=true comes back as a string',
      { publisher: 'European Bioinformatics Institute' },
      ['publisher.publisherIdentifier'],
    ],
    ['ORCID dropped', { creators: [{ ...sent.creators[0], nameIdentifiers: [] }] }, ['creators[0].nameIdentifiers']],
    ['one relation lost', { relatedIdentifiers: sent.relatedIdentifiers.slice(1) }, ['relatedIdentifiers']],
    [
      'funder id dropped',
      {
        fundingReferences: sent.fundingReferences.map((f) => ({
          funderName: f.funderName,
          awardNumber: f.awardNumber,
        })),
      },
      ['fundingReferences.funderIdentifier', 'fundingReferences.funderIdentifier'],
    ],
    ['version dropped', { version: undefined }, ['version']],
  ])('detects %s', (_name, attributes, fields) => {
    const result = checkPostCondition({ state: 'findable', sent }, record({}, attributes));
    expect(result.outcome === 'mismatch' && result.mismatches.map((m) => m.field)).toEqual(fields);
  });

  it('compareSentWithReturned ignores case and a trailing slash', () => {
    const returned = {
      url: `${sent.url.toUpperCase()}/`,
      publisher: {
        publisherIdentifier: 'HTTPS://ROR.ORG/02CATSS52',
        publisherIdentifierScheme: 'ROR',
        schemeUri: 'https://ror.org/',
      },
    };
    expect(compareSentWithReturned({ url: sent.url, publisher: sent.publisher }, returned)).toEqual([]);
  });

  it.each<[PostConditionResult, LocalDoiState]>([
    [{ outcome: 'ok' }, 'findable'],
    [{ outcome: 'not-live', reason: 'x' }, 'pending'],
    [{ outcome: 'mismatch', reason: 'x', mismatches: [] }, 'failed'],
  ])('localStateAfterPostCondition(%j) = %s', (result, expected) => {
    expect(localStateAfterPostCondition('findable', result)).toBe(expected);
  });

  it.each([
    [true, 201, false],
    [true, 200, true],
    [false, 200, false],
  ])('isSuspectedOverwrite(first=%s, %i) = %s', (firstAttempt, status, expected) => {
    expect(isSuspectedOverwrite(firstAttempt, status)).toBe(expected);
  });
});

describe('classifyDataCiteFailure', () => {
  const json = { 'Content-Type': 'application/vnd.api+json; charset=utf-8' };

  it.each<
    [number | 'timeout' | 'network', Record<string, string>, string, string | undefined, Partial<DataCiteFailure>]
  >([
    [
      422,
      json,
      readFixture('error-422-validation.json'),
      'PUT',
      { kind: 'permanent', code: 'VALIDATION', status: 422 },
    ],
    [422, json, readFixture('error-422-doi-taken.json'), 'POST', { kind: 'permanent', code: 'DOI_TAKEN' }],
    [
      401,
      json,
      readFixture('error-401.json'),
      'PUT',
      { kind: 'auth', code: 'BAD_CREDENTIALS', errors: [{ source: null, title: 'Bad credentials.' }] },
    ],
    [
      403,
      json,
      '{"errors":[{"status":"403","title":"You are not authorized to access this resource."}]}',
      'PUT',
      { kind: 'auth', code: 'FORBIDDEN' },
    ],
    [404, json, readFixture('error-404.json'), 'PUT', { kind: 'permanent', code: 'NOT_FOUND' }],
    [404, json, readFixture('error-404.json'), 'GET', { kind: 'permanent', code: 'NOT_FOUND' }],
    [
      400,
      json,
      '{"errors":[{"status":"400","title":"You need to provide a payload following the JSONAPI spec"}]}',
      'PUT',
      { kind: 'permanent', code: 'BAD_REQUEST' },
    ],
    [405, { Allow: 'GET, PUT' }, '', 'DELETE', { kind: 'permanent', code: 'METHOD_NOT_ALLOWED' }],
    [406, json, '', 'PUT', { kind: 'permanent', code: 'NOT_ACCEPTABLE' }],
    [
      409,
      json,
      '{"errors":[{"status":"409","title":"The resource already exists."}]}',
      'PUT',
      { kind: 'retry', code: 'CONFLICT', maxRetries: 1 },
    ],
    [429, { 'Retry-After': '30' }, '', 'PUT', { kind: 'retry', code: 'RATE_LIMITED', retryAfterMs: 30_000 }],
    [
      500,
      json,
      '{"errors":[{"status":"500","title":"Internal server error"}]}',
      'PUT',
      { kind: 'retry', code: 'SERVER_ERROR' },
    ],
    [
      502,
      { 'content-type': 'text/html' },
      '<html><body>Bad Gateway</body></html>',
      'PUT',
      { kind: 'retry', code: 'SERVER_ERROR', errors: [] },
    ],
    [
      503,
      { 'content-type': 'text/html', 'retry-after': '120' },
      readFixture('gateway-503.html'),
      'PUT',
      { kind: 'retry', code: 'SERVER_ERROR', retryAfterMs: 120_000, errors: [] },
    ],
    [504, {}, '', 'PUT', { kind: 'retry', code: 'SERVER_ERROR' }],
    [418, {}, '', 'PUT', { kind: 'permanent', code: 'UNEXPECTED_STATUS' }],
    [
      200,
      { 'content-type': 'text/html' },
      '<html>captive portal</html>',
      'PUT',
      { kind: 'retry', code: 'INVALID_RESPONSE' },
    ],
    ['timeout', {}, '', 'PUT', { kind: 'retry', code: 'TIMEOUT', status: null }],
    ['network', {}, '', 'PUT', { kind: 'retry', code: 'NETWORK', status: null }],
  ])('%s %j', (status, headers, body, method, expected) => {
    expect(classifyDataCiteFailure(status, headers, body, { method })).toMatchObject(expected);
  });

  it('keeps the verbatim errors[] source/title of a 422', () => {
    const failure = classifyDataCiteFailure(422, json, readFixture('error-422-validation.json'));
    expect(failure.errors).toEqual([
      {
        source: 'url',
        title: 'URL https://elsewhere.example.net/x is not allowed by repository EXAMPLE.LEDGER domain settings.',
      },
      {
        source: 'xml',
        title:
          'DOI 10.80123/04hm-asw9-09: Missing child element(s). Expected is ( {http://datacite.org/schema/kernel-4}title ). at line 9, column 0',
      },
    ]);
    expect(failure.reason).toContain('url: URL https://elsewhere.example.net/x is not allowed');
  });

  it('keeps status and a tag-free excerpt of an HTML gateway page', () => {
    const failure = classifyDataCiteFailure(503, { 'Content-Type': 'text/html' }, readFixture('gateway-503.html'));
    expect(failure.reason).toBe(
      'HTTP 503 text/html: 503 Service Temporarily Unavailable 503 Service Temporarily Unavailable nginx',
    );
  });

  it('survives JSON content type with a malformed body', () => {
    expect(classifyDataCiteFailure(500, json, '{"errors": [').errors).toEqual([]);
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-05-04T12:00:00Z');
  it.each([
    ['120', undefined, 120_000],
    ['1.5', undefined, 1_500],
    ['Mon, 04 May 2026 12:00:30 GMT', now, 30_000],
    ['Mon, 04 May 2026 11:59:00 GMT', now, 0],
    ['Mon, 04 May 2026 12:00:30 GMT', undefined, undefined],
    ['soon', now, undefined],
    [undefined, now, undefined],
  ])('%j at %s -> %s', (value, nowMs, expected) => {
    expect(parseRetryAfterMs(value, nowMs)).toBe(expected);
  });
});

describe('backoffDelayMs', () => {
  // Defaults: base 2 s, cap 15 min; full jitter = floor(rng · min(cap, base·2^attempt)).
  it.each([
    [0, 0.5, undefined, 1_000],
    [0, 0.999, undefined, 1_998],
    [3, 0.5, undefined, 8_000],
    [10, 0.5, undefined, 450_000], // 2 s·1024 = 2048 s > cap, so min(cap) = 900 s
    [40, 1, undefined, 900_000],
    [0, 0, 5_000, 5_000], // Retry-After wins over a small jitter
    [5, 0.9, 5_000, 57_600], // a larger jitter wins over Retry-After
    [0, 0, 3_600_000, 900_000], // Retry-After is capped too
  ])('attempt %i rng %f retryAfter %s -> %i', (attempt, r, retryAfter, expected) => {
    expect(backoffDelayMs(attempt, () => r, retryAfter)).toBe(expected);
  });

  it('honours custom base and cap', () => {
    expect(backoffDelayMs(2, () => 0.5, undefined, { baseMs: 100, capMs: 300 })).toBe(150);
  });
});

describe('decideAfterFailure', () => {
  const retry = classifyDataCiteFailure(503, {}, '');
  const budget = { attempts: 1, firstAttemptAtMs: 0, nowMs: 1_000, rng: () => 0.5 };

  it('retries with backoff while within budget', () => {
    expect(decideAfterFailure(retry, budget)).toEqual({ kind: 'retry', delayMs: 1_000 });
  });

  it('parks after 12 attempts or 24 hours and alerts', () => {
    expect(decideAfterFailure(retry, { ...budget, attempts: 12 })).toMatchObject({ kind: 'park', alertOps: true });
    expect(decideAfterFailure(retry, { ...budget, nowMs: 24 * 3_600_000 })).toMatchObject({
      kind: 'park',
      alertOps: true,
    });
  });

  it('re-sends a 409 once only', () => {
    const conflict = classifyDataCiteFailure(409, {}, '');
    expect(decideAfterFailure(conflict, budget).kind).toBe('retry');
    expect(decideAfterFailure(conflict, { ...budget, attempts: 2 }).kind).toBe('park');
  });

  it('parks permanent failures without alert and auth failures with one', () => {
    expect(decideAfterFailure(classifyDataCiteFailure(422, {}, ''), budget)).toMatchObject({
      kind: 'park',
      alertOps: false,
    });
    expect(decideAfterFailure(classifyDataCiteFailure(401, {}, ''), budget)).toMatchObject({
      kind: 'park',
      alertOps: true,
    });
  });
});
