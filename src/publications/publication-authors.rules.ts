import { matchPersons } from '../reuses/independence.rules.js';
import type { PublicationAuthor } from './publications.rules.js';

/** An agent already known to the service, as far as author linking needs it. */
export interface KnownPerson {
  id: string;
  name: string;
  givenName: string | null;
  familyName: string | null;
  orcid: string | null;
}

/** One author of a publication, in byline order: an existing agent (agentId) or one to create (agentId null). */
export interface PlannedAuthor {
  family: string;
  given: string;
  orcid?: string;
  agentId: string | null;
}

/**
 * Links parsed authors to agents, in byline order: first by ORCID (among the linked agents, then among all agents
 * with that ORCID), then by name among the explicitly linked agents (same matching as independence, so a linked
 * "Fabrice de Chaumont" takes the place of a parsed "De Chaumont, F."); anyone left is a new person agent. Linked
 * agents that match no parsed author are appended. One agent appears once; a repeated ORCID keeps its first place.
 */
export function planPublicationAuthors(
  parsed: readonly PublicationAuthor[],
  linked: readonly KnownPerson[],
  knownByOrcid: readonly KnownPerson[],
): PlannedAuthor[] {
  const planned: PlannedAuthor[] = [];
  const usedAgents = new Set<string>();
  const usedOrcids = new Set<string>();

  for (const author of parsed) {
    if (author.orcid !== undefined && usedOrcids.has(author.orcid)) continue;
    const agent =
      (author.orcid === undefined
        ? undefined
        : [...linked, ...knownByOrcid].find((a) => a.orcid === author.orcid && !usedAgents.has(a.id))) ??
      linked.find((a) => !usedAgents.has(a.id) && matchPersons(personOf(a), author) !== null);
    const orcid = author.orcid ?? agent?.orcid ?? undefined;
    if (orcid !== undefined) usedOrcids.add(orcid);
    if (agent !== undefined) usedAgents.add(agent.id);
    planned.push({
      family: author.family,
      given: author.given,
      ...(orcid === undefined ? {} : { orcid }),
      agentId: agent?.id ?? null,
    });
  }

  for (const agent of linked) {
    if (usedAgents.has(agent.id)) continue;
    usedAgents.add(agent.id);
    const { family, given } = namesOf(agent);
    planned.push({ family, given, ...(agent.orcid === null ? {} : { orcid: agent.orcid }), agentId: agent.id });
  }
  return planned;
}

/** Display name of a person agent created from a parsed author ("Fabrice de Chaumont"; a literal name as is). */
export function displayNameOf(author: Pick<PlannedAuthor, 'family' | 'given'>): string {
  return [author.given, author.family].filter((part) => part.trim() !== '').join(' ');
}

function personOf(agent: KnownPerson) {
  return { family: agent.familyName, given: agent.givenName, name: agent.name, orcid: agent.orcid };
}

/** Agents registered with only a display name: the last word is the family name ("Ana Silva" -> Silva, Ana). */
function namesOf(agent: KnownPerson): { family: string; given: string } {
  if (agent.familyName !== null && agent.familyName.trim() !== '') {
    return { family: agent.familyName, given: agent.givenName ?? '' };
  }
  const words = agent.name.trim().split(/\s+/);
  const family = words.pop() ?? agent.name;
  return { family, given: agent.givenName ?? words.join(' ') };
}
