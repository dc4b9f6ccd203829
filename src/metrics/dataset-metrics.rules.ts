import {
  isCountedReuse,
  policyRef,
  REUSE_TYPES,
  type EvidenceLevel,
  type IndependenceLevel,
  type MetricsPolicy,
  type PolicyRef,
  type ReuseStatus,
  type ReuseType,
} from './policy.rules.js';

// ---------------------------------------------------------------------------------------------------------------
// Plain rows, as loaded from PostgreSQL. Dates are ISO strings: YYYY, YYYY-MM, YYYY-MM-DD or full timestamps.
// ---------------------------------------------------------------------------------------------------------------

export interface AuthorRow {
  readonly family?: string | null;
  readonly given?: string | null;
  /** Unparsed name, used only when family is missing. */
  readonly literal?: string | null;
  /** Bare or https ORCID. */
  readonly orcid?: string | null;
  /** Linked ledger agent, when known. */
  readonly agentId?: string | null;
}

export interface PublicationRow {
  readonly id: string;
  readonly doi?: string | null;
  readonly kind: 'article' | 'preprint';
  readonly issued: string | null;
  readonly retracted?: boolean;
  /** Other manifestations of the same work (a preprint and its published version), symmetric or not. */
  readonly sameWorkAs?: readonly string[];
  /** In author order: first author first, last author last. */
  readonly authors: readonly AuthorRow[];
  readonly seq?: string;
  readonly recordedAt?: string;
}

export interface DatasetRow {
  readonly id: string;
  /** Versions of one dataset share a concept (POST /v1/datasets/:id/versions); defaults to the id. */
  readonly conceptId?: string | null;
  readonly kind: 'image' | 'derived';
  /** Ledger registration time. */
  readonly registeredAt?: string | null;
  /** When the DOI became findable. */
  readonly findableAt?: string | null;
  /** A documented public date (e.g. an archive's release date) that overrides the two above. */
  readonly releasedAt?: string | null;
  readonly embargoUntil?: string | null;
  readonly imagingMethod?: string | null;
  /** Accession prefix or publisher, for cohorts. */
  readonly repository?: string | null;
}

export interface ReuseRow {
  readonly id: string;
  readonly publicationId: string;
  readonly datasetIds: readonly string[];
  readonly type: ReuseType;
  /** Independence level per dataset id, as returned by POST /v1/reuses. */
  readonly levels: Readonly<Record<string, IndependenceLevel>>;
  readonly evidence: EvidenceLevel;
  readonly status: ReuseStatus;
  readonly seq?: string;
  readonly recordedAt?: string;
  /** A curator accepted new findings (lets benchmarking/training qualify for parasite-style awards). */
  readonly newFindingsAccepted?: boolean;
}

export interface CitationRow {
  /** A publication id, or any ledger id of the citing work. */
  readonly citingId: string;
  readonly citingDoi?: string | null;
  readonly citedDatasetId: string;
  /** DataCite relationType, PascalCase or kebab-case, already oriented citing -> cited. */
  readonly relation: string;
  readonly seq?: string;
}

export interface DerivationRow {
  /** The derived dataset. */
  readonly datasetId: string;
  readonly derivedFromId: string;
  readonly seq?: string;
  readonly evidence?: EvidenceLevel;
}

export interface FigurePanelRow {
  readonly id: string;
  readonly publicationId: string;
  /** sourceData */
  readonly datasetIds: readonly string[];
  readonly seq?: string;
}

export interface DatasetMetricsInput {
  readonly datasets: readonly DatasetRow[];
  readonly publications: readonly PublicationRow[];
  readonly reuses: readonly ReuseRow[];
  readonly citations?: readonly CitationRow[];
  readonly derivations?: readonly DerivationRow[];
  readonly panels?: readonly FigurePanelRow[];
}

export interface ReuseCounts {
  readonly total: number;
  readonly independent: number;
  readonly sameLab: number;
  readonly coAuthored: number;
  readonly byType: Readonly<Record<ReuseType, number>>;
}

