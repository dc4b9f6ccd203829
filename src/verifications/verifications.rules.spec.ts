import { isOpenLicense } from '../datasets/datasets.rules.js';
import type { IdentifierAssessmentInput, StatementCategory, VerificationPolicy } from './verifications.rules.js';
import {
  FINDING_CODES,
  VERIFICATION_PROFILES,
  assessIdentifier,
  assessStatement,
  classifyStatement,
  extractIdentifiers,
  parseIdentifier,
  verdictOf,
} from './verifications.rules.js';

describe('extractIdentifiers', () => {
  it.each<[string, string, Array<[string, string]>]>([
    [
      'accession then DOI URL with a full stop',
      'Images are in the IDR (idr0013) and at https://doi.org/10.17867/10000144.',
      [
        ['idr', 'idr0013'],
        ['doi', '10.17867/10000144'],
      ],
    ],
    [
      'doi: forms; the accession inside a DOI is not extracted twice',
      'doi:10.6019/S-BIAD123; see also DOI: 10.5281/zenodo.1234567.',
      [
        ['doi', '10.6019/s-biad123'],
        ['doi', '10.5281/zenodo.1234567'],
      ],
    ],
    [
      'dx.doi.org with balanced brackets inside an unbalanced pair',
      '(see http://dx.doi.org/10.1016/S0092-8674(00)81234-5).',
      [['doi', '10.1016/s0092-8674(00)81234-5']],
    ],
    ['bare DOI followed by a comma', 'as in 10.1038/nmeth.2075, and others', [['doi', '10.1038/nmeth.2075']]],
    ['bare DOI in square brackets', 'data [10.1038/nmeth.2075]', [['doi', '10.1038/nmeth.2075']]],
    ['percent-encoded DOI URL', 'https://doi.org/10.1002%2Fcyto.a.23990', [['doi', '10.1002/cyto.a.23990']]],
    [
      'each accession kind',
      'Deposited as EMPIAR-10001 and S-BSST417, benchmark BBBC021, plus S-BIAD1234.',
      [
        ['empiar', 'EMPIAR-10001'],
        ['bioimage-archive', 'S-BSST417'],
        ['bbbc', 'BBBC021'],
        ['bioimage-archive', 'S-BIAD1234'],
      ],
    ],
    [
      'lower-case accessions',
      'bbbc021, empiar-10002 and s-biad5',
      [
        ['bbbc', 'BBBC021'],
        ['empiar', 'EMPIAR-10002'],
        ['bioimage-archive', 'S-BIAD5'],
      ],
    ],
    ['IDR study name', 'idr0013-neumann-mitocheck/screenA', [['idr', 'idr0013']]],
    ['near misses', 'idr00134, BBBC0211, EMPIAR-1234, S-BIAF12, xidr0013, 10.12/abc', []],
    [
      'plain URL, and an archive URL read as its accession',
      'Code at https://github.com/example/seg-tool, data at https://www.ebi.ac.uk/empiar/EMPIAR-10002/.',
      [
        ['url', 'https://github.com/example/seg-tool'],
        ['empiar', 'EMPIAR-10002'],
      ],
    ],
    [
      'URL without accession',
      'https://idr.openmicroscopy.org/webclient/?show=screen-102',
      [['url', 'https://idr.openmicroscopy.org/webclient/?show=screen-102']],
    ],
    ['the same accession twice', 'idr0013 (IDR0013)', [['idr', 'idr0013']]],
    ['nothing', 'Data are available on request.', []],
  ])('%s', (_label, text, expected) => {
    expect(extractIdentifiers(text).map(({ type, value }) => [type, value])).toEqual(expected);
  });

  it('keeps the text as written', () => {
    expect(extractIdentifiers('See https://doi.org/10.17867/10000144.')).toEqual([
      { type: 'doi', value: '10.17867/10000144', raw: 'https://doi.org/10.17867/10000144' },
    ]);
  });
});

describe('parseIdentifier', () => {
  it.each<[string, [string, string] | null]>([
    ['idr0013', ['idr', 'idr0013']],
    [' EMPIAR-10001 ', ['empiar', 'EMPIAR-10001']],
    ['s-biad123', ['bioimage-archive', 'S-BIAD123']],
    ['doi:10.6019/S-BIAD123', ['doi', '10.6019/s-biad123']],
    ['https://doi.org/10.6019/EMPIAR-10001', ['doi', '10.6019/empiar-10001']],
    ['https://zenodo.org/records/1234567', ['url', 'https://zenodo.org/records/1234567']],
    ['idr0013 and more', null],
    ['S-BIAD', null],
    ['ftp://example.org/data', null],
    ['https://example.org/a b', null],
    ['garbage', null],
  ])('%p', (value, expected) => {
    const parsed = parseIdentifier(value);
    expect(parsed === null ? null : [parsed.type, parsed.value]).toEqual(expected);
  });
});

