import { assessIndependence } from './independence.rules.js';
import type { IndependenceLevel } from './independence.rules.js';
import { buildIndependenceInput, decideClaimEvidence, transitionReuse } from './reuses.rules.js';
import type {
  AgentFacts,
  AuthorFacts,
  ClaimContext,
  EvidenceLevel,
  ReuseAction,
  ReuseState,
  ReuseTransitionErrorCode,
} from './reuses.rules.js';

describe('decideClaimEvidence', () => {
  const base: ClaimContext = {
    isCurator: false,
    agentId: 'me',
    publicationAuthorIds: ['a1', 'a2'],
    publicationDepositorId: 'dep',
  };

  it.each<[string, Partial<ClaimContext>, EvidenceLevel | null]>([
    ['a curator, author or not', { isCurator: true }, 'curated'],
    ['the admin token (no agent) as curator', { isCurator: true, agentId: null }, 'curated'],
    ['an author', { agentId: 'a2' }, 'asserted'],
    ['the depositor of the publication', { agentId: 'dep' }, 'asserted'],
    ['anyone else', { agentId: 'stranger' }, null],
    ['no agent and no curator role', { agentId: null }, null],
    [
      'no agent never matches a publication registered with the admin token',
      { agentId: null, publicationDepositorId: null },
      null,
    ],
  ])('%s -> %s', (_, override, expected) => {
    expect(decideClaimEvidence({ ...base, ...override })).toBe(expected);
  });
});

describe('transitionReuse', () => {
  const confirm: ReuseAction = { kind: 'confirm' };
  const dispute: ReuseAction = { kind: 'dispute' };
  const upheld: ReuseAction = { kind: 'resolve', outcome: 'upheld' };
  const rejected: ReuseAction = { kind: 'resolve', outcome: 'rejected' };

  it.each<[ReuseState, ReuseAction, ReuseState, string]>([
    [{ evidence: 'asserted', status: 'active' }, confirm, { evidence: 'curated', status: 'active' }, 'reuse.confirmed'],
    [
      { evidence: 'asserted', status: 'active' },
      dispute,
      { evidence: 'asserted', status: 'disputed' },
      'reuse.disputed',
    ],
    [{ evidence: 'curated', status: 'active' }, dispute, { evidence: 'curated', status: 'disputed' }, 'reuse.disputed'],
    [
      { evidence: 'asserted', status: 'disputed' },
      upheld,
      { evidence: 'asserted', status: 'excluded' },
      'reuse.resolved',
    ],
    [
      { evidence: 'curated', status: 'disputed' },
      rejected,
      { evidence: 'curated', status: 'active' },
      'reuse.resolved',
    ],
  ])('%j + %j -> %j', (state, action, next, ledgerKind) => {
    expect(transitionReuse(state, action)).toEqual({ ok: true, next, ledgerKind });
  });

  it.each<[ReuseState, ReuseAction, ReuseTransitionErrorCode]>([
    [{ evidence: 'curated', status: 'active' }, confirm, 'REUSE_ALREADY_CURATED'],
    [{ evidence: 'asserted', status: 'disputed' }, confirm, 'REUSE_NOT_ACTIVE'],
    [{ evidence: 'asserted', status: 'excluded' }, confirm, 'REUSE_NOT_ACTIVE'],
    [{ evidence: 'asserted', status: 'disputed' }, dispute, 'REUSE_NOT_ACTIVE'],
    [{ evidence: 'asserted', status: 'excluded' }, dispute, 'REUSE_NOT_ACTIVE'],
    [{ evidence: 'asserted', status: 'active' }, upheld, 'REUSE_NOT_DISPUTED'],
    [{ evidence: 'asserted', status: 'active' }, rejected, 'REUSE_NOT_DISPUTED'],
    [{ evidence: 'curated', status: 'excluded' }, rejected, 'REUSE_NOT_DISPUTED'],
  ])('%j + %j is refused with %s', (state, action, code) => {
    const result = transitionReuse(state, action);
    expect(result.ok).toBe(false);
    expect(result.ok ? null : result.code).toBe(code);
  });
});