export interface CohortPercentile {
  readonly key: string;
  readonly size: number;
  /** null when the cohort is smaller than the policy minimum. */
  readonly percentile: number | null;
}

export interface DatasetMetrics {
  readonly datasetId: string;
  readonly conceptId: string;
  readonly citations: number;
  readonly reuses: ReuseCounts;
  readonly independentGroups: number;
  /** The distinct group keys behind `independentGroups`, so callers can union them across datasets. */
  readonly independentGroupKeys: readonly string[];
  readonly firstIndependentReuseAt: string | null;
  readonly daysToFirstIndependentReuse: number | null;
  readonly releasedAt: string | null;
  readonly derivedDatasets: number;
  readonly figurePanels: number;
  readonly transitiveCredit: number | null;
  /** Percentile of independent reuses within the dataset's cohort (optional field, not in contract v1). */
  readonly cohort: CohortPercentile;
  readonly policy: PolicyRef;
}

// ---------------------------------------------------------------------------------------------------------------
// Dates: UTC days since 1970-01-01.
// ---------------------------------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;
const PARTIAL_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/** UTC day number of a date or timestamp; a partial date (YYYY, YYYY-MM) means its first day. */
export function toUtcDay(value: string | null | undefined): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  const partial = PARTIAL_DATE.exec(trimmed);
  if (partial) {
    const ms = Date.UTC(Number(partial[1]), Number(partial[2] ?? '1') - 1, Number(partial[3] ?? '1'));
    return Math.floor(ms / DAY_MS);
  }
  const ms = Date.parse(trimmed);
  return Number.isNaN(ms) ? null : Math.floor(ms / DAY_MS);
}

export function formatUtcDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function utcYear(day: number): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

/**
 * First public date (§4): DOI findable, else registration, moved to `embargoUntil` if later; an explicit
 * `releasedAt` wins. Returns a UTC day number.
 */
export function releaseDayOf(dataset: DatasetRow): number | null {
  const base = toUtcDay(dataset.releasedAt) ?? toUtcDay(dataset.findableAt) ?? toUtcDay(dataset.registeredAt);
  if (base === null) return null;
  const embargo = toUtcDay(dataset.embargoUntil);
  return embargo !== null && embargo > base ? embargo : base;
}

// ---------------------------------------------------------------------------------------------------------------
// People, groups and works.
// ---------------------------------------------------------------------------------------------------------------

// NFKD leaves these letters whole (credit-and-compliance.md §2).
const UNDECOMPOSED: Readonly<Record<string, string>> = { ø: 'o', ł: 'l', đ: 'd', ß: 'ss', æ: 'ae', œ: 'oe', ı: 'i' };

export function foldName(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[øłđßæœı]/g, (ch) => UNDECOMPOSED[ch] ?? ch)
    .replace(/\s+/g, ' ')
    .trim();
}

export function bareOrcid(value: string | null | undefined): string | null {
  if (!value) return null;
  const match = /(\d{4}-\d{4}-\d{4}-\d{3}[\dX])\s*$/i.exec(value.trim());
  return match ? match[1].toUpperCase() : null;
}

/** `orcid:<id>` when known, else `name:<family>|<initial>` (family only without a given name), else null. */
export function personKey(author: AuthorRow): string | null {
  const orcid = bareOrcid(author.orcid);
  if (orcid) return `orcid:${orcid}`;
  let family = author.family ? foldName(author.family) : '';
  let given = author.given ? foldName(author.given) : '';
  if (!family && author.literal) {
    const parts = foldName(author.literal).split(' ');
    family = parts.pop() ?? '';
    given = parts.join(' ');
  }
  if (!family) return null;
  return given ? `name:${family}|${given[0]}` : `name:${family}`;
}

/** Citing group (§4): the last author's ORCID, else their name key, else the first author's. */
export function groupKeyOf(authors: readonly AuthorRow[]): string | null {
  if (authors.length === 0) return null;
  return personKey(authors[authors.length - 1]) ?? personKey(authors[0]);
}