describe('classifyStatement', () => {
  it.each<[string, StatementCategory, string[]]>([
    [
      'The images are available in the BioImage Archive under accession S-BIAD123.',
      'specific',
      ['repository:BioImage Archive', 'identifier:S-BIAD123'],
    ],
    [
      'Data are available from the corresponding author upon reasonable request.',
      'on-request',
      ['on-request:available from the corresponding author', 'on-request:upon reasonable request'],
    ],
    [
      'All data are included in the article and its Supplementary Information files.',
      'in-supplement',
      ['in-supplement:included in the article', 'in-supplement:Supplementary Information'],
    ],
    [
      'Data sharing not applicable to this article as no datasets were generated or analysed during the current study.',
      'not-applicable',
      ['not-applicable:not applicable', 'not-applicable:no datasets were generated'],
    ],
    ['All data are publicly available.', 'none', []],
    ['', 'none', []],
    [
      'Raw images are deposited in Zenodo; analysis scripts are available on request.',
      'specific',
      ['repository:Zenodo', 'on-request:on request'],
    ],
    ['Screens: EMPIAR-10001 (EMPIAR).', 'specific', ['identifier:EMPIAR-10001', 'repository:EMPIAR']],
    ['The geo-referenced tables are provided by request.', 'on-request', ['on-request:by request']],
    [
      'Source data are provided with this paper.',
      'in-supplement',
      ['in-supplement:Source data are provided with this paper'],
    ],
  ])('%p -> %s', (text, category, phrases) => {
    const result = classifyStatement(text);
    expect(result.category).toBe(category);
    expect(result.matched.map(({ kind, text: phrase }) => `${kind}:${phrase}`)).toEqual(phrases);
  });
});

describe('assessStatement', () => {
  const codes = (policy: VerificationPolicy, statement: string, extra: string[] = []): string[] =>
    assessStatement(VERIFICATION_PROFILES[policy], statement, extra).findings.map((f) => `${f.code}:${f.severity}`);

  it.each<[string, VerificationPolicy, string, string[]]>([
    ['missing', 'default', '  ', ['STATEMENT_MISSING:fail', 'IDENTIFIER_NONE_FOUND:fail']],
    ['specific', 'default', 'Images: idr0013.', ['STATEMENT_OK:pass']],
    [
      'on request only',
      'default',
      'Available upon request.',
      ['STATEMENT_ON_REQUEST_ONLY:fail', 'IDENTIFIER_NONE_FOUND:fail'],
    ],
    [
      'on request, Springer Nature',
      'springer-nature',
      'Available upon request.',
      ['STATEMENT_ON_REQUEST_ONLY:warn', 'IDENTIFIER_NONE_FOUND:fail'],
    ],
    [
      'partly on request',
      'default',
      'Images in idr0013; code on request.',
      ['STATEMENT_OK:pass', 'STATEMENT_PARTLY_ON_REQUEST:warn'],
    ],
    [
      'partly on request, PLOS',
      'plos',
      'Images in idr0013; code on request.',
      ['STATEMENT_OK:pass', 'STATEMENT_PARTLY_ON_REQUEST:fail'],
    ],
    [
      'supplement',
      'default',
      'See the supporting information.',
      ['STATEMENT_SUPPLEMENT_ONLY:warn', 'IDENTIFIER_NONE_FOUND:fail'],
    ],
    [
      'supplement, Cell Press',
      'cell-press',
      'See the supporting information.',
      ['STATEMENT_SUPPLEMENT_ONLY:fail', 'IDENTIFIER_NONE_FOUND:fail'],
    ],
    ['not applicable', 'default', 'Not applicable: no new data were generated.', ['STATEMENT_NOT_APPLICABLE:warn']],
    [
      'vague',
      'default',
      'All data are publicly available.',
      ['STATEMENT_NOT_SPECIFIC:warn', 'IDENTIFIER_NONE_FOUND:fail'],
    ],
    [
      'vague, PLOS',
      'plos',
      'All data are publicly available.',
      ['STATEMENT_NOT_SPECIFIC:fail', 'IDENTIFIER_NONE_FOUND:fail'],
    ],
    [
      'repository named, no identifier',
      'default',
      'Deposited in Zenodo.',
      ['STATEMENT_OK:pass', 'IDENTIFIER_NONE_FOUND:fail'],
    ],
  ])('%s (%s)', (_label, policy, statement, expected) => {
    expect(codes(policy, statement)).toEqual(expected);
  });

  it('merges the request identifiers with the statement ones and flags the unparseable', () => {
    const result = assessStatement(VERIFICATION_PROFILES.default, 'Deposited in Zenodo (10.5281/zenodo.1).', [
      'https://doi.org/10.5281/ZENODO.1',
      'S-BIAD77',
      'see above',
    ]);
    expect(result.identifiers.map(({ type, value }) => [type, value])).toEqual([
      ['doi', '10.5281/zenodo.1'],
      ['bioimage-archive', 'S-BIAD77'],
    ]);
    expect(result.unparseable).toEqual(['see above']);
    expect(result.findings.map((f) => f.code)).toEqual(['STATEMENT_OK', 'IDENTIFIER_UNPARSEABLE']);
    expect(result.findings[1]?.message).toContain('see above');
    expect(verdictOf(result.findings)).toBe('fail');
  });

  it('counts request identifiers when the statement has none', () => {
    expect(codes('default', 'Deposited in the BioImage Archive.', ['S-BIAD77'])).toEqual(['STATEMENT_OK:pass']);
  });
});

