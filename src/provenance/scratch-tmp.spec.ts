import { readFileSync } from 'node:fs';
import { createDocumentLoader } from '../core/jsonld/document-loader.js';
import { expandSafely, DEFAULT_EXPAND_LIMITS } from '../core/jsonld/safe-expand.js';
import { canonizeJsonLd } from '../core/jsonld/jsonld-processor.js';
import { ledgerContextUrl } from '../core/jsonld/context-urls.js';
import { extractGraph } from './provenance.rules.js';
import { buildRoCrate, RDF_BASE } from './ro-crate.rules.js';
import { buildProvJson } from './prov-json.rules.js';
it('scratch', async () => {
  const publicBaseUrl = 'https://ledger.example.org';
  const loader = createDocumentLoader('contexts', { publicBaseUrl });
  const doc = JSON.parse(readFileSync('test/fixtures/provenance/example-crate.jsonld', 'utf8'));
  const r = await expandSafely(doc, { ...DEFAULT_EXPAND_LIMITS, loader, base: RDF_BASE });
  if (!r.ok) throw new Error(JSON.stringify(r));
  const g = extractGraph(r.expanded, { publicBaseUrl, crateBase: RDF_BASE });
  if (!g.ok) { console.log(JSON.stringify(g.problems, null, 1)); return; }
  console.log(g.nodes.length, g.edges.length, JSON.stringify(g.nodes.map(n => n.type)));
  const root = g.nodes.find(n => n.type === 'FigurePanel')!.iri;
  const crate = buildRoCrate(root, g.nodes, g.edges, { ledgerContextUrl: ledgerContextUrl(publicBaseUrl), name: 'Provenance and credit record: example study idr0000 to Figure 2B', description: 'Ledger export tracing a figure panel back to the segmented and raw image data it was built from.', datePublished: '2024-06-20', license: 'https://spdx.org/licenses/CC-BY-4.0' });
  const a = await canonizeJsonLd(doc, { documentLoader: loader, base: RDF_BASE });
  const b = await canonizeJsonLd(crate, { documentLoader: loader, base: RDF_BASE });
  console.log(a === b);
  if (a !== b) {
    const A = new Set(a.split('\n')), B = new Set(b.split('\n'));
    console.log('only in example', [...A].filter(x => !B.has(x)).join('\n'));
    console.log('only in crate', [...B].filter(x => !A.has(x)).join('\n'));
  }
  (await import("node:fs")).writeFileSync("/tmp/example.prov.json", JSON.stringify(buildProvJson(g.nodes, g.edges, { publicBaseUrl }), null, 1));
});