export function doiKey(doi: string | null | undefined): string | null {
  if (!doi) return null;
  const bare = doi
    .trim()
    .replace(/^(?:doi:|https?:\/\/(?:dx\.)?doi\.org\/)/i, '')
    .toLowerCase();
  return bare.startsWith('10.') ? bare : null;
}

export interface WorkInfo {
  /** The smallest member id: stable across reloads. */
  readonly key: string;
  readonly memberIds: readonly string[];
  /** The published (non-preprint) member with the smallest id, else the smallest id. */
  readonly representativeId: string;
  /** Earliest issued day among the members: a linked preprint counts if earlier (§4). */
  readonly issuedDay: number | null;
  /** Any member retracted: the work contributes nothing. */
  readonly retracted: boolean;
  readonly groupKey: string | null;
}

/** What grouping into works needs of a publication: the row without its author list (see groupWorks). */
export interface PublicationFacts {
  readonly id: string;
  readonly doiKey: string | null;
  readonly preprint: boolean;
  readonly issuedDay: number | null;
  readonly retracted: boolean;
  readonly sameWorkAs?: readonly string[];
  /** groupKeyOf(authors). */
  readonly groupKey: string | null;
}

export function publicationFacts(row: PublicationRow): PublicationFacts {
  return {
    id: row.id,
    doiKey: doiKey(row.doi),
    preprint: row.kind === 'preprint',
    issuedDay: toUtcDay(row.issued),
    retracted: row.retracted === true,
    ...(row.sameWorkAs && row.sameWorkAs.length > 0 ? { sameWorkAs: row.sameWorkAs } : {}),
    groupKey: groupKeyOf(row.authors),
  };
}

/**
 * One work per set of publications sharing a DOI or linked by `sameWorkAs` (§3 step 5: preprint and published
 * version are one work; duplicates merge by DOI). Returns a map from every publication id to its work.
 */
export function groupWorks(publications: readonly PublicationRow[]): Map<string, WorkInfo> {
  return groupWorkFacts(publications.map(publicationFacts));
}

/** groupWorks over facts: a streaming loader keeps these instead of whole rows. */
export function groupWorkFacts(publications: readonly PublicationFacts[]): Map<string, WorkInfo> {
  const parent = new Map<string, string>();
  const find = (id: string): string => {
    let root = id;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    let cursor = id;
    while (cursor !== root) {
      const next = parent.get(cursor) ?? root;
      parent.set(cursor, root);
      cursor = next;
    }
    return root;
  };
  const union = (a: string, b: string): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  };
  const byId = new Map(publications.map((p) => [p.id, p]));
  for (const p of publications) parent.set(p.id, p.id);
  const firstByDoi = new Map<string, string>();
  for (const p of publications) {
    if (p.doiKey) {
      const first = firstByDoi.get(p.doiKey);
      if (first === undefined) firstByDoi.set(p.doiKey, p.id);
      else union(first, p.id);
    }
    for (const other of p.sameWorkAs ?? []) if (byId.has(other)) union(p.id, other);
  }
  const members = new Map<string, string[]>();
  for (const p of publications) {
    const root = find(p.id);
    const list = members.get(root);
    if (list) list.push(p.id);
    else members.set(root, [p.id]);
  }
  const result = new Map<string, WorkInfo>();
  for (const ids of members.values()) {
    ids.sort(compareStrings);
    const rows = ids.map((id) => byId.get(id) as PublicationFacts);
    const representative = rows.find((r) => !r.preprint) ?? rows[0];
    let issuedDay: number | null = null;
    for (const r of rows) {
      if (r.issuedDay !== null && (issuedDay === null || r.issuedDay < issuedDay)) issuedDay = r.issuedDay;
    }
    const info: WorkInfo = {
      key: ids[0],
      memberIds: ids,
      representativeId: representative.id,
      issuedDay,
      retracted: rows.some((r) => r.retracted),
      groupKey: representative.groupKey,
    };
    for (const id of ids) result.set(id, info);
  }
  return result;
}

