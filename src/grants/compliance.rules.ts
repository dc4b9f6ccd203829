import { formatUtcDay, toUtcDay } from '../metrics/dataset-metrics.rules.js';
import { isOpenLicense, METRICS_POLICY, type MetricsPolicy } from '../metrics/policy.rules.js';

// Funder data-sharing policies as pure functions (credit-and-compliance.md §6). Dates are UTC days; `asOf` is a
// parameter, never the clock.

export type FunderPolicyId = 'nih-dms-2023' | 'wellcome' | 'horizon-europe';
export type ComplianceStatus = 'compliant' | 'due' | 'overdue' | 'not-yet-due';
/** RPPR C.5.c question 4: status of data not (yet) shared. */
export type NotSharedStatus = 'being-prepared' | 'submitted' | 'not-yet-expected';
export type DueBasis = 'publication' | 'grant-end' | 'plan';
export type DoiState = 'none' | 'pending' | 'draft' | 'registered' | 'findable' | 'failed';

export interface CompliancePolicy {
  readonly version: string;
  /** Unshared items due within this many days report `due` (contract v1 value; "due soon"). */
  readonly dueSoonDays: number;
  /** NOT-OD-21-013 applies to applications from this date. */
  readonly nihEffectiveFrom: string;
  /** Horizon Europe: data management plan due this many months after the start. */
  readonly horizonDmpMonths: number;
}

export const COMPLIANCE_POLICY: CompliancePolicy = Object.freeze({
  version: 'compliance-1.0.0',
  dueSoonDays: 30,
  nihEffectiveFrom: '2023-01-25',
  horizonDmpMonths: 6,
});

export interface GrantRow {
  readonly id: string;
  readonly awardNumber: string;
  readonly funderId?: string | null;
  readonly piId?: string | null;
  readonly title?: string | null;
  readonly start: string;
  readonly end: string;
  /** No-cost extensions as recorded ledger events; the latest (by seq) sets the end. */
  readonly extensions?: readonly { readonly end: string; readonly seq?: string | null }[];
  readonly policy: FunderPolicyId;
  /** NIH: the DMS policy applies to applications from 25 January 2023. */
  readonly applicationDate?: string | null;
  /** Horizon Europe: when the data management plan was submitted. */
  readonly dmpSubmittedAt?: string | null;
}

export interface PlannedDataRow {
  readonly dataType: string;
  readonly repository?: string | null;
  /** A plan deadline (Horizon Europe) or an earlier institute/NOFO date (NIH). */
  readonly dueDate?: string | null;
  /** A recorded justification for a non-open licence ("as open as possible, as closed as necessary"). */
  readonly licenseJustification?: string | null;
}

export interface ComplianceDatasetRow {
  readonly id: string;
  readonly dataType: string | null;
  readonly title?: string | null;
  readonly doi?: string | null;
  readonly doiState: DoiState;
  readonly accession?: string | null;
  readonly accessionPublic?: boolean;
  readonly repository?: string | null;
  readonly license: string | null;
  readonly licenseJustification?: string | null;
  /** When the data were registered in the ledger (generated). */
  readonly registeredAt?: string | null;
  /** First public date (DOI findable or accession public). */
  readonly released: string | null;
  readonly embargoUntil?: string | null;
}

export interface CompliancePublicationRow {
  readonly id: string;
  readonly issued: string | null;
  readonly kind: 'article' | 'preprint';
  /** Defaults to true for articles. */
  readonly peerReviewed?: boolean;
  /** Datasets the publication presents; without them it is associated with every planned item. */
  readonly datasetIds?: readonly string[];
}

export interface ComplianceOutputs {
  readonly datasets: readonly ComplianceDatasetRow[];
}

export interface LicenceFinding {
  readonly dataset: string;
  readonly license: string | null;
  readonly open: boolean;
  readonly justified: boolean;
}

export interface ComplianceItem {
  readonly dataType: string;
  /** RPPR C.5.c (1): generated yet, and what. */
  readonly generated: boolean;
  readonly generatedDatasets: readonly string[];
  /** (2) shared. */
  readonly shared: boolean;
  readonly sharedAt: string | null;
  /** (3) repository and unique identifiers of what is shared. */
  readonly repository: string | null;
  readonly identifiers: readonly string[];
  readonly status: ComplianceStatus;
  readonly dueDate: string;
  readonly dueBasis: DueBasis;
  readonly overdueDays: number | null;
  /** (4) if not shared. */
  readonly notSharedStatus: NotSharedStatus | null;
  /** (5) corrective action if not generated or shared as planned. */
  readonly correctiveAction: string | null;
  readonly doiStates: readonly { readonly dataset: string; readonly doiState: DoiState }[];
  readonly licences: readonly LicenceFinding[];
  /** Every shared dataset under an open licence. */
  readonly openLicence: boolean;
  readonly findings: readonly ('LICENSE_NOT_OPEN_UNJUSTIFIED' | 'SHARED_AFTER_DUE_DATE')[];
}

