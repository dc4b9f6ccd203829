import { normalizeOrcid } from '../agents/agents.rules.js';
import Cite from 'citation-js';

/** A CSL-JSON item as stored: plain JSON, no citation-js internals. */
export type CslItem = Record<string, unknown>;

export interface PublicationAuthor {
  family: string;
  given: string;
  /** https://orcid.org/XXXX-XXXX-XXXX-XXXX, checksum verified. */
  orcid?: string;
}

export interface NormalizedPublication {
  title: string;
  /** YYYY, YYYY-MM or YYYY-MM-DD; null when the source gives no usable date. */
  issued: string | null;
  containerTitle: string | null;
  /** Lower-case bare DOI (10.NNNN/...). */
  doi: string | null;
  authors: PublicationAuthor[];
  /** CSL item type (article-journal, dataset, manuscript, ...). */
  type: string;
  /** The cleaned CSL-JSON item to store and format later (DOI normalised, ORCIDs as https URLs). */
  csl: CslItem;
}

export type PublicationParseErrorCode = 'BIBTEX_PARSE_ERROR' | 'RIS_PARSE_ERROR' | 'CSL_INVALID' | 'METADATA_MISSING';

export type PublicationParseResult =
  { ok: true; item: NormalizedPublication } | { ok: false; code: PublicationParseErrorCode; detail: string };

export interface PublicationMetadataInput {
  csl?: unknown;
  bibtex?: string;
  ris?: string;
}

// Any DOI: ^10\.\d{4,9}/\S+$, compared case-insensitively (provenance.md §7).
const DOI_PATTERN = /^10\.\d{4,9}\/\S+$/;
const DOI_URL_PREFIX = /^(?:https?:\/\/)?(?:www\.|dx\.)?doi\.org\//i;

/**
 * Bare, lower-case DOI from `10.x/y`, `doi:10.x/y`, `https://doi.org/10.x/y` or `http://dx.doi.org/10.x/y`;
 * null when the result is not a `10.NNNN/...` DOI.
 */
export function normalizeDoi(input: string): string | null {
  let value = input.trim();
  if (DOI_URL_PREFIX.test(value)) {
    value = value.replace(DOI_URL_PREFIX, '');
    // Resolver URLs may percent-encode the suffix (10.1000%2Fabc); bare DOIs are taken literally.
    try {
      value = decodeURIComponent(value);
    } catch {
      return null;
    }
  } else {
    value = value.replace(/^(?:doi:\s*|info:doi\/)/i, '');
  }
  value = value.toLowerCase();
  return DOI_PATTERN.test(value) ? value : null;
}

/**
 * Parses client-supplied publication metadata offline. Precedence when several are given: csl, bibtex, ris.
 * BibTeX and RIS go through a forced parser so DOI- or URL-looking text never reaches a network parser
 * (provenance.md §11); CSL objects go through citation-js's CSL cleaner.
 */
export function parsePublicationMetadata(input: PublicationMetadataInput): PublicationParseResult {
  if (input.csl !== undefined && input.csl !== null) return parseCsl(input.csl);
  if (typeof input.bibtex === 'string' && input.bibtex.trim() !== '') {
    return parseText(input.bibtex, '@bibtex/text', 'BIBTEX_PARSE_ERROR', 'BibTeX entry');
  }
  if (typeof input.ris === 'string' && input.ris.trim() !== '') {
    return parseText(input.ris, '@ris/file', 'RIS_PARSE_ERROR', 'RIS record');
  }
  return { ok: false, code: 'METADATA_MISSING', detail: 'Give one of csl, bibtex or ris.' };
}

/** Loads citation-js and builds the citeproc engines once, so the first request does not pay ~400 ms. */
export function warmCitationJs(): void {
  const item = { id: 'warm-up', type: 'dataset', title: 'Warm-up', author: [{ family: 'Doe', given: 'J' }] };
  const cite = new Cite(item, { forceType: '@csl/object' });
  for (const template of ['apa', 'vancouver', 'harvard1']) {
    cite.format('bibliography', { format: 'text', template, lang: 'en-US' });
  }
  cite.format('bibtex');
  cite.format('ris');
  new Cite('@misc{w, title={Warm-up}}', { forceType: '@bibtex/text' });
  new Cite('TY  - GEN\nTI  - Warm-up\nER  - \n', { forceType: '@ris/file' });
}

