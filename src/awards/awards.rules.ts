import type { ContributorDegree } from '../metrics/agent-metrics.rules.js';
import {
  compareStrings,
  conceptMap,
  formatUtcDay,
  groupKeyOf,
  groupWorks,
  releaseDayOf,
  toUtcDay,
  utcYear,
  type AuthorRow,
  type DatasetRow,
  type DerivationRow,
  type PublicationRow,
  type ReuseRow,
  type WorkInfo,
} from '../metrics/dataset-metrics.rules.js';
import {
  isCountedReuse,
  isOpenLicense,
  policyRef,
  roundMetric,
  type IndependenceLevel,
  type MetricsPolicy,
  type PolicyRef,
  type ReuseType,
} from '../metrics/policy.rules.js';

// Nominations after credit-and-compliance.md §5. They are modelled on the Research Symbiont and Parasite awards
// and are only proposals with evidence: a curator decides, and they are never presented as those awards.

export type AwardKind = 'symbiont' | 'parasite';
export type AwardTrack = 'general' | 'early-career' | 'junior' | 'sustained';
export type DoiState = 'none' | 'pending' | 'draft' | 'registered' | 'findable' | 'failed';

export interface AwardAgentRow {
  readonly id: string;
  readonly careerStage?: 'trainee' | 'early-career' | 'established' | null;
}

export interface AwardCreatorRow extends AuthorRow {
  readonly agentId: string;
  readonly kind: 'person' | 'organization';
  /** CRediT roles on this dataset, e.g. {role: 'data-curation', degree: 'lead'}. */
  readonly roles?: readonly { readonly role: string; readonly degree?: ContributorDegree | null }[];
}

export interface AwardDatasetRow extends DatasetRow {
  readonly creators: readonly AwardCreatorRow[];
  readonly doi?: string | null;
  readonly doiState: DoiState;
  readonly accession?: string | null;
  readonly accessionPublic?: boolean;
  readonly license: string | null;
  /** A documented controlled-access route stands in for an open licence. */
  readonly controlledAccessRoute?: string | null;
  /** Reported in the evidence, never a gate (§5). */
  readonly metadataCompleteness?: number | null;
  readonly seq?: string;
  readonly recordedAt?: string;
}

export interface DatasetAwardCredit {
  /** Transitive credit received from independent publications. */
  readonly independentCredit: number;
  readonly percentile?: number | null;
}

export interface NominationInput {
  readonly agents: readonly AwardAgentRow[];
  readonly datasets: readonly AwardDatasetRow[];
  readonly publications: readonly PublicationRow[];
  readonly reuses: readonly ReuseRow[];
  readonly derivations: readonly DerivationRow[];
  /** Keyed by dataset id. */
  readonly credit?: ReadonlyMap<string, DatasetAwardCredit>;
}

export interface NominationContext {
  /** YYYY-MM-DD; judged by the works' own dates. */
  readonly asOf: string;
  /** Ledger tree size the inputs were read at (decimal string). */
  readonly treeSize: string;
}

export interface EvidenceDataset {
  readonly id: string;
  readonly doi: string | null;
  readonly doiState: DoiState;
  readonly accession: string | null;
  readonly license: string | null;
  readonly openLicence: boolean;
  readonly releasedAt: string | null;
  readonly independentGroups?: number;
  readonly firstIndependentReuseAt?: string | null;
  readonly daysToFirstIndependentReuse?: number | null;
  readonly independentCredit?: number;
  readonly percentile?: number | null;
  readonly metadataCompleteness?: number | null;
  /** The dataset this one was derived from (parasite-style deposits). */
  readonly derivedFrom?: readonly string[];
  readonly seq: string | null;
  readonly recordedAt: string | null;
}

export interface EvidencePublication {
  readonly id: string;
  readonly issued: string | null;
  readonly role?: 'first' | 'last' | 'first-and-last';
  readonly seq: string | null;
  readonly recordedAt: string | null;
}

