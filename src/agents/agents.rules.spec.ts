import { normalizeOrcid, normalizeRor, orcidCheckDigit } from './agents.rules.js';

describe('ORCID', () => {
  it.each([
    // ORCID's own documentation example and its checksum.
    ['0000-0002-1825-0097', 'https://orcid.org/0000-0002-1825-0097'],
    ['https://orcid.org/0000-0002-1825-0097', 'https://orcid.org/0000-0002-1825-0097'],
    ['http://orcid.org/0000-0002-1694-233X', 'https://orcid.org/0000-0002-1694-233X'],
    ['0000-0002-1694-233x', 'https://orcid.org/0000-0002-1694-233X'],
    ['0000000218250097', 'https://orcid.org/0000-0002-1825-0097'],
    ['0000-0002-1825-0098', null],
    ['0000-0002-1825-009', null],
    ['not-an-orcid', null],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeOrcid(input)).toBe(expected);
  });

  it('computes the MOD 11-2 check digit by hand-checked examples', () => {
    expect(orcidCheckDigit('000000021825009')).toBe('7');
    expect(orcidCheckDigit('000000021694233')).toBe('X');
  });
});

describe('ROR', () => {
  it.each([
    ['https://ror.org/03vek6s52', 'https://ror.org/03vek6s52'],
    ['03vek6s52', 'https://ror.org/03vek6s52'],
    ['https://ror.org/03vek6s53', null],
    ['https://ror.org/13vek6s52', null],
    ['https://example.org/03vek6s52', null],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeRor(input)).toBe(expected);
  });
});