function parseCsl(csl: unknown): PublicationParseResult {
  const single = Array.isArray(csl) && csl.length === 1 ? (csl[0] as unknown) : csl;
  if (!isRecord(single)) {
    return { ok: false, code: 'CSL_INVALID', detail: 'csl must be one CSL-JSON item (an object).' };
  }
  let cleaned: CslItem | undefined;
  try {
    // A JSON copy: the cleaner mutates its input, and structuredClone's arrays fail `instanceof Array` across VM realms.
    cleaned = Cite.parse.csl([JSON.parse(JSON.stringify(single)) as CslItem])[0];
  } catch (error) {
    return { ok: false, code: 'CSL_INVALID', detail: messageOf(error) };
  }
  if (!cleaned) return { ok: false, code: 'CSL_INVALID', detail: 'The CSL item could not be read.' };
  // The cleaner silently drops values it cannot use; a dropped type, author list or date is an error here.
  for (const field of ['type', 'author', 'issued'] as const) {
    if (single[field] !== undefined && cleaned[field] === undefined) {
      return { ok: false, code: 'CSL_INVALID', detail: `Field "${field}" is not valid CSL-JSON.` };
    }
  }
  const result = normalizeCslItem(cleaned, 'CSL item');
  return result.ok ? result : { ok: false, code: 'CSL_INVALID', detail: result.detail };
}

function parseText(
  text: string,
  forceType: '@bibtex/text' | '@ris/file',
  code: 'BIBTEX_PARSE_ERROR' | 'RIS_PARSE_ERROR',
  noun: string,
): PublicationParseResult {
  let entries: CslItem[];
  try {
    entries = new Cite(text, { forceType }).data;
  } catch (error) {
    return { ok: false, code, detail: messageOf(error) };
  }
  // Both parsers skip what they cannot read and return an empty list rather than throwing.
  if (entries.length === 0) return { ok: false, code, detail: `No ${noun} could be parsed.` };
  if (entries.length > 1) {
    return { ok: false, code, detail: `Expected one ${noun}, found ${entries.length}.` };
  }
  let cleaned: CslItem | undefined;
  try {
    cleaned = Cite.parse.csl([stripInternals(entries[0])])[0];
  } catch (error) {
    return { ok: false, code, detail: messageOf(error) };
  }
  if (!cleaned) return { ok: false, code, detail: `No ${noun} could be parsed.` };
  const result = normalizeCslItem(cleaned, noun);
  return result.ok ? result : { ok: false, code, detail: result.detail };
}

type NormalizeResult = { ok: true; item: NormalizedPublication } | { ok: false; detail: string };

function normalizeCslItem(source: CslItem, noun: string): NormalizeResult {
  const csl = stripInternals(source);
  const title = typeof csl.title === 'string' ? csl.title.trim() : '';
  if (title === '') return { ok: false, detail: `The ${noun} has no title.` };

  let doi: string | null = null;
  if (csl.DOI !== undefined) {
    doi = typeof csl.DOI === 'string' ? normalizeDoi(csl.DOI) : null;
    if (doi === null) return { ok: false, detail: `"${String(csl.DOI)}" is not a DOI (10.NNNN/...).` };
  } else if (typeof csl.URL === 'string' && DOI_URL_PREFIX.test(csl.URL.trim())) {
    doi = normalizeDoi(csl.URL);
  }
  if (doi !== null) csl.DOI = doi;
  else delete csl.DOI;

  const authors: PublicationAuthor[] = [];
  if (csl.author !== undefined) {
    if (!Array.isArray(csl.author)) return { ok: false, detail: 'author must be a list of names.' };
    const stored: CslItem[] = [];
    for (const [index, entry] of csl.author.entries()) {
      const author = normalizeAuthor(entry);
      if (author === null) {
        return { ok: false, detail: `author[${index}] needs a family name or a literal name.` };
      }
      authors.push(author.author);
      stored.push(author.csl);
    }
    csl.author = stored;
  }

  const issued = normalizeIssued(csl.issued);
  if (issued === undefined) return { ok: false, detail: `The ${noun} has an unreadable issued date.` };
  if (issued === null) delete csl.issued;
  else csl.issued = { 'date-parts': [issued.split('-').map(Number)] };

  const containerTitle =
    typeof csl['container-title'] === 'string' && csl['container-title'].trim() !== ''
      ? csl['container-title'].trim()
      : null;
  const type = typeof csl.type === 'string' && csl.type !== '' ? csl.type : 'article';
  csl.type = type;
  csl.title = title;
  return { ok: true, item: { title, issued, containerTitle, doi, authors, type, csl } };
}

