import Cite from 'citation-js';
import { normalizeOrcid } from '../agents/agents.rules.js';
import { normalizeDoi } from '../publications/publications.rules.js';

/** A dataset creator: a person (family/given) or an organisation or unsplit name (name only). */
export interface DatasetCreatorName {
  family?: string | null;
  given?: string | null;
  name?: string | null;
  orcid?: string | null;
}

export interface DatasetCitationInput {
  id: string;
  title: string;
  creators: DatasetCreatorName[];
  /** Publisher's name (DataCite `publisher`). */
  publisher?: string | null;
  publicationYear?: number | null;
  version?: string | null;
  /** Give the DOI only when it resolves (state registered or findable); otherwise the landing page is cited. */
  doi?: string | null;
  landingPage: string;
  accession?: string | null;
}

export type CslName = { family: string; given?: string; ORCID?: string } | { literal: string };

export interface DatasetCslItem {
  id: string;
  type: 'dataset';
  title: string;
  author: CslName[];
  issued?: { 'date-parts': [[number]] };
  publisher?: string;
  DOI?: string;
  URL: string;
  version?: string;
  number?: string;
}

export const CITATION_STYLES = ['apa', 'vancouver', 'harvard1', 'bibtex', 'biblatex', 'ris', 'csl'] as const;
export type CitationStyle = (typeof CITATION_STYLES)[number];

export interface FormattedCitation {
  contentType: string;
  body: string;
}

export type CitationNegotiation =
  | { ok: true; style: CitationStyle }
  | { ok: false; code: 'CITATION_STYLE_UNSUPPORTED' | 'CITATION_FORMAT_NOT_ACCEPTABLE'; detail: string };

/**
 * CSL-JSON for a dataset, shaped for citation-js's built-in styles (provenance.md §11): no `container-title`
 * (APA would print a wrong "In ..." clause) and no `archive` (printed twice beside `publisher`); `URL` is the DOI
 * link because Vancouver prints neither DOI nor version; `number` carries the accession, which APA prints.
 */
export function buildDatasetCsl(dataset: DatasetCitationInput): DatasetCslItem {
  const doi = dataset.doi ? normalizeDoi(dataset.doi) : null;
  const item: DatasetCslItem = {
    id: dataset.id,
    type: 'dataset',
    title: dataset.title.trim(),
    author: dataset.creators.map(toCslName).filter((name): name is CslName => name !== null),
    URL: doi !== null ? `https://doi.org/${doi}` : dataset.landingPage,
  };
  if (typeof dataset.publicationYear === 'number') item.issued = { 'date-parts': [[dataset.publicationYear]] };
  const publisher = dataset.publisher?.trim();
  if (publisher) item.publisher = publisher;
  if (doi !== null) item.DOI = doi;
  const version = dataset.version?.trim();
  if (version) item.version = version;
  const accession = dataset.accession?.trim();
  if (accession) item.number = accession;
  return item;
}

const TEXT_CONTENT_TYPE = 'text/x-bibliography; charset=utf-8';

/** Formats offline: the item is always handed to citation-js as a CSL object, never as a string. */
export function formatDatasetCitation(csl: DatasetCslItem, style: CitationStyle): FormattedCitation {
  switch (style) {
    case 'apa':
    case 'harvard1':
      return { contentType: TEXT_CONTENT_TYPE, body: bibliography(csl, style) };
    case 'vancouver':
      // citeproc numbers the entry as in a reference list ("1.  Silva A, ..."); one citation has no list.
      return { contentType: TEXT_CONTENT_TYPE, body: bibliography(csl, style).replace(/^\d+\.\s+/, '') };
    case 'bibtex':
      // BibTeX has no dataset type: citation-js writes @misc and drops the version.
      return { contentType: 'application/x-bibtex; charset=utf-8', body: trimBlankLines(cite(csl).format('bibtex')) };
    case 'biblatex':
      return {
        contentType: 'application/x-biblatex; charset=utf-8',
        body: trimBlankLines(cite(csl).format('biblatex')),
      };
    case 'ris':
      return {
        contentType: 'application/x-research-info-systems; charset=utf-8',
        body: trimBlankLines(cite(csl).format('ris')),
      };
    case 'csl':
      return { contentType: 'application/vnd.citationstyles.csl+json', body: `${JSON.stringify(csl, null, 2)}\n` };
  }
}

const MEDIA_TYPES: Record<string, CitationStyle> = {
  'application/x-bibtex': 'bibtex',
  'application/x-biblatex': 'biblatex',
  'application/x-research-info-systems': 'ris',
  'application/vnd.citationstyles.csl+json': 'csl',
  'application/json': 'csl',
};

