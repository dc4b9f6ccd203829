import { normalizeOrcid } from '../agents/agents.rules.js';

/** A person on either side: a dataset creator (agent) or a publication author (parsed or linked agent). */
export interface Person {
  family?: string | null;
  given?: string | null;
  /** Full display name, used only when no family name is given ("Fabrice de Chaumont" or "de Chaumont, Fabrice"). */
  name?: string | null;
  /** Bare or URL ORCID iD; an invalid one counts as absent. */
  orcid?: string | null;
}

export type IndependenceLevel = 'co-authored' | 'same-lab' | 'independent';

export interface IndependenceInput {
  datasetCreators: Person[];
  datasetAffiliationRors: string[];
  datasetGrantIds: string[];
  publicationAuthors: Person[];
  publicationAffiliationRors: string[];
  publicationGrantIds: string[];
}

export interface PersonMatch {
  datasetCreator: Person;
  publicationAuthor: Person;
  matchedBy: 'orcid' | 'name';
  /** The ORCID URL or the name key both sides share. */
  key: string;
}

export interface IndependenceAssessment {
  level: IndependenceLevel;
  reason: {
    matchedPerson?: PersonMatch;
    /** https://ror.org/... shared by both sides (the first in sort order). */
    sharedAffiliation?: string;
    sharedGrant?: string;
  };
}

/**
 * Independence of one dataset from one publication, checked in the contract's order (http-contract.md,
 * "Publications and reuse"; credit-and-compliance.md §2): a shared person makes it `co-authored`; otherwise a
 * shared ROR or grant makes it `same-lab`; otherwise `independent`.
 */
export function assessIndependence(input: IndependenceInput): IndependenceAssessment {
  const matchedPerson = findSharedPerson(input.datasetCreators, input.publicationAuthors);
  if (matchedPerson) return { level: 'co-authored', reason: { matchedPerson } };

  const sharedAffiliation = firstShared(
    input.datasetAffiliationRors.map(normalizeRor),
    input.publicationAffiliationRors.map(normalizeRor),
  );
  const sharedGrant = firstShared(
    input.datasetGrantIds.map((id) => id.trim()),
    input.publicationGrantIds.map((id) => id.trim()),
  );
  if (sharedAffiliation === undefined && sharedGrant === undefined) return { level: 'independent', reason: {} };
  const reason: IndependenceAssessment['reason'] = {};
  if (sharedAffiliation !== undefined) reason.sharedAffiliation = sharedAffiliation;
  if (sharedGrant !== undefined) reason.sharedGrant = sharedGrant;
  return { level: 'same-lab', reason };
}

/**
 * How two people match: by ORCID when both have one (different ORCIDs never match, whatever the names), else by
 * name key; a side without a given name matches on the family name alone, which errs towards "not independent".
 */
export function matchPersons(a: Person, b: Person): { matchedBy: 'orcid' | 'name'; key: string } | null {
  const orcidA = a.orcid ? normalizeOrcid(a.orcid) : null;
  const orcidB = b.orcid ? normalizeOrcid(b.orcid) : null;
  if (orcidA !== null && orcidB !== null) return orcidA === orcidB ? { matchedBy: 'orcid', key: orcidA } : null;
  const keyA = splitKey(a);
  const keyB = splitKey(b);
  if (keyA === null || keyB === null || keyA.family !== keyB.family) return null;
  if (keyA.initial !== '' && keyB.initial !== '' && keyA.initial !== keyB.initial) return null;
  return { matchedBy: 'name', key: `${keyA.family}|${keyA.initial || keyB.initial}` };
}

/**
 * `family|initial` (e.g. `chaumont|f`; `chaumont|` without a given name): family name with diacritics folded,
 * leading particles ("de", "van der") and punctuation removed; first letter of the given name. null when no
 * family name can be found.
 */
export function normalizePersonKey(person: Person): string | null {
  const key = splitKey(person);
  return key === null ? null : `${key.family}|${key.initial}`;
}

// Letters that NFKD leaves whole (credit-and-compliance.md §2): mapped by hand.
const UNDECOMPOSED: Record<string, string> = {
  ł: 'l',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ħ: 'h',
  ı: 'i',
  ŀ: 'l',
  ŧ: 't',
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  þ: 'th',
};

// Surname particles that may sit in the family or the given field depending on the source.
const PARTICLES = new Set(
  'af av da das de dei degli del della den der des di do dos du la le op te ten ter van vom von zu zum zur'.split(' '),
);

function foldText(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[łøđðħıŀŧßæœþ]/g, (char) => UNDECOMPOSED[char] ?? char);
}

function tokens(text: string): string[] {
  // Apostrophes join (O'Brien -> obrien); dots and hyphens separate (J.-K. -> j k).
  return foldText(text)
    .replace(/['’ʼ`]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((token) => token !== '');
}

function splitKey(person: Person): { family: string; initial: string } | null {
  let family = person.family?.trim() ?? '';
  let given = person.given?.trim() ?? '';
  if (family === '' && person.name) {
    const name = person.name.trim();
    const comma = name.indexOf(',');
    if (comma >= 0) {
      family = name.slice(0, comma);
      given = name.slice(comma + 1);
    } else {
      // "Given [particles] Family": the family name is the last word; particles before it are dropped below.
      const words = name.split(/\s+/);
      family = words.pop() ?? '';
      given = words.join(' ');
    }
  }
  const familyTokens = tokens(family);
  while (familyTokens.length > 1 && PARTICLES.has(familyTokens[0])) familyTokens.shift();
  if (familyTokens.length === 0) return null;
  // A particle stored on the given side ("Fabrice de") trails the given name, so the initial is unaffected;
  // a given field holding only particles is no given name at all.
  const givenTokens = tokens(given);
  const initial = givenTokens.every((token) => PARTICLES.has(token)) ? '' : (givenTokens[0]?.[0] ?? '');
  return { family: familyTokens.join(''), initial };
}

function findSharedPerson(creators: Person[], authors: Person[]): PersonMatch | undefined {
  let byName: PersonMatch | undefined;
  for (const datasetCreator of creators) {
    for (const publicationAuthor of authors) {
      const match = matchPersons(datasetCreator, publicationAuthor);
      if (match === null) continue;
      // An ORCID match is the stronger evidence: report it even when a name match came first.
      if (match.matchedBy === 'orcid') return { datasetCreator, publicationAuthor, ...match };
      byName ??= { datasetCreator, publicationAuthor, ...match };
    }
  }
  return byName;
}

function normalizeRor(ror: string): string {
  const id = ror
    .trim()
    .toLowerCase()
    .replace(/^(?:https?:\/\/)?(?:www\.)?ror\.org\//, '')
    .replace(/\/$/, '');
  return `https://ror.org/${id}`;
}

function firstShared(left: string[], right: string[]): string | undefined {
  const rightSet = new Set(right.filter((value) => value !== '' && value !== 'https://ror.org/'));
  return [...new Set(left)].filter((value) => rightSet.has(value)).sort()[0];
}
