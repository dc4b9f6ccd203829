import type { AwardKind, AwardTrack, NominationEvidence } from './awards.rules.js';

// The credential handed out with an award: W3C Verifiable Credentials Data Model 2.0 in the Open Badges 3.0 shape
// (OpenBadgeCredential, AchievementSubject, Achievement, Evidence), credit-and-compliance.md §5 "Issued credential".
// Unsecured here; CredentialsService adds the Data Integrity proof.

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type CredentialDocument = { [key: string]: Json };

export interface AwardCredentialInput {
  readonly awardId: string;
  readonly kind: AwardKind;
  readonly year: number;
  readonly citation: string | null;
  readonly subject: { readonly agentId: string; readonly name: string; readonly orcid: string | null };
  readonly nomination: {
    readonly rank: number;
    readonly score: number;
    readonly track: AwardTrack;
    readonly evidence: NominationEvidence;
  };
  readonly issuer: { readonly id: string; readonly name: string };
  readonly contexts: readonly string[];
  readonly publicBaseUrl: string;
  readonly validFrom: Date;
}

// "-style": these are modelled on the Research Symbiont and Research Parasite awards, which their own committees
// judge; the credential must never present itself as one of them (§5).
const ACHIEVEMENTS: Readonly<Record<AwardKind, { name: string; description: string; criteria: string }>> = {
  symbiont: {
    name: 'Data symbiont-style recognition',
    description:
      'Recognises a depositor whose openly shared cell-image data were reused by independent groups. Modelled on ' +
      'the Research Symbiont Award; it is not that award.',
    criteria:
      'Created a dataset with a persistent identifier and an open licence (or a documented controlled-access route) ' +
      'that curated reuses by independent groups analysed within five years of its release, ranked by the ' +
      'transitive credit it received from independent publications.',
  },
  parasite: {
    name: 'Data parasite-style recognition',
    description:
      'Recognises first or last authors who reused other groups\u2019 cell-image data rigorously and shared their own ' +
      'derived data. Modelled on the Research Parasite Award; it is not that award.',
    criteria:
      'First or last author of publications with a curated, independent reuse (secondary analysis, replication or ' +
      'integration) whose authors deposited derived data pointing at the reused data.',
  },
};

function trimBase(publicBaseUrl: string): string {
  return publicBaseUrl.replace(/\/+$/, '');
}

export function achievementIri(publicBaseUrl: string, kind: AwardKind): string {
  return `${trimBase(publicBaseUrl)}/awards/${kind}-style`;
}

/** The subject: the ORCID iD when the agent has one, else the agent's IRI in this ledger. */
export function subjectIri(publicBaseUrl: string, agentId: string, orcid: string | null): string {
  return orcid ?? `${trimBase(publicBaseUrl)}/id/${agentId}`;
}

/** One line a person can read; the numbers themselves are in the nomination evidence the first Evidence points at. */
export function summarizeNomination(kind: AwardKind, nomination: AwardCredentialInput['nomination']): string {
  const m = nomination.evidence.metrics;
  const parts =
    kind === 'symbiont'
      ? [
          `best dataset ${String(m.bestDataset)}`,
          `independent transitive credit ${String(m.independentCredit)}`,
          `${String(m.independentGroups)} independent group(s)`,
          `first independent reuse ${String(m.firstIndependentReuseAt)}`,
        ]
      : [
          `${String(m.qualifyingPublications)} qualifying publication(s)`,
          `${String(m.sourceGroups)} source group(s)`,
          `${String(m.calendarYears)} calendar year(s)`,
        ];
  return `Rank ${nomination.rank} (${nomination.track} track) as of ${nomination.evidence.asOf}: ${parts.join('; ')}.`;
}

export function buildAwardCredential(input: AwardCredentialInput): CredentialDocument {
  const base = trimBase(input.publicBaseUrl);
  const achievement = ACHIEVEMENTS[input.kind];
  const evidence = input.nomination.evidence;
  const title = `${achievement.name} ${input.year}`;
  return {
    '@context': [...input.contexts],
    id: `urn:uuid:${input.awardId}`,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: { id: input.issuer.id, type: ['Profile'], name: input.issuer.name, url: base },
    validFrom: `${input.validFrom.toISOString().slice(0, 19)}Z`,
    name: title,
    description: input.citation ?? `${title}, granted by a curator of ${input.issuer.name}.`,
    awardKind: input.kind,
    awardYear: String(input.year),
    credentialSubject: {
      id: subjectIri(base, input.subject.agentId, input.subject.orcid),
      type: ['AchievementSubject'],
      name: input.subject.name,
      achievement: {
        id: achievementIri(base, input.kind),
        type: ['Achievement'],
        name: achievement.name,
        description: achievement.description,
        criteria: { narrative: achievement.criteria },
      },
    },
    evidence: [
      {
        id: `${base}/v1/awards/${input.awardId}`,
        type: ['Evidence'],
        name: 'Nomination evidence',
        narrative: summarizeNomination(input.kind, input.nomination),
        nominationRank: input.nomination.rank,
        score: input.nomination.score,
        asOf: evidence.asOf,
        treeSize: evidence.treeSize,
        policyVersion: evidence.policy.version,
        policyHash: evidence.policy.hash,
      },
      ...evidence.ledgerSeqs.map((seq) => ({
        id: `${base}/v1/ledger/entries/${seq}`,
        type: ['Evidence'],
        name: `Ledger entry ${seq}`,
        ledgerSeq: seq,
      })),
    ],
  };
}