export interface GrantCompliance {
  readonly grant: {
    readonly id: string;
    readonly awardNumber: string;
    readonly funderId: string | null;
    readonly piId: string | null;
    readonly policy: FunderPolicyId;
    readonly start: string;
    /** Including no-cost extensions. */
    readonly end: string;
    readonly originalEnd: string;
    readonly extended: boolean;
    /** null when the application date is unknown. */
    readonly policyApplies: boolean | null;
  };
  readonly dueDate: string | null;
  readonly status: ComplianceStatus;
  readonly worstOverdueDays: number | null;
  readonly items: readonly ComplianceItem[];
  readonly itemsShared: number;
  readonly itemsPlanned: number;
  readonly unplannedDatasets: readonly string[];
  /** Horizon Europe only. */
  readonly dmp: {
    readonly dueDate: string;
    readonly submittedAt: string | null;
    readonly status: ComplianceStatus;
  } | null;
  readonly asOf: string;
  readonly policy: { readonly version: string; readonly funderPolicy: FunderPolicyId };
}

const STATUS_SEVERITY: Readonly<Record<ComplianceStatus, number>> = {
  compliant: 0,
  'not-yet-due': 1,
  due: 2,
  overdue: 3,
};

export function worstStatus(statuses: readonly ComplianceStatus[]): ComplianceStatus {
  let worst: ComplianceStatus = 'compliant';
  for (const s of statuses) if (STATUS_SEVERITY[s] > STATUS_SEVERITY[worst]) worst = s;
  return worst;
}

function day(value: string, what: string): number {
  const d = toUtcDay(value);
  if (d === null) throw new Error(`${what} ${value} is not a date`);
  return d;
}

/** End of the performance period including the latest recorded no-cost extension (§6: recomputed, never edited). */
export function effectiveGrantEnd(grant: GrantRow): string {
  const extensions = [...(grant.extensions ?? [])];
  if (extensions.length === 0) return formatUtcDay(day(grant.end, 'grant end'));
  const withSeq = extensions.every((e) => e.seq !== undefined && e.seq !== null);
  const latest = withSeq
    ? extensions.sort((a, b) => (BigInt(a.seq as string) < BigInt(b.seq as string) ? -1 : 1))[extensions.length - 1]
    : extensions.reduce((a, b) => (day(b.end, 'extension end') > day(a.end, 'extension end') ? b : a));
  return formatUtcDay(day(latest.end, 'extension end'));
}

export function addMonths(date: string, months: number): string {
  const d = new Date(day(date, 'date') * 86_400_000);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return formatUtcDay(Math.floor(Date.UTC(year, month, Math.min(d.getUTCDate(), lastDay)) / 86_400_000));
}

function normalizeType(value: string | null | undefined): string {
  return (value ?? '').trim().toLowerCase().replace(/\s+/g, ' ');
}

/** Public at `asOf`: DOI findable or accession public, released and out of embargo. Draft or pending is not shared. */
export function publicDayOf(dataset: ComplianceDatasetRow): number | null {
  const reachable = dataset.doiState === 'findable' || (Boolean(dataset.accession) && dataset.accessionPublic === true);
  if (!reachable) return null;
  const released = toUtcDay(dataset.released);
  if (released === null) return null;
  const embargo = toUtcDay(dataset.embargoUntil);
  return embargo !== null && embargo > released ? embargo : released;
}

function statusFor(dueDay: number, asOfDay: number, rules: CompliancePolicy): ComplianceStatus {
  if (asOfDay > dueDay) return 'overdue';
  return dueDay - asOfDay <= rules.dueSoonDays ? 'due' : 'not-yet-due';
}

function triggersDueDate(policy: FunderPolicyId, p: CompliancePublicationRow): boolean {
  switch (policy) {
    // NIH: peer-reviewed articles only; data behind preprints are due at the end of the period.
    case 'nih-dms-2023':
      return p.kind === 'article' && p.peerReviewed !== false;
    // Wellcome: data underpinning any published findings are due at publication.
    case 'wellcome':
      return true;
    // Horizon Europe: the plan's deadline, not publication, sets the date.
    case 'horizon-europe':
      return false;
  }
}

