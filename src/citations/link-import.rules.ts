import { normalizeDoi } from '../publications/publications.rules.js';

/** Relations as read from the citing side: "citing References cited", "article IsSupplementedBy dataset". */
export type LinkRelation = 'References' | 'Cites' | 'IsSupplementedBy' | 'IsRelatedTo';

export type LinkFormat = 'scholix' | 'datacite-event';

export interface ImportedLink {
  /** Bare lower-case DOI, or an http(s) URL. */
  citing: string;
  citingScheme: 'doi' | 'url';
  cited: string;
  citedScheme: 'doi' | 'url';
  relation: LinkRelation;
  /** YYYY-MM-DD as given, or an ISO 8601 UTC timestamp; null when the package gives no date. */
  occurredAt: string | null;
  /** Link provider (Scholix LinkProvider names) or event source (DataCite `source-id`). */
  source: string;
  format: LinkFormat;
  /** DataCite event id, when there is one. */
  externalId?: string;
}

export type LinkImportProblemCode =
  | 'NOT_AN_OBJECT'
  | 'MISSING_IDENTIFIER'
  | 'INVALID_DOI'
  | 'UNSUPPORTED_IDENTIFIER'
  | 'MISSING_RELATION'
  | 'UNSUPPORTED_RELATION'
  | 'INVALID_DATE'
  | 'SELF_LINK'
  | 'EVENT_DELETION_NOT_SUPPORTED';

export interface LinkImportProblem {
  /** Position of the item in the package list (Scholix array, ScholeXplorer `result`, or event `data`). */
  index: number;
  code: LinkImportProblemCode;
  detail: string;
}

export type LinkImportResult =
  | { ok: true; format: LinkFormat; links: ImportedLink[]; duplicates: number; problems: LinkImportProblem[] }
  | { ok: false; code: 'LINK_FORMAT_UNRECOGNIZED'; detail: string };

/** Dedupe key: one link per (citing, cited, relation), whichever package or direction reported it. */
export function linkKey(link: Pick<ImportedLink, 'citing' | 'cited' | 'relation'>): string {
  return `${link.citing} ${link.cited} ${link.relation}`;
}

/**
 * Reads a body of `POST /v1/citations/import`: Scholix link information packages (one, an array, or a
 * ScholeXplorer response with `result`) or DataCite Event Data JSON (`{data: [...]}` or `{data: {...}}`).
 * Each link is oriented so that `citing` references `cited`; a bad item becomes a problem, never an exception.
 */
