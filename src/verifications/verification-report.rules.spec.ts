import { createHash, generateKeyPairSync } from 'node:crypto';
import {
  assembleReport,
  assessPublicationIdentifier,
  assessUnknownIdentifier,
  buildReportItem,
  datasetAssessmentInput,
  hashReport,
  missingRembiFields,
  datasetIdFromUrl,
  normalizeReportDate,
  pickDatasetMatch,
  reportSigningBytes,
  signReport,
  verifyReportSignature,
} from './verification-report.rules.js';
import type { IdentifierMatch, LedgerDatasetFacts, ReportFrame } from './verification-report.rules.js';
import { assessIdentifier, assessStatement, VERIFICATION_PROFILES } from './verifications.rules.js';
import type { ExtractedIdentifier } from './verifications.rules.js';

const imageDataset: LedgerDatasetFacts = {
  id: 'd1',
  kind: 'image',
  title: 'Mitotic phenotypes',
  creators: ['a1'],
  license: 'CC-BY-4.0',
  organism: 'http://purl.obolibrary.org/obo/NCBITaxon_9606',
  imagingMethod: 'http://purl.obolibrary.org/obo/FBbi_00000251',
  derivedFrom: [],
  generatedBy: null,
  // In an image archive: REPOSITORY_NOT_DOMAIN_SPECIFIC stays out of the tables below.
  accession: 'S-BIAD123',
  doi: '10.5072/abc',
  doiState: 'findable',
  embargoUntil: null,
  withdrawn: false,
};
const doi: ExtractedIdentifier = { type: 'doi', value: '10.5072/abc', raw: 'https://doi.org/10.5072/ABC' };

describe('missingRembiFields', () => {
  it.each([
    ['complete image dataset', {}, []],
    ['image without organism and method', { organism: null, imagingMethod: null }, ['organism', 'imagingMethod']],
    [
      'derived with source and software',
      { kind: 'derived' as const, derivedFrom: ['d0'], generatedBy: { software: { name: 'CellProfiler' } } },
      [],
    ],
    ['derived with nothing', { kind: 'derived' as const, generatedBy: {} }, ['derivedFrom', 'generatedBy']],
    ['no creators, blank licence', { creators: [], license: ' ' }, ['creators', 'license']],
  ])('%s -> %j', (_name, patch, expected) => {
    expect(missingRembiFields({ ...imageDataset, ...patch })).toEqual(expected);
  });
});

describe('unknown and publication identifiers', () => {
  it.each([
    ['default', 'IDENTIFIER_NOT_IN_LEDGER', 'warn'],
    ['springer-nature', 'IDENTIFIER_NOT_IN_LEDGER', 'warn'],
    ['plos', 'IDENTIFIER_NOT_FOUND', 'fail'],
    ['cell-press', 'IDENTIFIER_NOT_FOUND', 'fail'],
  ] as const)('an unknown identifier under %s is %s (%s), never a pass', (policy, code, severity) => {
    const findings = assessUnknownIdentifier(VERIFICATION_PROFILES[policy], doi);
    expect(findings.map((f) => [f.code, f.severity])).toEqual([[code, severity]]);
    expect(findings[0].message).toContain('10.5072/abc');
  });

  it('a publication DOI is found but is not data', () => {
    expect(assessPublicationIdentifier(VERIFICATION_PROFILES.default, doi).map((f) => [f.code, f.severity])).toEqual([
      ['IDENTIFIER_RESOLVES', 'pass'],
    ]);
  });
});

