// DOI names: locally generated opaque suffixes, formatting and normalisation (datacite.md §9.1).
//
// Suffix shape: `xxxx-xxxx-cc`
// - `xxxx-xxxx`: 8 symbols of Crockford's base-32 alphabet (lower case), 40 random bits. Opaque by design: a DOI
//   name can never change, so it must not carry titles, dates or counters (datacite.md §6).
// - `cc`: two decimal check digits, ISO 7064 MOD 97-10 (the IBAN scheme) over the 40-bit value. We do not use
//   Crockford's single mod-37 check symbol because 5 of its 37 values are `* ~ $ = U`; a suffix ending in `*`, `~`,
//   `$` or `=` is cut short by the usual DOI-in-text pattern (`10.\d{4,9}/[-._;()/:a-z0-9]+`), and citation
//   mining is how the ledger's datasets get counted. MOD 97-10 still catches every single-symbol substitution and
//   every adjacent transposition (97 is prime and divides neither 32^k·d nor 32^k·31·d for |d| < 32).

const CROCKFORD_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const DATA_SYMBOLS = 8;
const RANDOM_BYTES_NEEDED = 5; // 8 symbols × 5 bits
const SUFFIX_PATTERN = /^([0-9a-hjkmnp-tv-z]{4})-([0-9a-hjkmnp-tv-z]{4})-(\d{2})$/i;
const PREFIX_PATTERN = /^10\.\d{4,9}$/;
const DOI_PATTERN = /^10\.\d{4,9}\/\S+$/;

function symbolValue(symbol: string): number {
  return CROCKFORD_ALPHABET.indexOf(symbol.toLowerCase());
}

/** ISO 7064 MOD 97-10 check value (1..98) for a sequence of base-32 digit values. */
function computeMod97Check(values: readonly number[]): number {
  let remainder = 0;
  for (const value of values) remainder = (remainder * 32 + value) % 97;
  // Append two zero digits (×100), then choose the check so that (n·100 + check) mod 97 = 1.
  return 98 - ((remainder * 100) % 97);
}

function formatCheck(check: number): string {
  return check.toString().padStart(2, '0');
}

/**
 * Two-digit ISO 7064 MOD 97-10 check over Crockford base-32 symbols, or null if a symbol is outside the alphabet.
 * ROR identifiers use the same scheme over their first 7 symbols (e.g. `043kfff` -> `89`).
 */
export function computeCrockfordMod97Check(symbols: string): string | null {
  const values = symbols.split('').map(symbolValue);
  if (values.some((v) => v < 0)) return null;
  return formatCheck(computeMod97Check(values));
}

/**
 * Build a DOI suffix from at least 5 random bytes (only the first 5 are used). The caller supplies the
 * randomness (e.g. `crypto.randomBytes(5)`) so this stays pure and testable.
 */
export function generateDoiSuffix(randomBytes: Buffer): string {
  if (randomBytes.length < RANDOM_BYTES_NEEDED) {
    throw new RangeError(`generateDoiSuffix needs at least ${RANDOM_BYTES_NEEDED} random bytes`);
  }
  let bits = 0n;
  for (let i = 0; i < RANDOM_BYTES_NEEDED; i++) bits = (bits << 8n) | BigInt(randomBytes[i] ?? 0);
  const values: number[] = [];
  for (let i = DATA_SYMBOLS - 1; i >= 0; i--) values.push(Number((bits >> BigInt(i * 5)) & 31n));
  const symbols = values.map((v) => CROCKFORD_ALPHABET.charAt(v)).join('');
  return `${symbols.slice(0, 4)}-${symbols.slice(4)}-${formatCheck(computeMod97Check(values))}`;
}

/** True for a well-formed suffix (either case) whose check digits match. */
export function isValidDoiSuffix(suffix: string): boolean {
  const match = SUFFIX_PATTERN.exec(suffix);
  if (!match) return false;
  return computeCrockfordMod97Check(`${match[1]}${match[2]}`) === match[3];
}

/** `10.1234` + `abcd-efgh-12` -> `10.1234/abcd-efgh-12`, lower-cased (DOIs are case-insensitive, datacite.md §9.1). */
export function formatDoi(prefix: string, suffix: string): string {
  if (!PREFIX_PATTERN.test(prefix)) throw new RangeError(`Not a DOI prefix: ${prefix}`);
  if (suffix.length === 0 || /\s/.test(suffix)) throw new RangeError('DOI suffix must be non-empty without spaces');
  return `${prefix}/${suffix}`.toLowerCase();
}

/** `^10\.\d{4,9}/\S+$` (the Crossref/DataCite prefix shape plus any non-blank suffix). */
export function isDoiSyntax(value: string): boolean {
  return DOI_PATTERN.test(value);
}