export interface EvidenceReuse {
  readonly id: string;
  readonly publication: string;
  readonly dataset: string;
  readonly level: IndependenceLevel;
  readonly type: ReuseType;
  readonly sourceGroup?: string;
  readonly seq: string | null;
  readonly recordedAt: string | null;
}

export interface NominationEvidence {
  readonly kind: AwardKind;
  readonly asOf: string;
  readonly treeSize: string;
  readonly policy: PolicyRef;
  readonly metrics: Readonly<Record<string, number | string | null>>;
  readonly datasets: readonly EvidenceDataset[];
  readonly publications: readonly EvidencePublication[];
  readonly reuses: readonly EvidenceReuse[];
  readonly derivedDatasets: readonly EvidenceDataset[];
  /** Every ledger entry behind a claim above, ascending. */
  readonly ledgerSeqs: readonly string[];
  /** Nominee, co-creators and co-authors in the evidence: none of them may decide the award. */
  readonly involvedAgents: readonly string[];
}

export interface Nomination {
  readonly rank: number;
  readonly agent: string;
  readonly score: number;
  readonly track: AwardTrack;
  readonly evidence: NominationEvidence;
}

interface QualifyingReuse {
  readonly reuse: ReuseRow;
  readonly datasetId: string;
  readonly work: WorkInfo;
}

function isVisibleWork(work: WorkInfo | undefined, asOfDay: number): work is WorkInfo {
  return work !== undefined && !work.retracted && work.issuedDay !== null && work.issuedDay <= asOfDay;
}

function addYears(day: number, years: number): number {
  const date = new Date(day * 86_400_000);
  return Math.floor(Date.UTC(date.getUTCFullYear() + years, date.getUTCMonth(), date.getUTCDate()) / 86_400_000);
}

