// DataCite kernel-4 XML (schema 4.6). Built from the same REST attributes we send, so the JSON and XML views of a
// record cannot drift apart (datacite.md §16 pitfall 14). Valid against reference/datacite-schema-4.6/metadata.xsd.
import { buildDataCiteAttributes, DATACITE_KERNEL_4_NAMESPACE } from './datacite.rules.js';
import type { DataCiteAttributes, DataCiteCreator, DataCiteDatasetInput } from './datacite.rules.js';

export const DATACITE_4_6_SCHEMA_LOCATION = 'https://schema.datacite.org/meta/kernel-4.6/metadata.xsd';

// XML 1.0 §2.2 Char: anything else (C0 controls, lone surrogates, U+FFFE/U+FFFF) cannot appear even escaped.
// eslint-disable-next-line no-control-regex -- XML 1.0 §2.2 Char production: tab, LF and CR are the allowed controls
const INVALID_XML_CHARS = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function escapeXmlText(value: string): string {
  return value.replace(INVALID_XML_CHARS, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeXmlAttribute(value: string): string {
  // Tabs and newlines as character references survive attribute-value normalisation (XML 1.0 §3.3.3).
  return escapeXmlText(value)
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

type Attrs = Record<string, string | number | undefined>;

/** An element with text content, or with child elements (omitted when it has none: empty wrappers are noise). */
type XmlNode =
  { name: string; attrs: Attrs; text: string | number } | { name: string; attrs: Attrs; children: XmlNode[] };

function attributeList(attrs: Attrs): string {
  return Object.entries(attrs)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== '')
    .map(([k, v]) => ` ${k}="${escapeXmlAttribute(String(v))}"`)
    .join('');
}

function text(name: string, attrs: Attrs, value: string | number): XmlNode {
  return { name, attrs, text: value };
}

function parent(name: string, children: XmlNode[], attrs: Attrs = {}): XmlNode {
  return { name, attrs, children };
}

function render(node: XmlNode, indent: string): string[] {
  const open = `${indent}<${node.name}${attributeList(node.attrs)}>`;
  if ('text' in node) return [`${open}${escapeXmlText(String(node.text))}</${node.name}>`];
  if (node.children.length === 0) return [];
  return [open, ...node.children.flatMap((c) => render(c, `${indent}  `)), `${indent}</${node.name}>`];
}

function personNode(tag: 'creator' | 'contributor', person: DataCiteCreator): XmlNode {
  // The XSD fixes the order inside creator/contributor: name, givenName, familyName, nameIdentifier*, affiliation*.
  return parent(tag, [
    text(`${tag}Name`, { nameType: person.nameType }, person.name),
    ...(person.givenName ? [text('givenName', {}, person.givenName)] : []),
    ...(person.familyName ? [text('familyName', {}, person.familyName)] : []),
    ...person.nameIdentifiers.map((ni) =>
      text(
        'nameIdentifier',
        { nameIdentifierScheme: ni.nameIdentifierScheme, schemeURI: ni.schemeUri },
        ni.nameIdentifier,
      ),
    ),
    ...person.affiliation.map((a) =>
      text(
        'affiliation',
        {
          affiliationIdentifier: a.affiliationIdentifier,
          affiliationIdentifierScheme: a.affiliationIdentifierScheme,
          schemeURI: a.schemeUri,
        },
        a.name,
      ),
    ),
  ]);
}

/** XML for REST attributes. REST camelCase `…Uri` becomes the XML's `…URI` attribute names. */
export function buildDataCiteXmlFromAttributes(attributes: DataCiteAttributes): string {
  const a = attributes;
  const publisher = typeof a.publisher === 'string' ? { name: a.publisher } : a.publisher;
  const resource = parent(
    'resource',
    [
      text('identifier', { identifierType: 'DOI' }, a.doi),
      parent(
        'creators',
        a.creators.map((c) => personNode('creator', c)),
      ),
      parent(
        'titles',
        a.titles.map((t) => text('title', { titleType: t.titleType, 'xml:lang': t.lang }, t.title)),
      ),
      text(
        'publisher',
        {
          publisherIdentifier: publisher.publisherIdentifier,
          publisherIdentifierScheme: publisher.publisherIdentifierScheme,
          schemeURI: publisher.schemeUri,
        },
        publisher.name,
      ),
      text('publicationYear', {}, a.publicationYear),
      text('resourceType', { resourceTypeGeneral: a.types.resourceTypeGeneral }, a.types.resourceType ?? ''),
      parent(
        'subjects',
        a.subjects.map((s) =>
          text('subject', { subjectScheme: s.subjectScheme, schemeURI: s.schemeUri, valueURI: s.valueUri }, s.subject),
        ),
      ),
      parent(
        'dates',
        a.dates.map((d) => text('date', { dateType: d.dateType, dateInformation: d.dateInformation }, d.date)),
      ),
      parent(
        'alternateIdentifiers',
        a.identifiers.map((i) =>
          text('alternateIdentifier', { alternateIdentifierType: i.identifierType }, i.identifier),
        ),
      ),
      parent(
        'relatedIdentifiers',
        a.relatedIdentifiers.map((r) =>
          text(
            'relatedIdentifier',
            {
              relatedIdentifierType: r.relatedIdentifierType,
              relationType: r.relationType,
              resourceTypeGeneral: r.resourceTypeGeneral,
            },
            r.relatedIdentifier,
          ),
        ),
      ),
      ...(a.version ? [text('version', {}, a.version)] : []),
      parent(
        'rightsList',
        a.rightsList.map((r) =>
          text(
            'rights',
            {
              rightsURI: r.rightsUri,
              rightsIdentifier: r.rightsIdentifier,
              rightsIdentifierScheme: r.rightsIdentifierScheme,
              schemeURI: r.schemeUri,
            },
            r.rights,
          ),
        ),
      ),
      parent(
        'descriptions',
        a.descriptions.map((d) =>
          text('description', { descriptionType: d.descriptionType, 'xml:lang': d.lang }, d.description),
        ),
      ),
      parent(
        'fundingReferences',
        a.fundingReferences.map((f) =>
          parent('fundingReference', [
            text('funderName', {}, f.funderName),
            ...(f.funderIdentifier
              ? [text('funderIdentifier', { funderIdentifierType: f.funderIdentifierType }, f.funderIdentifier)]
              : []),
            ...(f.awardNumber ? [text('awardNumber', { awardURI: f.awardUri }, f.awardNumber)] : []),
            ...(f.awardTitle ? [text('awardTitle', {}, f.awardTitle)] : []),
          ]),
        ),
      ),
    ],
    {
      xmlns: DATACITE_KERNEL_4_NAMESPACE,
      'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
      'xsi:schemaLocation': `${DATACITE_KERNEL_4_NAMESPACE} ${DATACITE_4_6_SCHEMA_LOCATION}`,
    },
  );
  return ['<?xml version="1.0" encoding="UTF-8"?>', ...render(resource, ''), ''].join('\n');
}

/** DataCite XML (kernel-4, schema 4.6) for a dataset. */
export function buildDataCiteXml(input: DataCiteDatasetInput): string {
  return buildDataCiteXmlFromAttributes(buildDataCiteAttributes(input, { schemaVersion: '4.6' }));
}