describe('buildIndependenceInput', () => {
  const ORCID = 'https://orcid.org/0000-0002-1825-0097';
  const ROR_A = 'https://ror.org/02mhbdp94';
  const ROR_B = 'https://ror.org/05a0ya142';
  const agent = (id: string, fields: Partial<AgentFacts> = {}): AgentFacts => ({
    id,
    kind: 'person',
    name: id,
    givenName: null,
    familyName: null,
    orcid: null,
    ror: null,
    affiliations: [],
    ...fields,
  });
  const agents = new Map<string, AgentFacts>(
    [
      agent('lab-a', { kind: 'organization', ror: ROR_A }),
      agent('lab-b', { kind: 'organization', ror: ROR_B }),
      agent('silva', {
        name: 'Ana Silva',
        givenName: 'Ana',
        familyName: 'Silva',
        orcid: ORCID,
        affiliations: ['lab-a'],
      }),
      agent('chaumont', { name: 'Émilie de Chaumont', givenName: 'Émilie', familyName: 'de Chaumont' }),
      agent('mononym', { name: 'Xu' }),
      agent('colleague', { name: 'Bo Kim', givenName: 'Bo', familyName: 'Kim', affiliations: ['lab-a'] }),
      agent('stranger', { name: 'Jo Doe', givenName: 'Jo', familyName: 'Doe', affiliations: ['lab-b'] }),
      agent('printed-doe', { name: 'Jo Doe', givenName: 'Jo', familyName: 'Doe' }),
    ].map((a) => [a.id, a]),
  );
  const author = (agentId: string, family: string, given = '', orcid?: string): AuthorFacts => ({
    family,
    given,
    agentId,
    ...(orcid ? { orcid } : {}),
  });

  it.each<[string, string[], string[], AuthorFacts[], string[], IndependenceLevel, string]>([
    [
      'ORCID printed in the byline',
      ['silva'],
      [],
      [author('printed-doe', 'Doe', 'J.'), author('x', 'Silva', 'A.', ORCID)],
      [],
      'co-authored',
      'orcid',
    ],
    [
      'ORCID known only on the linked agent',
      ['silva'],
      [],
      [author('silva', 'Silva-Pereira', 'A.')],
      [],
      'co-authored',
      'orcid',
    ],
    [
      'name only: particles, case, diacritics',
      ['chaumont'],
      [],
      [author('new', 'De Chaumont', 'E.')],
      [],
      'co-authored',
      'name',
    ],
    ['the same agent with only a display name', ['mononym'], [], [author('mononym', 'Xu')], [], 'co-authored', 'name'],
    [
      'an author affiliated with a creator’s lab',
      ['silva'],
      [],
      [author('colleague', 'Kim', 'Bo')],
      [],
      'same-lab',
      ROR_A,
    ],
    ['an organisation creator’s ROR', ['lab-a'], [], [author('colleague', 'Kim', 'Bo')], [], 'same-lab', ROR_A],
    [
      'a shared grant',
      ['silva'],
      ['grant-1', 'grant-2'],
      [author('stranger', 'Doe', 'Jo')],
      ['grant-2'],
      'same-lab',
      'grant-2',
    ],
    [
      'no shared person, lab or grant',
      ['silva'],
      ['grant-1'],
      [author('stranger', 'Doe', 'Jo')],
      ['grant-3'],
      'independent',
      '',
    ],
  ])('%s', (_, creators, datasetGrants, authors, publicationGrants, level, evidence) => {
    const input = buildIndependenceInput({
      datasetCreatorIds: creators,
      datasetGrantIds: datasetGrants,
      publicationAuthors: authors,
      publicationGrantIds: publicationGrants,
      agents,
    });
    const result = assessIndependence(input);
    expect(result.level).toBe(level);
    const found =
      result.reason.matchedPerson?.matchedBy ?? result.reason.sharedAffiliation ?? result.reason.sharedGrant ?? '';
    expect(found).toBe(evidence);
  });

  it('lists organisation creators by ROR only, skips unknown agents and deduplicates', () => {
    const input = buildIndependenceInput({
      datasetCreatorIds: ['silva', 'lab-a', 'ghost', 'colleague'],
      datasetGrantIds: ['g', 'g'],
      publicationAuthors: [author('ghost', 'Nobody', 'N.')],
      publicationGrantIds: [],
      agents,
    });
    expect(input.datasetCreators.map((p) => p.agentId)).toEqual(['silva', 'colleague']);
    expect(input.datasetAffiliationRors).toEqual([ROR_A]);
    expect(input.datasetGrantIds).toEqual(['g']);
    expect(input.publicationAuthors).toEqual([{ family: 'Nobody', given: 'N.', orcid: null, agentId: 'ghost' }]);
    expect(input.publicationAffiliationRors).toEqual([]);
  });
});
