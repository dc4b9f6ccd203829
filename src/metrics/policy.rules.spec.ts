import { createHash } from 'node:crypto';
import {
  independenceFactor,
  isCountedReuse,
  isOpenLicense,
  METRICS_POLICY,
  policyHash,
  policyRef,
  reuseExclusionReason,
  roundMetric,
  type MetricsPolicy,
} from './policy.rules.js';

/** Sorted-key JSON: equals RFC 8785 for this policy (ASCII strings, numbers JSON.stringify prints canonically). */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

describe('policy hash', () => {
  it('is the SHA-256 of the canonical JSON of every parameter', () => {
    const expected = createHash('sha256').update(sortedJson(METRICS_POLICY)).digest('hex');
    expect(policyHash(METRICS_POLICY)).toBe(expected);
  });

  it('is pinned: changing a parameter must come with a new version', () => {
    // Golden value for metrics-1.0.0. If this fails, bump METRICS_POLICY.version and update both.
    expect(policyRef(METRICS_POLICY)).toEqual({
      version: 'metrics-1.0.0',
      hash: '540cdb02095359a84c420796d555ece3d8a49d5d52c0929104c9176dc48ae34c',
    });
  });

  it('ignores key order and sees every value', () => {
    const reordered = Object.fromEntries(Object.entries(METRICS_POLICY).reverse()) as unknown as MetricsPolicy;
    expect(policyHash(reordered)).toBe(policyHash(METRICS_POLICY));
    expect(policyHash({ ...METRICS_POLICY, minContribution: 1e-3 })).not.toBe(policyHash(METRICS_POLICY));
  });

  it('serialises 1e-4 as 0.0001 (RFC 8785 number form)', () => {
    expect(sortedJson({ minContribution: METRICS_POLICY.minContribution })).toBe('{"minContribution":0.0001}');
  });

  it('cannot be mutated', () => {
    expect(Object.isFrozen(METRICS_POLICY.independenceFactors)).toBe(true);
  });
});

describe('independence factors', () => {
  it.each([
    ['independent', 1],
    ['same-lab', 0.5],
    ['co-authored', 0.25],
  ] as const)('%s -> %s', (level, factor) => {
    expect(independenceFactor(METRICS_POLICY, level)).toBe(factor);
  });
});

describe('counting rules', () => {
  it.each([
    // status, evidence, counts for score, counts for award, reason (score)
    ['active', 'asserted', true, false, null],
    ['active', 'curated', true, true, null],
    ['active', 'mentioned', false, false, 'EVIDENCE_TOO_WEAK'],
    ['disputed', 'curated', false, false, 'DISPUTED'],
    ['dispute-upheld', 'curated', false, false, 'DISPUTED'],
    ['dispute-rejected', 'curated', true, true, null],
    ['retracted', 'curated', false, false, 'RETRACTED'],
  ] as const)('%s/%s', (status, evidence, score, award, reason) => {
    expect(isCountedReuse(METRICS_POLICY, { status, evidence }, 'score')).toBe(score);
    expect(isCountedReuse(METRICS_POLICY, { status, evidence }, 'award')).toBe(award);
    expect(reuseExclusionReason(METRICS_POLICY, { status, evidence }, 'score')).toBe(reason);
  });
});

describe('isOpenLicense', () => {
  it.each([
    ['CC0-1.0', true],
    ['cc-by-4.0', true],
    ['CC-BY-SA-4.0', true],
    ['CC-BY-3.0', true],
    ['PDDL-1.0', true],
    ['ODC-By-1.0', true],
    ['ODbL-1.0', true],
    ['CC-BY-NC-4.0', false],
    ['CC-BY-ND-4.0', false],
    ['CC-BY-NC-SA-4.0', false],
    ['MIT', false],
    ['', false],
    [null, false],
  ])('%s -> %s', (spdx, open) => {
    expect(isOpenLicense(METRICS_POLICY, spdx)).toBe(open);
  });
});

describe('roundMetric', () => {
  it.each([
    [0.1 + 0.2, 6, 0.3],
    [0.1234565, 6, 0.123457],
    [1.0000004, 6, 1],
    [2.5, 0, 3],
    [-2.5, 0, -3],
    [-0.0000001, 6, 0],
  ])('%s to %s decimals -> %s', (value, decimals, expected) => {
    expect(roundMetric(value, decimals)).toBe(expected);
  });
});
