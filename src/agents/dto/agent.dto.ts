import { ReceiptDto } from '../../core/http/receipt.dto.js';
import type { AgentEntity, AgentKind, CareerStage } from '../entities/agent.entity.js';

export class AgentDto {
  id: string;
  /** Stable IRI: the ORCID or ROR URL when known, else PUBLIC_BASE_URL/id/<uuid>. */
  iri: string;
  kind: AgentKind;
  name: string;
  givenName: string | null;
  familyName: string | null;
  orcid: string | null;
  ror: string | null;
  affiliations: string[];
  careerStage: CareerStage | null;
  createdAt: string;
  ledgerSeq: string;
}

export class CreatedAgentDto extends AgentDto {
  receipt: ReceiptDto;
}

export function toAgentDto(agent: AgentEntity, publicBaseUrl: string): AgentDto {
  return {
    id: agent.id,
    iri: agent.orcid ?? agent.ror ?? `${publicBaseUrl}/id/${agent.id}`,
    kind: agent.kind,
    name: agent.name,
    givenName: agent.givenName,
    familyName: agent.familyName,
    orcid: agent.orcid,
    ror: agent.ror,
    affiliations: agent.affiliations,
    careerStage: agent.careerStage,
    createdAt: agent.createdAt.toISOString(),
    ledgerSeq: agent.ledgerSeq.toString(),
  };
}
