import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildDataCiteXml,
  buildDataCiteXmlFromAttributes,
  escapeXmlAttribute,
  escapeXmlText,
} from './datacite-xml.rules.js';
import { buildDataCiteAttributes } from './datacite.rules.js';
import type { DataCiteDatasetInput } from './datacite.rules.js';
import {
  derivedDatasetInput,
  imageDatasetInput,
  withdrawnDatasetInput,
} from '../../test/fixtures/datacite/dataset-inputs.js';
import { resolveDataCiteSchemaDir } from '../../test/fixtures/datacite/schema-location.js';

// XSD validation shells out to xmllint (Debian/Ubuntu package libxml2-utils); CI must install it.
const schemaDir = resolveDataCiteSchemaDir();
const xsd = join(schemaDir, 'metadata.xsd');
const workDir = mkdtempSync(join(tmpdir(), 'datacite-xml-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function xmllint(file: string): { ok: boolean; output: string } {
  const result = spawnSync('xmllint', ['--noout', '--nonet', '--schema', xsd, file], { encoding: 'utf8' });
  if (result.error)
    throw new Error(`xmllint is not installed (apt-get install -y libxml2-utils): ${result.error.message}`);
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

function validateXml(name: string, xml: string): { ok: boolean; output: string } {
  const file = join(workDir, `${name}.xml`);
  writeFileSync(file, xml);
  return xmllint(file);
}

describe('XSD harness sanity check', () => {
  const examples = readdirSync(join(schemaDir, 'example')).filter((f) => f.endsWith('.xml'));

  it('finds the shipped examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(10);
  });

  it.each(examples)('shipped example %s validates', (file) => {
    const result = xmllint(join(schemaDir, 'example', file));
    expect(result).toEqual({ ok: true, output: expect.stringContaining('validates') });
  });

  it('rejects a lower-case controlled value (the harness can fail)', () => {
    const xml = buildDataCiteXml(imageDatasetInput).replace(
      'resourceTypeGeneral="Dataset"',
      'resourceTypeGeneral="dataset"',
    );
    const result = validateXml('negative-control', xml);
    expect(result.ok).toBe(false);
    expect(result.output).toContain('is not an element of the set');
  });
});

describe('buildDataCiteXml', () => {
  it.each<[string, DataCiteDatasetInput]>([
    ['image', imageDatasetInput],
    ['derived-with-relations-and-funding', derivedDatasetInput],
    ['withdrawn', withdrawnDatasetInput],
    [
      'minimal',
      {
        ...imageDatasetInput,
        description: undefined,
        keywords: [],
        organism: undefined,
        imagingMethod: undefined,
        accession: undefined,
        dates: [],
        creators: [{ kind: 'organization', name: 'Lab', affiliations: [] }],
        publisher: { name: 'Lab' },
      },
    ],
  ])('%s record validates against the 4.6 XSD', (name, input) => {
    const result = validateXml(name, buildDataCiteXml(input));
    expect(result).toEqual({ ok: true, output: expect.stringContaining('validates') });
  });

  it('matches the reviewed golden XML for the derived dataset', () => {
    const golden = fileURLToPath(new URL('../../test/fixtures/datacite/derived-dataset.xml', import.meta.url));
    const xml = buildDataCiteXml(derivedDatasetInput);
    if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(golden, xml);
    expect(xml).toBe(readFileSync(golden, 'utf8'));
  });

  it('declares the kernel-4 namespace and the 4.6 schema location', () => {
    expect(buildDataCiteXml(imageDatasetInput)).toContain(
      '<resource xmlns="http://datacite.org/schema/kernel-4" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://datacite.org/schema/kernel-4 https://schema.datacite.org/meta/kernel-4.6/metadata.xsd">',
    );
  });

  it('escapes markup in text and attributes and still validates', () => {
    const hostile: DataCiteDatasetInput = {
      ...withdrawnDatasetInput,
      title: 'A & B </title><title>injected</title> "quoted" \'single\'\u0007',
      keywords: ['x"/><subject>evil'],
      withdrawn: { date: '2026-07-01', reason: 'tab\there\nnewline & "quote" <tag>' },
    };
    const xml = buildDataCiteXml(hostile);
    expect(xml).toContain(
      `<title>A &amp; B &lt;/title&gt;&lt;title&gt;injected&lt;/title&gt; "quoted" 'single'</title>`,
    );
    expect(xml).toContain('dateInformation="tab&#9;here&#10;newline &amp; &quot;quote&quot; &lt;tag&gt;"');
    expect(xml).toContain('<subject>x"/&gt;&lt;subject&gt;evil</subject>');
    expect(validateXml('hostile', xml).ok).toBe(true);
  });

  it('uses the XML spellings (…URI) for what REST spells …Uri, from the same attributes', () => {
    const attrs = buildDataCiteAttributes(imageDatasetInput, { schemaVersion: '4.6' });
    const xml = buildDataCiteXmlFromAttributes(attrs);
    expect(xml).toContain(
      '<rights rightsURI="https://creativecommons.org/licenses/by/4.0/legalcode" rightsIdentifier="CC-BY-4.0" rightsIdentifierScheme="SPDX" schemeURI="https://spdx.org/licenses/">Creative Commons Attribution 4.0 International</rights>',
    );
    expect(xml).not.toMatch(/Uri=/);
  });
});

describe('escapeXml', () => {
  it.each([
    ['a<b>&c', 'a&lt;b&gt;&amp;c'],
    ['null\u0000 bell\u0007 ok\u00e9 \u{1F52C}', 'null bell ok\u00e9 \u{1F52C}'],
    ['lone \uD800 surrogate', 'lone  surrogate'],
    ['\uFFFE', ''],
  ])('text %j', (input, expected) => {
    expect(escapeXmlText(input)).toBe(expected);
  });

  it('escapes quotes and whitespace in attributes', () => {
    expect(escapeXmlAttribute('"a"\t\r\n')).toBe('&quot;a&quot;&#9;&#13;&#10;');
  });
});
