import { fileURLToPath } from 'node:url';

import { ledgerContextUrl } from './context-urls.js';
import { RemoteContextForbiddenError, createDocumentLoader } from './document-loader.js';
import type { DocumentLoader, JsonObject, JsonValue, RemoteDocument } from './jsonld-processor.js';
import { DEFAULT_EXPAND_LIMITS, expandSafely, measureJson } from './safe-expand.js';

const CONTEXTS_DIR = fileURLToPath(new URL('../../../contexts/', import.meta.url));
const BASE = 'https://ledger.example.org';
const CONTEXT = ledgerContextUrl(BASE);
const shipped = createDocumentLoader(CONTEXTS_DIR, { publicBaseUrl: BASE });

function countingLoader(inner: DocumentLoader = shipped): { loader: DocumentLoader; calls: () => number } {
  let calls = 0;
  return {
    loader: (url: string) => {
      calls += 1;
      return inner(url);
    },
    calls: () => calls,
  };
}

const grantIri = (n: number): string =>
  `https://ledger.example.org/id/00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

function grants(count: number): JsonObject {
  return {
    '@context': CONTEXT,
    '@graph': Array.from({ length: count }, (_, n) => ({ '@id': grantIri(n), '@type': 'Grant', name: `Grant ${n}` })),
  };
}

function nested(depth: number): JsonObject {
  let value: JsonObject = { name: 'innermost' };
  for (let level = 1; level < depth; level += 1) value = { about: value };
  return value;
}

describe('measureJson', () => {
  it.each([
    [{}, 1, 1],
    [[], 0, 1],
    [{ a: { b: [1, 2] } }, 2, 3],
    [[[[{}]]], 1, 4],
    [{ a: [{ b: null }, { c: 'x' }] }, 3, 3],
  ])('counts %j as %i objects, depth %i', (value, objects, depth) => {
    expect(measureJson(value, { maxNodes: 100, maxDepth: 100 })).toEqual({
      objects,
      depth,
      exceeded: null,
      invalid: null,
    });
  });

  it('stops at the first object past the limit', () => {
    const shape = measureJson(grants(10_000), { maxNodes: 5000, maxDepth: 32 });
    expect(shape.exceeded).toBe('objects');
    expect(shape.objects).toBe(5001);
  });

  it('walks 100,000 levels without recursion', () => {
    let value: JsonValue = 'leaf';
    for (let level = 0; level < 100_000; level += 1) value = [value];
    expect(measureJson(value, { maxNodes: 10, maxDepth: 200_000 })).toEqual({
      objects: 0,
      depth: 100_000,
      exceeded: null,
      invalid: null,
    });
  });

  it.each([
    ['undefined', { a: undefined }],
    ['a Date', { a: new Date(0) }],
    ['a function', { a: () => 1 }],
    ['Infinity', { a: Number.POSITIVE_INFINITY }],
  ])('flags %s as not JSON', (_label, value) => {
    expect(measureJson(value, { maxNodes: 10, maxDepth: 10 }).invalid).not.toBeNull();
  });

  it('flags a cyclic structure', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(measureJson(cyclic, { maxNodes: 10, maxDepth: 10 }).invalid).toMatch(/cyclic/);
  });
});

describe('expandSafely', () => {
  it('expands a valid document to absolute IRIs', async () => {
    const outcome = await expandSafely(
      { '@context': CONTEXT, '@id': grantIri(1), '@type': 'Grant', name: 'Nuclear mechanics', dataPolicy: 'wellcome' },
      { ...DEFAULT_EXPAND_LIMITS, loader: shipped },
    );
    expect(outcome).toEqual({
      ok: true,
      expanded: [
        {
          '@id': grantIri(1),
          '@type': ['http://schema.org/Grant'],
          'http://schema.org/name': [{ '@value': 'Nuclear mechanics' }],
          'https://ledger.example.org/ns#dataPolicy': [{ '@value': 'wellcome' }],
        },
      ],
    });
  });

  it('rejects a 10,000-node document over a 5,000 limit before jsonld runs', async () => {
    const { loader, calls } = countingLoader();
    const outcome = await expandSafely(grants(10_000), { maxNodes: 5000, maxDepth: 32, timeoutMs: 2000, loader });
    expect(outcome).toEqual({ ok: false, error: { code: 'JSONLD_TOO_LARGE', detail: 'more than 5000 JSON objects' } });
    expect(calls()).toBe(0);

    // The same document within a larger limit does reach jsonld (which loads the context).
    const within = await expandSafely(grants(10_000), { maxNodes: 20_000, maxDepth: 32, timeoutMs: 10_000, loader });
    expect(within.ok && within.expanded).toHaveLength(10_000);
    expect(calls()).toBe(1);
  });

  it('rejects deep nesting before jsonld runs', async () => {
    const { loader, calls } = countingLoader();
    const doc = { '@context': CONTEXT, '@id': grantIri(1), '@type': 'Grant', ...nested(100) };
    const outcome = await expandSafely(doc, { ...DEFAULT_EXPAND_LIMITS, loader });
    expect(outcome).toEqual({ ok: false, error: { code: 'JSONLD_TOO_DEEP', detail: 'nesting deeper than 32 levels' } });
    expect(calls()).toBe(0);
  });

  it('gives up after the time budget when a context never arrives', async () => {
    const hanging: DocumentLoader = () => new Promise<RemoteDocument>(() => undefined);
    const started = Date.now();
    const outcome = await expandSafely(
      { '@context': CONTEXT, name: 'x' },
      { ...DEFAULT_EXPAND_LIMITS, timeoutMs: 50, loader: hanging },
    );
    expect(outcome).toEqual({ ok: false, error: { code: 'JSONLD_TIMEOUT', detail: 'expansion exceeded 50 ms' } });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it.each([
    ['a term no context defines', { '@context': CONTEXT, '@id': grantIri(1), colour: 'red' }, { property: 'colour' }],
    ['a relative @id', { '@context': CONTEXT, '@id': 'grants/1', name: 'x' }, { node: 'grants/1' }],
    ['an undefined @type', { '@context': CONTEXT, '@id': grantIri(1), '@type': 'Funding' }, {}],
  ])('reports %s as JSONLD_INVALID', async (_label, doc, extra) => {
    const outcome = await expandSafely(doc, { ...DEFAULT_EXPAND_LIMITS, loader: shipped });
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error).toMatchObject({ code: 'JSONLD_INVALID', ...extra });
  });

  it.each([
    ['a string (jsonld would fetch it as a URL)', 'https://ledger.example.org/doc.jsonld'],
    ['null', null],
    ['a number', 42],
  ])('refuses %s without calling the loader', async (_label, doc) => {
    const { loader, calls } = countingLoader();
    const outcome = await expandSafely(doc, { ...DEFAULT_EXPAND_LIMITS, loader });
    expect(!outcome.ok && outcome.error.code).toBe('JSONLD_INVALID');
    expect(calls()).toBe(0);
  });

  it('recognises a loader that refuses asynchronously', async () => {
    const url = 'https://schema.org/';
    const rejecting: DocumentLoader = (requested) => Promise.reject(new RemoteContextForbiddenError(requested));
    const outcome = await expandSafely({ '@context': url, name: 'x' }, { ...DEFAULT_EXPAND_LIMITS, loader: rejecting });
    expect(outcome).toEqual({
      ok: false,
      error: { code: 'REMOTE_CONTEXT_FORBIDDEN', detail: `context not shipped: ${url}`, url },
    });
  });

  it('resolves relative IRIs against a given base', async () => {
    const base = 'arcp://uuid,00000000-0000-0000-0000-000000000000/';
    const outcome = await expandSafely(
      { '@context': CONTEXT, '@id': './', name: 'root' },
      { ...DEFAULT_EXPAND_LIMITS, loader: shipped, base },
    );
    expect(outcome.ok && outcome.expanded[0]?.['@id']).toBe(base);
  });
});
