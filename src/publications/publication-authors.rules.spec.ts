import { displayNameOf, planPublicationAuthors } from './publication-authors.rules.js';
import type { KnownPerson, PlannedAuthor } from './publication-authors.rules.js';
import type { PublicationAuthor } from './publications.rules.js';

const ORCID_A = 'https://orcid.org/0000-0002-1825-0097';
const ORCID_B = 'https://orcid.org/0000-0001-5109-3700';

const silva: KnownPerson = {
  id: 'agent-silva',
  name: 'Ana Silva',
  givenName: 'Ana',
  familyName: 'Silva',
  orcid: ORCID_A,
};
const chaumont: KnownPerson = {
  id: 'agent-chaumont',
  name: 'Fabrice de Chaumont',
  givenName: 'Fabrice',
  familyName: 'de Chaumont',
  orcid: null,
};
const nameOnly: KnownPerson = { id: 'agent-lee', name: 'Min Lee', givenName: null, familyName: null, orcid: null };
const otherOrcidChaumont: KnownPerson = { ...chaumont, id: 'agent-chaumont-2', orcid: ORCID_B };

describe('planPublicationAuthors', () => {
  it.each<[string, PublicationAuthor[], KnownPerson[], KnownPerson[], PlannedAuthor[]]>([
    ['no authors at all', [], [], [], []],
    [
      'parsed authors without a match become new agents, byline order kept',
      [
        { family: 'Doe', given: 'Jane' },
        { family: 'Roe', given: 'R.', orcid: ORCID_B },
      ],
      [],
      [],
      [
        { family: 'Doe', given: 'Jane', agentId: null },
        { family: 'Roe', given: 'R.', orcid: ORCID_B, agentId: null },
      ],
    ],
    [
      'an ORCID known to the service links the existing agent, keeping the printed name',
      [
        { family: 'Doe', given: 'Jane' },
        { family: 'Silva', given: 'A. M.', orcid: ORCID_A },
      ],
      [],
      [silva],
      [
        { family: 'Doe', given: 'Jane', agentId: null },
        { family: 'Silva', given: 'A. M.', orcid: ORCID_A, agentId: 'agent-silva' },
      ],
    ],
    [
      'a linked agent takes the place of the parsed author with the same name key (particles, case, initial)',
      [
        { family: 'De Chaumont', given: 'F.' },
        { family: 'Doe', given: 'Jane' },
      ],
      [chaumont],
      [],
      [
        { family: 'De Chaumont', given: 'F.', agentId: 'agent-chaumont' },
        { family: 'Doe', given: 'Jane', agentId: null },
      ],
    ],
    [
      'different ORCIDs never link, whatever the names',
      [{ family: 'de Chaumont', given: 'Fabrice', orcid: ORCID_A }],
      [otherOrcidChaumont],
      [],
      [
        { family: 'de Chaumont', given: 'Fabrice', orcid: ORCID_A, agentId: null },
        { family: 'de Chaumont', given: 'Fabrice', orcid: ORCID_B, agentId: 'agent-chaumont-2' },
      ],
    ],
    [
      'a name-linked agent lends its ORCID to the author',
      [{ family: 'Chaumont', given: 'Fabrice de' }],
      [otherOrcidChaumont],
      [],
      [{ family: 'Chaumont', given: 'Fabrice de', orcid: ORCID_B, agentId: 'agent-chaumont-2' }],
    ],
    [
      'linked agents matching no parsed author are appended; a name-only agent splits its display name',
      [{ family: 'Doe', given: 'Jane' }],
      [silva, nameOnly],
      [],
      [
        { family: 'Doe', given: 'Jane', agentId: null },
        { family: 'Silva', given: 'Ana', orcid: ORCID_A, agentId: 'agent-silva' },
        { family: 'Lee', given: 'Min', agentId: 'agent-lee' },
      ],
    ],
    [
      'a repeated ORCID keeps its first place; an agent linked twice appears once',
      [
        { family: 'Silva', given: 'Ana', orcid: ORCID_A },
        { family: 'Silva', given: 'A.', orcid: ORCID_A },
      ],
      [silva, silva],
      [silva],
      [{ family: 'Silva', given: 'Ana', orcid: ORCID_A, agentId: 'agent-silva' }],
    ],
    [
      'each linked agent is used once: the second same-named author is a new person',
      [
        { family: 'Chaumont', given: 'F.' },
        { family: 'de Chaumont', given: 'Fabrice' },
      ],
      [chaumont],
      [],
      [
        { family: 'Chaumont', given: 'F.', agentId: 'agent-chaumont' },
        { family: 'de Chaumont', given: 'Fabrice', agentId: null },
      ],
    ],
  ])('%s', (_, parsed, linked, known, expected) => {
    expect(planPublicationAuthors(parsed, linked, known)).toEqual(expected);
  });
});

describe('displayNameOf', () => {
  it.each([
    [{ family: 'de Chaumont', given: 'Fabrice' }, 'Fabrice de Chaumont'],
    [{ family: 'Human Cell Atlas Consortium', given: '' }, 'Human Cell Atlas Consortium'],
    [{ family: 'Doe', given: '  ' }, 'Doe'],
  ])('%j -> %s', (author, expected) => {
    expect(displayNameOf(author)).toBe(expected);
  });
});