// DataCite's content negotiation names the Cite Them Right Harvard style this way.
const STYLE_ALIASES: Record<string, CitationStyle> = { 'harvard-cite-them-right': 'harvard1' };

/**
 * The citation format for `GET /v1/datasets/:id/citation`: the `style` query wins over `Accept`; media ranges are
 * tried by descending q (RFC 9110 §12.5.1), ties in header order; `text/x-bibliography` takes a `style`
 * parameter (default apa); `*` and `text/*` or no header at all mean apa.
 */
export function negotiateCitationFormat(
  accept: string | null | undefined,
  styleQuery: string | null | undefined,
): CitationNegotiation {
  if (styleQuery !== undefined && styleQuery !== null && styleQuery.trim() !== '') {
    const style = toStyle(styleQuery);
    return style !== null
      ? { ok: true, style }
      : {
          ok: false,
          code: 'CITATION_STYLE_UNSUPPORTED',
          detail: `Unknown citation style "${styleQuery}"; use one of ${CITATION_STYLES.join(', ')}.`,
        };
  }
  if (accept === undefined || accept === null || accept.trim() === '') return { ok: true, style: 'apa' };

  const ranges = accept
    .split(',')
    .map((part, index) => parseMediaRange(part, index))
    .filter((range): range is MediaRange => range !== null && range.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const range of ranges) {
    const style = styleForRange(range);
    if (style !== null) return { ok: true, style };
  }
  return {
    ok: false,
    code: 'CITATION_FORMAT_NOT_ACCEPTABLE',
    detail:
      'Acceptable: text/x-bibliography (style=apa|vancouver|harvard1), application/x-bibtex, ' +
      'application/x-biblatex, application/x-research-info-systems, application/vnd.citationstyles.csl+json.',
  };
}

function toCslName(creator: DatasetCreatorName): CslName | null {
  const family = creator.family?.trim();
  if (family) {
    const name: CslName = { family };
    const given = creator.given?.trim();
    if (given) name.given = given;
    const orcid = creator.orcid ? normalizeOrcid(creator.orcid) : null;
    if (orcid !== null) name.ORCID = orcid;
    return name;
  }
  // Organisations, and people known only by a display name: never guess where the family name starts.
  const literal = creator.name?.trim();
  return literal ? { literal } : null;
}

function cite(csl: DatasetCslItem): Cite {
  return new Cite(csl, { forceType: '@csl/object' });
}

function bibliography(csl: DatasetCslItem, template: 'apa' | 'vancouver' | 'harvard1'): string {
  // The APA style labels only integer versions ("Version 2"); "2.1" would print bare, so label it here.
  const item =
    template === 'apa' && csl.version !== undefined && /^\d+(?:\.\d+)+$/.test(csl.version)
      ? { ...csl, version: `Version ${csl.version}` }
      : csl;
  return cite(item).format('bibliography', { format: 'text', template, lang: 'en-US' }).trim();
}

function trimBlankLines(text: string): string {
  // Only newlines: RIS's closing "ER  - " keeps its trailing space.
  return `${text.replace(/^\n+|\n+$/g, '')}\n`;
}

function toStyle(value: string): CitationStyle | null {
  const name = value.trim().toLowerCase();
  if ((CITATION_STYLES as readonly string[]).includes(name)) return name as CitationStyle;
  return STYLE_ALIASES[name] ?? null;
}

interface MediaRange {
  type: string;
  params: Record<string, string>;
  q: number;
  index: number;
}

function parseMediaRange(part: string, index: number): MediaRange | null {
  const [typePart, ...paramParts] = part.split(';');
  const type = typePart?.trim().toLowerCase() ?? '';
  if (!/^[^/\s]+\/[^/\s]+$/.test(type)) return null;
  const params: Record<string, string> = {};
  for (const param of paramParts) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    const key = param.slice(0, eq).trim().toLowerCase();
    params[key] = param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
  }
  const q = params.q === undefined ? 1 : Number(params.q);
  return { type, params, q: Number.isFinite(q) ? q : 0, index };
}

function styleForRange(range: MediaRange): CitationStyle | null {
  if (range.type === 'text/x-bibliography') {
    const style = range.params.style === undefined ? 'apa' : toStyle(range.params.style);
    return style === 'apa' || style === 'vancouver' || style === 'harvard1' ? style : null;
  }
  if (range.type === '*/*' || range.type === 'text/*') return 'apa';
  return MEDIA_TYPES[range.type] ?? null;
}
