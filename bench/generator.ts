// Synthetic, seeded ledgers of realistic shape for the benchmarks: labs of depositors, image datasets and datasets
// derived from them, publications whose reuse of datasets follows a power law (a few datasets are reused by very many
// papers, most by one or none), figure panels built on source data, and grants. Same seed, same ledger, on any
// machine: no Math.random and no clock.
import type {
  AuthorRow,
  DatasetRow,
  DerivationRow,
  FigurePanelRow,
  PublicationRow,
  ReuseRow,
} from '../src/metrics/dataset-metrics.rules.js';
import type { EvidenceLevel, IndependenceLevel, ReuseStatus, ReuseType } from '../src/metrics/policy.rules.js';
import type { CreditRows } from '../src/metrics/transitive-credit.rules.js';

// ---------------------------------------------------------------------------------------------------------------
// Random numbers.
// ---------------------------------------------------------------------------------------------------------------

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/**
 * xoshiro128** (Blackman and Vigna, 2018): 128 bits of state, period 2^128 − 1, fast in 32-bit integer arithmetic.
 * The state is seeded through splitmix32 so that nearby seeds give unrelated streams.
 */
export function createRng(seed: number): Rng {
  let z = seed >>> 0;
  const splitmix = (): number => {
    z = (z + 0x9e3779b9) >>> 0;
    let x = z;
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
    return (x ^ (x >>> 16)) >>> 0;
  };
  const s = new Uint32Array([splitmix(), splitmix(), splitmix(), splitmix()]);
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;
  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };
  const next = (): number => nextU32() / 4294967296;
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
  };
}

/**
 * Ranks 0..n−1 drawn with P(k) ∝ 1 / (k + 1)^s: citation and data-reuse counts are heavy-tailed with s near 1
 * (most datasets are reused once or never, a few hundreds of times). Inverse-CDF sampling by binary search.
 */
