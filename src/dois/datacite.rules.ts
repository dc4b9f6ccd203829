import { normalizeOrcid as checkedOrcid, normalizeRor as checkedRor } from '../agents/agents.rules.js';
// Pure DataCite decisions: REST attributes from a dataset, local pre-publish validation, the DOI state machine,
// post-condition checks, failure classification and backoff. Section numbers refer to reference/datacite.md.
import { normalizeDoi } from '../publications/publications.rules.js';
import { isDoiSyntax } from './doi-suffix.rules.js';
import { getDataCiteVocabularies } from './datacite-vocabularies.rules.js';
import type {
  DataCiteSchemaVersion,
  DateType,
  FunderIdentifierType,
  NameType,
  RelatedIdentifierType,
  RelationType,
  ResourceTypeGeneral,
} from './datacite-vocabularies.rules.js';

export type { DataCiteSchemaVersion } from './datacite-vocabularies.rules.js';

// ───────────────────────────── input ─────────────────────────────

export interface DataCiteAffiliationInput {
  name: string;
  /** ROR id, bare (`05dxps055`) or as URL; emitted as `https://ror.org/…`. */
  ror?: string;
}

export interface DataCiteCreatorInput {
  kind: 'person' | 'organization';
  name: string;
  givenName?: string;
  familyName?: string;
  /** `https://orcid.org/0000-0002-1825-0097` (a bare id is accepted too). */
  orcid?: string;
  /** For organizations: the organization's own ROR id. */
  ror?: string;
  affiliations: DataCiteAffiliationInput[];
}

export interface DataCiteGrantInput {
  funderName: string;
  /** ROR (`https://ror.org/…`) or Crossref Funder ID (`https://doi.org/10.13039/…`); bare forms are normalised. */
  funderIdentifier?: string;
  funderIdentifierType?: FunderIdentifierType;
  awardNumber?: string;
  awardTitle?: string;
  awardUri?: string;
}

export interface DataCiteRelatedInput {
  relationType: RelationType;
  relatedIdentifier: string;
  relatedIdentifierType: RelatedIdentifierType;
  resourceTypeGeneral?: ResourceTypeGeneral;
}

export interface DataCiteDateInput {
  /** W3CDTF (`2026`, `2026-05-04`, …) or an RKMS-ISO8601 range (`2020/2022`). */
  date: string;
  dateType: DateType;
  dateInformation?: string;
}

/** An ontology term: an IRI or a CURIE (`NCBITaxon:9606`, `FBbi:00000246`), with an optional label. */
export interface DataCiteTermInput {
  id: string;
  label?: string;
}

export interface DataCiteDatasetInput {
  doi: string;
  title: string;
  description?: string;
  kind: 'image' | 'derived';
  creators: DataCiteCreatorInput[];
  publisher: { name: string; ror?: string };
  publicationYear: number;
  /** SPDX licence id, e.g. `CC-BY-4.0`. */
  license: string;
  keywords: string[];
  organism?: DataCiteTermInput;
  imagingMethod?: DataCiteTermInput;
  /** Archive accession (`idr0013`, `S-BIAD123`, `EMPIAR-10001`, `BBBC021`). */
  accession?: string;
  grants: DataCiteGrantInput[];
  landingPageUrl: string;
  version?: string;
  related: DataCiteRelatedInput[];
  withdrawn?: { date: string; reason: string };
  dates: DataCiteDateInput[];
}

// ───────────────────────────── output (REST JSON:API attributes) ─────────────────────────────

export type DataCiteEvent = 'publish' | 'register' | 'hide';
export type RemoteDoiState = 'draft' | 'registered' | 'findable';

export interface DataCiteNameIdentifier {
  nameIdentifier: string;
  nameIdentifierScheme: string;
  schemeUri?: string;
}
export interface DataCiteAffiliation {
  name: string;
  affiliationIdentifier?: string;
  affiliationIdentifierScheme?: string;
  schemeUri?: string;
}
export interface DataCiteCreator {
  name: string;
  nameType?: NameType;
  givenName?: string;
  familyName?: string;
  nameIdentifiers: DataCiteNameIdentifier[];
  affiliation: DataCiteAffiliation[];
}
export interface DataCitePublisher {
  name: string;
  publisherIdentifier?: string;
  publisherIdentifierScheme?: string;
  schemeUri?: string;
}
export interface DataCiteSubject {
  subject: string;
  subjectScheme?: string;
  schemeUri?: string;
  valueUri?: string;
}
export interface DataCiteRights {
  rights: string;
  rightsUri?: string;
  rightsIdentifier?: string;
  rightsIdentifierScheme?: string;
  schemeUri?: string;
}
export interface DataCiteFundingReference {
  funderName: string;
  funderIdentifier?: string;
  funderIdentifierType?: string;
  awardNumber?: string;
  awardUri?: string;
  awardTitle?: string;
}
export interface DataCiteRelatedIdentifier {
  relatedIdentifier: string;
  relatedIdentifierType: string;
  relationType: string;
  resourceTypeGeneral?: string;
}
export interface DataCiteDate {
  date: string;
  dateType: string;
  dateInformation?: string;
}

export interface DataCiteAttributes {
  doi: string;
  event?: DataCiteEvent;
  url: string;
  schemaVersion: string;
  creators: DataCiteCreator[];
  titles: Array<{ title: string; titleType?: string; lang?: string }>;
  publisher: DataCitePublisher | string;
  publicationYear: number;
  types: { resourceTypeGeneral: string; resourceType?: string };
  subjects: DataCiteSubject[];
  dates: DataCiteDate[];
  identifiers: Array<{ identifier: string; identifierType: string }>;
  relatedIdentifiers: DataCiteRelatedIdentifier[];
  rightsList: DataCiteRights[];
  descriptions: Array<{ description: string; descriptionType: string; lang?: string }>;
  fundingReferences: DataCiteFundingReference[];
  version?: string;
}

export interface DataCiteRequestBody {
  data: { id: string; type: 'dois'; attributes: DataCiteAttributes };
}

/** The kernel-4 namespace: one value for every 4.x schema version (§4). */
export const DATACITE_KERNEL_4_NAMESPACE = 'http://datacite.org/schema/kernel-4';

export const RESOURCE_TYPE_BY_KIND: Record<DataCiteDatasetInput['kind'], string> = {
  // §14 suggested usage: collections are Dataset (COUNTER usage only knows Dataset) with a free-text subtype.
  image: 'Microscopy image set',
  derived: 'Derived image features',
};

// ───────────────────────────── identifier helpers ─────────────────────────────

const ORCID_URL_PREFIX = 'https://orcid.org/';
const ROR_URL_PREFIX = 'https://ror.org/';
const CROSSREF_FUNDER_PREFIX = '10.13039/';