describe('assessIdentifier', () => {
  const base: IdentifierAssessmentInput = {
    identifier: '10.5555/ds1',
    type: 'doi',
    found: true,
    doiState: 'findable',
    license: 'CC-BY-4.0',
    submittedAt: '2025-01-10',
    expectedPublicationDate: '2025-06-01',
  };

  it.each<[string, VerificationPolicy, Partial<IdentifierAssessmentInput>, string[]]>([
    ['all good', 'default', {}, ['IDENTIFIER_RESOLVES:pass', 'DOI_FINDABLE:pass', 'LICENSE_OPEN:pass']],
    ['unknown everywhere', 'default', { found: false, doiState: null }, ['IDENTIFIER_NOT_FOUND:fail']],
    [
      'findable in DataCite, not in the ledger',
      'default',
      { found: false, license: null },
      ['IDENTIFIER_NOT_IN_LEDGER:warn', 'DOI_FINDABLE:pass'],
    ],
    [
      'registered, hidden from the index',
      'default',
      { doiState: 'registered' },
      ['IDENTIFIER_RESOLVES:pass', 'DOI_REGISTERED_NOT_FINDABLE:warn', 'LICENSE_OPEN:pass'],
    ],
    [
      'withdrawn',
      'default',
      { doiState: 'registered', withdrawn: true },
      ['IDENTIFIER_RESOLVES:pass', 'DATASET_WITHDRAWN:fail', 'LICENSE_OPEN:pass'],
    ],
    [
      'draft, no reviewer access',
      'default',
      { doiState: 'draft' },
      ['IDENTIFIER_RESOLVES:pass', 'DOI_DRAFT:fail', 'LICENSE_OPEN:pass', 'REVIEWER_ACCESS_MISSING:warn'],
    ],
    [
      'draft, no reviewer access, Cell Press',
      'cell-press',
      { doiState: 'draft', reviewerAccess: false },
      ['IDENTIFIER_RESOLVES:pass', 'DOI_DRAFT:fail', 'LICENSE_OPEN:pass', 'REVIEWER_ACCESS_MISSING:fail'],
    ],
    [
      'draft with reviewer access',
      'cell-press',
      { doiState: 'draft', reviewerAccess: true },
      ['IDENTIFIER_RESOLVES:pass', 'DOI_DRAFT:fail', 'LICENSE_OPEN:pass', 'REVIEWER_ACCESS_PROVIDED:pass'],
    ],
    [
      'pending',
      'default',
      { doiState: 'pending', reviewerAccess: true },
      ['IDENTIFIER_RESOLVES:pass', 'DOI_NOT_REGISTERED:fail', 'LICENSE_OPEN:pass', 'REVIEWER_ACCESS_PROVIDED:pass'],
    ],
    [
      'non-commercial licence',
      'default',
      { license: 'CC-BY-NC-4.0' },
      ['IDENTIFIER_RESOLVES:pass', 'DOI_FINDABLE:pass', 'LICENSE_NOT_OPEN:warn'],
    ],
    [
      'non-commercial licence, PLOS',
      'plos',
      { license: 'CC-BY-NC-4.0' },
      ['IDENTIFIER_RESOLVES:pass', 'DOI_FINDABLE:pass', 'LICENSE_NOT_OPEN:fail'],
    ],
    [
      'no licence',
      'default',
      { license: null },
      ['IDENTIFIER_RESOLVES:pass', 'DOI_FINDABLE:pass', 'LICENSE_MISSING:fail'],
    ],
    [
      'embargo past publication',
      'default',
      { embargoUntil: '2025-09-01' },
      [
        'IDENTIFIER_RESOLVES:pass',
        'DOI_FINDABLE:pass',
        'LICENSE_OPEN:pass',
        'EMBARGO_AFTER_PUBLICATION:fail',
        'REVIEWER_ACCESS_MISSING:warn',
      ],
    ],
    [
      'embargo running at submission',
      'default',
      { embargoUntil: '2025-03-01', reviewerAccess: true },
      [
        'IDENTIFIER_RESOLVES:pass',
        'DOI_FINDABLE:pass',
        'LICENSE_OPEN:pass',
        'EMBARGO_ACTIVE_AT_SUBMISSION:warn',
        'REVIEWER_ACCESS_PROVIDED:pass',
      ],
    ],
    [
      'embargo ending on publication day',
      'default',
      { embargoUntil: '2025-06-01T00:00:00Z', reviewerAccess: false },
      [
        'IDENTIFIER_RESOLVES:pass',
        'DOI_FINDABLE:pass',
        'LICENSE_OPEN:pass',
        'EMBARGO_ACTIVE_AT_SUBMISSION:warn',
        'REVIEWER_ACCESS_MISSING:warn',
      ],
    ],
    [
      'embargo over before submission',
      'default',
      { embargoUntil: '2024-12-31' },
      ['IDENTIFIER_RESOLVES:pass', 'DOI_FINDABLE:pass', 'LICENSE_OPEN:pass'],
    ],
    [
      'accession in the ledger',
      'default',
      { identifier: 'idr0013', type: 'idr', doiState: 'none' },
      ['IDENTIFIER_RESOLVES:pass', 'ACCESSION_PUBLIC:pass', 'LICENSE_OPEN:pass'],
    ],
    [
      'accession known to resolve elsewhere',
      'default',
      { identifier: 'EMPIAR-10001', type: 'empiar', found: false, resolves: true, doiState: null, license: null },
      ['IDENTIFIER_NOT_IN_LEDGER:warn', 'ACCESSION_PUBLIC:pass'],
    ],
    [
      'accession under embargo',
      'default',
      {
        identifier: 'S-BIAD9',
        type: 'bioimage-archive',
        doiState: null,
        embargoUntil: '2025-02-01',
        reviewerAccess: true,
      },
      [
        'IDENTIFIER_RESOLVES:pass',
        'LICENSE_OPEN:pass',
        'EMBARGO_ACTIVE_AT_SUBMISSION:warn',
        'REVIEWER_ACCESS_PROVIDED:pass',
      ],
    ],
    [
      'REMBI gaps, relation missing',
      'default',
      { rembiComplete: { missing: ['specimen', 'image acquisition'] }, relationPresent: false },
      [
        'IDENTIFIER_RESOLVES:pass',
        'DOI_FINDABLE:pass',
        'LICENSE_OPEN:pass',
        'METADATA_INCOMPLETE:warn',
        'RELATION_MISSING:warn',
      ],
    ],
    [
      'REMBI complete, relation present',
      'default',
      { rembiComplete: { missing: [] }, relationPresent: true },
      [
        'IDENTIFIER_RESOLVES:pass',
        'DOI_FINDABLE:pass',
        'LICENSE_OPEN:pass',
        'METADATA_COMPLETE:pass',
        'RELATION_PRESENT:pass',
      ],
    ],
    [
      'images in a general repository',
      'default',
      { identifier: '10.5281/zenodo.1234567', imageData: true },
      ['IDENTIFIER_RESOLVES:pass', 'DOI_FINDABLE:pass', 'LICENSE_OPEN:pass', 'REPOSITORY_NOT_DOMAIN_SPECIFIC:warn'],
    ],
    [
      'images under a BioImage Archive DOI',
      'default',
      { identifier: '10.6019/S-BIAD123', imageData: true },
      ['IDENTIFIER_RESOLVES:pass', 'DOI_FINDABLE:pass', 'LICENSE_OPEN:pass'],
    ],
    [
      'images under an IDR DOI',
      'default',
      { identifier: 'https://doi.org/10.17867/10000144', imageData: true },
      ['IDENTIFIER_RESOLVES:pass', 'DOI_FINDABLE:pass', 'LICENSE_OPEN:pass'],
    ],
    [
      'ledger DOI of data with an IDR accession',
      'default',
      { imageData: true, accession: 'idr0013' },
      ['IDENTIFIER_RESOLVES:pass', 'DOI_FINDABLE:pass', 'LICENSE_OPEN:pass'],
    ],
    [
      'image URL on the IDR server',
      'default',
      {
        identifier: 'https://idr.openmicroscopy.org/webclient/?show=screen-102',
        type: 'url',
        found: false,
        resolves: true,
        doiState: null,
        license: null,
        imageData: true,
      },
      ['IDENTIFIER_NOT_IN_LEDGER:warn'],
    ],
    [
      'image URL on a code host',
      'default',
      {
        identifier: 'https://github.com/example/images',
        type: 'url',
        found: false,
        resolves: true,
        doiState: null,
        license: null,
        imageData: true,
      },
      ['IDENTIFIER_NOT_IN_LEDGER:warn', 'REPOSITORY_NOT_DOMAIN_SPECIFIC:warn'],
    ],
  ])('%s (%s)', (_label, policy, change, expected) => {
    const findings = assessIdentifier(VERIFICATION_PROFILES[policy], { ...base, ...change });
    expect(findings.map((f) => `${f.code}:${f.severity}`)).toEqual(expected);
    for (const f of findings) expect(f.message.length).toBeGreaterThan(10);
  });

  it('names the missing REMBI fields and the dates in its messages', () => {
    const findings = assessIdentifier(VERIFICATION_PROFILES.default, {
      ...base,
      embargoUntil: '2025-09-01',
      rembiComplete: { missing: ['specimen', 'image acquisition'] },
    });
    const message = (code: string): string | undefined => findings.find((f) => f.code === code)?.message;
    expect(message('METADATA_INCOMPLETE')).toContain('specimen, image acquisition');
    expect(message('EMBARGO_AFTER_PUBLICATION')).toContain('2025-09-01');
    expect(message('EMBARGO_AFTER_PUBLICATION')).toContain('2025-06-01');
  });
});

