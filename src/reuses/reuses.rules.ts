import type { AgentFacts } from '../agents/agents.rules.js';
import type { IndependenceInput, Person } from './independence.rules.js';

/** Who may claim a reuse, what independence is judged on, and how a reuse changes evidence level and status. Pure. */

export const REUSE_TYPES = ['benchmarking', 'training', 'secondary-analysis', 'integration', 'replication'] as const;
export type ReuseType = (typeof REUSE_TYPES)[number];

export const EVIDENCE_LEVELS = ['asserted', 'curated'] as const;
export type EvidenceLevel = (typeof EVIDENCE_LEVELS)[number];

export const REUSE_STATUSES = ['active', 'disputed', 'excluded'] as const;
export type ReuseStatus = (typeof REUSE_STATUSES)[number];

export const INDEPENDENCE_LEVELS = ['independent', 'same-lab', 'co-authored'] as const;

export type DisputeOutcome = 'upheld' | 'rejected';

export interface ClaimContext {
  /** Curator or admin. */
  isCurator: boolean;
  agentId: string | null;
  publicationAuthorIds: readonly string[];
  publicationDepositorId: string | null;
}

/**
 * The evidence level a new claim gets (http-contract.md, "Publications and reuse"): `curated` from a curator or
 * admin, `asserted` from an author or the depositor of the publication; null means the caller may not claim it.
 */
export function decideClaimEvidence(context: ClaimContext): EvidenceLevel | null {
  if (context.isCurator) return 'curated';
  if (context.agentId === null) return null;
  if (context.publicationAuthorIds.includes(context.agentId)) return 'asserted';
  if (context.publicationDepositorId === context.agentId) return 'asserted';
  return null;
}

export interface ReuseState {
  evidence: EvidenceLevel;
  status: ReuseStatus;
}

export type ReuseAction = { kind: 'confirm' } | { kind: 'dispute' } | { kind: 'resolve'; outcome: DisputeOutcome };

export type ReuseTransitionErrorCode = 'REUSE_ALREADY_CURATED' | 'REUSE_NOT_ACTIVE' | 'REUSE_NOT_DISPUTED';

export type ReuseTransition =
  | { ok: true; next: ReuseState; ledgerKind: 'reuse.confirmed' | 'reuse.disputed' | 'reuse.resolved' }
  | { ok: false; code: ReuseTransitionErrorCode; detail: string };

/**
 * confirm: asserted -> curated, only while active (a disputed claim is resolved first; an excluded one stays out).
 * dispute: active -> disputed. resolve: disputed -> excluded when the dispute is upheld (for good: credit-and-
 * compliance.md §1, "upheld" = the reuse stays out), or back to active when it is rejected.
 */
export function transitionReuse(state: ReuseState, action: ReuseAction): ReuseTransition {
  switch (action.kind) {
    case 'confirm':
      if (state.status !== 'active') return notActive(state, 'confirmed');
      if (state.evidence === 'curated')
        return { ok: false, code: 'REUSE_ALREADY_CURATED', detail: 'the reuse is already curated' };
      return { ok: true, next: { ...state, evidence: 'curated' }, ledgerKind: 'reuse.confirmed' };
    case 'dispute':
      if (state.status !== 'active') return notActive(state, 'disputed');
      return { ok: true, next: { ...state, status: 'disputed' }, ledgerKind: 'reuse.disputed' };
    case 'resolve':
      if (state.status !== 'disputed') {
        return {
          ok: false,
          code: 'REUSE_NOT_DISPUTED',
          detail: `the reuse is ${state.status}; only a disputed reuse can be resolved`,
        };
      }
      return {
        ok: true,
        next: { ...state, status: action.outcome === 'upheld' ? 'excluded' : 'active' },
        ledgerKind: 'reuse.resolved',
      };
  }
}

function notActive(state: ReuseState, verb: string): ReuseTransition {
  return {
    ok: false,
    code: 'REUSE_NOT_ACTIVE',
    detail: `the reuse is ${state.status}; only an active reuse can be ${verb}`,
  };
}

export type { AgentFacts } from '../agents/agents.rules.js';

/** A publication author as stored: the printed name and the person agent it was linked to. */
export interface AuthorFacts {
  family: string;
  given: string;
  orcid?: string;
  agentId: string;
}

/** A person on either side, carrying the agent id so a match can name who it was. */
export type IdentifiedPerson = Person & { agentId: string };

/**
 * Inputs of assessIndependence for one dataset and one publication (credit-and-compliance.md §2, "Inputs"): the
 * dataset's person creators, their affiliations' RORs and organisation creators' RORs, its grants; the publication's
 * authors as printed and as the agents they are linked to (so one agent on both sides always matches), those
 * agents' affiliations' RORs, its grants. Unknown agent ids are skipped.
 */
export function buildIndependenceInput(args: {
  datasetCreatorIds: readonly string[];
  datasetGrantIds: readonly string[];
  publicationAuthors: readonly AuthorFacts[];
  publicationGrantIds: readonly string[];
  agents: ReadonlyMap<string, AgentFacts>;
}): Omit<IndependenceInput, 'datasetCreators' | 'publicationAuthors'> & {
  datasetCreators: IdentifiedPerson[];
  publicationAuthors: IdentifiedPerson[];
} {
  const { agents } = args;
  const creators = args.datasetCreatorIds.map((id) => agents.get(id)).filter((a) => a !== undefined);
  const datasetCreators = creators.filter((a) => a.kind === 'person').map(personOf);
  const datasetAffiliationRors = [
    ...creators.filter((a) => a.kind === 'organization').flatMap((a) => (a.ror ? [a.ror] : [])),
    ...rorsOf(
      creators.filter((a) => a.kind === 'person'),
      agents,
    ),
  ];
  const publicationAuthors: IdentifiedPerson[] = [];
  const authorAgents: AgentFacts[] = [];
  for (const author of args.publicationAuthors) {
    const agent = agents.get(author.agentId);
    publicationAuthors.push({
      family: author.family,
      given: author.given,
      orcid: author.orcid ?? agent?.orcid ?? null,
      agentId: author.agentId,
    });
    if (agent !== undefined) {
      publicationAuthors.push(personOf(agent));
      authorAgents.push(agent);
    }
  }
  return {
    datasetCreators,
    datasetAffiliationRors: unique(datasetAffiliationRors),
    datasetGrantIds: unique(args.datasetGrantIds),
    publicationAuthors,
    publicationAffiliationRors: unique(rorsOf(authorAgents, agents)),
    publicationGrantIds: unique(args.publicationGrantIds),
  };
}

function personOf(agent: AgentFacts): IdentifiedPerson {
  return { family: agent.familyName, given: agent.givenName, name: agent.name, orcid: agent.orcid, agentId: agent.id };
}

function rorsOf(people: readonly AgentFacts[], agents: ReadonlyMap<string, AgentFacts>): string[] {
  return people
    .flatMap((p) => p.affiliations)
    .flatMap((id) => {
      const ror = agents.get(id)?.ror;
      return ror ? [ror] : [];
    });
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
