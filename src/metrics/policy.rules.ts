import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

export type IndependenceLevel = 'independent' | 'same-lab' | 'co-authored';
export type ReuseType = 'benchmarking' | 'training' | 'secondary-analysis' | 'integration' | 'replication';
/** Evidence level of a claim, weakest first (credit-and-compliance.md §1). */
export type EvidenceLevel = 'declared' | 'mentioned' | 'asserted' | 'curated';
/**
 * Life cycle of a reuse claim. `dispute-upheld` keeps it out for good; `dispute-rejected` makes it count again
 * (POST /v1/reuses/:id/resolve).
 */
export type ReuseStatus = 'active' | 'disputed' | 'dispute-upheld' | 'dispute-rejected' | 'retracted';

export const INDEPENDENCE_LEVELS: readonly IndependenceLevel[] = ['independent', 'same-lab', 'co-authored'];
export const REUSE_TYPES: readonly ReuseType[] = [
  'benchmarking',
  'training',
  'secondary-analysis',
  'integration',
  'replication',
];

/**
 * Every parameter that changes a number. The whole object is hashed, so adding a field changes the hash: bump
 * `version` with it.
 */
export interface MetricsPolicy {
  readonly version: string;
  /** Multiplier applied where credit is received, per (publication, dataset) pair (§3 step 3). */
  readonly independenceFactors: Readonly<Record<IndependenceLevel, number>>;
  /** Level used for a (publication, dataset) pair nobody has judged: errs towards "not independent". */
  readonly unknownIndependence: IndependenceLevel;
  /** Default self shares (§3 table); the remainder is split equally over the node's inputs. */
  readonly creditMaps: {
    readonly imageDataset: number;
    readonly derivedDataset: number;
    readonly figurePanel: number;
    readonly publication: number;
  };
  /** Declared maps are clamped, then renormalised once (§3). */
  readonly declaredMapClamp: {
    readonly minInputWeight: number;
    readonly maxInputWeight: number;
    readonly maxSelfShare: number;
  };
  /** c(P): credit originating at a publication (§3 step 1). */
  readonly originCredit: { readonly article: number; readonly preprint: number; readonly retracted: number };
  /** Paths longer than this many edges are dropped and reported. */
  readonly maxDepth: number;
  /** Contributions of one work to one dataset below this are dropped and reported. */
  readonly minContribution: number;
  /** Rounding happens only at output. */
  readonly outputDecimals: number;
  /** Most works one citing group may credit to one dataset per calendar year. */
  readonly groupYearCap: number;
  readonly counting: {
    /** Reuse evidence that counts for metrics and credit. */
    readonly scoreEvidence: readonly EvidenceLevel[];
    /** Reuse evidence that counts for award nominations. */
    readonly awardEvidence: readonly EvidenceLevel[];
    readonly countedReuseStatuses: readonly ReuseStatus[];
    /** DataCite's six citation relation types (datacite.md §15); derivation relations never count. */
    readonly citationRelations: readonly string[];
  };
  readonly cohort: {
    /** Dataset fields that together define a cohort. */
    readonly dimensions: readonly ('kind' | 'imagingMethod' | 'repository' | 'releaseYear')[];
    /** Smaller cohorts report a null percentile. */
    readonly minSize: number;
  };
  /** CRediT degree weights for a person's share of a dataset (§4, person metrics). */
  readonly contributorDegrees: { readonly lead: number; readonly equal: number; readonly supporting: number };
  readonly awards: {
    readonly minIndependentGroups: number;
    readonly symbiontWindowYears: number;
    readonly parasiteTypes: readonly ReuseType[];
    /** Types that qualify only when a curator accepted new findings. */
    readonly parasiteTypesNeedingNewFindings: readonly ReuseType[];
    readonly sustainedMinPublications: number;
    readonly sustainedMinYears: number;
  };
  /** SPDX ids that count as open (§7.5); patterns are anchored, case-insensitive regular expressions. */
  readonly openLicences: { readonly exact: readonly string[]; readonly patterns: readonly string[] };
}

