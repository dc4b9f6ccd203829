import { ReceiptDto } from '../../core/http/receipt.dto.js';
import { toCsv } from '../compliance.rules.js';
import type { ComplianceStatus, DoiState, DueBasis, FunderPolicyId, NotSharedStatus } from '../compliance.rules.js';
import { auditCsvColumns, NO_REUSE } from '../grants.rules.js';
import type { FunderIdentifierType, PublicationKind } from '../grants.rules.js';
import type { ComplianceReport, FunderAuditReport, GrantView, LedgerCheckpointRef } from '../grants.service.js';

export class GrantFunderDto {
  id: string;
  name: string;
  /** ROR or Crossref Funder ID (https form); null when neither is known. */
  identifier: string | null;
  identifierType: FunderIdentifierType | null;
}

export class GrantPersonDto {
  id: string;
  name: string;
  orcid: string | null;
}

export class PlannedDataItemDto {
  dataType: string;
  repository: string | null;
  dueDate: string | null;
}

export class GrantExtensionDto {
  end: string;
  /** The `grant.created` or `grant.extended` entry that recorded it. */
  seq: string;
}

export class DatasetDoiStateDto {
  dataset: string;
  doiState: DoiState;
}

export class LicenceFindingDto {
  dataset: string;
  license: string | null;
  open: boolean;
  /** A restriction with a recorded justification (Horizon Europe). */
  justified: boolean;
}

export class DmpStatusDto {
  dueDate: string;
  submittedAt: string | null;
  status: ComplianceStatus;
}

export class CompliancePolicyDto {
  version: string;
  funderPolicy: FunderPolicyId;
}

export class StatusChangeDto {
  scope: 'grant' | 'item';
  /** Null for the grant itself. */
  dataType: string | null;
  from: ComplianceStatus | null;
  to: ComplianceStatus;
}

export class StatusCountsDto {
  compliant: number;
  due: number;
  overdue: number;
  'not-yet-due': number;
}

export class GrantDto {
  id: string;
  awardNumber: string;
  title: string | null;
  funder: GrantFunderDto;
  pi: GrantPersonDto;
  start: string;
  /** End of the performance period including the latest no-cost extension. */
  end: string;
  originalEnd: string;
  /** No-cost extensions in ledger order, each with the entry that recorded it. */
  extensions: GrantExtensionDto[];
  policy: FunderPolicyId;
  plannedData: PlannedDataItemDto[];
  applicationDate: string | null;
  createdAt: string;
  ledgerSeq: string;
}

export class CreatedGrantDto extends GrantDto {
  receipt: ReceiptDto;
}

export class OutputsAddedDto {
  receipt: ReceiptDto;
}

export class LedgerCheckpointDto {
  /** The ledger size the report was computed at (decimal string). */
  treeSize: string;
  /** Hex RFC 9162 root hash of that tree: fetch proofs against it to reproduce the report. */
  rootHash: string;
}

export class ComplianceItemDto {
  /** RPPR C.5.c (1): the planned data type, whether data were generated yet, and which datasets. */
  dataType: string;
  generated: boolean;
  generatedDatasets: string[];
  /** (2) shared at asOf (DOI findable or public accession, embargo over). */
  shared: boolean;
  sharedAt: string | null;
  /** (3) repository and unique identifiers of what is shared. */
  repository: string | null;
  identifiers: string[];
  status: ComplianceStatus;
  dueDate: string;
  /** What set the due date: first associated publication, end of the performance period, or a plan deadline. */
  dueBasis: DueBasis;
  overdueDays: number | null;
  /** (4) status of data not (yet) shared. */
  notSharedStatus: NotSharedStatus | null;
  /** (5) corrective action when not generated or shared as planned. */
  correctiveAction: string | null;
  /** DataCite state of each dataset's DOI (draft and pending are not shared). */
  doiStates: DatasetDoiStateDto[];
  licences: LicenceFindingDto[];
  openLicence: boolean;
  findings: string[];
}

