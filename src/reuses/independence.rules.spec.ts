import type { IndependenceInput, Person } from './independence.rules.js';
import { assessIndependence, matchPersons, normalizePersonKey } from './independence.rules.js';

const CARBERRY_ORCID = 'https://orcid.org/0000-0002-1825-0097';
const OTHER_ORCID = '0000-0001-5109-3700';

describe('normalizePersonKey', () => {
  it.each<[string, Person, string | null]>([
    ['particle in family', { family: 'de Chaumont', given: 'Fabrice' }, 'chaumont|f'],
    ['capitalised particle', { family: 'De Chaumont', given: 'F.' }, 'chaumont|f'],
    ['particle in given', { family: 'Chaumont', given: 'Fabrice de' }, 'chaumont|f'],
    ['full name with particle', { name: 'Fabrice de Chaumont' }, 'chaumont|f'],
    ['inverted full name', { name: 'de Chaumont, Fabrice' }, 'chaumont|f'],
    ['two-word particle', { family: 'van der Berg', given: 'Jan' }, 'berg|j'],
    ['acute accents', { family: 'Hériché', given: 'Jean-Karim' }, 'heriche|j'],
    ['upper-case accents', { family: 'HÉRICHÉ', given: 'J.-K.' }, 'heriche|j'],
    ['caron', { family: 'Maška', given: 'Martin' }, 'maska|m'],
    ['ø does not decompose', { family: 'Ørsted', given: 'Hans Christian' }, 'orsted|h'],
    ['ł does not decompose', { family: 'Nowak', given: 'Łukasz' }, 'nowak|l'],
    ['đ does not decompose', { family: 'Đặng', given: 'Văn Minh' }, 'dang|v'],
    ['ß expands', { family: 'Weiß', given: 'Anna' }, 'weiss|a'],
    ['straight apostrophe', { family: "O'Brien", given: 'Pat' }, 'obrien|p'],
    ['typographic apostrophe', { family: 'O’Brien', given: 'pat' }, 'obrien|p'],
    ['hyphenated family', { family: 'García-López', given: 'María' }, 'garcialopez|m'],
    ['spaced double family', { family: 'Garcia Lopez', given: 'M' }, 'garcialopez|m'],
    ['given starting like a particle', { family: 'Li', given: 'Da-Wei' }, 'li|d'],
    ['family that is only a particle word', { family: 'Le', given: 'Thi' }, 'le|t'],
    ['no given name', { family: 'Silva' }, 'silva|'],
    ['mononym as full name', { name: 'Silva' }, 'silva|'],
    ['nothing usable', { given: 'Ana' }, null],
    ['punctuation only', { family: '--' }, null],
  ])('%s', (_label, person, expected) => {
    expect(normalizePersonKey(person)).toBe(expected);
  });
});

describe('matchPersons', () => {
  it.each<[string, Person, Person, 'orcid' | 'name' | null]>([
    [
      'same ORCID, different spellings',
      { family: 'Carberry', given: 'J', orcid: CARBERRY_ORCID },
      { family: 'Carbery', given: 'Josiah', orcid: '0000-0002-1825-0097' },
      'orcid',
    ],
    [
      'same name, different ORCIDs',
      { family: 'Silva', given: 'Ana', orcid: CARBERRY_ORCID },
      { family: 'Silva', given: 'Ana', orcid: OTHER_ORCID },
      null,
    ],
    [
      'ORCID on one side only',
      { family: 'Silva', given: 'Ana', orcid: CARBERRY_ORCID },
      { family: 'Silva', given: 'A.' },
      'name',
    ],
    [
      'invalid ORCID counts as absent',
      { family: 'Silva', given: 'Ana', orcid: '0000-0002-1825-0098' },
      { family: 'Silva', given: 'Ana', orcid: OTHER_ORCID },
      'name',
    ],
    [
      'de Chaumont stored two ways',
      { family: 'de Chaumont', given: 'Fabrice' },
      { family: 'Chaumont', given: 'Fabrice de' },
      'name',
    ],
    [
      'Hériché without accents',
      { family: 'Hériché', given: 'Jean-Karim' },
      { family: 'Heriche', given: 'J.K.' },
      'name',
    ],
    ['Maška without caron', { family: 'Maška', given: 'Martin' }, { name: 'Martin Maska' }, 'name'],
    ['Ørsted folded', { family: 'Ørsted', given: 'H. C.' }, { family: 'Orsted', given: 'Hans' }, 'name'],
    ["O'Brien vs OBrien", { family: "O'Brien", given: 'Pat' }, { family: 'OBrien', given: 'P' }, 'name'],
    ['hyphen vs space', { family: 'Garcia-Lopez', given: 'Maria' }, { family: 'García López', given: 'M.' }, 'name'],
    ['different initials', { family: 'Silva', given: 'Ana' }, { family: 'Silva', given: 'Bruno' }, null],
    ['different families', { family: 'Silva', given: 'Ana' }, { family: 'Silveira', given: 'Ana' }, null],
    ['missing given name matches family only', { family: 'Silva' }, { family: 'Silva', given: 'Bruno' }, 'name'],
    ['no family on one side', { given: 'Ana' }, { family: 'Ana', given: 'A' }, null],
  ])('%s', (_label, a, b, expected) => {
    expect(matchPersons(a, b)?.matchedBy ?? null).toBe(expected);
    expect(matchPersons(b, a)?.matchedBy ?? null).toBe(expected);
  });
});