export const METRICS_POLICY: MetricsPolicy = deepFreeze({
  version: 'metrics-1.0.0',
  independenceFactors: { independent: 1, 'same-lab': 0.5, 'co-authored': 0.25 },
  unknownIndependence: 'co-authored',
  creditMaps: { imageDataset: 1, derivedDataset: 0.5, figurePanel: 0, publication: 0.6 },
  declaredMapClamp: { minInputWeight: 0.05, maxInputWeight: 0.9, maxSelfShare: 0.8 },
  originCredit: { article: 1, preprint: 0.5, retracted: 0 },
  maxDepth: 5,
  minContribution: 1e-4,
  outputDecimals: 6,
  groupYearCap: 3,
  counting: {
    scoreEvidence: ['asserted', 'curated'],
    awardEvidence: ['curated'],
    countedReuseStatuses: ['active', 'dispute-rejected'],
    citationRelations: ['IsCitedBy', 'Cites', 'IsSupplementTo', 'IsSupplementedBy', 'IsReferencedBy', 'References'],
  },
  cohort: { dimensions: ['kind', 'imagingMethod', 'repository', 'releaseYear'], minSize: 20 },
  contributorDegrees: { lead: 1, equal: 1, supporting: 0.5 },
  awards: {
    minIndependentGroups: 1,
    symbiontWindowYears: 5,
    parasiteTypes: ['secondary-analysis', 'replication', 'integration'],
    parasiteTypesNeedingNewFindings: ['benchmarking', 'training'],
    sustainedMinPublications: 3,
    sustainedMinYears: 3,
  },
  openLicences: {
    exact: ['CC0-1.0', 'PDDL-1.0', 'ODC-By-1.0', 'ODbL-1.0'],
    // CC-BY-4.0 and CC-BY-SA-4.0 are open; CC-BY-NC-* and CC-BY-ND-* are not (the version must follow directly).
    patterns: ['^CC-BY-[0-9]', '^CC-BY-SA-[0-9]'],
  },
});

export interface PolicyRef {
  readonly version: string;
  readonly hash: string;
}

/** SHA-256 (hex) of the RFC 8785 canonical JSON of every parameter (credit-and-compliance.md §3 step 6). */
export function policyHash(policy: MetricsPolicy): string {
  const json = canonicalize(policy);
  if (json === undefined) throw new Error('policy is not serialisable as JSON');
  return createHash('sha256').update(json, 'utf8').digest('hex');
}

/** The `policy: {version, hash}` object published with every number. */
export function policyRef(policy: MetricsPolicy): PolicyRef {
  return { version: policy.version, hash: policyHash(policy) };
}

export function independenceFactor(policy: MetricsPolicy, level: IndependenceLevel): number {
  return policy.independenceFactors[level];
}

/** Round half away from zero at `decimals`; only ever applied to values leaving the service. */
export function roundMetric(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  // 15 significant digits drop binary noise first, so 0.1234565 rounds up as written.
  const scaled = Number((Math.abs(value) * scale).toPrecision(15));
  const rounded = (Math.sign(value) * Math.round(scaled)) / scale;
  return Object.is(rounded, -0) ? 0 : rounded;
}

export function isCountedReuse(
  policy: MetricsPolicy,
  claim: { readonly status: ReuseStatus; readonly evidence: EvidenceLevel },
  purpose: 'score' | 'award',
): boolean {
  const evidence = purpose === 'score' ? policy.counting.scoreEvidence : policy.counting.awardEvidence;
  return policy.counting.countedReuseStatuses.includes(claim.status) && evidence.includes(claim.evidence);
}

/** Why an uncounted reuse is out, as a §3 reason code. */
export function reuseExclusionReason(
  policy: MetricsPolicy,
  claim: { readonly status: ReuseStatus; readonly evidence: EvidenceLevel },
  purpose: 'score' | 'award',
): 'RETRACTED' | 'DISPUTED' | 'EVIDENCE_TOO_WEAK' | null {
  if (claim.status === 'retracted') return 'RETRACTED';
  if (!policy.counting.countedReuseStatuses.includes(claim.status)) return 'DISPUTED';
  return isCountedReuse(policy, claim, purpose) ? null : 'EVIDENCE_TOO_WEAK';
}

/** Open licence per SPDX id (credit-and-compliance.md §7.5): NC and ND variants are not open. */
export function isOpenLicense(policy: MetricsPolicy, spdx: string | null | undefined): boolean {
  if (!spdx) return false;
  const id = spdx.trim();
  if (policy.openLicences.exact.some((open) => open.toLowerCase() === id.toLowerCase())) return true;
  return policy.openLicences.patterns.some((pattern) => new RegExp(pattern, 'i').test(id));
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