export class CompliancePublicationDto {
  id: string;
  doi: string | null;
  issued: string | null;
  kind: PublicationKind;
  /** Null for outputs of the grant (associated with every item); else the datasets it presents. */
  datasets: string[] | null;
}

export class ComplianceGrantDto extends GrantDto {
  extended: boolean;
  /** NIH: whether the DMS policy applies (null when the application date is unknown). */
  policyApplies: boolean | null;
}

export class ComplianceReportDto {
  grant: ComplianceGrantDto;
  /** Earliest due date of an item not yet shared. */
  dueDate: string | null;
  /** Worst item status: overdue > due > not-yet-due > compliant. */
  status: ComplianceStatus;
  worstOverdueDays: number | null;
  items: ComplianceItemDto[];
  itemsShared: number;
  itemsPlanned: number;
  /** Output datasets that answer no planned data type. */
  unplannedDatasets: string[];
  /** Horizon Europe data management plan (due 6 months after the start). */
  dmp: DmpStatusDto | null;
  publications: CompliancePublicationDto[];
  asOf: string;
  policy: CompliancePolicyDto;
  checkpoint: LedgerCheckpointDto;
  /** True for today's report: statuses were compared with the recorded ones and changes appended. */
  recorded: boolean;
  /** Status changes this report recorded (`compliance.status_changed` entries). */
  changes: StatusChangeDto[];
  /** The last `compliance.status_changed` entry this report appended; absent when nothing changed. */
  receipt?: ReceiptDto;
}

export class ReuseFiguresDto {
  /** Output datasets (funding edges). */
  datasets: number;
  /** Distinct citing works, summed over the datasets. */
  citations: number;
  /** Counted reuse records, one per publication-dataset pair, and their split by independence. */
  reuses: number;
  independent: number;
  sameLab: number;
  coAuthored: number;
  independentGroups: number;
}

export class AuditGrantDto {
  id: string;
  awardNumber: string;
  title: string | null;
  pi: GrantPersonDto;
  policy: FunderPolicyId;
  start: string;
  end: string;
  dueDate: string | null;
  status: ComplianceStatus;
  itemsShared: number;
  itemsPlanned: number;
  worstOverdueDays: number | null;
  identifiers: string[];
  reuse: ReuseFiguresDto;
}

export class AuditRowDto {
  awardNumber: string;
  piName: string | null;
  piOrcid: string | null;
  policy: FunderPolicyId;
  start: string;
  end: string;
  grantStatus: ComplianceStatus;
  grantDueDate: string | null;
  dataType: string;
  itemStatus: ComplianceStatus;
  itemDueDate: string;
  overdueDays: number | null;
  generated: boolean;
  shared: boolean;
  repository: string | null;
  identifiers: string[];
}

export class FunderAuditDto {
  funder: GrantFunderDto;
  asOf: string;
  counts: StatusCountsDto;
  grants: AuditGrantDto[];
  /** One per grant and planned data type: the rows of the CSV form. */
  rows: AuditRowDto[];
  checkpoint: LedgerCheckpointDto;
}

export function toGrantDto(view: GrantView): GrantDto {
  const { grant, funder, pi } = view;
  const last = grant.extensions[grant.extensions.length - 1];
  return {
    id: grant.id,
    awardNumber: grant.awardNumber,
    title: grant.title,
    funder: {
      id: funder.id,
      name: funder.name,
      identifier: grant.funderIdentifier,
      identifierType: grant.funderIdentifierType,
    },
    pi: { id: pi.id, name: pi.name, orcid: pi.orcid },
    start: grant.start,
    end: last ? last.end : grant.end,
    originalEnd: grant.end,
    extensions: grant.extensions.map((e) => ({ end: e.end, seq: e.seq })),
    policy: grant.policy,
    plannedData: grant.plannedData.map((p) => ({ dataType: p.dataType, repository: p.repository, dueDate: p.dueDate })),
    applicationDate: grant.applicationDate,
    createdAt: grant.createdAt.toISOString(),
    ledgerSeq: grant.ledgerSeq.toString(),
  };
}

