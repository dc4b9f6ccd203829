import { ReceiptDto } from '../../core/http/receipt.dto.js';
import type { PublicationEntity } from '../../publications/entities/publication.entity.js';
import type { IndependenceLevel } from '../independence.rules.js';
import type { ReuseDatasetEntity } from '../entities/reuse-dataset.entity.js';
import type { ReuseEntity } from '../entities/reuse.entity.js';
import type { AgentReuseRow } from '../reuses.service.js';
import type { DisputeOutcome, EvidenceLevel, ReuseStatus, ReuseType } from '../reuses.rules.js';

export class ReusePublicationDto {
  id: string;
  doi: string | null;
  title: string | null;
  /** YYYY, YYYY-MM or YYYY-MM-DD. */
  issued: string | null;
}

export class IndependencePersonDto {
  family?: string | null;
  given?: string | null;
  name?: string | null;
  orcid?: string | null;
  /** The agent this person is (dataset creator, or the agent a publication author is linked to). */
  agentId?: string;
}

export class PersonMatchDto {
  datasetCreator: IndependencePersonDto;
  publicationAuthor: IndependencePersonDto;
  matchedBy: 'orcid' | 'name';
  /** The ORCID URL, or the name key (`chaumont|f`), both sides share. */
  key: string;
}

/** Why a level was given; empty when independent. */
export class IndependenceReasonDto {
  matchedPerson?: PersonMatchDto;
  /** https://ror.org/… shared by both sides. */
  sharedAffiliation?: string;
  /** A grant id both sides are funded by. */
  sharedGrant?: string;
}

export class IndependenceDto {
  dataset: string;
  level: IndependenceLevel;
  reason: IndependenceReasonDto;
  /** The `edge.created` entry of publication --usesDataFrom--> dataset (decimal string). */
  edgeLedgerSeq: string;
}

export class ReuseDisputeDto {
  reason: string | null;
  at: string | null;
  by: string | null;
  outcome: DisputeOutcome | null;
  resolvedAt: string | null;
}

export class ReuseDto {
  /** Also the id of the ReuseEvent graph node. */
  id: string;
  publication: ReusePublicationDto;
  type: ReuseType;
  /** `curated` (curator-registered or confirmed) or `asserted`. */
  evidence: EvidenceLevel;
  /** `disputed` and `excluded` reuses stay listed, flagged, and do not count. */
  status: ReuseStatus;
  evidenceText: string | null;
  figurePanels: string[];
  independence: IndependenceDto[];
  /** Null unless the reuse was ever disputed. */
  dispute: ReuseDisputeDto | null;
  createdBy: string | null;
  createdAt: string;
  confirmedAt: string | null;
  ledgerSeq: string;
}

export class ReuseWithReceiptDto extends ReuseDto {
  receipt: ReceiptDto;
}

export function toReusePublicationDto(
  p: Pick<PublicationEntity, 'id' | 'doi' | 'title' | 'issued'>,
): ReusePublicationDto {
  return { id: p.id, doi: p.doi, title: p.title, issued: p.issued };
}

export function toReuseDto(
  reuse: ReuseEntity,
  datasets: readonly ReuseDatasetEntity[],
  publication: PublicationEntity,
): ReuseDto {
  return {
    id: reuse.id,
    publication: toReusePublicationDto(publication),
    type: reuse.type,
    evidence: reuse.evidence,
    status: reuse.status,
    evidenceText: reuse.evidenceText,
    figurePanels: reuse.figurePanels,
    independence: [...datasets]
      .sort((a, b) => a.position - b.position)
      .map((d) => ({
        dataset: d.datasetId,
        level: d.level,
        reason: d.reason,
        edgeLedgerSeq: d.edgeLedgerSeq.toString(),
      })),
    dispute:
      reuse.disputedAt === null
        ? null
        : {
            reason: reuse.disputeReason,
            at: reuse.disputedAt.toISOString(),
            by: reuse.disputedBy,
            outcome: reuse.resolvedOutcome,
            resolvedAt: reuse.resolvedAt?.toISOString() ?? null,
          },
    createdBy: reuse.createdBy,
    createdAt: reuse.createdAt.toISOString(),
    confirmedAt: reuse.confirmedAt?.toISOString() ?? null,
    ledgerSeq: reuse.ledgerSeq.toString(),
  };
}

export class AgentReuseIndependenceDto {
  level: IndependenceLevel;
  reason: IndependenceReasonDto;
}

/** One reused dataset in an agent's feed: the agent's own dataset or one derived from it (see `path`). */
export class AgentReuseDto {
  reuse: string;
  type: ReuseType;
  evidence: EvidenceLevel;
  status: ReuseStatus;
  /** The dataset the publication reused. */
  dataset: string;
  /** [the agent's dataset, …, the reused dataset] along wasDerivedFrom; one element when it is the agent's own. */
  path: string[];
  independence: AgentReuseIndependenceDto;
  publication: ReusePublicationDto;
  createdAt: string;
  ledgerSeq: string;
}

export class AgentReusePageDto {
  items: AgentReuseDto[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export function toAgentReuseDto(row: AgentReuseRow): AgentReuseDto {
  return {
    reuse: row.reuseId,
    type: row.type,
    evidence: row.evidence,
    status: row.status,
    dataset: row.datasetId,
    path: row.path,
    independence: { level: row.level, reason: row.reason },
    publication: row.publication,
    createdAt: row.createdAt.toISOString(),
    ledgerSeq: row.ledgerSeq.toString(),
  };
}
