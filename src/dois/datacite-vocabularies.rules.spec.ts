import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getDataCiteVocabularies } from './datacite-vocabularies.rules.js';
import type { DataCiteVocabularies } from './datacite-vocabularies.rules.js';
import { resolveDataCiteSchemaDir } from '../../test/fixtures/datacite/schema-location.js';

// The hardcoded lists must equal the enumerations of the kernel-4.6 XSD include files, in exact case.
const schemaDir = resolveDataCiteSchemaDir();

function enumerations(file: string): string[] {
  const xsd = readFileSync(join(schemaDir, 'include', file), 'utf8');
  return [...xsd.matchAll(/<xs:enumeration value="([^"]+)"/g)].map((m) => m[1] ?? '');
}

describe('DataCite 4.6 vocabularies', () => {
  it.each<[keyof DataCiteVocabularies, string]>([
    ['relationType', 'datacite-relationType-v4.xsd'],
    ['resourceTypeGeneral', 'datacite-resourceType-v4.xsd'],
    ['relatedIdentifierType', 'datacite-relatedIdentifierType-v4.xsd'],
    ['dateType', 'datacite-dateType-v4.xsd'],
    ['contributorType', 'datacite-contributorType-v4.xsd'],
    ['descriptionType', 'datacite-descriptionType-v4.xsd'],
    ['funderIdentifierType', 'datacite-funderIdentifierType-v4.xsd'],
    ['nameType', 'datacite-nameType-v4.xsd'],
    ['titleType', 'datacite-titleType-v4.xsd'],
    ['numberType', 'datacite-numberType-v4.xsd'],
  ])('%s equals the enumeration in include/%s', (key, file) => {
    expect([...getDataCiteVocabularies('4.6')[key]].sort()).toEqual(enumerations(file).sort());
  });

  // Counts from datacite.md §14.
  it.each<[string, '4.5' | '4.6' | '4.7', number, number, number, number, number]>([
    ['4.5', '4.5', 36, 30, 19, 11, 21],
    ['4.6', '4.6', 38, 32, 21, 12, 22],
    ['4.7', '4.7', 39, 34, 23, 12, 22],
  ])('schema %s list sizes', (_label, version, relation, resource, related, date, contributor) => {
    const v = getDataCiteVocabularies(version);
    expect([
      v.relationType.length,
      v.resourceTypeGeneral.length,
      v.relatedIdentifierType.length,
      v.dateType.length,
      v.contributorType.length,
    ]).toEqual([relation, resource, related, date, contributor]);
  });
});