function toCheckpointDto(checkpoint: LedgerCheckpointRef): LedgerCheckpointDto {
  return { treeSize: checkpoint.treeSize, rootHash: checkpoint.rootHash };
}

export function toComplianceReportDto(report: ComplianceReport): ComplianceReportDto {
  const a = report.assessment;
  return {
    grant: {
      ...toGrantDto(report),
      end: a.grant.end,
      extended: a.grant.extended,
      policyApplies: a.grant.policyApplies,
    },
    dueDate: a.dueDate,
    status: a.status,
    worstOverdueDays: a.worstOverdueDays,
    items: a.items.map((i) => ({
      dataType: i.dataType,
      generated: i.generated,
      generatedDatasets: [...i.generatedDatasets],
      shared: i.shared,
      sharedAt: i.sharedAt,
      repository: i.repository,
      identifiers: [...i.identifiers],
      status: i.status,
      dueDate: i.dueDate,
      dueBasis: i.dueBasis,
      overdueDays: i.overdueDays,
      notSharedStatus: i.notSharedStatus,
      correctiveAction: i.correctiveAction,
      doiStates: i.doiStates.map((d) => ({ ...d })),
      licences: i.licences.map((l) => ({ ...l })),
      openLicence: i.openLicence,
      findings: [...i.findings],
    })),
    itemsShared: a.itemsShared,
    itemsPlanned: a.itemsPlanned,
    unplannedDatasets: [...a.unplannedDatasets],
    dmp: a.dmp ? { ...a.dmp } : null,
    publications: report.publications.map((p) => ({ ...p })),
    asOf: a.asOf,
    policy: { ...a.policy },
    checkpoint: toCheckpointDto(report.checkpoint),
    recorded: report.recorded,
    changes: report.changes.map((c) => ({
      scope: c.scope,
      dataType: c.scope === 'grant' ? null : c.dataType,
      from: c.from,
      to: c.status,
    })),
    ...(report.receipt ? { receipt: report.receipt } : {}),
  };
}

export function toFunderAuditDto(report: FunderAuditReport): FunderAuditDto {
  const byAward = new Map(report.reports.map((r) => [r.grant.awardNumber, r]));
  return {
    funder: {
      id: report.funder.id,
      name: report.funder.name,
      identifier: report.funder.ror,
      identifierType: report.funder.ror ? 'ROR' : null,
    },
    asOf: report.asOf,
    counts: { ...report.audit.counts },
    grants: report.audit.grants.map((g) => {
      const r = byAward.get(g.awardNumber) as ComplianceReport;
      return {
        id: r.grant.id,
        awardNumber: g.awardNumber,
        title: r.grant.title,
        pi: { id: r.pi.id, name: r.pi.name, orcid: r.pi.orcid },
        policy: g.policy,
        start: g.start,
        end: g.end,
        dueDate: g.dueDate,
        status: g.status,
        itemsShared: g.itemsShared,
        itemsPlanned: g.itemsPlanned,
        worstOverdueDays: g.worstOverdueDays,
        identifiers: [...g.identifiers],
        reuse: { ...(report.reuse.get(g.awardNumber) ?? NO_REUSE) },
      };
    }),
    rows: report.audit.rows.map((row) => ({ ...row, identifiers: [...row.identifiers] })),
    checkpoint: toCheckpointDto(report.checkpoint),
  };
}

/** RFC 4180 CSV of the audit: the fixed columns, then reuse figures per grant. */
export function toFunderAuditCsv(report: FunderAuditReport): string {
  return toCsv(report.audit.rows, auditCsvColumns(report.reuse));
}