describe('verdictOf', () => {
  it.each<[Array<'pass' | 'warn' | 'fail'>, string]>([
    [[], 'pass'],
    [['pass', 'pass'], 'pass'],
    [['pass', 'warn'], 'warn'],
    [['warn', 'fail', 'pass'], 'fail'],
    [['fail', 'warn'], 'fail'],
  ])('%j -> %s', (severities, expected) => {
    expect(verdictOf(severities.map((severity) => ({ severity })))).toBe(expected);
  });
});

describe('isOpenLicense', () => {
  it.each([
    ['CC0-1.0', true],
    ['cc-by-4.0', true],
    ['CC-BY-SA-4.0', true],
    ['CC-BY-3.0-US', true],
    ['CC-BY-3.0-IGO', true],
    ['CC-BY-2.5', true],
    ['PDDL-1.0', true],
    ['ODC-By-1.0', true],
    ['ODbL-1.0', true],
    ['CC-BY-NC-4.0', false],
    ['CC-BY-ND-4.0', false],
    ['CC-BY-NC-SA-4.0', false],
    ['CC-BY', false],
    ['MIT', false],
    ['', false],
    ['LicenseRef-proprietary', false],
  ])('%s -> %s', (spdx, expected) => {
    expect(isOpenLicense(spdx)).toBe(expected);
  });
});

describe('VERIFICATION_PROFILES', () => {
  it('gives every profile a severity for every finding code', () => {
    for (const profile of Object.values(VERIFICATION_PROFILES)) {
      expect(Object.keys(profile.severities).sort()).toEqual([...FINDING_CODES].sort());
    }
  });

  it.each<[VerificationPolicy, string, string]>([
    ['default', 'LICENSE_NOT_OPEN', 'warn'],
    ['plos', 'LICENSE_NOT_OPEN', 'fail'],
    ['default', 'IDENTIFIER_NOT_FOUND', 'fail'],
    ['default', 'IDENTIFIER_NOT_IN_LEDGER', 'warn'],
    ['cell-press', 'REVIEWER_ACCESS_MISSING', 'fail'],
    ['springer-nature', 'STATEMENT_MISSING', 'fail'],
  ])('%s: %s is %s', (policy, code, severity) => {
    expect(
      VERIFICATION_PROFILES[policy].severities[code as keyof typeof VERIFICATION_PROFILES.default.severities],
    ).toBe(severity);
  });
});
