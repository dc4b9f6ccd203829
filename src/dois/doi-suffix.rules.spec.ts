import {
  computeCrockfordMod97Check,
  formatDoi,
  generateDoiSuffix,
  isDoiSyntax,
  isValidDoiSuffix,
} from './doi-suffix.rules.js';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

describe('generateDoiSuffix', () => {
  // Hand-computed: 0x0123456789 = 00000 00100 10001 10100 01010 11001 11100 01001 -> 0 4 h m a s w 9;
  // 4886718345 mod 97 = 62, 6200 mod 97 = 89, check = 98 - 89 = 09. For 2^40-1: 2^40 mod 97 = 36, so n mod 97 = 35,
  // 3500 mod 97 = 8, check 90.
  it.each([
    ['0000000000', '0000-0000-98'],
    ['0123456789', '04hm-asw9-09'],
    ['ffffffffff', 'zzzz-zzzz-90'],
  ])('encodes %s as %s', (hex, expected) => {
    expect(generateDoiSuffix(Buffer.from(hex, 'hex'))).toBe(expected);
  });

  it('uses only the first five bytes', () => {
    expect(generateDoiSuffix(Buffer.from('0123456789ffff', 'hex'))).toBe('04hm-asw9-09');
  });

  it('refuses fewer than five random bytes', () => {
    expect(() => generateDoiSuffix(Buffer.from('01020304', 'hex'))).toThrow(RangeError);
  });

  it('produces valid, lower-case, DOI-safe suffixes for arbitrary bytes', () => {
    for (let seed = 0; seed < 500; seed++) {
      const bytes = Buffer.from([
        seed & 0xff,
        (seed * 7) & 0xff,
        (seed * 31) & 0xff,
        (seed * 131) & 0xff,
        (seed >> 8) & 0xff,
      ]);
      const suffix = generateDoiSuffix(bytes);
      expect(suffix).toMatch(/^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-\d{2}$/);
      expect(isValidDoiSuffix(suffix)).toBe(true);
    }
  });
});

describe('computeCrockfordMod97Check', () => {
  // ROR ids carry the same check digits; these are real ROR ids (EMBL-EBI, NIH, Wellcome Trust).
  it.each([
    ['02catss', '52'],
    ['01cwqze', '88'],
    ['029chgv', '08'],
  ])('%s -> %s', (symbols, check) => {
    expect(computeCrockfordMod97Check(symbols)).toBe(check);
  });

  it('returns null outside the alphabet', () => {
    expect(computeCrockfordMod97Check('0abclu')).toBeNull();
  });
});

describe('isValidDoiSuffix', () => {
  it.each([
    ['04hm-asw9-09', true],
    ['04HM-ASW9-09', true],
    ['04hm-asw9-08', false],
    ['04hm-asw909', false],
    ['04hmasw9-09', false],
    ['04hm-asw9-9', false],
    ['04hm-asw9-09 ', false],
    ['04hm-asu9-09', false], // U is not in Crockford's alphabet
    ['o4hm-asw9-09', false], // nor O (we do not decode look-alikes when validating)
    ['', false],
  ])('%j -> %s', (suffix, valid) => {
    expect(isValidDoiSuffix(suffix)).toBe(valid);
  });

  const base = '04hm-asw9-09';
  const symbolPositions = [0, 1, 2, 3, 5, 6, 7, 8];

  it('detects every single-symbol substitution', () => {
    for (const pos of [...symbolPositions, 10, 11]) {
      const pool = pos >= 10 ? '0123456789' : ALPHABET;
      for (const replacement of pool) {
        if (replacement === base[pos]) continue;
        const mutated = `${base.slice(0, pos)}${replacement}${base.slice(pos + 1)}`;
        expect({ mutated, valid: isValidDoiSuffix(mutated) }).toEqual({ mutated, valid: false });
      }
    }
  });

  it('detects every adjacent transposition, also across the hyphen', () => {
    const symbols = generateDoiSuffix(Buffer.from('a1b2c3d4e5', 'hex')).replace(/-/g, '');
    const check = symbols.slice(8);
    const data = symbols.slice(0, 8);
    for (let i = 0; i < 7; i++) {
      if (data[i] === data[i + 1]) continue;
      const swapped = `${data.slice(0, i)}${data[i + 1]}${data[i]}${data.slice(i + 2)}`;
      const candidate = `${swapped.slice(0, 4)}-${swapped.slice(4)}-${check}`;
      expect({ candidate, valid: isValidDoiSuffix(candidate) }).toEqual({ candidate, valid: false });
    }
  });
});

describe('formatDoi', () => {
  it('joins and lower-cases', () => {
    expect(formatDoi('10.80123', '04HM-ASW9-09')).toBe('10.80123/04hm-asw9-09');
  });

  it.each(['10.123', '11.80123', '10.80123/', 'doi:10.80123'])('rejects prefix %j', (prefix) => {
    expect(() => formatDoi(prefix, '04hm-asw9-09')).toThrow(RangeError);
  });

  it('rejects blank suffixes', () => {
    expect(() => formatDoi('10.80123', 'a b')).toThrow(RangeError);
  });
});

describe('isDoiSyntax', () => {
  it.each([
    ['10.1234/abc', true],
    ['10.123456789/x', true],
    ['10.123/abc', false],
    ['10.1234567890/abc', false],
    ['10.1234/', false],
    ['10.1234/a b', false],
    ['doi:10.1234/abc', false],
  ])('%j -> %s', (value, expected) => {
    expect(isDoiSyntax(value)).toBe(expected);
  });
});
