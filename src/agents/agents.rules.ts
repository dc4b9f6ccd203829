/** Identifier checks for people and organizations. Pure. */

const ORCID_BARE = /^(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])$/i;
const ORCID_URL = /^(?:https?:\/\/)?(?:www\.)?orcid\.org\/([^/]+)\/?$/i;

/** ISO 7064 MOD 11-2, as ORCID specifies for its last character. */
export function orcidCheckDigit(first15: string): string {
  let total = 0;
  for (const ch of first15) total = (total + Number(ch)) * 2;
  const result = (12 - (total % 11)) % 11;
  return result === 10 ? 'X' : String(result);
}

/** Returns the ORCID as its https URL form, or null when the syntax or checksum is wrong. */
export function normalizeOrcid(input: string): string | null {
  const trimmed = input.trim();
  const bare = ORCID_URL.exec(trimmed)?.[1] ?? trimmed;
  const match = ORCID_BARE.exec(bare);
  if (!match) return null;
  const digits = `${match[1]}${match[2]}${match[3]}${match[4]}`.toUpperCase();
  if (orcidCheckDigit(digits.slice(0, 15)) !== digits[15]) return null;
  return `https://orcid.org/${digits.slice(0, 4)}-${digits.slice(4, 8)}-${digits.slice(8, 12)}-${digits.slice(12)}`;
}

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';
const ROR_ID = /^(?:https?:\/\/ror\.org\/)?(0[0-9a-hjkmnp-tv-z]{6}[0-9]{2})$/i;

/**
 * ROR ids are "0" + 6 Crockford base32 characters + a 2-digit ISO 7064 MOD 97-10 checksum of that number.
 * Returns the https URL form, or null.
 */
export function normalizeRor(input: string): string | null {
  const match = ROR_ID.exec(input.trim());
  if (!match) return null;
  const id = match[1].toLowerCase();
  let value = 0;
  for (const ch of id.slice(1, 7)) value = value * 32 + CROCKFORD.indexOf(ch);
  const checksum = 98 - ((value * 100) % 97);
  if (checksum !== Number(id.slice(7))) return null;
  return `https://ror.org/${id}`;
}

/** What credit rules need to know about an agent (a slice of the agents table; entities fit structurally). */
export interface AgentFacts {
  id: string;
  kind: 'person' | 'organization';
  name: string;
  givenName: string | null;
  familyName: string | null;
  orcid: string | null;
  ror: string | null;
  /** Organization agent ids. */
  affiliations: readonly string[];
}