/** `0000-0002-1825-0097` or `https://orcid.org/…` (http, any case) -> canonical https URL, or null. */
export function normalizeOrcid(value: string): string | null {
  const match = /^(?:https?:\/\/(?:www\.)?orcid\.org\/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$/i.exec(value.trim());
  return match?.[1] ? `${ORCID_URL_PREFIX}${match[1].toUpperCase()}` : null;
}

/** Well-formed (the hyphenated form DataCite expects) and with a valid ISO 7064 MOD 11-2 check character. */
export function isValidOrcid(value: string): boolean {
  return normalizeOrcid(value) !== null && checkedOrcid(value) !== null;
}

/** `05dxps055`, `ror.org/05dxps055` or `https://ror.org/05dxps055` -> `https://ror.org/05dxps055`, or null. */
export function normalizeRor(value: string): string | null {
  const match = /^(?:(?:https?:\/\/)?(?:www\.)?ror\.org\/)?(0[0-9a-hjkmnp-tv-z]{6}\d{2})\/?$/i.exec(value.trim());
  return match?.[1] ? `${ROR_URL_PREFIX}${match[1].toLowerCase()}` : null;
}

/** ROR ids end in two ISO 7064 MOD 97-10 check digits over the first 7 base-32 symbols. */
export function isValidRor(value: string): boolean {
  const url = normalizeRor(value);
  return url !== null && checkedRor(url) !== null;
}

/** Crossref Funder IDs are DOIs under 10.13039; DataCite examples use the `https://doi.org/` form. */
export function normalizeCrossrefFunderId(value: string): string | null {
  const trimmed = value.trim();
  const doi = /^\d+$/.test(trimmed) ? `${CROSSREF_FUNDER_PREFIX}${trimmed}` : normalizeDoi(trimmed);
  return doi?.startsWith(CROSSREF_FUNDER_PREFIX) ? `https://doi.org/${doi}` : null;
}

// SPDX ids we expect on image data, with names and `seeAlso` URLs from the SPDX licence list. Others fall back to
// the SPDX page; DataCite fills rights/rightsUri from SPDX itself when it knows the id (server behaviour).
const SPDX_LICENSES: Record<string, { name: string; uri: string }> = {
  'CC0-1.0': {
    name: 'Creative Commons Zero v1.0 Universal',
    uri: 'https://creativecommons.org/publicdomain/zero/1.0/legalcode',
  },
  'CC-BY-4.0': {
    name: 'Creative Commons Attribution 4.0 International',
    uri: 'https://creativecommons.org/licenses/by/4.0/legalcode',
  },
  'CC-BY-SA-4.0': {
    name: 'Creative Commons Attribution Share Alike 4.0 International',
    uri: 'https://creativecommons.org/licenses/by-sa/4.0/legalcode',
  },
  'CC-BY-NC-4.0': {
    name: 'Creative Commons Attribution Non Commercial 4.0 International',
    uri: 'https://creativecommons.org/licenses/by-nc/4.0/legalcode',
  },
  'CC-BY-NC-SA-4.0': {
    name: 'Creative Commons Attribution Non Commercial Share Alike 4.0 International',
    uri: 'https://creativecommons.org/licenses/by-nc-sa/4.0/legalcode',
  },
  'CC-BY-ND-4.0': {
    name: 'Creative Commons Attribution No Derivatives 4.0 International',
    uri: 'https://creativecommons.org/licenses/by-nd/4.0/legalcode',
  },
  'CC-BY-NC-ND-4.0': {
    name: 'Creative Commons Attribution Non Commercial No Derivatives 4.0 International',
    uri: 'https://creativecommons.org/licenses/by-nc-nd/4.0/legalcode',
  },
  'ODbL-1.0': {
    name: 'Open Data Commons Open Database License v1.0',
    uri: 'https://opendatacommons.org/licenses/odbl/1-0/',
  },
  'ODC-By-1.0': {
    name: 'Open Data Commons Attribution License v1.0',
    uri: 'https://opendatacommons.org/licenses/by/1-0/',
  },
  'PDDL-1.0': {
    name: 'Open Data Commons Public Domain Dedication & License 1.0',
    uri: 'https://opendatacommons.org/licenses/pddl/1-0/',
  },
};
const SPDX_SCHEME_URI = 'https://spdx.org/licenses/';

/** rightsList entry for an SPDX licence id (matched case-insensitively, emitted in SPDX's canonical case). */
export function buildRightsFromSpdx(spdxId: string): DataCiteRights {
  const key = Object.keys(SPDX_LICENSES).find((k) => k.toLowerCase() === spdxId.trim().toLowerCase());
  const known = key ? SPDX_LICENSES[key] : undefined;
  const id = key ?? spdxId.trim();
  return {
    rights: known?.name ?? id,
    rightsUri: known?.uri ?? `${SPDX_SCHEME_URI}${encodeURIComponent(id)}.html`,
    rightsIdentifier: id,
    rightsIdentifierScheme: 'SPDX',
    schemeUri: SPDX_SCHEME_URI,
  };
}

// OBO Foundry prefixes whose CURIEs expand to http://purl.obolibrary.org/obo/{PREFIX}_{LOCAL}.
const OBO_PREFIXES: Record<string, string> = {
  NCBITaxon: 'NCBI Taxonomy',
  FBbi: 'Biological Imaging Methods Ontology',
  CL: 'Cell Ontology',
  GO: 'Gene Ontology',
  UBERON: 'Uberon',
  CHEBI: 'ChEBI',
  OBI: 'Ontology for Biomedical Investigations',
  CLO: 'Cell Line Ontology',
};
const OBO_PURL = 'http://purl.obolibrary.org/obo/';

/** Subject for an ontology term given as an OBO CURIE, an OBO PURL, or any other IRI. */
export function buildSubjectFromTerm(term: DataCiteTermInput): DataCiteSubject {
  const id = term.id.trim();
  let prefix: string | undefined;
  let valueUri: string | undefined;
  const curie = /^([A-Za-z][A-Za-z0-9]*):([A-Za-z0-9_.-]+)$/.exec(id);
  const purl = /^https?:\/\/purl\.obolibrary\.org\/obo\/([A-Za-z][A-Za-z0-9]*)_([A-Za-z0-9_.-]+)$/.exec(id);
  if (curie?.[1] && curie[2] && !/^https?$/i.test(curie[1])) {
    prefix = Object.keys(OBO_PREFIXES).find((p) => p.toLowerCase() === curie[1]?.toLowerCase()) ?? curie[1];
    if (OBO_PREFIXES[prefix]) valueUri = `${OBO_PURL}${prefix}_${curie[2]}`;
  } else if (purl?.[1]) {
    prefix = purl[1];
    valueUri = `${OBO_PURL}${purl[1]}_${purl[2]}`;
  } else if (/^https?:\/\//i.test(id)) {
    valueUri = id;
  }
  const subject: DataCiteSubject = { subject: term.label?.trim() || id };
  if (prefix) {
    subject.subjectScheme = OBO_PREFIXES[prefix] ?? prefix;
    if (OBO_PREFIXES[prefix]) subject.schemeUri = `${OBO_PURL}${prefix.toLowerCase()}.owl`;
  }
  if (valueUri) subject.valueUri = valueUri;
  return subject;
}

/** Free-text alternateIdentifierType for the archives the contract names (http-contract.md, Datasets). */
export function describeAccession(accession: string): string {
  if (/^idr\d+/i.test(accession)) return 'IDR accession';
  if (/^S-B[A-Z]+\d+/i.test(accession)) return 'BioStudies accession';
  if (/^EMPIAR-\d+/i.test(accession)) return 'EMPIAR accession';
  if (/^BBBC\d+/i.test(accession)) return 'BBBC accession';
  return 'Accession';
}

// ───────────────────────────── building ─────────────────────────────

function buildCreator(input: DataCiteCreatorInput): DataCiteCreator {
  const nameIdentifiers: DataCiteNameIdentifier[] = [];
  if (input.kind === 'person' && input.orcid) {
    // Keep an unparseable value as given: validateForPublish reports it instead of silently losing it.
    nameIdentifiers.push({
      nameIdentifier: normalizeOrcid(input.orcid) ?? input.orcid,
      nameIdentifierScheme: 'ORCID',
      schemeUri: 'https://orcid.org',
    });
  }
  if (input.kind === 'organization' && input.ror) {
    nameIdentifiers.push({
      nameIdentifier: normalizeRor(input.ror) ?? input.ror,
      nameIdentifierScheme: 'ROR',
      schemeUri: 'https://ror.org',
    });
  }
  const given = input.givenName?.trim();
  const family = input.familyName?.trim();
  const person = input.kind === 'person';
  return {
    // Schema 4.6 creatorName: "Format: Family, Given" for personal names.
    name: person && given && family ? `${family}, ${given}` : input.name.trim(),
    nameType: person ? 'Personal' : 'Organizational',
    ...(person && given ? { givenName: given } : {}),
    ...(person && family ? { familyName: family } : {}),
    nameIdentifiers,
    affiliation: input.affiliations.map((a) => {
      const affiliation: DataCiteAffiliation = { name: a.name.trim() };
      if (a.ror) {
        affiliation.affiliationIdentifier = normalizeRor(a.ror) ?? a.ror;
        affiliation.affiliationIdentifierScheme = 'ROR';
        affiliation.schemeUri = 'https://ror.org';
      }
      return affiliation;
    }),
  };
}

function buildFundingReference(grant: DataCiteGrantInput): DataCiteFundingReference {
  const ref: DataCiteFundingReference = { funderName: grant.funderName.trim() };
  if (grant.funderIdentifier) {
    const type = grant.funderIdentifierType;
    const normalized =
      type === 'ROR'
        ? normalizeRor(grant.funderIdentifier)
        : type === 'Crossref Funder ID'
          ? normalizeCrossrefFunderId(grant.funderIdentifier)
          : null;
    ref.funderIdentifier = normalized ?? grant.funderIdentifier.trim();
    if (type) ref.funderIdentifierType = type;
  }
  if (grant.awardNumber) ref.awardNumber = grant.awardNumber.trim();
  // awardUri, not awardURI: the XML spelling is silently dropped by the REST API (§4 spelling traps).
  if (grant.awardUri) ref.awardUri = grant.awardUri;
  if (grant.awardTitle) ref.awardTitle = grant.awardTitle.trim();
  // No fundingReferences.schemeUri: the REST API drops it (§16 pitfall 13), which would fail our post-condition.
  return ref;
}

function buildRelatedIdentifier(related: DataCiteRelatedInput): DataCiteRelatedIdentifier {
  const value = related.relatedIdentifier.trim();
  const out: DataCiteRelatedIdentifier = {
    // DataCite stores DOI relations as bare lower-case `10.x/y`.
    relatedIdentifier: related.relatedIdentifierType === 'DOI' ? (normalizeDoi(value) ?? value) : value,
    relatedIdentifierType: related.relatedIdentifierType,
    relationType: related.relationType,
  };
  if (related.resourceTypeGeneral) out.resourceTypeGeneral = related.resourceTypeGeneral;
  return out;
}

function dedupeBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export interface BuildDataCiteAttributesOptions {
  schemaVersion: DataCiteSchemaVersion;
  event?: DataCiteEvent | undefined;
}

/**
 * The full desired state of one DOI as REST `attributes` (§4). Every call sends everything, empty arrays included:
 * arrays are replaced wholesale (so `[]` clears a removed relation) and a replayed PUT must carry the whole record
 * (§9.3). Does not validate: run validateForPublish.
 */
export function buildDataCiteAttributes(
  input: DataCiteDatasetInput,
  opts: BuildDataCiteAttributesOptions,
): DataCiteAttributes {
  const doi = normalizeDoi(input.doi) ?? input.doi;
  const publisher: DataCitePublisher = { name: input.publisher.name.trim() };
  if (input.publisher.ror) {
    // Publisher as an object with identifier exists since schema 4.5; all versions we emit are 4.5+.
    publisher.publisherIdentifier = normalizeRor(input.publisher.ror) ?? input.publisher.ror;
    publisher.publisherIdentifierScheme = 'ROR';
    publisher.schemeUri = 'https://ror.org';
  }

  const subjects = dedupeBy(
    [
      ...(input.organism ? [buildSubjectFromTerm(input.organism)] : []),
      ...(input.imagingMethod ? [buildSubjectFromTerm(input.imagingMethod)] : []),
      ...input.keywords
        .map((k) => k.trim())
        .filter((k) => k.length > 0)
        .map((k): DataCiteSubject => ({ subject: k })),
    ],
    (s) => `${s.valueUri ?? ''}|${s.subject.toLowerCase()}`,
  );

  // §12: a withdrawal keeps every existing date and adds one Withdrawn date with the reason.
  const dates: DataCiteDate[] = input.dates
    .filter((d) => !(input.withdrawn && d.dateType === 'Withdrawn'))
    .map((d) =>
      d.dateInformation
        ? { date: d.date, dateType: d.dateType, dateInformation: d.dateInformation }
        : { date: d.date, dateType: d.dateType },
    );
  if (input.withdrawn) {
    dates.push({ date: input.withdrawn.date, dateType: 'Withdrawn', dateInformation: input.withdrawn.reason });
  }

  const attributes: DataCiteAttributes = {
    doi,
    url: input.landingPageUrl,
    schemaVersion: DATACITE_KERNEL_4_NAMESPACE,
    creators: input.creators.map(buildCreator),
    titles: [{ title: input.title.trim() }],
    publisher,
    publicationYear: input.publicationYear,
    types: { resourceTypeGeneral: 'Dataset', resourceType: RESOURCE_TYPE_BY_KIND[input.kind] },
    subjects,
    dates,
    identifiers: input.accession
      ? [{ identifier: input.accession, identifierType: describeAccession(input.accession) }]
      : [],
    relatedIdentifiers: dedupeBy(
      input.related.map(buildRelatedIdentifier),
      (r) => `${r.relationType}|${r.relatedIdentifierType}|${r.relatedIdentifier.toLowerCase()}`,
    ),
    rightsList: [buildRightsFromSpdx(input.license)],
    descriptions: input.description?.trim()
      ? [{ description: input.description.trim(), descriptionType: 'Abstract' }]
      : [],
    fundingReferences: input.grants.map(buildFundingReference),
  };
  if (input.version) attributes.version = input.version;
  if (opts.event) attributes.event = opts.event;
  return attributes;
}

/** JSON:API body for `PUT /dois/{doi}` (§4): the DOI goes in both `data.id` and `attributes.doi`. */
export function buildDataCiteRequestBody(doi: string, attributes: DataCiteAttributes): DataCiteRequestBody {
  const normalized = normalizeDoi(doi) ?? doi;
  return { data: { id: normalized, type: 'dois', attributes: { ...attributes, doi: normalized } } };
}

// ───────────────────────────── validation ─────────────────────────────

export interface DataCiteValidationIssue {
  field: string;
  message: string;
}

// REST attribute names (§4). Anything else is silently dropped by the server, so we refuse it before sending.
const KNOWN_KEYS = {
  root: [
    'doi',
    'prefix',
    'suffix',
    'url',
    'event',
    'schemaVersion',
    'xml',
    'creators',
    'contributors',
    'titles',
    'publisher',
    'publicationYear',
    'types',
    'subjects',
    'dates',
    'identifiers',
    'alternateIdentifiers',
    'relatedIdentifiers',
    'rightsList',
    'descriptions',
    'fundingReferences',
    'language',
    'version',
    'sizes',
    'formats',
    'geoLocations',
    'relatedItems',
  ],
  creator: ['name', 'nameType', 'givenName', 'familyName', 'lang', 'nameIdentifiers', 'affiliation'],
  contributor: [
    'name',
    'nameType',
    'givenName',
    'familyName',
    'lang',
    'nameIdentifiers',
    'affiliation',
    'contributorType',
  ],
  nameIdentifier: ['nameIdentifier', 'nameIdentifierScheme', 'schemeUri'],
  affiliation: ['name', 'affiliationIdentifier', 'affiliationIdentifierScheme', 'schemeUri'],
  title: ['title', 'titleType', 'lang'],
  publisher: ['name', 'publisherIdentifier', 'publisherIdentifierScheme', 'schemeUri', 'lang'],
  types: ['resourceTypeGeneral', 'resourceType', 'schemaOrg', 'bibtex', 'citeproc', 'ris'],
  subject: ['subject', 'subjectScheme', 'schemeUri', 'valueUri', 'classificationCode', 'lang'],
  date: ['date', 'dateType', 'dateInformation'],
  identifier: ['identifier', 'identifierType'],
  alternateIdentifier: ['alternateIdentifier', 'alternateIdentifierType'],
  relatedIdentifier: [
    'relatedIdentifier',
    'relatedIdentifierType',
    'relationType',
    'resourceTypeGeneral',
    'relatedMetadataScheme',
    'schemeUri',
    'schemeType',
    'relationTypeInformation',
  ],
  rights: ['rights', 'rightsUri', 'rightsIdentifier', 'rightsIdentifierScheme', 'schemeUri', 'lang'],
  description: ['description', 'descriptionType', 'lang'],
  fundingReference: [
    'funderName',
    'funderIdentifier',
    'funderIdentifierType',
    'awardNumber',
    'awardUri',
    'awardTitle',
    'schemeUri',
  ],
} as const satisfies Record<string, readonly string[]>;

// §4 spelling traps: keys people actually send that the REST API drops without an error.
const KEY_HINTS: Record<string, string> = {
  rightsURI: 'rightsUri',
  awardURI: 'awardUri',
  schemeURI: 'schemeUri',
  valueURI: 'valueUri',
  affiliations: 'affiliation (singular, holding an array)',
  nameIdentifier: 'nameIdentifiers (an array)',
};

type UnknownRecord = Record<string, unknown>;

function isRecord(value: unknown): value is UnknownRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

// W3CDTF dates (YYYY, YYYY-MM, YYYY-MM-DD, with optional time) and RKMS-ISO8601 ranges, per schema 4.6 Date.
const W3CDTF = String.raw`\d{4}(?:-\d{2}(?:-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?)?)?`;
const DATE_PATTERN = new RegExp(`^(?:${W3CDTF}|(?:${W3CDTF})?/(?:${W3CDTF})?)$`);

// DataCite's own check on DOI names at create (§5, server behaviour).
const DATACITE_DOI_NAME = /^10\.\d{4,5}\/[-._;()/:a-zA-Z0-9*~$=]+$/;

/**
 * Local checks to run before any write that makes a DOI registered or findable (§5): required properties,
 * controlled vocabularies in exact case for `schemaVersion`, identifier formats, and keys the server would drop.
 * Returns an empty array when the record may be sent. Complements, not replaces, XSD validation of the XML.
 */
export function validateForPublish(
  attributes: DataCiteAttributes | UnknownRecord,
  schemaVersion: DataCiteSchemaVersion = '4.6',
): DataCiteValidationIssue[] {
  const vocab = getDataCiteVocabularies(schemaVersion);
  const issues: DataCiteValidationIssue[] = [];
  const add = (field: string, message: string): void => {
    issues.push({ field, message });
  };
  const attrs: UnknownRecord = { ...attributes };

  const checkKeys = (obj: UnknownRecord, allowed: readonly string[], path: string): void => {
    for (const key of Object.keys(obj)) {
      if (allowed.includes(key)) continue;
      const hint = KEY_HINTS[key];
      add(
        path ? `${path}.${key}` : key,
        `unknown attribute, DataCite would silently drop it${hint ? `; use ${hint}` : ''}`,
      );
    }
  };
  const checkVocab = (value: unknown, list: readonly string[], field: string, required: boolean): void => {
    if (value === undefined || value === null) {
      if (required) add(field, 'is required');
      return;
    }
    if (typeof value !== 'string' || !list.includes(value)) {
      const caseHint =
        typeof value === 'string' ? list.find((v) => v.toLowerCase() === value.toLowerCase()) : undefined;
      add(
        field,
        `"${String(value)}" is not in the schema ${schemaVersion} list${caseHint ? ` (did you mean "${caseHint}"? values are case-sensitive)` : ''}`,
      );
    }
  };
  const eachRecord = (
    value: unknown,
    field: string,
    required: boolean,
    fn: (item: UnknownRecord, path: string) => void,
  ): void => {
    if (value === undefined) {
      if (required) add(field, 'at least one entry is required');
      return;
    }
    if (!Array.isArray(value)) {
      add(field, 'must be an array');
      return;
    }
    if (required && value.length === 0) add(field, 'at least one entry is required');
    value.forEach((item, i) => {
      const path = `${field}[${i}]`;
      if (isRecord(item)) fn(item, path);
      else add(path, 'must be an object');
    });
  };

  checkKeys(attrs, KNOWN_KEYS.root, '');

  // Identifier and landing page (§5).
  if (!isNonEmptyString(attrs['doi'])) add('doi', 'is required');
  else if (!DATACITE_DOI_NAME.test(attrs['doi'])) add('doi', 'does not match 10.NNNN(N)/[-._;()/:a-zA-Z0-9*~$=]+');
  if (!isNonEmptyString(attrs['url'])) add('url', 'is required for registered and findable DOIs');
  else if (!isHttpUrl(attrs['url'])) add('url', 'must be an http(s) URL');
  if (attrs['event'] !== undefined && !['publish', 'register', 'hide', 'show'].includes(String(attrs['event']))) {
    add('event', `"${String(attrs['event'])}" is not a DataCite event`);
  }

  const checkPerson = (item: UnknownRecord, path: string, keys: readonly string[]): void => {
    checkKeys(item, keys, path);
    if (!isNonEmptyString(item['name'])) add(`${path}.name`, 'is required');
    checkVocab(item['nameType'], vocab.nameType, `${path}.nameType`, false);
    if (item['nameIdentifiers'] !== undefined && !Array.isArray(item['nameIdentifiers'])) {
      add(`${path}.nameIdentifiers`, 'must be an array (an object gives 422)');
    } else {
      eachRecord(item['nameIdentifiers'], `${path}.nameIdentifiers`, false, (ni, niPath) => {
        checkKeys(ni, KNOWN_KEYS.nameIdentifier, niPath);
        const value = ni['nameIdentifier'];
        const scheme = ni['nameIdentifierScheme'];
        if (!isNonEmptyString(value)) add(`${niPath}.nameIdentifier`, 'is required');
        if (!isNonEmptyString(scheme)) add(`${niPath}.nameIdentifierScheme`, 'is required with a nameIdentifier');
        if (
          scheme === 'ORCID' &&
          isNonEmptyString(value) &&
          !(value.startsWith(ORCID_URL_PREFIX) && isValidOrcid(value))
        ) {
          add(`${niPath}.nameIdentifier`, 'must be an https://orcid.org/ URL with a valid check digit');
        }
        if (scheme === 'ROR' && isNonEmptyString(value) && !(value.startsWith(ROR_URL_PREFIX) && isValidRor(value))) {
          add(`${niPath}.nameIdentifier`, 'must be an https://ror.org/ URL with valid check digits');
        }
      });
    }
    eachRecord(item['affiliation'], `${path}.affiliation`, false, (aff, affPath) => {
      checkKeys(aff, KNOWN_KEYS.affiliation, affPath);
      if (!isNonEmptyString(aff['name'])) add(`${affPath}.name`, 'is required');
      const id = aff['affiliationIdentifier'];
      if (id !== undefined && !isNonEmptyString(aff['affiliationIdentifierScheme'])) {
        add(`${affPath}.affiliationIdentifierScheme`, 'is required with an affiliationIdentifier');
      }
      if (
        aff['affiliationIdentifierScheme'] === 'ROR' &&
        !(isNonEmptyString(id) && id.startsWith(ROR_URL_PREFIX) && isValidRor(id))
      ) {
        add(`${affPath}.affiliationIdentifier`, 'must be an https://ror.org/ URL with valid check digits');
      }
    });
  };

  eachRecord(attrs['creators'], 'creators', true, (c, path) => checkPerson(c, path, KNOWN_KEYS.creator));
  eachRecord(attrs['contributors'], 'contributors', false, (c, path) => {
    checkPerson(c, path, KNOWN_KEYS.contributor);
    checkVocab(c['contributorType'], vocab.contributorType, `${path}.contributorType`, true);
  });

  eachRecord(attrs['titles'], 'titles', true, (t, path) => {
    checkKeys(t, KNOWN_KEYS.title, path);
    if (!isNonEmptyString(t['title'])) add(`${path}.title`, 'is required');
    checkVocab(t['titleType'], vocab.titleType, `${path}.titleType`, false);
  });

  const publisher = attrs['publisher'];
  if (isRecord(publisher)) {
    checkKeys(publisher, KNOWN_KEYS.publisher, 'publisher');
    if (!isNonEmptyString(publisher['name'])) add('publisher.name', 'is required');
    const id = publisher['publisherIdentifier'];
    if (id !== undefined && !isNonEmptyString(publisher['publisherIdentifierScheme'])) {
      add('publisher.publisherIdentifierScheme', 'is required with a publisherIdentifier');
    }
    if (
      publisher['publisherIdentifierScheme'] === 'ROR' &&
      !(isNonEmptyString(id) && id.startsWith(ROR_URL_PREFIX) && isValidRor(id))
    ) {
      add('publisher.publisherIdentifier', 'must be an https://ror.org/ URL with valid check digits');
    }
  } else if (!isNonEmptyString(publisher)) {
    // §16 pitfall 2: a missing publisher silently left DOIs in draft elsewhere.
    add('publisher', 'is required');
  }

  const year = attrs['publicationYear'];
  if (
    !((typeof year === 'number' && Number.isInteger(year)) || typeof year === 'string') ||
    !/^\d{4}$/.test(String(year))
  ) {
    add('publicationYear', 'is required as a 4-digit year');
  }

  const types = attrs['types'];
  if (!isRecord(types)) add('types.resourceTypeGeneral', 'is required');
  else {
    checkKeys(types, KNOWN_KEYS.types, 'types');
    checkVocab(types['resourceTypeGeneral'], vocab.resourceTypeGeneral, 'types.resourceTypeGeneral', true);
  }

  eachRecord(attrs['subjects'], 'subjects', false, (s, path) => {
    checkKeys(s, KNOWN_KEYS.subject, path);
    if (!isNonEmptyString(s['subject'])) add(`${path}.subject`, 'is required');
  });
  eachRecord(attrs['dates'], 'dates', false, (d, path) => {
    checkKeys(d, KNOWN_KEYS.date, path);
    if (!isNonEmptyString(d['date'])) add(`${path}.date`, 'is required');
    else if (!DATE_PATTERN.test(d['date'])) add(`${path}.date`, 'must be a W3CDTF date or an RKMS-ISO8601 range');
    checkVocab(d['dateType'], vocab.dateType, `${path}.dateType`, true);
  });
  eachRecord(attrs['identifiers'], 'identifiers', false, (d, path) => {
    checkKeys(d, KNOWN_KEYS.identifier, path);
    if (!isNonEmptyString(d['identifier'])) add(`${path}.identifier`, 'is required');
    if (!isNonEmptyString(d['identifierType'])) add(`${path}.identifierType`, 'is required');
  });
  eachRecord(attrs['alternateIdentifiers'], 'alternateIdentifiers', false, (d, path) => {
    checkKeys(d, KNOWN_KEYS.alternateIdentifier, path);
    if (!isNonEmptyString(d['alternateIdentifierType'])) add(`${path}.alternateIdentifierType`, 'is required');
  });
  eachRecord(attrs['relatedIdentifiers'], 'relatedIdentifiers', false, (r, path) => {
    checkKeys(r, KNOWN_KEYS.relatedIdentifier, path);
    const value = r['relatedIdentifier'];
    if (!isNonEmptyString(value)) add(`${path}.relatedIdentifier`, 'is required');
    checkVocab(r['relationType'], vocab.relationType, `${path}.relationType`, true);
    checkVocab(r['relatedIdentifierType'], vocab.relatedIdentifierType, `${path}.relatedIdentifierType`, true);
    checkVocab(r['resourceTypeGeneral'], vocab.resourceTypeGeneral, `${path}.resourceTypeGeneral`, false);
    if (r['relatedIdentifierType'] === 'DOI' && isNonEmptyString(value) && !isDoiSyntax(value)) {
      add(`${path}.relatedIdentifier`, 'must be a bare DOI (10.x/y)');
    }
    if (r['relatedIdentifierType'] === 'URL' && isNonEmptyString(value) && !isHttpUrl(value)) {
      add(`${path}.relatedIdentifier`, 'must be an http(s) URL');
    }
    if (r['relationTypeInformation'] !== undefined && schemaVersion !== '4.7') {
      add(`${path}.relationTypeInformation`, 'exists only in schema 4.7');
    }
  });
  eachRecord(attrs['rightsList'], 'rightsList', false, (r, path) => {
    checkKeys(r, KNOWN_KEYS.rights, path);
    if (!isNonEmptyString(r['rights']) && !isNonEmptyString(r['rightsIdentifier']))
      add(`${path}.rights`, 'is required');
  });
  eachRecord(attrs['descriptions'], 'descriptions', false, (d, path) => {
    checkKeys(d, KNOWN_KEYS.description, path);
    if (!isNonEmptyString(d['description'])) add(`${path}.description`, 'is required');
    checkVocab(d['descriptionType'], vocab.descriptionType, `${path}.descriptionType`, true);
  });
  eachRecord(attrs['fundingReferences'], 'fundingReferences', false, (f, path) => {
    checkKeys(f, KNOWN_KEYS.fundingReference, path);
    if (!isNonEmptyString(f['funderName'])) add(`${path}.funderName`, 'is required');
    if (f['schemeUri'] !== undefined) add(`${path}.schemeUri`, 'is silently dropped by the REST API (§16 pitfall 13)');
    const id = f['funderIdentifier'];
    if (id !== undefined) {
      checkVocab(f['funderIdentifierType'], vocab.funderIdentifierType, `${path}.funderIdentifierType`, true);
      if (
        f['funderIdentifierType'] === 'ROR' &&
        !(isNonEmptyString(id) && isValidRor(id) && id.startsWith(ROR_URL_PREFIX))
      ) {
        add(`${path}.funderIdentifier`, 'must be an https://ror.org/ URL with valid check digits');
      }
      if (
        f['funderIdentifierType'] === 'Crossref Funder ID' &&
        !(isNonEmptyString(id) && id.startsWith(`https://doi.org/${CROSSREF_FUNDER_PREFIX}`))
      ) {
        add(`${path}.funderIdentifier`, 'must be https://doi.org/10.13039/…');
      }
    }
  });
  for (const key of ['version', 'language'] as const) {
    if (attrs[key] !== undefined && typeof attrs[key] !== 'string') add(key, 'must be a string');
  }
  return issues;
}

// ───────────────────────────── state machine (§6, §9) ─────────────────────────────

export type LocalDoiState = 'none' | 'pending' | 'draft' | 'registered' | 'findable' | 'failed';
export type DoiTargetState = RemoteDoiState;

/** What we know about the DOI at DataCite when deciding: nothing read, a 404 on an authenticated GET, or a record. */
export type RemoteObservation =
  { kind: 'not-checked' } | { kind: 'absent' } | { kind: 'present'; state: RemoteDoiState; registered: string | null };

export type DoiAction =
  /** PUT /dois/{doi} with the full attributes and this event; afterwards the state must be expectState. */
  | { kind: 'put'; event: DataCiteEvent | undefined; expectState: RemoteDoiState }
  /** The right event depends on the remote state: GET the DOI (authenticated, with flags) and decide again. */
  | { kind: 'observe'; reason: string }
  /** Do not call DataCite; mark the job failed with this reason. */
  | { kind: 'park'; reason: string }
  /** Nothing to do (no DOI requested). */
  | { kind: 'skip'; reason: string };

/**
 * The event that moves a DOI from `from` to `to` (§6), undefined when no event is needed, or null when no event can
 * (nothing returns a DOI to draft). `show` (registered→findable) is undocumented, so we use `publish`.
 */
export function selectDataCiteEvent(
  from: RemoteDoiState | 'absent',
  to: DoiTargetState,
): DataCiteEvent | undefined | null {
  if (from === to) return undefined;
  switch (to) {
    case 'draft':
      return from === 'absent' ? undefined : null;
    case 'registered':
      return from === 'findable' ? 'hide' : 'register';
    case 'findable':
      return 'publish';
  }
}

/** The server's transition for an event; an event that does not fit is silently ignored (§6, server behaviour). */
export function applyDataCiteEvent(state: RemoteDoiState, event: DataCiteEvent | 'show' | undefined): RemoteDoiState {
  if (event === 'publish' && (state === 'draft' || state === 'registered')) return 'findable';
  if (event === 'register' && state === 'draft') return 'registered';
  if (event === 'hide' && state === 'findable') return 'registered';
  if (event === 'show' && state === 'registered') return 'findable';
  return state;
}

/**
 * Decide the next DataCite call for a DOI job. `local` is our stored state, `target` the state the outbox row asks
 * for, `remote` what an authenticated GET showed (or `not-checked`). Without a remote read, confirmed local states
 * stand in for the remote one; a PUT is always safe to replay (§9.3) but an event that does not fit is silently
 * ignored (§6), so ambiguous cases ask for a read first.
 */
export function nextDoiAction(local: LocalDoiState, target: DoiTargetState, remote: RemoteObservation): DoiAction {
  if (local === 'none') return { kind: 'skip', reason: 'no DOI has been requested' };
  if (local === 'failed')
    return { kind: 'park', reason: 'the DOI job failed earlier; it is re-driven by hand (retry resets it to pending)' };

  const put = (from: RemoteDoiState | 'absent'): DoiAction => {
    const event = selectDataCiteEvent(from, target);
    if (event === null)
      return { kind: 'park', reason: `cannot move a ${from} DOI back to draft (§6: nothing returns a DOI to draft)` };
    return { kind: 'put', event, expectState: target };
  };

  switch (remote.kind) {
    case 'present':
      return put(remote.state);
    case 'absent':
      if (local === 'registered' || local === 'findable') {
        // We confirmed it earlier, so a 404 now means the wrong host or account (§7), not a lost DOI.
        return {
          kind: 'park',
          reason: `DataCite has no record of a DOI we confirmed as ${local}: check API host and repository credentials`,
        };
      }
      return put('absent');
    case 'not-checked':
      if (local !== 'pending') return put(local);
      // publish works from every state, and a create with no event makes a draft; only `registered` depends on it.
      if (target === 'findable') return { kind: 'put', event: 'publish', expectState: 'findable' };
      if (target === 'draft') return { kind: 'put', event: undefined, expectState: 'draft' };
      return { kind: 'observe', reason: 'register (from draft) and hide (from findable) depend on the remote state' };
  }
}

// ───────────────────────────── post-conditions (§10) ─────────────────────────────

/** The parts of a DataCite `data.attributes` response the post-conditions read; other attributes stay untyped. */
export interface DataCiteDoiRecord {
  doi: string;
  state: RemoteDoiState;
  /** First successful Handle registration; null means the DOI does not resolve yet (§10.3). */
  registered: string | null;
  url: string | null;
  attributes: Record<string, unknown>;
}

export interface AttributeMismatch {
  field: string;
  expected: string;
  actual: string[];
}

// Case and a trailing slash are not significant for the identifiers we compare (DOIs and ROR/ORCID URLs).
function normalizeFact(value: unknown): string | null {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string' || value.trim() === '') return null;
  return value.trim().toLowerCase().replace(/\/$/, '');
}

function asRecords(value: unknown): UnknownRecord[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/**
 * Facts we send that must come back unchanged (§10.2): the landing URL, person/organization identifiers with
 * their schemes, affiliation and publisher RORs, scheme URIs, subject value URIs, licence ids, funder ids, awards,
 * relations, dates, version and type. Keyed by field; values normalised.
 */
function extractFacts(attrs: UnknownRecord): Map<string, string[]> {
  const facts = new Map<string, string[]>();
  const put = (field: string, ...parts: unknown[]): void => {
    const normalized = parts.map(normalizeFact);
    if (normalized[0] === null) return;
    const value = normalized.map((p) => p ?? '').join(' | ');
    facts.set(field, [...(facts.get(field) ?? []), value]);
  };
  put('url', attrs['url']);
  put('version', attrs['version']);
  if (isRecord(attrs['types'])) put('types.resourceTypeGeneral', attrs['types']['resourceTypeGeneral']);
  for (const key of ['creators', 'contributors'] as const) {
    asRecords(attrs[key]).forEach((person, i) => {
      for (const ni of asRecords(person['nameIdentifiers'])) {
        put(`${key}[${i}].nameIdentifiers`, ni['nameIdentifier'], ni['nameIdentifierScheme'], ni['schemeUri']);
      }
      for (const aff of asRecords(person['affiliation'])) {
        put(
          `${key}[${i}].affiliation`,
          aff['affiliationIdentifier'],
          aff['affiliationIdentifierScheme'],
          aff['schemeUri'],
        );
      }
    });
  }
  const publisher = attrs['publisher'];
  if (isRecord(publisher)) {
    put(
      'publisher.publisherIdentifier',
      publisher['publisherIdentifier'],
      publisher['publisherIdentifierScheme'],
      publisher['schemeUri'],
    );
  }
  for (const s of asRecords(attrs['subjects'])) put('subjects', s['valueUri'], s['schemeUri']);
  for (const r of asRecords(attrs['rightsList']))
    put('rightsList.rightsIdentifier', r['rightsIdentifier'], r['rightsIdentifierScheme']);
  for (const f of asRecords(attrs['fundingReferences'])) {
    put('fundingReferences.funderIdentifier', f['funderIdentifier'], f['funderIdentifierType']);
    put('fundingReferences.awardNumber', f['awardNumber']);
    put('fundingReferences.awardUri', f['awardUri']);
  }
  for (const r of asRecords(attrs['relatedIdentifiers'])) {
    put('relatedIdentifiers', r['relatedIdentifier'], r['relatedIdentifierType'], r['relationType']);
  }
  for (const d of asRecords(attrs['dates'])) put('dates', d['date'], d['dateType']);
  for (const d of asRecords(attrs['identifiers'])) put('identifiers', d['identifier']);
  for (const d of asRecords(attrs['alternateIdentifiers'])) put('identifiers', d['alternateIdentifier']);
  return facts;
}

/**
 * Every fact we sent that did not come back. A missing one means the server dropped a key we spelled wrongly or
 * that it does not store (§4 spelling traps, §16 pitfall 13), or that the read lacked `?publisher=true&affiliation=true`.
 */
export function compareSentWithReturned(
  sent: DataCiteAttributes | UnknownRecord,
  returned: UnknownRecord,
): AttributeMismatch[] {
  const want = extractFacts({ ...sent });
  const got = extractFacts(returned);
  const mismatches: AttributeMismatch[] = [];
  for (const [field, values] of want) {
    const actual = got.get(field) ?? [];
    const remaining = [...actual];
    for (const value of values) {
      const at = remaining.indexOf(value);
      if (at >= 0) remaining.splice(at, 1);
      else mismatches.push({ field, expected: value, actual });
    }
  }
  return mismatches;
}

export type PostConditionResult =
  | { outcome: 'ok' }
  /** Keep the DOI "pending, do not share" and re-check later (§10.3). */
  | { outcome: 'not-live'; reason: string }
  /** Mark the job failed and surface it; do not retry blindly (§10.1–2, §11). */
  | { outcome: 'mismatch'; reason: string; mismatches: AttributeMismatch[] };

export interface PostConditionExpectation {
  state: RemoteDoiState;
  /** The attributes we sent; when given, the identifiers in them must come back (§10.2). */
  sent?: DataCiteAttributes | UnknownRecord;
}

/** Checks after every successful write or re-check read (§10). */
export function checkPostCondition(expected: PostConditionExpectation, record: DataCiteDoiRecord): PostConditionResult {
  if (record.state !== expected.state) {
    return {
      outcome: 'mismatch',
      reason: `state mismatch: expected ${expected.state}, DataCite reports ${record.state} (the event was ignored)`,
      mismatches: [{ field: 'state', expected: expected.state, actual: [record.state] }],
    };
  }
  if (expected.sent) {
    const mismatches = compareSentWithReturned(expected.sent, { ...record.attributes, url: record.url ?? undefined });
    if (mismatches.length > 0) {
      return {
        outcome: 'mismatch',
        reason: `DataCite did not keep: ${[...new Set(mismatches.map((m) => m.field))].join(', ')}`,
        mismatches,
      };
    }
  }
  if (expected.state !== 'draft' && record.registered === null) {
    return {
      outcome: 'not-live',
      reason: 'DataCite has not registered the Handle yet (registered is null): re-check later',
    };
  }
  return { outcome: 'ok' };
}

/** Our stored state after a post-condition check. */
export function localStateAfterPostCondition(target: DoiTargetState, result: PostConditionResult): LocalDoiState {
  switch (result.outcome) {
    case 'ok':
      return target;
    case 'not-live':
      return 'pending';
    case 'mismatch':
      return 'failed';
  }
}

/**
 * §9.5: if the very first attempt at creating a name answers 200 (updated) rather than 201 (created), the name was
 * already taken in our repository and we just overwrote someone's record. Later attempts may legitimately get 200.
 */
export function isSuspectedOverwrite(firstAttempt: boolean, status: number): boolean {
  return firstAttempt && status === 200;
}

// ───────────────────────────── failures and retries (§7, §11) ─────────────────────────────

export type DataCiteFailureKind = 'retry' | 'permanent' | 'auth';
export type DataCiteFailureCode =
  | 'TIMEOUT'
  | 'NETWORK'
  | 'INVALID_RESPONSE'
  | 'BAD_REQUEST'
  | 'BAD_CREDENTIALS'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'NOT_ACCEPTABLE'
  | 'CONFLICT'
  | 'VALIDATION'
  | 'DOI_TAKEN'
  | 'RATE_LIMITED'
  | 'SERVER_ERROR'
  | 'UNEXPECTED_STATUS';

export interface DataCiteErrorEntry {
  source: string | null;
  title: string;
}

export interface DataCiteFailure {
  kind: DataCiteFailureKind;
  code: DataCiteFailureCode;
  /** HTTP status, or null for timeouts and network errors. */
  status: number | null;
  retryAfterMs?: number;
  /** For curators and operators: the verbatim errors, or status + content type + body excerpt. */
  reason: string;
  errors: DataCiteErrorEntry[];
  /** How many times this failure may be retried at most (409 is re-sent once, §7). */
  maxRetries?: number;
}

export type HeaderLookup = Readonly<Record<string, string | undefined>>;

function headerValue(headers: HeaderLookup, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/** Retry-After as delay-seconds or an HTTP-date (RFC 9110 §10.2.3); the date form needs `nowMs`. */
export function parseRetryAfterMs(value: string | undefined, nowMs?: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  if (nowMs === undefined) return undefined;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function excerpt(text: string, max = 200): string {
  const plain = text
    .replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > max ? `${plain.slice(0, max)}…` : plain;
}

/** Both error shapes of §7; anything else (HTML, empty, malformed JSON) yields no entries. */
export function parseDataCiteErrors(contentType: string | undefined, bodyText: string): DataCiteErrorEntry[] | null {
  const looksJson = /json/i.test(contentType ?? '') || /^\s*[{[]/.test(bodyText);
  if (!looksJson || /html/i.test(contentType ?? '')) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    return null;
  }
  if (!isRecord(parsed) || !Array.isArray(parsed['errors'])) return null;
  return parsed['errors'].filter(isRecord).map((e) => ({
    source: typeof e['source'] === 'string' ? e['source'] : null,
    title: typeof e['title'] === 'string' ? e['title'] : typeof e['detail'] === 'string' ? e['detail'] : '',
  }));
}

export interface ClassifyOptions {
  /** The request method: a 404 on a write means a wrong host or account, on a read an absent or hidden DOI. */
  method?: string;
  /** Needed to turn an HTTP-date Retry-After into a delay. */
  nowMs?: number;
  /** Extra detail for transport failures (the error message). */
  detail?: string;
}

/**
 * Map a failed DataCite exchange to retry / permanent / auth (§7, §11). `status` is the HTTP status, or 'timeout' /
 * 'network' when no response arrived. A 2xx only reaches here when its body could not be read as a DOI record.
 */
export function classifyDataCiteFailure(
  status: number | 'timeout' | 'network',
  headers: HeaderLookup,
  bodyText: string,
  opts: ClassifyOptions = {},
): DataCiteFailure {
  if (status === 'timeout' || status === 'network') {
    const what = status === 'timeout' ? 'timed out' : 'network error';
    return {
      kind: 'retry',
      code: status === 'timeout' ? 'TIMEOUT' : 'NETWORK',
      status: null,
      // A timed-out PUT may still have been applied; replaying it is safe (§9.3, §11).
      reason: `DataCite request ${what}${opts.detail ? `: ${opts.detail}` : ''}`,
      errors: [],
    };
  }
  const contentType = headerValue(headers, 'content-type');
  const errors = parseDataCiteErrors(contentType, bodyText);
  const retryAfterMs = parseRetryAfterMs(headerValue(headers, 'retry-after'), opts.nowMs);
  const detail =
    errors && errors.length > 0
      ? errors.map((e) => (e.source ? `${e.source}: ${e.title}` : e.title)).join('; ')
      : `${contentType ?? 'no content type'}${bodyText.trim() ? `: ${excerpt(bodyText)}` : ''}`;
  const reason = `HTTP ${status} ${detail}`;
  const isWrite = opts.method !== undefined && !['GET', 'HEAD'].includes(opts.method.toUpperCase());
  const base = { status, reason, errors: errors ?? [] };
  const withRetryAfter = retryAfterMs === undefined ? {} : { retryAfterMs };

  if (status >= 200 && status < 300) {
    return {
      ...base,
      kind: 'retry',
      code: 'INVALID_RESPONSE',
      reason: `HTTP ${status} with a body that is not a DOI record: ${excerpt(bodyText)}`,
    };
  }
  switch (status) {
    case 400:
      return { ...base, kind: 'permanent', code: 'BAD_REQUEST' };
    case 401:
      return { ...base, kind: 'auth', code: 'BAD_CREDENTIALS' };
    case 403:
      return { ...base, kind: 'auth', code: 'FORBIDDEN' };
    case 404:
      return {
        ...base,
        kind: 'permanent',
        code: 'NOT_FOUND',
        reason: `${reason} (${isWrite ? 'a write to an unknown path: check API host, prefix and credentials' : 'unknown DOI, anonymous read of a non-findable DOI, or wrong environment'})`,
      };
    case 405:
      return { ...base, kind: 'permanent', code: 'METHOD_NOT_ALLOWED' };
    case 406:
      return { ...base, kind: 'permanent', code: 'NOT_ACCEPTABLE' };
    case 409:
      // Uniqueness race inside DataCite: the same PUT sent again updates (§7).
      return { ...base, kind: 'retry', code: 'CONFLICT', maxRetries: 1 };
    case 422: {
      const taken = (errors ?? []).some((e) => e.source === 'doi' && /already been taken/i.test(e.title));
      return { ...base, kind: 'permanent', code: taken ? 'DOI_TAKEN' : 'VALIDATION' };
    }
    case 429:
      return { ...base, ...withRetryAfter, kind: 'retry', code: 'RATE_LIMITED' };
  }
  if (status >= 500 && status < 600) return { ...base, ...withRetryAfter, kind: 'retry', code: 'SERVER_ERROR' };
  return { ...base, kind: 'permanent', code: 'UNEXPECTED_STATUS' };
}

export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
}

export const DEFAULT_BACKOFF_BASE_MS = 2_000;
export const DEFAULT_BACKOFF_CAP_MS = 15 * 60_000;

/**
 * Exponential backoff with full jitter (§11): random(0, min(cap, base·2^attempt)), attempt counted from 0, but never
 * less than Retry-After. Everything is capped at `capMs`, so a hostile Retry-After cannot park a worker for a day.
 */
export function backoffDelayMs(
  attempt: number,
  rng: () => number,
  retryAfterMs?: number,
  opts: BackoffOptions = {},
): number {
  const base = opts.baseMs ?? DEFAULT_BACKOFF_BASE_MS;
  const cap = opts.capMs ?? DEFAULT_BACKOFF_CAP_MS;
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, Math.min(attempt, 52)));
  const r = Math.min(Math.max(rng(), 0), 1);
  const jittered = Math.floor(r * ceiling);
  return Math.min(cap, Math.max(jittered, retryAfterMs ?? 0));
}

export interface RetryBudget {
  /** Attempts already made, including the one that just failed (≥ 1). */
  attempts: number;
  firstAttemptAtMs: number;
  nowMs: number;
  rng: () => number;
  maxAttempts?: number;
  maxElapsedMs?: number;
  backoff?: BackoffOptions;
}

export type FailureDecision =
  | { kind: 'retry'; delayMs: number }
  /** Park the job as failed with this reason; alertOps for credential problems and exhausted retries (§11). */
  | { kind: 'park'; reason: string; alertOps: boolean };

/** What the job does after a failure: retry after a delay, or park (§11: ≈12 attempts or 24 h). */
export function decideAfterFailure(failure: DataCiteFailure, budget: RetryBudget): FailureDecision {
  if (failure.kind !== 'retry') return { kind: 'park', reason: failure.reason, alertOps: failure.kind === 'auth' };
  const maxAttempts = Math.min(
    budget.maxAttempts ?? 12,
    failure.maxRetries === undefined ? Infinity : failure.maxRetries + 1,
  );
  const elapsed = budget.nowMs - budget.firstAttemptAtMs;
  if (budget.attempts >= maxAttempts || elapsed >= (budget.maxElapsedMs ?? 24 * 3_600_000)) {
    return { kind: 'park', reason: `gave up after ${budget.attempts} attempts: ${failure.reason}`, alertOps: true };
  }
  return {
    kind: 'retry',
    delayMs: backoffDelayMs(budget.attempts - 1, budget.rng, failure.retryAfterMs, budget.backoff),
  };
}