const BASIS_TEXT: Readonly<Record<DueBasis, string>> = {
  publication: 'first associated publication',
  'grant-end': 'end of the performance period',
  plan: 'data management plan deadline',
};

export interface ComplianceOptions {
  readonly metricsPolicy?: MetricsPolicy;
  readonly rules?: CompliancePolicy;
}

/**
 * Per planned data type: due date, the five RPPR C.5.c answers, status and licence openness; then the grant
 * rollup (worst item, earliest unshared due date). Datasets match plan items by data type (case-insensitive).
 */
export function assessGrantCompliance(
  grant: GrantRow,
  plannedData: readonly PlannedDataRow[],
  outputs: ComplianceOutputs,
  publications: readonly CompliancePublicationRow[],
  asOf: string,
  options: ComplianceOptions = {},
): GrantCompliance {
  const metricsPolicy = options.metricsPolicy ?? METRICS_POLICY;
  const rules = options.rules ?? COMPLIANCE_POLICY;
  const asOfDay = day(asOf, 'asOf');
  const end = effectiveGrantEnd(grant);
  const endDay = day(end, 'grant end');

  // Only publications issued by asOf can have triggered a due date.
  const triggers = publications
    .filter((p) => triggersDueDate(grant.policy, p))
    .map((p) => ({ p, issued: toUtcDay(p.issued) }))
    .filter((x): x is { p: CompliancePublicationRow; issued: number } => x.issued !== null && x.issued <= asOfDay);

  const planned = new Set(plannedData.map((item) => normalizeType(item.dataType)));
  const items = plannedData.map((item): ComplianceItem => {
    const type = normalizeType(item.dataType);
    const datasets = outputs.datasets
      .filter((d) => normalizeType(d.dataType) === type)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const ids = new Set(datasets.map((d) => d.id));

    let dueDay = endDay;
    let basis: DueBasis = 'grant-end';
    const planDue = toUtcDay(item.dueDate);
    if (grant.policy === 'horizon-europe' && planDue !== null) {
      dueDay = planDue;
      basis = 'plan';
    } else if (planDue !== null && planDue < dueDay) {
      dueDay = planDue;
      basis = 'plan';
    }
    for (const { p, issued } of triggers) {
      const associated = !p.datasetIds || p.datasetIds.length === 0 || p.datasetIds.some((id) => ids.has(id));
      if (associated && issued < dueDay) {
        dueDay = issued;
        basis = 'publication';
      }
    }

    const generated = datasets.filter((d) => {
      const made = toUtcDay(d.registeredAt) ?? toUtcDay(d.released);
      return made === null || made <= asOfDay;
    });
    const publicDays = generated.map(publicDayOf);
    const allPublic = generated.length > 0 && publicDays.every((p) => p !== null && p <= asOfDay);
    const sharedSet = generated.filter((_, i) => publicDays[i] !== null && publicDays[i] <= asOfDay);
    const licences: LicenceFinding[] = sharedSet.map((d) => ({
      dataset: d.id,
      license: d.license,
      open: isOpenLicense(metricsPolicy, d.license),
      justified: Boolean(d.licenseJustification ?? item.licenseJustification),
    }));
    const licenceProblem = grant.policy === 'horizon-europe' && licences.some((l) => !l.open && !l.justified);
    const shared = allPublic && !licenceProblem;
    const sharedAtDay = allPublic ? Math.max(...(publicDays as number[])) : null;

    const status: ComplianceStatus = shared ? 'compliant' : statusFor(dueDay, asOfDay, rules);
    const overdueDays = status === 'overdue' ? asOfDay - dueDay : null;
    let notSharedStatus: NotSharedStatus | null = null;
    if (!shared) {
      if (generated.length === 0) notSharedStatus = asOfDay <= dueDay ? 'not-yet-expected' : 'being-prepared';
      else {
        const submitted = generated.some(
          (d, i) =>
            (publicDays[i] === null || publicDays[i] > asOfDay) &&
            (['pending', 'draft', 'registered', 'findable'].includes(d.doiState) || Boolean(d.accession)),
        );
        notSharedStatus = licenceProblem && allPublic ? null : submitted ? 'submitted' : 'being-prepared';
      }
    }

    const repository = item.repository ?? datasets.find((d) => d.repository)?.repository ?? null;
    const findings: ComplianceItem['findings'][number][] = [];
    if (licenceProblem) findings.push('LICENSE_NOT_OPEN_UNJUSTIFIED');
    if (sharedAtDay !== null && sharedAtDay > dueDay) findings.push('SHARED_AFTER_DUE_DATE');

    let correctiveAction: string | null = null;
    const where = repository ?? 'the planned repository';
    if (status === 'overdue') {
      const lead = `${item.dataType} was due on ${formatUtcDay(dueDay)} (${BASIS_TEXT[basis]}) and is ${overdueDays} days overdue: `;
      correctiveAction =
        generated.length === 0
          ? `${lead}generate and deposit the data in ${where}, or request prior approval of a revised plan.`
          : licenceProblem && allPublic
            ? `${lead}apply an open licence (CC BY or CC0) or record why access must be restricted.`
            : `${lead}complete the deposit in ${where} and make it public (DOI findable or accession released).`;
    } else if (licenceProblem) {
      correctiveAction = `${item.dataType}: apply an open licence (CC BY or CC0) or record why access must be restricted.`;
    }

    return {
      dataType: item.dataType,
      generated: generated.length > 0,
      generatedDatasets: generated.map((d) => d.id),
      shared,
      sharedAt: sharedAtDay === null ? null : formatUtcDay(sharedAtDay),
      repository,
      identifiers: sharedSet.flatMap((d) => [
        ...(d.doi && d.doiState === 'findable' ? [d.doi] : []),
        ...(d.accession && d.accessionPublic ? [d.accession] : []),
      ]),
      status,
      dueDate: formatUtcDay(dueDay),
      dueBasis: basis,
      overdueDays,
      notSharedStatus,
      correctiveAction,
      doiStates: datasets.map((d) => ({ dataset: d.id, doiState: d.doiState })),
      licences,
      openLicence: licences.length > 0 && licences.every((l) => l.open),
      findings,
    };
  });

  let dmp: GrantCompliance['dmp'] = null;
  if (grant.policy === 'horizon-europe') {
    const dmpDue = addMonths(grant.start, rules.horizonDmpMonths);
    const submitted = toUtcDay(grant.dmpSubmittedAt);
    dmp = {
      dueDate: dmpDue,
      submittedAt: submitted === null ? null : formatUtcDay(submitted),
      status: submitted !== null && submitted <= asOfDay ? 'compliant' : statusFor(day(dmpDue, 'dmp'), asOfDay, rules),
    };
  }

  const unshared = items.filter((i) => !i.shared);
  const dueDays = unshared.map((i) => day(i.dueDate, 'due'));
  const overdue = items.map((i) => i.overdueDays).filter((d): d is number => d !== null);
  let policyApplies: boolean | null = true;
  if (grant.policy === 'nih-dms-2023') {
    const applied = toUtcDay(grant.applicationDate);
    policyApplies = applied === null ? null : applied >= day(rules.nihEffectiveFrom, 'nih');
  }

  return {
    grant: {
      id: grant.id,
      awardNumber: grant.awardNumber,
      funderId: grant.funderId ?? null,
      piId: grant.piId ?? null,
      policy: grant.policy,
      start: formatUtcDay(day(grant.start, 'grant start')),
      end,
      originalEnd: formatUtcDay(day(grant.end, 'grant end')),
      extended: end !== formatUtcDay(day(grant.end, 'grant end')),
      policyApplies,
    },
    dueDate: dueDays.length === 0 ? null : formatUtcDay(Math.min(...dueDays)),
    status: worstStatus([...items.map((i) => i.status), ...(dmp ? [dmp.status] : [])]),
    worstOverdueDays: overdue.length === 0 ? null : Math.max(...overdue),
    items,
    itemsShared: items.length - unshared.length,
    itemsPlanned: items.length,
    unplannedDatasets: outputs.datasets
      .filter((d) => !planned.has(normalizeType(d.dataType)))
      .map((d) => d.id)
      .sort(),
    dmp,
    asOf: formatUtcDay(asOfDay),
    policy: { version: rules.version, funderPolicy: grant.policy },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Portfolio audit and CSV.
// ---------------------------------------------------------------------------------------------------------------

export interface AuditPerson {
  readonly name: string;
  readonly orcid?: string | null;
}

export interface AuditRow {
  readonly awardNumber: string;
  readonly piName: string | null;
  readonly piOrcid: string | null;
  readonly policy: FunderPolicyId;
  readonly start: string;
  readonly end: string;
  readonly grantStatus: ComplianceStatus;
  readonly grantDueDate: string | null;
  readonly dataType: string;
  readonly itemStatus: ComplianceStatus;
  readonly itemDueDate: string;
  readonly overdueDays: number | null;
  readonly generated: boolean;
  readonly shared: boolean;
  readonly repository: string | null;
  readonly identifiers: readonly string[];
}

export interface FunderAudit {
  readonly counts: Readonly<Record<ComplianceStatus, number>>;
  readonly grants: readonly {
    readonly awardNumber: string;
    readonly pi: AuditPerson | null;
    readonly policy: FunderPolicyId;
    readonly start: string;
    readonly end: string;
    readonly dueDate: string | null;
    readonly status: ComplianceStatus;
    readonly itemsShared: number;
    readonly itemsPlanned: number;
    readonly worstOverdueDays: number | null;
    readonly identifiers: readonly string[];
  }[];
  /** One per grant item: the CSV body. */
  readonly rows: readonly AuditRow[];
}

/** GET /v1/funders/:id/audit: counts by status, one summary per grant, one row per grant item (award order). */
export function buildFunderAudit(
  assessments: readonly GrantCompliance[],
  people: ReadonlyMap<string, AuditPerson> = new Map(),
): FunderAudit {
  const sorted = [...assessments].sort((a, b) =>
    a.grant.awardNumber < b.grant.awardNumber ? -1 : a.grant.awardNumber > b.grant.awardNumber ? 1 : 0,
  );
  const counts: Record<ComplianceStatus, number> = { compliant: 0, due: 0, overdue: 0, 'not-yet-due': 0 };
  const rows: AuditRow[] = [];
  const grants = sorted.map((a) => {
    counts[a.status] += 1;
    const pi = a.grant.piId ? (people.get(a.grant.piId) ?? null) : null;
    for (const item of a.items) {
      rows.push({
        awardNumber: a.grant.awardNumber,
        piName: pi?.name ?? null,
        piOrcid: pi?.orcid ?? null,
        policy: a.grant.policy,
        start: a.grant.start,
        end: a.grant.end,
        grantStatus: a.status,
        grantDueDate: a.dueDate,
        dataType: item.dataType,
        itemStatus: item.status,
        itemDueDate: item.dueDate,
        overdueDays: item.overdueDays,
        generated: item.generated,
        shared: item.shared,
        repository: item.repository,
        identifiers: item.identifiers,
      });
    }
    return {
      awardNumber: a.grant.awardNumber,
      pi,
      policy: a.grant.policy,
      start: a.grant.start,
      end: a.grant.end,
      dueDate: a.dueDate,
      status: a.status,
      itemsShared: a.itemsShared,
      itemsPlanned: a.itemsPlanned,
      worstOverdueDays: a.worstOverdueDays,
      identifiers: a.items.flatMap((i) => i.identifiers),
    };
  });
  return { counts, grants, rows };
}

export type CsvValue = string | number | boolean | null | undefined | readonly (string | number)[];

export interface CsvColumn<T> {
  readonly header: string;
  readonly value: (row: T) => CsvValue;
}

/** Fixed audit columns (the CSV contract for funders: append new columns at the end only). */
export const AUDIT_CSV_COLUMNS: readonly CsvColumn<AuditRow>[] = [
  { header: 'award_number', value: (r) => r.awardNumber },
  { header: 'pi_name', value: (r) => r.piName },
  { header: 'pi_orcid', value: (r) => r.piOrcid },
  { header: 'policy', value: (r) => r.policy },
  { header: 'start', value: (r) => r.start },
  { header: 'end', value: (r) => r.end },
  { header: 'grant_status', value: (r) => r.grantStatus },
  { header: 'grant_due_date', value: (r) => r.grantDueDate },
  { header: 'data_type', value: (r) => r.dataType },
  { header: 'item_status', value: (r) => r.itemStatus },
  { header: 'item_due_date', value: (r) => r.itemDueDate },
  { header: 'overdue_days', value: (r) => r.overdueDays },
  { header: 'generated', value: (r) => r.generated },
  { header: 'shared', value: (r) => r.shared },
  { header: 'repository', value: (r) => r.repository },
  { header: 'identifiers', value: (r) => r.identifiers },
];

function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = Array.isArray(value) ? value.join(' ') : String(value);
  // RFC 4180 §2.6–2.7: quote fields with a comma, quote, CR or LF; double embedded quotes.
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV: a header line, then one record per row, every line ending in CRLF. */
export function toCsv<T>(rows: readonly T[], columns: readonly CsvColumn<T>[]): string {
  const lines = [columns.map((c) => csvField(c.header)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(c.value(row))).join(','));
  return lines.map((line) => `${line}\r\n`).join('');
}