function sortedSeqs(values: readonly (string | null | undefined)[]): string[] {
  const unique = [...new Set(values.filter((v): v is string => typeof v === 'string'))];
  return unique.sort((a, b) => {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

function evidenceDataset(d: AwardDatasetRow, policy: MetricsPolicy): EvidenceDataset {
  const released = releaseDayOf(d);
  return {
    id: d.id,
    doi: d.doi ?? null,
    doiState: d.doiState,
    accession: d.accession ?? null,
    license: d.license,
    openLicence: isOpenLicense(policy, d.license),
    releasedAt: released === null ? null : formatUtcDay(released),
    seq: d.seq ?? null,
    recordedAt: d.recordedAt ?? null,
  };
}

function evidenceReuse(q: QualifyingReuse, level: IndependenceLevel, sourceGroup?: string): EvidenceReuse {
  return {
    id: q.reuse.id,
    publication: q.reuse.publicationId,
    dataset: q.datasetId,
    level,
    type: q.reuse.type,
    ...(sourceGroup === undefined ? {} : { sourceGroup }),
    seq: q.reuse.seq ?? null,
    recordedAt: q.reuse.recordedAt ?? null,
  };
}

function evidencePublication(p: PublicationRow, role?: EvidencePublication['role']): EvidencePublication {
  return {
    id: p.id,
    issued: p.issued,
    ...(role === undefined ? {} : { role }),
    seq: p.seq ?? null,
    recordedAt: p.recordedAt ?? null,
  };
}

/** Curated, counted reuses of each concept, at level independent for the named dataset, visible at `asOf`. */
function independentCuratedReuses(
  input: NominationInput,
  works: ReadonlyMap<string, WorkInfo>,
  concepts: ReadonlyMap<string, string>,
  asOfDay: number,
  policy: MetricsPolicy,
): Map<string, QualifyingReuse[]> {
  const byConcept = new Map<string, QualifyingReuse[]>();
  for (const reuse of [...input.reuses].sort((a, b) => compareStrings(a.id, b.id))) {
    // Only curated evidence counts for nominations (§5).
    if (!isCountedReuse(policy, reuse, 'award')) continue;
    const work = works.get(reuse.publicationId);
    if (!isVisibleWork(work, asOfDay)) continue;
    for (const datasetId of reuse.datasetIds) {
      const concept = concepts.get(datasetId);
      if (concept === undefined || reuse.levels[datasetId] !== 'independent') continue;
      const list = byConcept.get(concept) ?? [];
      list.push({ reuse, datasetId, work });
      byConcept.set(concept, list);
    }
  }
  return byConcept;
}

interface SymbiontCandidate {
  readonly dataset: AwardDatasetRow;
  readonly credit: number;
  readonly percentile: number | null;
  readonly groups: number;
  readonly firstDay: number | null;
  readonly daysToFirst: number | null;
  readonly reuses: readonly QualifyingReuse[];
}

function compareSymbiont(a: SymbiontCandidate, b: SymbiontCandidate): number {
  return (
    b.credit - a.credit ||
    b.groups - a.groups ||
    (a.daysToFirst ?? Number.POSITIVE_INFINITY) - (b.daysToFirst ?? Number.POSITIVE_INFINITY) ||
    compareStrings(a.dataset.id, b.dataset.id)
  );
}

/**
 * Symbiont-style nominations (§5): depositors of a dataset with a persistent identifier, an open licence (or a
 * documented controlled-access route) and curated reuse by at least `minIndependentGroups` distinct independent
 * groups within `symbiontWindowYears` of release. Ranked by the best dataset's independent transitive credit, then
 * its distinct independent groups, then the shorter time to first independent reuse, then agent id.
 */
export function nominateSymbionts(
  input: NominationInput,
  context: NominationContext,
  policy: MetricsPolicy,
): Nomination[] {
  const asOfDay = requireDay(context.asOf);
  const concepts = conceptMap(input.datasets);
  const works = groupWorks(input.publications);
  const publications = new Map(input.publications.map((p) => [p.id, p]));
  const agents = new Map(input.agents.map((a) => [a.id, a]));
  const reusesByConcept = independentCuratedReuses(input, works, concepts, asOfDay, policy);

  const eligible: SymbiontCandidate[] = [];
  for (const dataset of [...input.datasets].sort((a, b) => compareStrings(a.id, b.id))) {
    const released = releaseDayOf(dataset);
    if (released === null || released > asOfDay) continue;
    const persistent =
      dataset.doiState === 'findable' || (Boolean(dataset.accession) && dataset.accessionPublic === true);
    const accessible = isOpenLicense(policy, dataset.license) || Boolean(dataset.controlledAccessRoute);
    if (!persistent || !accessible) continue;
    const windowEnd = addYears(released, policy.awards.symbiontWindowYears);
    const inWindow = (reusesByConcept.get(concepts.get(dataset.id) as string) ?? []).filter(
      (q) => (q.work.issuedDay as number) <= windowEnd,
    );
    const groups = new Set(inWindow.map((q) => q.work.groupKey ?? `work:${q.work.key}`));
    if (groups.size < policy.awards.minIndependentGroups) continue;
    let firstDay: number | null = null;
    for (const q of inWindow)
      if (firstDay === null || (q.work.issuedDay as number) < firstDay) firstDay = q.work.issuedDay;
    const credit = input.credit?.get(dataset.id);
    eligible.push({
      dataset,
      credit: credit?.independentCredit ?? 0,
      percentile: credit?.percentile ?? null,
      groups: groups.size,
      firstDay,
      daysToFirst: firstDay === null ? null : firstDay - released,
      reuses: inWindow,
    });
  }

  const byAgent = new Map<string, SymbiontCandidate[]>();
  for (const candidate of eligible) {
    for (const creator of candidate.dataset.creators) {
      if (creator.kind !== 'person') continue;
      const list = byAgent.get(creator.agentId) ?? [];
      if (!list.includes(candidate)) list.push(candidate);
      byAgent.set(creator.agentId, list);
    }
  }

  const ref = policyRef(policy);
  const nominations = [...byAgent.entries()].map(([agentId, candidates]) => {
    candidates.sort(compareSymbiont);
    const best = candidates[0];
    const stage = agents.get(agentId)?.careerStage;
    const earlyCareer =
      (stage === 'early-career' || stage === 'trainee') &&
      candidates.some((c) =>
        c.dataset.creators.some(
          (creator) =>
            creator.agentId === agentId &&
            (creator.roles ?? []).some(
              (r) => (r.role === 'data-curation' || r.role === 'investigation') && r.degree === 'lead',
            ),
        ),
      );
    const reuses = candidates.flatMap((c) => c.reuses.map((q) => ({ q, c })));
    const pubIds = [...new Set(reuses.map(({ q }) => q.reuse.publicationId))].sort(compareStrings);
    const evidencePublications = pubIds.map((id) => evidencePublication(publications.get(id) as PublicationRow));
    const involved = new Set<string>([agentId]);
    for (const c of candidates) for (const creator of c.dataset.creators) involved.add(creator.agentId);
    for (const id of pubIds)
      for (const a of publications.get(id)?.authors ?? []) if (a.agentId) involved.add(a.agentId);
    const evidence: NominationEvidence = {
      kind: 'symbiont',
      asOf: context.asOf,
      treeSize: context.treeSize,
      policy: ref,
      metrics: {
        bestDataset: best.dataset.id,
        independentCredit: roundMetric(best.credit, policy.outputDecimals),
        percentile: best.percentile,
        independentGroups: best.groups,
        firstIndependentReuseAt: best.firstDay === null ? null : formatUtcDay(best.firstDay),
        daysToFirstIndependentReuse: best.daysToFirst,
        eligibleDatasets: candidates.length,
      },
      datasets: candidates.map((c) => ({
        ...evidenceDataset(c.dataset, policy),
        independentGroups: c.groups,
        firstIndependentReuseAt: c.firstDay === null ? null : formatUtcDay(c.firstDay),
        daysToFirstIndependentReuse: c.daysToFirst,
        independentCredit: roundMetric(c.credit, policy.outputDecimals),
        percentile: c.percentile,
        metadataCompleteness: c.dataset.metadataCompleteness ?? null,
      })),
      publications: evidencePublications,
      reuses: reuses.map(({ q }) => evidenceReuse(q, 'independent')),
      derivedDatasets: [],
      ledgerSeqs: sortedSeqs([
        ...candidates.map((c) => c.dataset.seq),
        ...reuses.map(({ q }) => q.reuse.seq),
        ...evidencePublications.map((p) => p.seq),
      ]),
      involvedAgents: [...involved].sort(compareStrings),
    };
    const track: AwardTrack = earlyCareer ? 'early-career' : 'general';
    return { agentId, best, track, evidence };
  });

  // Co-creators of the same best dataset tie on every key and fall back to agent id.
  nominations.sort((a, b) => {
    const byBest =
      b.best.credit - a.best.credit ||
      b.best.groups - a.best.groups ||
      (a.best.daysToFirst ?? Number.POSITIVE_INFINITY) - (b.best.daysToFirst ?? Number.POSITIVE_INFINITY);
    return byBest || compareStrings(a.agentId, b.agentId);
  });
  return nominations.map((n, i) => ({
    rank: i + 1,
    agent: n.agentId,
    score: roundMetric(n.best.credit, policy.outputDecimals),
    track: n.track,
    evidence: n.evidence,
  }));
}

interface ParasiteWork {
  readonly work: WorkInfo;
  readonly representative: PublicationRow;
  readonly year: number;
  readonly reuses: readonly QualifyingReuse[];
  readonly sourceGroups: readonly string[];
  readonly deposits: readonly AwardDatasetRow[];
}

/**
 * Parasite-style nominations (§5): first and last authors of publications that reuse data at level independent,
 * for a qualifying type, and whose authors deposited derived data pointing at the reused data. Tracks: junior
 * (trainee first author), sustained (≥ 3 qualifying works over ≥ 3 calendar years), general otherwise. Ranked by
 * qualifying works, then distinct source groups, then agent id. Authors without a linked agent are not nominated.
 */
export function nominateParasites(
  input: NominationInput,
  context: NominationContext,
  policy: MetricsPolicy,
): Nomination[] {
  const asOfDay = requireDay(context.asOf);
  const concepts = conceptMap(input.datasets);
  const works = groupWorks(input.publications);
  const publications = new Map(input.publications.map((p) => [p.id, p]));
  const datasets = new Map(input.datasets.map((d) => [d.id, d]));
  const agents = new Map(input.agents.map((a) => [a.id, a]));
  const reusesByConcept = independentCuratedReuses(input, works, concepts, asOfDay, policy);

  const typeQualifies = (reuse: ReuseRow): boolean =>
    policy.awards.parasiteTypes.includes(reuse.type) ||
    (policy.awards.parasiteTypesNeedingNewFindings.includes(reuse.type) && reuse.newFindingsAccepted === true);

  // Derived deposits per source concept, released by asOf.
  const derivedBySource = new Map<string, AwardDatasetRow[]>();
  for (const edge of input.derivations) {
    const derived = datasets.get(edge.datasetId);
    const source = concepts.get(edge.derivedFromId);
    if (!derived || source === undefined) continue;
    const released = releaseDayOf(derived);
    if (released === null || released > asOfDay) continue;
    const list = derivedBySource.get(source) ?? [];
    if (!list.includes(derived)) list.push(derived);
    derivedBySource.set(source, list);
  }

  const sourceGroupOf = (datasetId: string): string => {
    const d = datasets.get(datasetId);
    const people = (d?.creators ?? []).filter((c) => c.kind === 'person');
    return groupKeyOf(people) ?? `dataset:${concepts.get(datasetId) ?? datasetId}`;
  };

  const qualifying = new Map<string, { reuses: QualifyingReuse[]; deposits: Set<AwardDatasetRow> }>();
  for (const [concept, list] of reusesByConcept) {
    for (const q of list) {
      if (!typeQualifies(q.reuse)) continue;
      const authorAgents = new Set(
        q.work.memberIds.flatMap((id) => (publications.get(id)?.authors ?? []).map((a) => a.agentId).filter(Boolean)),
      );
      const deposits = (derivedBySource.get(concept) ?? []).filter((d) =>
        d.creators.some((c) => authorAgents.has(c.agentId)),
      );
      if (deposits.length === 0) continue;
      const entry = qualifying.get(q.work.key) ?? { reuses: [], deposits: new Set<AwardDatasetRow>() };
      entry.reuses.push(q);
      for (const d of deposits) entry.deposits.add(d);
      qualifying.set(q.work.key, entry);
    }
  }

  const parasiteWorks: ParasiteWork[] = [...qualifying.entries()]
    .sort((a, b) => compareStrings(a[0], b[0]))
    .map(([key, entry]) => {
      const work = works.get(key) as WorkInfo;
      return {
        work,
        representative: publications.get(work.representativeId) as PublicationRow,
        year: utcYear(work.issuedDay as number),
        reuses: entry.reuses,
        sourceGroups: [...new Set(entry.reuses.map((q) => sourceGroupOf(q.datasetId)))].sort(compareStrings),
        deposits: [...entry.deposits].sort((a, b) => compareStrings(a.id, b.id)),
      };
    });

  interface Candidate {
    readonly works: { readonly pw: ParasiteWork; readonly role: 'first' | 'last' | 'first-and-last' }[];
  }
  const candidates = new Map<string, Candidate>();
  for (const pw of parasiteWorks) {
    const authors = pw.representative.authors;
    if (authors.length === 0) continue;
    const first = authors[0].agentId ?? null;
    const last = authors[authors.length - 1].agentId ?? null;
    const roles = new Map<string, 'first' | 'last' | 'first-and-last'>();
    if (first) roles.set(first, 'first');
    if (last) roles.set(last, roles.has(last) ? 'first-and-last' : 'last');
    for (const [agentId, role] of roles) {
      const c = candidates.get(agentId) ?? { works: [] };
      c.works.push({ pw, role });
      candidates.set(agentId, c);
    }
  }

  const ref = policyRef(policy);
  const ranked = [...candidates.entries()].map(([agentId, c]) => {
    const years = new Set(c.works.map((w) => w.pw.year));
    const sourceGroups = new Set(c.works.flatMap((w) => w.pw.sourceGroups));
    const asFirst = c.works.filter((w) => w.role !== 'last').length;
    let track: AwardTrack = 'general';
    if (asFirst >= 1 && agents.get(agentId)?.careerStage === 'trainee') track = 'junior';
    else if (
      c.works.length >= policy.awards.sustainedMinPublications &&
      years.size >= policy.awards.sustainedMinYears
    ) {
      track = 'sustained';
    }
    const involved = new Set<string>([agentId]);
    for (const { pw } of c.works) {
      for (const id of pw.work.memberIds)
        for (const a of publications.get(id)?.authors ?? []) if (a.agentId) involved.add(a.agentId);
      for (const d of pw.deposits) for (const creator of d.creators) involved.add(creator.agentId);
    }
    const reused = [...new Set(c.works.flatMap((w) => w.pw.reuses.map((q) => q.datasetId)))].sort(compareStrings);
    const evidence: NominationEvidence = {
      kind: 'parasite',
      asOf: context.asOf,
      treeSize: context.treeSize,
      policy: ref,
      metrics: {
        qualifyingPublications: c.works.length,
        sourceGroups: sourceGroups.size,
        calendarYears: years.size,
        asFirstAuthor: asFirst,
      },
      datasets: reused.map((id) => evidenceDataset(datasets.get(id) as AwardDatasetRow, policy)),
      publications: c.works.map((w) => evidencePublication(w.pw.representative, w.role)),
      reuses: c.works.flatMap((w) =>
        w.pw.reuses.map((q) => evidenceReuse(q, 'independent', sourceGroupOf(q.datasetId))),
      ),
      derivedDatasets: [...new Set(c.works.flatMap((w) => w.pw.deposits))]
        .sort((a, b) => compareStrings(a.id, b.id))
        .map((d) => ({
          ...evidenceDataset(d, policy),
          derivedFrom: input.derivations
            .filter((e) => e.datasetId === d.id)
            .map((e) => e.derivedFromId)
            .sort(compareStrings),
        })),
      ledgerSeqs: [],
      involvedAgents: [...involved].sort(compareStrings),
    };
    const seqs = sortedSeqs([
      ...evidence.publications.map((p) => p.seq),
      ...evidence.reuses.map((r) => r.seq),
      ...evidence.datasets.map((d) => d.seq),
      ...evidence.derivedDatasets.map((d) => d.seq),
      ...input.derivations.filter((e) => evidence.derivedDatasets.some((d) => d.id === e.datasetId)).map((e) => e.seq),
    ]);
    return {
      agentId,
      count: c.works.length,
      groups: sourceGroups.size,
      track,
      evidence: { ...evidence, ledgerSeqs: seqs },
    };
  });
  ranked.sort((a, b) => b.count - a.count || b.groups - a.groups || compareStrings(a.agentId, b.agentId));
  return ranked.map((r, i) => ({
    rank: i + 1,
    agent: r.agentId,
    score: r.count,
    track: r.track,
    evidence: r.evidence,
  }));
}

export function nominate(
  kind: AwardKind,
  input: NominationInput,
  context: NominationContext,
  policy: MetricsPolicy,
): Nomination[] {
  return kind === 'symbiont' ? nominateSymbionts(input, context, policy) : nominateParasites(input, context, policy);
}

export type CuratorConflict = 'CURATOR_IS_NOMINEE' | 'CURATOR_INVOLVED';

/** §5: the deciding curator must be neither the nominee nor a co-author or co-creator in the evidence. */
export function findCuratorConflict(
  curatorAgentId: string,
  nominee: string,
  evidence: Pick<NominationEvidence, 'involvedAgents'>,
): CuratorConflict | null {
  if (curatorAgentId === nominee) return 'CURATOR_IS_NOMINEE';
  return evidence.involvedAgents.includes(curatorAgentId) ? 'CURATOR_INVOLVED' : null;
}

function requireDay(asOf: string): number {
  const day = toUtcDay(asOf);
  if (day === null) throw new Error(`asOf ${asOf} is not a date`);
  return day;
}