export function parseLinkImport(body: unknown): LinkImportResult {
  const container = detectFormat(body);
  if (container === null) {
    return {
      ok: false,
      code: 'LINK_FORMAT_UNRECOGNIZED',
      detail:
        'Expected Scholix link packages (RelationshipType, Source, Target) or DataCite Event Data ({data: [...]}).',
    };
  }
  const links: ImportedLink[] = [];
  const problems: LinkImportProblem[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  container.items.forEach((item, index) => {
    const parsed = container.format === 'scholix' ? readScholix(item) : readEvent(item);
    if ('code' in parsed) {
      problems.push({ index, ...parsed });
      return;
    }
    const key = linkKey(parsed);
    if (seen.has(key)) {
      duplicates += 1;
      return;
    }
    seen.add(key);
    links.push(parsed);
  });
  return { ok: true, format: container.format, links, duplicates, problems };
}

type Problem = { code: LinkImportProblemCode; detail: string };
type Ref = { value: string; scheme: 'doi' | 'url' };

// Direction of each relation as "source REL target": forward keeps source as the citing side.
const RELATIONS: Record<string, { relation: LinkRelation; forward: boolean }> = {
  references: { relation: 'References', forward: true },
  isreferencedby: { relation: 'References', forward: false },
  cites: { relation: 'Cites', forward: true },
  iscitedby: { relation: 'Cites', forward: false },
  issupplementedby: { relation: 'IsSupplementedBy', forward: true },
  issupplementto: { relation: 'IsSupplementedBy', forward: false },
  isrelatedto: { relation: 'IsRelatedTo', forward: true },
};

function detectFormat(body: unknown): { format: LinkFormat; items: unknown[] } | null {
  if (Array.isArray(body)) {
    const first: unknown = body.find(isRecord);
    if (first === undefined) return body.length === 0 ? { format: 'scholix', items: [] } : null;
    if (isRecord(first) && field(first, 'attributes') !== undefined) return { format: 'datacite-event', items: body };
    return { format: 'scholix', items: body };
  }
  if (!isRecord(body)) return null;
  const data = field(body, 'data');
  if (Array.isArray(data)) return { format: 'datacite-event', items: data };
  if (isRecord(data)) return { format: 'datacite-event', items: [data] };
  const result = field(body, 'result');
  if (Array.isArray(result)) return { format: 'scholix', items: result };
  if (field(body, 'RelationshipType') !== undefined) return { format: 'scholix', items: [body] };
  return null;
}

function readScholix(item: unknown): ImportedLink | Problem {
  if (!isRecord(item)) return { code: 'NOT_AN_OBJECT', detail: 'A link package must be a JSON object.' };
  const relationship = field(item, 'RelationshipType');
  const name = isRecord(relationship) ? text(field(relationship, 'Name')) : null;
  if (name === null) return { code: 'MISSING_RELATION', detail: 'RelationshipType.Name is missing.' };
  const subType = isRecord(relationship) ? text(field(relationship, 'SubType')) : null;
  // IsRelatedTo is Scholix's catch-all; a citation-like SubType says more.
  const mapped =
    name.toLowerCase() === 'isrelatedto' && subType !== null && RELATIONS[relationKey(subType)]
      ? RELATIONS[relationKey(subType)]
      : RELATIONS[relationKey(name)];
  if (mapped === undefined) {
    return { code: 'UNSUPPORTED_RELATION', detail: `Relationship "${name}" is not a citation relation.` };
  }

  const source = field(item, 'Source');
  const target = field(item, 'Target');
  const sourceRef = scholixRef(source, 'Source');
  if ('code' in sourceRef) return sourceRef;
  const targetRef = scholixRef(target, 'Target');
  if ('code' in targetRef) return targetRef;

  let forward = mapped.forward;
  // IsRelatedTo has no direction: when one side is a dataset and the other literature, literature cites data.
  if (mapped.relation === 'IsRelatedTo' && objectType(source) === 'dataset' && objectType(target) !== 'dataset') {
    forward = false;
  }
  const occurredAt = normalizeDate(field(item, 'LinkPublicationDate'));
  if (occurredAt === undefined) {
    return {
      code: 'INVALID_DATE',
      detail: `LinkPublicationDate "${String(field(item, 'LinkPublicationDate'))}" is not a date.`,
    };
  }
  const providers = field(item, 'LinkProvider');
  const providerNames = (Array.isArray(providers) ? providers : [providers])
    .map((provider) => (isRecord(provider) ? text(field(provider, 'Name')) : null))
    .filter((providerName): providerName is string => providerName !== null);
  return buildLink(forward ? [sourceRef, targetRef] : [targetRef, sourceRef], mapped.relation, occurredAt, {
    source: providerNames.length > 0 ? providerNames.join(', ') : 'scholix',
    format: 'scholix',
  });
}

function readEvent(item: unknown): ImportedLink | Problem {
  if (!isRecord(item)) return { code: 'NOT_AN_OBJECT', detail: 'An event must be a JSON object.' };
  const attributes = field(item, 'attributes');
  if (!isRecord(attributes)) return { code: 'NOT_AN_OBJECT', detail: 'The event has no attributes object.' };
  if (text(attributes['message-action'])?.toLowerCase() === 'delete') {
    return {
      code: 'EVENT_DELETION_NOT_SUPPORTED',
      detail: 'Deletion events are not imported; dispute the link instead.',
    };
  }
  const relationName = text(attributes['relation-type-id']);
  if (relationName === null) return { code: 'MISSING_RELATION', detail: 'relation-type-id is missing.' };
  const mapped = RELATIONS[relationKey(relationName)];
  if (mapped === undefined) {
    // Usage events (total-dataset-investigations-regular, ...) and version or part relations land here.
    return { code: 'UNSUPPORTED_RELATION', detail: `Relation "${relationName}" is not a citation relation.` };
  }
  const subject = eventRef(attributes['subj-id'], 'subj-id');
  if ('code' in subject) return subject;
  const object = eventRef(attributes['obj-id'], 'obj-id');
  if ('code' in object) return object;
  const occurredAt = normalizeDate(attributes['occurred-at']);
  if (occurredAt === undefined) {
    return { code: 'INVALID_DATE', detail: `occurred-at "${String(attributes['occurred-at'])}" is not a date.` };
  }
  const id = text(field(item, 'id'));
  return buildLink(mapped.forward ? [subject, object] : [object, subject], mapped.relation, occurredAt, {
    source: text(attributes['source-id']) ?? 'datacite-event',
    format: 'datacite-event',
    ...(id !== null ? { externalId: id } : {}),
  });
}

function buildLink(
  [citing, cited]: [Ref, Ref],
  relation: LinkRelation,
  occurredAt: string | null,
  origin: Pick<ImportedLink, 'source' | 'format' | 'externalId'>,
): ImportedLink | Problem {
  if (citing.value === cited.value) return { code: 'SELF_LINK', detail: `${citing.value} links to itself.` };
  return {
    citing: citing.value,
    citingScheme: citing.scheme,
    cited: cited.value,
    citedScheme: cited.scheme,
    relation,
    occurredAt,
    ...origin,
  };
}

function scholixRef(object: unknown, side: 'Source' | 'Target'): Ref | Problem {
  if (!isRecord(object)) return { code: 'MISSING_IDENTIFIER', detail: `${side} is missing.` };
  const identifier = field(object, 'Identifier');
  // Scholix v3 has one Identifier object; ScholeXplorer responses list several.
  const identifiers = (Array.isArray(identifier) ? identifier : [identifier]).filter(isRecord);
  if (identifiers.length === 0) return { code: 'MISSING_IDENTIFIER', detail: `${side}.Identifier is missing.` };
  const refs: Array<Ref | Problem> = identifiers.map((entry) => scholixIdentifier(entry, side));
  return (
    refs.find((ref): ref is Ref => 'scheme' in ref && ref.scheme === 'doi') ??
    refs.find((ref): ref is Ref => 'scheme' in ref) ??
    refs[0]
  );
}

function scholixIdentifier(entry: Record<string, unknown>, side: string): Ref | Problem {
  const id = text(field(entry, 'ID')) ?? text(field(entry, 'identifier'));
  const scheme = (text(field(entry, 'IDScheme')) ?? text(field(entry, 'schema')) ?? '').toLowerCase();
  const url = text(field(entry, 'IDURL')) ?? text(field(entry, 'url'));
  if (scheme === 'doi') {
    const doi = (id !== null ? normalizeDoi(id) : null) ?? (url !== null ? normalizeDoi(url) : null);
    return doi !== null
      ? { value: doi, scheme: 'doi' }
      : { code: 'INVALID_DOI', detail: `${side} DOI "${id ?? url ?? ''}" is not a 10.NNNN/... DOI.` };
  }
  if (scheme === 'url' && id !== null) {
    const href = httpUrl(id);
    if (href !== null) return refFromUrl(href);
  }
  if (url !== null) {
    const href = httpUrl(url);
    if (href !== null) return refFromUrl(href);
  }
  if (id === null) return { code: 'MISSING_IDENTIFIER', detail: `${side}.Identifier has no ID.` };
  return {
    code: 'UNSUPPORTED_IDENTIFIER',
    detail: `${side} identifier "${id}" (${scheme || 'no scheme'}) is neither a DOI nor a URL.`,
  };
}

function eventRef(value: unknown, name: string): Ref | Problem {
  const id = text(value);
  if (id === null) return { code: 'MISSING_IDENTIFIER', detail: `${name} is missing.` };
  const doi = normalizeDoi(id);
  if (doi !== null) return { value: doi, scheme: 'doi' };
  const href = httpUrl(id);
  if (href === null) return { code: 'UNSUPPORTED_IDENTIFIER', detail: `${name} "${id}" is neither a DOI nor a URL.` };
  if (/^https?:\/\/(?:www\.|dx\.)?doi\.org\//i.test(href)) {
    return { code: 'INVALID_DOI', detail: `${name} "${id}" is not a 10.NNNN/... DOI.` };
  }
  return { value: href, scheme: 'url' };
}

function refFromUrl(href: string): Ref {
  const doi = /^https?:\/\/(?:www\.|dx\.)?doi\.org\//i.test(href) ? normalizeDoi(href) : null;
  return doi !== null ? { value: doi, scheme: 'doi' } : { value: href, scheme: 'url' };
}

function httpUrl(value: string): string | null {
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

function objectType(object: unknown): string | null {
  if (!isRecord(object)) return null;
  const type = field(object, 'Type');
  const name = isRecord(type) ? text(field(type, 'Name')) : text(type);
  return name?.toLowerCase() ?? null;
}

/** null: no date; undefined: a value that is not a date. */
function normalizeDate(value: unknown): string | null | undefined {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(trimmed)) {
    const date = new Date(`${trimmed}T00:00:00Z`);
    return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== trimmed ? undefined : trimmed;
  }
  // Only ISO 8601 date-times; Date.parse alone would accept "May 2, 2024" and locale-dependent forms.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/.test(trimmed)) return undefined;
  const time = Date.parse(trimmed);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

function relationKey(name: string): string {
  return name.replace(/[-_\s]/g, '').toLowerCase();
}

/** Scholix keys are PascalCase in v3/v4 and camelCase in older ScholeXplorer responses: look up either. */
function field(record: Record<string, unknown>, name: string): unknown {
  if (name in record) return record[name];
  const lower = name.toLowerCase();
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === lower);
  return key === undefined ? undefined : record[key];
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