function normalizeAuthor(entry: unknown): { author: PublicationAuthor; csl: CslItem } | null {
  if (!isRecord(entry)) return null;
  const text = (key: string): string => {
    const value = entry[key];
    return typeof value === 'string' ? value.trim() : '';
  };
  const literal = text('literal');
  // Particles belong to the family name as displayed ("de Chaumont", "van der Berg").
  const family = [text('dropping-particle'), text('non-dropping-particle'), text('family')]
    .filter((part) => part !== '')
    .join(' ');
  const given = text('given');
  if (family === '' && literal === '') return null;
  const rawOrcid = [entry.ORCID, entry._orcid].find((value): value is string => typeof value === 'string');
  const orcid = rawOrcid === undefined ? null : normalizeOrcid(rawOrcid);
  const author: PublicationAuthor = family !== '' ? { family, given } : { family: literal, given: '' };
  if (orcid !== null) author.orcid = orcid;
  const csl: CslItem = {};
  for (const [key, value] of Object.entries(entry)) {
    if (key !== '_orcid' && key !== 'ORCID') csl[key] = value;
  }
  if (orcid !== null) csl.ORCID = orcid;
  return { author, csl };
}

/** null: no date given; undefined: a date was given but cannot be read. */
function normalizeIssued(issued: unknown): string | null | undefined {
  if (issued === undefined || issued === null) return null;
  if (!isRecord(issued)) return undefined;
  const dateParts = issued['date-parts'];
  if (Array.isArray(dateParts) && Array.isArray(dateParts[0]) && dateParts[0].length > 0) {
    return formatDateParts(dateParts[0] as unknown[]);
  }
  if (typeof issued.raw === 'string') {
    // RIS writes YYYY/MM/DD/other-info; BibLaTeX writes YYYY-MM-DD.
    const match = /^\s*(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?/.exec(issued.raw);
    if (match) return formatDateParts([match[1], match[2], match[3]].filter((part) => part !== undefined));
    const parsed = Cite.parse.date(issued.raw);
    const parts = parsed['date-parts']?.[0];
    return Array.isArray(parts) ? formatDateParts(parts) : undefined;
  }
  if (typeof issued.literal === 'string') return null;
  return undefined;
}

function formatDateParts(parts: unknown[]): string | undefined {
  const numbers = parts.slice(0, 3).map((part) => (typeof part === 'string' ? Number(part) : part));
  if (!numbers.every((part): part is number => typeof part === 'number' && Number.isInteger(part))) {
    return undefined;
  }
  const [year, month, day] = numbers;
  if (year === undefined || year < 1000 || year > 9999) return undefined;
  if (month === undefined) return String(year);
  if (month < 1 || month > 12) return undefined;
  const yearMonth = `${year}-${String(month).padStart(2, '0')}`;
  if (day === undefined) return yearMonth;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (day < 1 || date.getUTCMonth() !== month - 1) return undefined;
  return `${yearMonth}-${String(day).padStart(2, '0')}`;
}

function stripInternals(item: CslItem): CslItem {
  const copy: CslItem = {};
  for (const [key, value] of Object.entries(item)) {
    if (key === '_graph') continue;
    // The RIS parser invents random ids; a stored item must not change between two parses of the same text.
    if (key === 'id' && typeof value === 'string' && value.startsWith('temp_id_')) continue;
    copy[key] = value;
  }
  return copy;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