export function conceptMap(datasets: readonly DatasetRow[]): Map<string, string> {
  return new Map(datasets.map((d) => [d.id, d.conceptId ?? d.id]));
}

/** Independence levels ranked from most to least independent (the larger rank is the weaker judgement). */
export const LEVEL_RANK: Readonly<Record<IndependenceLevel, number>> = {
  independent: 0,
  'same-lab': 1,
  'co-authored': 2,
};

/** The less independent of two levels: conflicting judgements err away from "independent". */
export function leastIndependent(a: IndependenceLevel, b: IndependenceLevel): IndependenceLevel {
  return LEVEL_RANK[a] >= LEVEL_RANK[b] ? a : b;
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Cohorts.
// ---------------------------------------------------------------------------------------------------------------

export function cohortKeyOf(policy: MetricsPolicy, dataset: DatasetRow, releaseDay: number | null): string {
  return policy.cohort.dimensions
    .map((dimension) => {
      switch (dimension) {
        case 'kind':
          return dataset.kind;
        case 'imagingMethod':
          return dataset.imagingMethod ?? '?';
        case 'repository':
          return dataset.repository ?? '?';
        case 'releaseYear':
          return releaseDay === null ? '?' : String(utcYear(releaseDay));
      }
    })
    .join('|');
}

/** percentile = 100 × (below + ½ ties) / size; null below `minSize` (§4). */
export function computeCohortPercentiles(
  items: readonly { readonly id: string; readonly cohort: string; readonly value: number }[],
  minSize: number,
): Map<string, CohortPercentile> {
  const byCohort = new Map<string, number[]>();
  for (const item of items) {
    const values = byCohort.get(item.cohort);
    if (values) values.push(item.value);
    else byCohort.set(item.cohort, [item.value]);
  }
  const result = new Map<string, CohortPercentile>();
  for (const item of items) {
    const values = byCohort.get(item.cohort) as number[];
    let below = 0;
    let ties = 0;
    for (const v of values) {
      if (v < item.value) below += 1;
      else if (v === item.value) ties += 1;
    }
    const percentile = values.length < minSize ? null : (100 * (below + ties / 2)) / values.length;
    result.set(item.id, { key: item.cohort, size: values.length, percentile });
  }
  return result;
}

/**
 * Kaplan–Meier median time to event, treating observations without the event as censored at `days` (§4: not yet
 * reused is censored, not missing). Null when survival never falls to one half.
 */
export function kaplanMeierMedian(
  observations: readonly { readonly days: number; readonly event: boolean }[],
): number | null {
  const sorted = [...observations].sort((a, b) => a.days - b.days || Number(b.event) - Number(a.event));
  let atRisk = sorted.length;
  let survival = 1;
  let i = 0;
  while (i < sorted.length) {
    const t = sorted[i].days;
    let events = 0;
    let leaving = 0;
    while (i < sorted.length && sorted[i].days === t) {
      if (sorted[i].event) events += 1;
      leaving += 1;
      i += 1;
    }
    if (events > 0) {
      survival *= 1 - events / atRisk;
      if (survival <= 0.5) return t;
    }
    atRisk -= leaving;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Dataset metrics.
// ---------------------------------------------------------------------------------------------------------------

export interface DatasetMetricsOptions {
  /** Judge by the works' own dates: ignore publications issued (and derived datasets released) after this day. */
  readonly asOf?: string;
  /** transitiveCredit per dataset or concept id, from the credit computation. */
  readonly transitiveCredit?: ReadonlyMap<string, number>;
}

interface PairFacts {
  level: IndependenceLevel;
  readonly types: Set<ReuseType>;
  readonly work: WorkInfo;
}

function normalizeRelation(relation: string): string {
  return relation.replace(/[-_\s]/g, '').toLowerCase();
}

/**
 * Metrics for every dataset in `input.datasets` (versions of a concept share one set of numbers, §3 step 5).
 * Only counted reuses (`asserted` or `curated`, not disputed) and unretracted works count.
 */
export function computeDatasetMetrics(
  input: DatasetMetricsInput,
  policy: MetricsPolicy,
  options: DatasetMetricsOptions = {},
): Map<string, DatasetMetrics> {
  const asOfDay = options.asOf === undefined ? null : toUtcDay(options.asOf);
  const concepts = conceptMap(input.datasets);
  const works = groupWorks(input.publications);
  const publications = new Map(input.publications.map((p) => [p.id, p]));
  const citationRelations = new Set(policy.counting.citationRelations.map(normalizeRelation));

  const workVisible = (work: WorkInfo | undefined): work is WorkInfo =>
    work !== undefined &&
    !work.retracted &&
    (asOfDay === null || (work.issuedDay !== null && work.issuedDay <= asOfDay));
  const citationKeyOf = (publicationId: string, fallbackDoi?: string | null): string => {
    const row = publications.get(publicationId);
    const doi = doiKey(row?.doi ?? fallbackDoi);
    return doi ? `doi:${doi}` : `id:${publicationId}`;
  };

  // Release day and cohort inputs per concept: the earliest public version.
  const conceptRelease = new Map<string, number | null>();
  const conceptRow = new Map<string, DatasetRow>();
  for (const d of [...input.datasets].sort((a, b) => compareStrings(a.id, b.id))) {
    const concept = concepts.get(d.id) as string;
    const day = releaseDayOf(d);
    const known = conceptRelease.get(concept);
    if (!conceptRelease.has(concept) || (day !== null && (known === null || known === undefined || day < known))) {
      conceptRelease.set(concept, day);
    }
    if (!conceptRow.has(concept) || concept === d.id) conceptRow.set(concept, d);
  }

  const citing = new Map<string, Set<string>>();
  const addCitation = (concept: string | undefined, key: string): void => {
    if (concept === undefined) return;
    const set = citing.get(concept);
    if (set) set.add(key);
    else citing.set(concept, new Set([key]));
  };

  // One reuse per (work, concept) pair, however many records repeat it (§4).
  const pairs = new Map<string, Map<string, PairFacts>>();
  for (const reuse of input.reuses) {
    if (!isCountedReuse(policy, reuse, 'score')) continue;
    const work = works.get(reuse.publicationId);
    if (!workVisible(work)) continue;
    for (const datasetId of reuse.datasetIds) {
      const concept = concepts.get(datasetId);
      if (concept === undefined) continue;
      const level = reuse.levels[datasetId] ?? policy.unknownIndependence;
      let byWork = pairs.get(concept);
      if (!byWork) pairs.set(concept, (byWork = new Map<string, PairFacts>()));
      const facts = byWork.get(work.key);
      if (facts) {
        facts.level = leastIndependent(facts.level, level);
        facts.types.add(reuse.type);
      } else {
        byWork.set(work.key, { level, types: new Set([reuse.type]), work });
      }
      addCitation(concept, citationKeyOf(reuse.publicationId));
    }
  }

  const panelsByConcept = new Map<string, Set<string>>();
  for (const panel of input.panels ?? []) {
    if (!workVisible(works.get(panel.publicationId))) continue;
    for (const datasetId of panel.datasetIds) {
      const concept = concepts.get(datasetId);
      if (concept === undefined) continue;
      let set = panelsByConcept.get(concept);
      if (!set) panelsByConcept.set(concept, (set = new Set()));
      set.add(panel.id);
      addCitation(concept, citationKeyOf(panel.publicationId));
    }
  }

  for (const citation of input.citations ?? []) {
    if (!citationRelations.has(normalizeRelation(citation.relation))) continue;
    const work = works.get(citation.citingId);
    if (work !== undefined && !workVisible(work)) continue;
    addCitation(concepts.get(citation.citedDatasetId), citationKeyOf(citation.citingId, citation.citingDoi));
  }

  // Distinct downstream concepts through derivedFrom, transitively (iterative BFS).
  const derivedChildren = new Map<string, Set<string>>();
  const datasetById = new Map(input.datasets.map((d) => [d.id, d]));
  for (const edge of input.derivations ?? []) {
    if (edge.evidence !== undefined && !policy.counting.scoreEvidence.includes(edge.evidence)) continue;
    const child = datasetById.get(edge.datasetId);
    const from = concepts.get(edge.derivedFromId);
    const to = concepts.get(edge.datasetId);
    if (!child || from === undefined || to === undefined || from === to) continue;
    if (asOfDay !== null) {
      const released = releaseDayOf(child);
      if (released === null || released > asOfDay) continue;
    }
    let set = derivedChildren.get(from);
    if (!set) derivedChildren.set(from, (set = new Set()));
    set.add(to);
  }
  const countDownstream = (concept: string): number => {
    const seen = new Set<string>([concept]);
    const queue = [concept];
    for (let i = 0; i < queue.length; i += 1) {
      for (const next of derivedChildren.get(queue[i]) ?? []) {
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    return seen.size - 1;
  };

  interface ConceptFacts {
    readonly counts: ReuseCounts;
    readonly groups: readonly string[];
    readonly firstDay: number | null;
  }
  const conceptFacts = new Map<string, ConceptFacts>();
  for (const concept of conceptRow.keys()) {
    const byType = Object.fromEntries(REUSE_TYPES.map((t) => [t, 0])) as Record<ReuseType, number>;
    const levelCounts: Record<IndependenceLevel, number> = { independent: 0, 'same-lab': 0, 'co-authored': 0 };
    const groups = new Set<string>();
    let firstDay: number | null = null;
    const byWork = pairs.get(concept) ?? new Map<string, PairFacts>();
    for (const facts of byWork.values()) {
      levelCounts[facts.level] += 1;
      for (const type of facts.types) byType[type] += 1;
      if (facts.level === 'independent') {
        // A work without author data stands for its own group rather than vanishing.
        groups.add(facts.work.groupKey ?? `work:${facts.work.key}`);
        const day = facts.work.issuedDay;
        if (day !== null && (firstDay === null || day < firstDay)) firstDay = day;
      }
    }
    conceptFacts.set(concept, {
      counts: {
        total: byWork.size,
        independent: levelCounts.independent,
        sameLab: levelCounts['same-lab'],
        coAuthored: levelCounts['co-authored'],
        byType,
      },
      groups: [...groups].sort(compareStrings),
      firstDay,
    });
  }

  const percentiles = computeCohortPercentiles(
    [...conceptRow.entries()].map(([concept, row]) => ({
      id: concept,
      cohort: cohortKeyOf(policy, row, conceptRelease.get(concept) ?? null),
      value: (conceptFacts.get(concept) as ConceptFacts).counts.independent,
    })),
    policy.cohort.minSize,
  );

  const ref = policyRef(policy);
  const result = new Map<string, DatasetMetrics>();
  for (const dataset of input.datasets) {
    const concept = concepts.get(dataset.id) as string;
    const facts = conceptFacts.get(concept) as ConceptFacts;
    const release = conceptRelease.get(concept) ?? null;
    result.set(dataset.id, {
      datasetId: dataset.id,
      conceptId: concept,
      citations: citing.get(concept)?.size ?? 0,
      reuses: facts.counts,
      independentGroups: facts.groups.length,
      independentGroupKeys: facts.groups,
      firstIndependentReuseAt: facts.firstDay === null ? null : formatUtcDay(facts.firstDay),
      // Negative values are kept: they flag inconsistent dates for curation (§4).
      daysToFirstIndependentReuse: facts.firstDay === null || release === null ? null : facts.firstDay - release,
      releasedAt: release === null ? null : formatUtcDay(release),
      derivedDatasets: countDownstream(concept),
      figurePanels: panelsByConcept.get(concept)?.size ?? 0,
      transitiveCredit: options.transitiveCredit?.get(dataset.id) ?? options.transitiveCredit?.get(concept) ?? null,
      cohort: percentiles.get(concept) as CohortPercentile,
      policy: ref,
    });
  }
  return result;
}
