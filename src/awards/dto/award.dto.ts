import { ReceiptDto } from '../../core/http/receipt.dto.js';
import type { Nomination } from '../awards.rules.js';
import type { AwardEntity } from '../entities/award.entity.js';

export class NominationDto {
  rank: number;
  agent: string;
  /** symbiont: the best dataset's independent transitive credit; parasite: qualifying publications. */
  score: number;
  /** general, early-career (symbiont), junior or sustained (parasite). */
  track: string;
  /** Ids, independence levels, metric values, the ledger seqs behind each claim, policy, asOf and tree size. */
  evidence: Record<string, unknown>;
}

export class AwardDto {
  id: string;
  kind: string;
  agent: string;
  year: number;
  citation: string | null;
  /** Signed W3C Verifiable Credential 2.0 (Open Badges 3.0 shape), Data Integrity proof eddsa-rdfc-2022. */
  credential: Record<string, unknown>;
  /** The nomination evidence the service recomputed at grant time. */
  evidence: Record<string, unknown>;
  grantedBy: string | null;
  createdAt: string;
  /** The `award.granted` ledger entry. */
  ledgerSeq: string;
}

export class CreatedAwardDto extends AwardDto {
  receipt: ReceiptDto;
}

export function toNominationDto(n: Nomination): NominationDto {
  return { rank: n.rank, agent: n.agent, score: n.score, track: n.track, evidence: { ...n.evidence } };
}

export function toAwardDto(a: AwardEntity): AwardDto {
  return {
    id: a.id,
    kind: a.kind,
    agent: a.agentId,
    year: a.year,
    citation: a.citation,
    credential: a.credential,
    evidence: { ...a.evidence },
    grantedBy: a.grantedBy,
    createdAt: a.createdAt.toISOString(),
    ledgerSeq: a.ledgerSeq.toString(),
  };
}
