import { policyRef, METRICS_POLICY } from '../metrics/policy.rules.js';
import { achievementIri, buildAwardCredential, subjectIri, summarizeNomination } from './award-credential.rules.js';
import type { AwardCredentialInput } from './award-credential.rules.js';
import type { NominationEvidence } from './awards.rules.js';

const evidence: NominationEvidence = {
  kind: 'symbiont',
  asOf: '2024-12-31',
  treeSize: '120',
  policy: policyRef(METRICS_POLICY),
  metrics: { bestDataset: 'd1', independentCredit: 0.8, independentGroups: 2, firstIndependentReuseAt: '2021-03-01' },
  datasets: [],
  publications: [],
  reuses: [],
  derivedDatasets: [],
  ledgerSeqs: ['7', '42'],
  involvedAgents: ['a1'],
};

const input: AwardCredentialInput = {
  awardId: '9d4c0e56-5f0a-4d8e-9d55-3c2b1a0f9e87',
  kind: 'symbiont',
  year: 2024,
  citation: null,
  subject: { agentId: 'a1', name: 'Ana Silva', orcid: null },
  nomination: { rank: 1, score: 0.8, track: 'general', evidence },
  issuer: { id: 'did:key:z6MkExample', name: 'Cell-image credit ledger test' },
  contexts: ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
  publicBaseUrl: 'https://ledger.example.org/',
  validFrom: new Date('2025-01-15T10:20:30.456Z'),
};

describe('buildAwardCredential', () => {
  const credential = buildAwardCredential(input);

  it('has the VC 2.0 / Open Badges 3.0 shape', () => {
    expect(credential).toMatchObject({
      '@context': input.contexts,
      id: 'urn:uuid:9d4c0e56-5f0a-4d8e-9d55-3c2b1a0f9e87',
      type: ['VerifiableCredential', 'OpenBadgeCredential'],
      issuer: {
        id: 'did:key:z6MkExample',
        type: ['Profile'],
        name: 'Cell-image credit ledger test',
        url: 'https://ledger.example.org',
      },
      validFrom: '2025-01-15T10:20:30Z',
      name: 'Data symbiont-style recognition 2024',
      awardKind: 'symbiont',
      awardYear: '2024',
      credentialSubject: {
        id: 'https://ledger.example.org/id/a1',
        type: ['AchievementSubject'],
        name: 'Ana Silva',
        achievement: { id: 'https://ledger.example.org/awards/symbiont-style', type: ['Achievement'] },
      },
    });
  });

  it('says it is modelled on, not the same as, the named award', () => {
    const achievement = (credential.credentialSubject as { achievement: { description: string } }).achievement;
    expect(achievement.description).toMatch(/Modelled on the Research Symbiont Award; it is not that award\./);
    const parasite = buildAwardCredential({ ...input, kind: 'parasite' });
    expect(JSON.stringify(parasite)).toMatch(/it is not that award/);
  });

  it('points its evidence at the award and at every ledger entry behind the nomination', () => {
    const items = credential.evidence as Array<Record<string, unknown>>;
    expect(items.map((e) => e.id)).toEqual([
      'https://ledger.example.org/v1/awards/9d4c0e56-5f0a-4d8e-9d55-3c2b1a0f9e87',
      'https://ledger.example.org/v1/ledger/entries/7',
      'https://ledger.example.org/v1/ledger/entries/42',
    ]);
    expect(items[0]).toMatchObject({
      type: ['Evidence'],
      nominationRank: 1,
      score: 0.8,
      asOf: '2024-12-31',
      treeSize: '120',
      policyVersion: 'metrics-1.0.0',
    });
    expect(items[2]).toMatchObject({ type: ['Evidence'], ledgerSeq: '42' });
  });

  it('uses the curator’s citation as description when there is one', () => {
    expect(buildAwardCredential({ ...input, citation: 'For idr0101.' }).description).toBe('For idr0101.');
    expect(credential.description).toBe(
      'Data symbiont-style recognition 2024, granted by a curator of Cell-image credit ledger test.',
    );
  });
});

describe('identifiers and summaries', () => {
  it.each([
    ['a1', null, 'https://ledger.example.org/id/a1'],
    ['a1', 'https://orcid.org/0000-0002-1825-0097', 'https://orcid.org/0000-0002-1825-0097'],
  ])('subject of agent %s with ORCID %s is %s', (agentId, orcid, iri) => {
    expect(subjectIri('https://ledger.example.org', agentId, orcid)).toBe(iri);
  });

  it('names one achievement per kind', () => {
    expect(achievementIri('https://ledger.example.org/', 'parasite')).toBe(
      'https://ledger.example.org/awards/parasite-style',
    );
  });

  it.each([
    [
      'symbiont',
      { bestDataset: 'd1', independentCredit: 0.8, independentGroups: 2, firstIndependentReuseAt: '2021-03-01' },
      'Rank 1 (general track) as of 2024-12-31: best dataset d1; independent transitive credit 0.8; 2 independent group(s); first independent reuse 2021-03-01.',
    ],
    [
      'parasite',
      { qualifyingPublications: 2, sourceGroups: 2, calendarYears: 1 },
      'Rank 1 (general track) as of 2024-12-31: 2 qualifying publication(s); 2 source group(s); 1 calendar year(s).',
    ],
  ] as const)('summarises a %s nomination', (kind, metrics, text) => {
    expect(summarizeNomination(kind, { ...input.nomination, evidence: { ...evidence, kind, metrics } })).toBe(text);
  });
});