export function createZipf(rng: Rng, n: number, s = 1.1): () => number {
  if (!(n >= 1)) throw new RangeError('zipf needs at least one rank');
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 0; k < n; k += 1) {
    sum += 1 / Math.pow(k + 1, s);
    cdf[k] = sum;
  }
  return () => {
    const u = rng.next() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** A random permutation of 0..n−1 (Fisher–Yates). */
export function shuffledIndexes(rng: Rng, n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i += 1) a[i] = i;
  for (let i = n - 1; i > 0; i -= 1) {
    const j = rng.int(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

const HEX = '0123456789abcdef';

/** A version-4-shaped UUID from the stream (deterministic, so never a real random UUID). */
export function seededUuid(rng: Rng): string {
  let out = '';
  for (let i = 0; i < 32; i += 1) {
    let d = rng.int(16);
    if (i === 12) d = 4;
    if (i === 16) d = 8 + (d & 3);
    out += HEX[d];
    if (i === 7 || i === 11 || i === 15 || i === 19) out += '-';
  }
  return out;
}

/** A syntactically valid ORCID iD: 15 random digits and the ISO 7064 MOD 11-2 check character. */
export function seededOrcid(rng: Rng): string {
  const digits: number[] = [0, 0, 0, 0];
  for (let i = 4; i < 15; i += 1) digits.push(rng.int(10));
  digits[3] = 1 + rng.int(3);
  let total = 0;
  for (const d of digits) total = (total + d) * 2;
  const check = (12 - (total % 11)) % 11;
  const all = digits.join('') + (check === 10 ? 'X' : String(check));
  return `${all.slice(0, 4)}-${all.slice(4, 8)}-${all.slice(8, 12)}-${all.slice(12, 16)}`;
}

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/** A syntactically valid ROR id: "0", six Crockford base-32 characters, and their ISO 7064 MOD 97-10 checksum. */
export function seededRor(rng: Rng): string {
  let body = '';
  let value = 0;
  for (let i = 0; i < 6; i += 1) {
    const d = rng.int(32);
    body += CROCKFORD[d];
    value = value * 32 + d;
  }
  const checksum = 98 - ((value * 100) % 97);
  return `https://ror.org/0${body}${String(checksum).padStart(2, '0')}`;
}

const SYLLABLES = [
  'ka',
  'ro',
  'mi',
  'te',
  'sa',
  'lo',
  'ne',
  'vi',
  'da',
  'ul',
  'an',
  'ber',
  'chen',
  'ito',
  'mar',
  'sol',
  'win',
  'yu',
];
const GIVEN = [
  'Ana',
  'Ben',
  'Chiara',
  'Dmitri',
  'Eun-ji',
  'Femi',
  'Greta',
  'Hiro',
  'Ines',
  'Jonas',
  'Kavya',
  'Lars',
  'Mei',
  'Nadia',
  'Omar',
  'Priya',
];
const ORGANISMS = ['NCBITaxon:9606', 'NCBITaxon:10090', 'NCBITaxon:7955', 'NCBITaxon:6239', 'NCBITaxon:7227'];
const METHODS = ['FBbi:00000246', 'FBbi:00000251', 'FBbi:00000243', 'FBbi:00000332'];
const TOPICS = [
  'mitosis',
  'nuclear morphology',
  'cell migration',
  'organoid growth',
  'cilia',
  'drug response',
  'autophagy',
];
const REUSE_TYPE_MIX: readonly ReuseType[] = [
  'secondary-analysis',
  'secondary-analysis',
  'benchmarking',
  'training',
  'training',
  'integration',
  'replication',
];
const LICENSES = ['CC-BY-4.0', 'CC0-1.0', 'CC-BY-4.0', 'CC-BY-SA-4.0'];

function familyName(rng: Rng): string {
  const parts = 2 + rng.int(2);
  let name = '';
  for (let i = 0; i < parts; i += 1) name += rng.pick(SYLLABLES);
  return name[0].toUpperCase() + name.slice(1);
}

// ---------------------------------------------------------------------------------------------------------------
// The synthetic ledger.
// ---------------------------------------------------------------------------------------------------------------

export interface SynthLab {
  readonly id: string;
  readonly name: string;
  readonly ror: string;
  /** Indexes into `people`; the first is the lab head (last author of the lab's papers). */
  readonly members: number[];
}

export interface SynthPerson {
  readonly id: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly orcid: string;
  readonly lab: number;
}

export interface SynthDataset {
  readonly id: string;
  readonly kind: 'image' | 'derived';
  readonly title: string;
  readonly creators: number[];
  readonly lab: number;
  readonly derivedFrom: number[];
  readonly grants: number[];
  readonly organism: string;
  readonly imagingMethod: string;
  readonly license: string;
  readonly year: number;
  readonly seq: number;
}

export interface SynthPublication {
  readonly id: string;
  readonly doi: string;
  readonly title: string;
  readonly kind: 'article' | 'preprint';
  readonly issued: string;
  readonly authors: number[];
  readonly retracted: boolean;
  readonly sameWorkAs: number[];
  readonly seq: number;
}

export interface SynthReuse {
  readonly id: string;
  readonly publication: number;
  readonly datasets: number[];
  readonly type: ReuseType;
  readonly levels: IndependenceLevel[];
  readonly evidence: EvidenceLevel;
  readonly status: ReuseStatus;
  readonly seq: number;
}

export interface SynthPanel {
  readonly id: string;
  readonly publication: number;
  readonly datasets: number[];
  readonly seq: number;
}

export interface SynthGrant {
  readonly id: string;
  readonly funder: number;
  readonly awardNumber: string;
  readonly pi: number;
  readonly start: string;
  readonly end: string;
  readonly policy: 'nih-dms-2023' | 'wellcome' | 'horizon-europe';
}

export interface SyntheticLedger {
  readonly seed: number;
  /** Target node count of the credit graph (datasets + panels + publications). */
  readonly size: number;
  readonly labs: SynthLab[];
  readonly people: SynthPerson[];
  readonly funders: Array<{ id: string; name: string; ror: string }>;
  readonly grants: SynthGrant[];
  /** Image datasets first, then derived ones; a dataset derives only from lower indexes, so derivation is acyclic. */
  readonly datasets: SynthDataset[];
  readonly publications: SynthPublication[];
  readonly reuses: SynthReuse[];
  readonly panels: SynthPanel[];
}

/**
 * Rank exponent of dataset popularity (reuses, panels and derivations all draw from it). 1.0 is classic Zipf: in a
 * ledger of 10^5 nodes the most popular of 35,000 datasets takes about 9 % of all draws, the median dataset none.
 */
export const POPULARITY_EXPONENT = 1.0;

/** Shares of the credit graph's nodes by kind (close to a mature image repository with its citing literature). */
export const NODE_MIX = { image: 0.2, derived: 0.15, publication: 0.35, panel: 0.3 } as const;

function levelBetween(
  ledger: { people: SynthPerson[] },
  authors: readonly number[],
  creators: readonly number[],
): IndependenceLevel {
  if (creators.some((c) => authors.includes(c))) return 'co-authored';
  const labs = new Set(creators.map((c) => ledger.people[c].lab));
  if (authors.some((a) => labs.has(ledger.people[a].lab))) return 'same-lab';
  return 'independent';
}

/** Builds a ledger whose credit graph has about `size` nodes (10^3 … 10^6). */
export function generateLedger(seed: number, size: number): SyntheticLedger {
  const rng = createRng(seed);
  const nImage = Math.max(2, Math.round(size * NODE_MIX.image));
  const nDerived = Math.max(1, Math.round(size * NODE_MIX.derived));
  const nPublications = Math.max(2, Math.round(size * NODE_MIX.publication));
  const nPanels = Math.max(1, size - nImage - nDerived - nPublications);
  const nPeople = Math.max(12, Math.round(size / 20));
  const nLabs = Math.max(3, Math.round(nPeople / 8));
  const nFunders = Math.max(2, Math.round(size / 20000));
  const nGrants = Math.max(4, Math.round(size / 50));
  let seq = 0;

  const labs: SynthLab[] = [];
  for (let i = 0; i < nLabs; i += 1) {
    labs.push({ id: seededUuid(rng), name: `${familyName(rng)} Lab`, ror: seededRor(rng), members: [] });
  }
  const people: SynthPerson[] = [];
  for (let i = 0; i < nPeople; i += 1) {
    // Every lab gets a head first; the rest join labs uniformly.
    const lab = i < nLabs ? i : rng.int(nLabs);
    people.push({
      id: seededUuid(rng),
      givenName: rng.pick(GIVEN),
      familyName: familyName(rng),
      orcid: seededOrcid(rng),
      lab,
    });
    labs[lab].members.push(i);
  }
  const funders = Array.from({ length: nFunders }, () => ({
    id: seededUuid(rng),
    name: `${familyName(rng)} Foundation`,
    ror: seededRor(rng),
  }));
  const policies = ['nih-dms-2023', 'wellcome', 'horizon-europe'] as const;
  const grants: SynthGrant[] = [];
  for (let i = 0; i < nGrants; i += 1) {
    const startYear = 2015 + rng.int(9);
    const lab = labs[rng.int(nLabs)];
    grants.push({
      id: seededUuid(rng),
      funder: rng.int(nFunders),
      awardNumber: `R${String(10_000_000 + i)}`,
      pi: lab.members[0],
      start: `${startYear}-0${1 + rng.int(9)}-01`,
      end: `${startYear + 3 + rng.int(3)}-12-31`,
      policy: policies[rng.int(policies.length)],
    });
  }

  const labZipf = createZipf(rng, nLabs, 1.0);
  const labOrder = shuffledIndexes(rng, nLabs);
  const pickLab = (): number => labOrder[labZipf()];
  const pickMembers = (lab: number, count: number): number[] => {
    const members = labs[lab].members;
    const chosen = new Set<number>();
    for (let i = 0; i < count * 2 && chosen.size < Math.min(count, members.length); i += 1)
      chosen.add(rng.pick(members));
    return [...chosen];
  };

  const nDatasets = nImage + nDerived;
  const datasetZipf = createZipf(rng, nDatasets, POPULARITY_EXPONENT);
  const popularity = shuffledIndexes(rng, nDatasets);
  const pickDataset = (): number => popularity[datasetZipf()];

  const datasets: SynthDataset[] = [];
  for (let i = 0; i < nDatasets; i += 1) {
    const derived = i >= nImage;
    const lab = pickLab();
    const derivedFrom: number[] = [];
    if (derived) {
      const count = 1 + rng.int(3);
      for (let k = 0; k < count * 4 && derivedFrom.length < count; k += 1) {
        const source = pickDataset();
        if (source < i && !derivedFrom.includes(source)) derivedFrom.push(source);
      }
      if (derivedFrom.length === 0) derivedFrom.push(rng.int(Math.min(i, nImage)));
    }
    datasets.push({
      id: seededUuid(rng),
      kind: derived ? 'derived' : 'image',
      title: `${derived ? 'Segmentation of' : 'Time-lapse of'} ${rng.pick(TOPICS)} #${i}`,
      creators: pickMembers(lab, 1 + rng.int(3)),
      lab,
      derivedFrom,
      grants: rng.chance(0.6) ? [rng.int(nGrants)] : [],
      organism: rng.pick(ORGANISMS),
      imagingMethod: rng.pick(METHODS),
      license: rng.pick(LICENSES),
      year: 2014 + rng.int(11),
      seq: seq++,
    });
  }

  const publications: SynthPublication[] = [];
  const reuses: SynthReuse[] = [];
  const evidenceMix: readonly EvidenceLevel[] = ['asserted', 'asserted', 'asserted', 'curated'];
  for (let i = 0; i < nPublications; i += 1) {
    const reused: number[] = [];
    if (rng.chance(0.9)) {
      const count = 1 + rng.int(7);
      for (let k = 0; k < count * 3 && reused.length < count; k += 1) {
        const d = pickDataset();
        if (!reused.includes(d)) reused.push(d);
      }
    }
    // A fifth of reusing papers include a data creator, a sixth come from the data's own lab: the rest are independent.
    const first = reused.length > 0 ? datasets[reused[0]] : null;
    const roll = rng.next();
    const lab = first && roll < 0.35 ? first.lab : pickLab();
    const authors = pickMembers(lab, 2 + rng.int(5));
    if (first && roll < 0.2 && !authors.includes(first.creators[0])) authors.unshift(first.creators[0]);
    // Lab head last: the group key of a paper is its last author.
    const head = labs[lab].members[0];
    const ordered = [...authors.filter((a) => a !== head), head];
    const year = 2015 + rng.int(11);
    const preprintTwin = i > 0 && rng.chance(0.04) ? [i - 1] : [];
    publications.push({
      id: seededUuid(rng),
      doi: `10.5555/bench.${seed}.${i}`,
      title: `Quantitative ${rng.pick(TOPICS)} in ${rng.pick(['HeLa', 'U2OS', 'RPE-1', 'mouse ES', 'zebrafish'])} cells (${i})`,
      kind: preprintTwin.length > 0 || rng.chance(0.08) ? 'preprint' : 'article',
      issued: `${year}-${String(1 + rng.int(12)).padStart(2, '0')}-${String(1 + rng.int(28)).padStart(2, '0')}`,
      authors: ordered,
      retracted: rng.chance(0.004),
      sameWorkAs: preprintTwin,
      seq: seq++,
    });
    if (reused.length > 0) {
      const statusRoll = rng.next();
      reuses.push({
        id: seededUuid(rng),
        publication: i,
        datasets: reused,
        type: rng.pick(REUSE_TYPE_MIX),
        levels: reused.map((d) => levelBetween({ people }, ordered, datasets[d].creators)),
        evidence: rng.pick(evidenceMix),
        status: statusRoll < 0.02 ? 'disputed' : statusRoll < 0.03 ? 'dispute-rejected' : 'active',
        seq: seq++,
      });
    }
  }

  const panels: SynthPanel[] = [];
  for (let i = 0; i < nPanels; i += 1) {
    const source = [pickDataset()];
    const count = 1 + rng.int(5);
    for (let k = 1; k < count * 2 && source.length < count; k += 1) {
      const other = pickDataset();
      if (!source.includes(other)) source.push(other);
    }
    panels.push({ id: seededUuid(rng), publication: rng.int(nPublications), datasets: source, seq: seq++ });
  }

  return { seed, size, labs, people, funders, grants, datasets, publications, reuses, panels };
}

// ---------------------------------------------------------------------------------------------------------------
// Views of the ledger: rows for the pure credit engine, payloads for the HTTP API, entries for the Merkle log.
// ---------------------------------------------------------------------------------------------------------------

/** The plain rows `computeCreditFromRows` takes, as the metrics module would load them from PostgreSQL. */
export function toCreditRows(ledger: SyntheticLedger): CreditRows {
  const author = (p: number): AuthorRow => {
    const person = ledger.people[p];
    return { family: person.familyName, given: person.givenName, orcid: person.orcid };
  };
  const datasets: DatasetRow[] = ledger.datasets.map((d) => ({
    id: d.id,
    kind: d.kind,
    registeredAt: `${d.year}-06-01T00:00:00.000Z`,
    imagingMethod: d.imagingMethod,
    repository: 'bench',
  }));
  const publications: PublicationRow[] = ledger.publications.map((p) => ({
    id: p.id,
    doi: p.doi,
    kind: p.kind,
    issued: p.issued,
    retracted: p.retracted,
    ...(p.sameWorkAs.length > 0 ? { sameWorkAs: p.sameWorkAs.map((i) => ledger.publications[i].id) } : {}),
    authors: p.authors.map(author),
    seq: String(p.seq),
  }));
  const reuses: ReuseRow[] = ledger.reuses.map((r) => {
    const levels: Record<string, IndependenceLevel> = {};
    r.datasets.forEach((d, k) => {
      levels[ledger.datasets[d].id] = r.levels[k];
    });
    return {
      id: r.id,
      publicationId: ledger.publications[r.publication].id,
      datasetIds: r.datasets.map((d) => ledger.datasets[d].id),
      type: r.type,
      levels,
      evidence: r.evidence,
      status: r.status,
      seq: String(r.seq),
    };
  });
  const derivations: DerivationRow[] = [];
  for (const d of ledger.datasets) {
    for (const source of d.derivedFrom) {
      derivations.push({ datasetId: d.id, derivedFromId: ledger.datasets[source].id, seq: String(d.seq) });
    }
  }
  const panels: FigurePanelRow[] = ledger.panels.map((f) => ({
    id: f.id,
    publicationId: ledger.publications[f.publication].id,
    datasetIds: f.datasets.map((d) => ledger.datasets[d].id),
    seq: String(f.seq),
  }));
  return { datasets, publications, reuses, derivations, panels };
}

/** POST /v1/agents body for a person. */
export function personPayload(person: SynthPerson): Record<string, unknown> {
  return {
    kind: 'person',
    name: `${person.givenName} ${person.familyName}`,
    givenName: person.givenName,
    familyName: person.familyName,
    orcid: person.orcid,
  };
}

/** POST /v1/datasets body; `agentId` maps a synthetic person to the id the service gave it. */
export function datasetPayload(
  dataset: SynthDataset,
  agentId: (person: number) => string,
  datasetId: (index: number) => string,
  publisherId?: string,
): Record<string, unknown> {
  return {
    kind: dataset.kind,
    ...(publisherId ? { publisher: publisherId } : {}),
    title: dataset.title,
    description: `Synthetic benchmark dataset (${dataset.kind}) for ${dataset.organism}.`,
    creators: dataset.creators.map(agentId),
    license: dataset.license,
    publicationYear: dataset.year,
    organism: dataset.organism,
    imagingMethod: dataset.imagingMethod,
    keywords: ['benchmark', dataset.kind],
    landingPage: `https://images.example.org/datasets/${dataset.id}`,
    ...(dataset.kind === 'derived'
      ? {
          derivedFrom: dataset.derivedFrom.map(datasetId),
          generatedBy: { software: { name: 'CellProfiler', version: '4.2.6' }, method: 'EDAM:operation_3443' },
        }
      : {}),
  };
}

/** POST /v1/publications body: a CSL-JSON item, parsed offline by the service. */
export function publicationPayload(
  publication: SynthPublication,
  ledger: SyntheticLedger,
  agentId: (person: number) => string,
): Record<string, unknown> {
  const [y, m, d] = publication.issued.split('-').map(Number);
  return {
    csl: {
      type: publication.kind === 'preprint' ? 'post' : 'article-journal',
      title: publication.title,
      DOI: publication.doi,
      issued: { 'date-parts': [[y, m, d]] },
      'container-title': publication.kind === 'preprint' ? 'bioRxiv' : 'Journal of Cell Imaging',
      author: publication.authors.map((a) => ({
        family: ledger.people[a].familyName,
        given: ledger.people[a].givenName,
        ORCID: `https://orcid.org/${ledger.people[a].orcid}`,
      })),
    },
    authors: publication.authors.map(agentId),
  };
}

export interface LedgerAppend {
  kind: string;
  payload: Record<string, unknown>;
  actor: string | null;
}

/**
 * An endless stream of ledger entries shaped like the service's own (deposits, graph nodes and edges, reuses,
 * publications, DOI state changes), 200–700 bytes of canonical JSON each.
 */
export function createEntryStream(seed: number, baseUrl = 'http://ledger.bench'): () => LedgerAppend {
  const rng = createRng(seed);
  const actors = Array.from({ length: 64 }, () => seededUuid(rng));
  const recent: string[] = Array.from({ length: 32 }, () => seededUuid(rng));
  let i = 0;
  return () => {
    i += 1;
    const id = seededUuid(rng);
    const actor = rng.pick(actors);
    recent[i % recent.length] = id;
    const other = rng.pick(recent);
    switch (i % 6) {
      case 0:
        return {
          kind: 'dataset.deposited',
          actor,
          payload: {
            id,
            kind: rng.chance(0.6) ? 'image' : 'derived',
            title: `Time-lapse of ${rng.pick(TOPICS)} #${i}`,
            creators: [actor, rng.pick(actors)],
            license: rng.pick(LICENSES),
            organism: rng.pick(ORGANISMS),
            imagingMethod: rng.pick(METHODS),
            keywords: ['benchmark', rng.pick(TOPICS)],
            publicationYear: 2014 + rng.int(11),
          },
        };
      case 1:
      case 2:
        return {
          kind: 'edge.created',
          actor,
          payload: {
            id,
            source: `${baseUrl}/id/${other}`,
            relation: rng.pick(['wasDerivedFrom', 'usesDataFrom', 'wasAttributedTo', 'hasPart']),
            target: `${baseUrl}/id/${rng.pick(recent)}`,
            properties: {},
          },
        };
      case 3:
        return {
          kind: 'node.created',
          actor,
          payload: {
            id,
            iri: `${baseUrl}/id/${id}`,
            type: 'FigurePanel',
            label: `Figure ${1 + rng.int(8)}${'ABCDEF'[rng.int(6)]}`,
            properties: {},
            occurredAt: null,
          },
        };
      case 4:
        return {
          kind: 'reuse.registered',
          actor,
          payload: {
            id,
            publication: other,
            datasets: [rng.pick(recent)],
            type: rng.pick(REUSE_TYPE_MIX),
            independence: [{ dataset: rng.pick(recent), level: rng.pick(['independent', 'same-lab', 'co-authored']) }],
            evidence: { level: 'asserted' },
          },
        };
      default:
        return {
          kind: 'doi.state_changed',
          actor: null,
          payload: {
            datasetId: other,
            doi: `10.80123/${id.slice(0, 4)}-${id.slice(4, 8)}`,
            from: 'pending',
            to: 'findable',
            reason: 'registered',
            provider: 'datacite',
          },
        };
    }
  };
}

/**
 * A JSON-LD provenance document (the shape of POST /v1/provenance): image datasets, each analysed by runs of one
 * software into derived datasets, attributed to ORCID-identified people. `nodes` counts the @graph entries.
 */
export function provenanceDocument(
  rng: Rng,
  nodes: number,
  opts: { baseUrl: string; contextUrl: string; people: SynthPerson[] },
): {
  document: Record<string, unknown>;
  nodeCount: number;
} {
  const graph: Array<Record<string, unknown>> = [];
  const iri = (): string => `${opts.baseUrl}/id/${seededUuid(rng)}`;
  const personIris = new Set<string>();
  const personNode = (p: SynthPerson): Record<string, unknown> => ({
    '@id': `https://orcid.org/${p.orcid}`,
    '@type': ['Person', 'prov:Person', 'prov:Agent'],
    name: `${p.givenName} ${p.familyName}`,
  });
  const software = iri();
  graph.push({
    '@id': software,
    '@type': ['SoftwareApplication', 'prov:SoftwareAgent', 'prov:Agent'],
    name: 'CellProfiler',
    softwareVersion: '4.2.6',
  });
  while (graph.length < nodes) {
    const person = rng.pick(opts.people);
    const personIri = `https://orcid.org/${person.orcid}`;
    if (!personIris.has(personIri)) {
      personIris.add(personIri);
      graph.push(personNode(person));
    }
    const raw = iri();
    graph.push({
      '@id': raw,
      '@type': ['Dataset', 'prov:Entity', 'ImageDataset'],
      name: `Raw ${rng.pick(TOPICS)} images`,
      license: { '@id': 'https://spdx.org/licenses/CC-BY-4.0' },
      creator: { '@id': personIri },
      wasAttributedTo: { '@id': personIri },
    });
    let input = raw;
    const chain = 1 + rng.int(3);
    // Each run starts after its input was generated (PROV-CONSTRAINTS: generation strictly precedes derivation).
    let clock = Date.UTC(2024, rng.int(12), 1 + rng.int(28), 8);
    const at = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
    for (let k = 0; k < chain && graph.length + 2 <= nodes; k += 1) {
      const run = iri();
      const output = iri();
      const started = clock + 3_600_000;
      const ended = started + 3_600_000;
      clock = ended;
      graph.push({
        '@id': run,
        '@type': ['CreateAction', 'prov:Activity', 'AnalysisActivity'],
        name: k === 0 ? 'Segmentation' : 'Feature extraction',
        used: { '@id': input },
        instrument: { '@id': software },
        agent: { '@id': personIri },
        startedAtTime: at(started),
        endedAtTime: at(ended),
      });
      graph.push({
        '@id': output,
        '@type': ['Dataset', 'prov:Entity', 'DerivedDataset'],
        name: `${k === 0 ? 'Masks' : 'Features'} from ${input.slice(-8)}`,
        license: { '@id': 'https://spdx.org/licenses/CC-BY-4.0' },
        creator: { '@id': personIri },
        wasDerivedFrom: { '@id': input },
        wasGeneratedBy: { '@id': run },
        generatedAtTime: at(ended),
      });
      input = output;
    }
  }
  return { document: { '@context': opts.contextUrl, '@graph': graph }, nodeCount: graph.length };
}