describe('assessIndependence', () => {
  const base: IndependenceInput = {
    datasetCreators: [
      { family: 'Hériché', given: 'Jean-Karim' },
      { family: 'Neumann', given: 'Beate' },
    ],
    datasetAffiliationRors: ['https://ror.org/03mstc592'],
    datasetGrantIds: ['grant-embl-1'],
    publicationAuthors: [
      { family: 'Cho', given: 'Min' },
      { family: 'Silva', given: 'Ana' },
    ],
    publicationAffiliationRors: ['https://ror.org/02catss52'],
    publicationGrantIds: ['grant-nih-7'],
  };

  it('is independent when no person, ROR or grant is shared', () => {
    expect(assessIndependence(base)).toEqual({ level: 'independent', reason: {} });
  });

  it('is co-authored when a creator is an author, even with a shared ROR and grant', () => {
    const result = assessIndependence({
      ...base,
      publicationAuthors: [...base.publicationAuthors, { family: 'Heriche', given: 'J.' }],
      publicationAffiliationRors: ['03mstc592'],
      publicationGrantIds: ['grant-embl-1'],
    });
    expect(result).toEqual({
      level: 'co-authored',
      reason: {
        matchedPerson: {
          datasetCreator: { family: 'Hériché', given: 'Jean-Karim' },
          publicationAuthor: { family: 'Heriche', given: 'J.' },
          matchedBy: 'name',
          key: 'heriche|j',
        },
      },
    });
  });

  it('reports the ORCID match when a name match was found first', () => {
    const result = assessIndependence({
      ...base,
      datasetCreators: [
        { family: 'Neumann', given: 'Beate' },
        { family: 'Carberry', given: 'Josiah', orcid: CARBERRY_ORCID },
      ],
      publicationAuthors: [
        { family: 'Neumann', given: 'B.' },
        { family: 'Carberry', given: 'J.', orcid: 'http://orcid.org/0000-0002-1825-0097' },
      ],
    });
    expect(result.level).toBe('co-authored');
    expect(result.reason.matchedPerson).toMatchObject({ matchedBy: 'orcid', key: CARBERRY_ORCID });
  });

  it('treats a namesake with another ORCID as a different person', () => {
    const result = assessIndependence({
      ...base,
      datasetCreators: [{ family: 'Silva', given: 'Ana', orcid: CARBERRY_ORCID }],
      publicationAuthors: [{ family: 'Silva', given: 'Ana', orcid: OTHER_ORCID }],
    });
    expect(result).toEqual({ level: 'independent', reason: {} });
  });

  it.each([
    ['https URL vs bare id', ['https://ror.org/03MSTC592'], [], { sharedAffiliation: 'https://ror.org/03mstc592' }],
    ['ror.org without scheme', ['ror.org/03mstc592/'], [], { sharedAffiliation: 'https://ror.org/03mstc592' }],
    ['grant only', [], ['grant-embl-1'], { sharedGrant: 'grant-embl-1' }],
    [
      'both',
      ['03mstc592'],
      [' grant-embl-1 '],
      { sharedAffiliation: 'https://ror.org/03mstc592', sharedGrant: 'grant-embl-1' },
    ],
  ])('is same-lab on a shared ROR or grant (%s)', (_label, rors, grants, reason) => {
    const result = assessIndependence({
      ...base,
      publicationAffiliationRors: [...base.publicationAffiliationRors, ...rors],
      publicationGrantIds: [...base.publicationGrantIds, ...grants],
    });
    expect(result).toEqual({ level: 'same-lab', reason });
  });

  it('picks the first shared ROR in sort order, whatever the input order', () => {
    const rors = ['https://ror.org/05f950310', 'https://ror.org/03mstc592'];
    const result = assessIndependence({
      ...base,
      datasetAffiliationRors: rors,
      publicationAffiliationRors: [...rors].reverse(),
    });
    expect(result.reason.sharedAffiliation).toBe('https://ror.org/03mstc592');
  });

  it('ignores empty ids on both sides', () => {
    const result = assessIndependence({
      ...base,
      datasetAffiliationRors: [''],
      publicationAffiliationRors: [''],
      datasetGrantIds: [''],
      publicationGrantIds: [''],
    });
    expect(result.level).toBe('independent');
  });
});