describe('datasetAssessmentInput with assessIdentifier', () => {
  const dates = { submittedAt: '2025-01-10', expectedPublicationDate: '2025-06-01' };
  const match = (patch: Partial<LedgerDatasetFacts>, ownDoi = true): Extract<IdentifierMatch, { kind: 'dataset' }> => ({
    kind: 'dataset',
    dataset: { ...imageDataset, ...patch },
    ownDoi,
    relationPresent: null,
    reviewerAccess: null,
  });
  const codes = (patch: Partial<LedgerDatasetFacts>, ownDoi = true) =>
    assessIdentifier(VERIFICATION_PROFILES.default, datasetAssessmentInput(doi, match(patch, ownDoi), dates)).map(
      (f) => f.code,
    );

  it.each([
    ['findable, open, complete', {}, ['IDENTIFIER_RESOLVES', 'DOI_FINDABLE', 'LICENSE_OPEN', 'METADATA_COMPLETE']],
    [
      'pending DOI',
      { doiState: 'pending' as const },
      ['IDENTIFIER_RESOLVES', 'DOI_NOT_REGISTERED', 'LICENSE_OPEN', 'REVIEWER_ACCESS_MISSING', 'METADATA_COMPLETE'],
    ],
    [
      'draft DOI',
      { doiState: 'draft' as const },
      ['IDENTIFIER_RESOLVES', 'DOI_DRAFT', 'LICENSE_OPEN', 'REVIEWER_ACCESS_MISSING', 'METADATA_COMPLETE'],
    ],
    [
      'withdrawn',
      { doiState: 'registered' as const, withdrawn: true },
      ['IDENTIFIER_RESOLVES', 'DATASET_WITHDRAWN', 'LICENSE_OPEN', 'METADATA_COMPLETE'],
    ],
    [
      'NC licence, no organism',
      { license: 'CC-BY-NC-4.0', organism: null },
      ['IDENTIFIER_RESOLVES', 'DOI_FINDABLE', 'LICENSE_NOT_OPEN', 'METADATA_INCOMPLETE'],
    ],
    [
      'images outside an image archive',
      { accession: null },
      ['IDENTIFIER_RESOLVES', 'DOI_FINDABLE', 'LICENSE_OPEN', 'METADATA_COMPLETE', 'REPOSITORY_NOT_DOMAIN_SPECIFIC'],
    ],
    [
      'embargo past publication',
      { embargoUntil: '2025-09-01' },
      [
        'IDENTIFIER_RESOLVES',
        'DOI_FINDABLE',
        'LICENSE_OPEN',
        'EMBARGO_AFTER_PUBLICATION',
        'REVIEWER_ACCESS_MISSING',
        'METADATA_COMPLETE',
      ],
    ],
  ])('%s', (_name, patch, expected) => {
    expect(codes(patch)).toEqual(expected);
  });

  it('an archive DOI recorded beside the dataset carries no DataCite state of ours', () => {
    expect(codes({ doiState: 'none' }, false)).toEqual(['IDENTIFIER_RESOLVES', 'LICENSE_OPEN', 'METADATA_COMPLETE']);
    const item = buildReportItem(doi, match({ doiState: 'none' }, false), []);
    expect(item.doiState).toBeNull();
  });
});

describe('assembleReport', () => {
  const frame: ReportFrame = {
    id: 'r1',
    manuscriptId: 'MS-1',
    journal: 'J',
    profile: VERIFICATION_PROFILES.default,
    statement: 'Data are at https://doi.org/10.5072/ABC.',
    submittedAt: '2025-01-10',
    expectedPublicationDate: null,
    articleDoi: null,
    previous: null,
    issuedAt: '2025-01-10T00:00:00.000Z',
    issuer: 'http://ledger.test',
    ledgerTreeSize: '42',
  };

  it.each([
    ['all pass', [], 'pass'],
    ['one warn', [{ code: 'RELATION_MISSING' as const, severity: 'warn' as const, message: '' }], 'warn'],
    [
      'a fail beats a warn',
      [
        { code: 'RELATION_MISSING' as const, severity: 'warn' as const, message: '' },
        { code: 'DOI_DRAFT' as const, severity: 'fail' as const, message: '' },
      ],
      'fail',
    ],
  ])('verdict is the worst severity: %s', (_name, itemFindings, verdict) => {
    const statement = assessStatement(VERIFICATION_PROFILES.default, frame.statement);
    const report = assembleReport(frame, statement, [buildReportItem(doi, { kind: 'none' }, itemFindings)]);
    expect(report.verdict).toBe(verdict);
    expect(report.statementFindings.map((f) => f.code)).toEqual(['STATEMENT_OK']);
  });

  it('an on-request statement fails however good the items are', () => {
    const statement = assessStatement(
      VERIFICATION_PROFILES.default,
      'Data are available from the corresponding author on reasonable request.',
    );
    expect(assembleReport(frame, statement, []).verdict).toBe('fail');
  });
});

