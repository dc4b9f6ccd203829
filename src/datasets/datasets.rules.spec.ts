import { expandOntologyTerm, isKnownSpdxLicense, isOpenLicense, parseAccession } from './datasets.rules.js';

describe('parseAccession', () => {
  it.each([
    ['idr0013', 'idr', 'idr0013', null],
    ['IDR0077', 'idr', 'idr0077', null],
    ['S-BIAD123', 'bioimage-archive', 'S-BIAD123', '10.6019/S-BIAD123'],
    ['S-BSST45', 'bioimage-archive', 'S-BSST45', '10.6019/S-BSST45'],
    ['EMPIAR-10001', 'empiar', 'EMPIAR-10001', '10.6019/EMPIAR-10001'],
    ['BBBC021', 'bbbc', 'BBBC021', null],
  ])('%s -> %s %s', (input, scheme, value, doi) => {
    expect(parseAccession(input)).toMatchObject({ scheme, value, doi });
  });

  it.each(['idr13', 'idr00131', 'S-BIAD', 'EMPIAR-0999', 'EMPIAR-09999', 'BBBC21', 'GSE12345', ''])(
    'rejects %s',
    (input) => {
      expect(parseAccession(input)).toBeNull();
    },
  );
});

describe('expandOntologyTerm', () => {
  it.each([
    ['NCBITaxon:9606', 'http://purl.obolibrary.org/obo/NCBITaxon_9606'],
    ['FBbi:00000251', 'http://purl.obolibrary.org/obo/FBbi_00000251'],
    ['CMPO:0000425', 'http://www.ebi.ac.uk/cmpo/CMPO_0000425'],
    ['EDAM:operation_3443', 'http://edamontology.org/operation_3443'],
    ['http://purl.obolibrary.org/obo/CL_0000000', 'http://purl.obolibrary.org/obo/CL_0000000'],
    ['FOO:123', null],
    ['not a term', null],
  ])('%s -> %s', (input, expected) => {
    expect(expandOntologyTerm(input)).toBe(expected);
  });
});

describe('licences', () => {
  it.each([
    ['CC-BY-4.0', true, true],
    ['CC0-1.0', true, true],
    ['CC-BY-NC-4.0', true, false],
    ['LicenseRef-institutional', true, false],
    ['cc-by', false, false],
  ])('%s known=%s open=%s', (id, known, open) => {
    expect(isKnownSpdxLicense(id)).toBe(known);
    expect(isOpenLicense(id)).toBe(open);
  });
});