describe('report signature', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
  const document = { id: 'r1', verdict: 'pass', items: [{ identifier: '10.5072/abc', findings: [] }], n: 1.5 };

  it('signs the RFC 8785 form without signature and receipt', () => {
    const withExtras = { ...document, signature: { any: 1 }, receipt: { seq: '1' } };
    // Hand-written JCS: keys sorted by UTF-16 code units, no whitespace.
    const expected = '{"id":"r1","items":[{"findings":[],"identifier":"10.5072/abc"}],"n":1.5,"verdict":"pass"}';
    expect(reportSigningBytes(withExtras).toString('utf8')).toBe(expected);
    expect(hashReport(withExtras)).toBe(createHash('sha256').update(expected).digest('hex'));
  });

  it('verifies, whatever the member order, with a receipt added later', () => {
    const signature = signReport(document, privateKey, 'k1');
    expect(signature.algorithm).toBe('ed25519');
    expect(Buffer.from(signature.value, 'base64')).toHaveLength(64);
    const reordered = { receipt: { seq: '7' }, verdict: 'pass', signature, n: 1.5, items: document.items, id: 'r1' };
    expect(verifyReportSignature(reordered, raw, 'k1')).toEqual({ verified: true, check: 'SIGNATURE_VALID' });
  });

  it.each([
    ['a changed verdict', (d: Record<string, unknown>) => ({ ...d, verdict: 'fail' }), 'SIGNATURE_INVALID'],
    ['a dropped finding list', (d: Record<string, unknown>) => ({ ...d, items: [] }), 'SIGNATURE_INVALID'],
    ['no signature', (d: Record<string, unknown>) => ({ ...d, signature: undefined }), 'SIGNATURE_MISSING'],
    [
      'another algorithm',
      (d: Record<string, unknown>) => ({ ...d, signature: { ...(d.signature as object), algorithm: 'rsa' } }),
      'ALGORITHM_UNSUPPORTED',
    ],
    [
      'another key id',
      (d: Record<string, unknown>) => ({ ...d, signature: { ...(d.signature as object), keyId: 'k2' } }),
      'KEY_UNKNOWN',
    ],
    [
      'a truncated signature value',
      (d: Record<string, unknown>) => ({ ...d, signature: { ...(d.signature as object), value: 'AAAA' } }),
      'SIGNATURE_INVALID',
    ],
  ])('fails after tampering: %s', (_name, tamper, check) => {
    const signed = { ...document, signature: signReport(document, privateKey, 'k1') };
    expect(verifyReportSignature(tamper(signed), raw, 'k1')).toEqual({ verified: false, check });
  });

  it('fails under another key', () => {
    const other = generateKeyPairSync('ed25519').publicKey;
    const otherRaw = Buffer.from(other.export({ format: 'jwk' }).x as string, 'base64url');
    const signed = { ...document, signature: signReport(document, privateKey, 'k1') };
    expect(verifyReportSignature(signed, otherRaw).verified).toBe(false);
  });
});

describe('pickDatasetMatch', () => {
  const candidate = (
    id: string,
    patch: Partial<{ doi: string | null; accession: string | null; withdrawn: boolean; createdAt: string }> = {},
  ) => ({
    id,
    doi: null,
    accession: 'idr0013',
    withdrawn: false,
    createdAt: '2024-01-01T00:00:00.000Z',
    ...patch,
  });
  const accession: ExtractedIdentifier = { type: 'idr', value: 'idr0013', raw: 'idr0013' };

  it.each([
    ['nothing found', accession, [], null],
    ['the dataset whose own DOI it is', doi, [candidate('a'), candidate('b', { doi: '10.5072/ABC' })], ['b', true]],
    ['an archive DOI listed on a dataset', doi, [candidate('a')], ['a', false]],
    [
      'the newest version',
      accession,
      [candidate('a'), candidate('b', { createdAt: '2024-06-01T00:00:00.000Z' })],
      ['b', false],
    ],
    [
      'a live one before a withdrawn one',
      accession,
      [candidate('a'), candidate('b', { createdAt: '2024-06-01T00:00:00.000Z', withdrawn: true })],
      ['a', false],
    ],
  ])('%s', (_name, identifier, candidates, expected) => {
    const picked = pickDatasetMatch(identifier, candidates);
    expect(picked === null ? null : [picked.dataset.id, picked.ownDoi]).toEqual(expected);
  });
});

describe('datasetIdFromUrl', () => {
  const id = '0b7c9a52-3f1e-4a39-9c57-6d2a1f1e2b3c';
  it.each([
    [`http://ledger.test/id/${id}`, id],
    [`http://ledger.test/v1/datasets/${id.toUpperCase()}/`, id],
    [`https://ledger.test/id/${id}`, null],
    [`http://other.test/id/${id}`, null],
    ['http://ledger.test/id/not-a-uuid', null],
    ['not a url', null],
  ])('%s -> %s', (url, expected) => {
    expect(datasetIdFromUrl(url, 'http://ledger.test')).toBe(expected);
  });

  it('respects a base path', () => {
    expect(datasetIdFromUrl(`https://x.org/ledger/id/${id}`, 'https://x.org/ledger')).toBe(id);
    expect(datasetIdFromUrl(`https://x.org/id/${id}`, 'https://x.org/ledger')).toBeNull();
  });
});

describe('normalizeReportDate', () => {
  it.each([
    ['2025-03-01', '2025-03-01'],
    ['2025-02-30', null],
    ['2025-03-01T10:00:00+02:00', '2025-03-01T08:00:00.000Z'],
    ['2025-03-01T10:00Z', '2025-03-01T10:00:00.000Z'],
    ['March 1, 2025', null],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeReportDate(input)).toBe(expected);
  });
});
