import { escapeHtml, jsonForScript } from '../core/http/html.js';

/** What a dataset's landing page shows; plain data so the page can be golden-tested without a server. */
export interface LandingView {
  id: string;
  title: string;
  description: string | null;
  kind: 'image' | 'derived';
  creators: string[];
  publicationYear: number;
  license: string;
  licenseUrl: string | null;
  accession: { value: string; url: string | null } | null;
  doi: string | null;
  doiState: string;
  doiNotice: string | null;
  citation: string;
  derivedFrom: Array<{ id: string; title: string }>;
  jsonLd: unknown;
  links: {
    json: string;
    jsonLd: string;
    roCrate: string;
    metrics: string;
    credit: string;
    citation: string;
    ledgerEntry: string;
  };
}

/**
 * The landing page DataCite records point at (DataCite `url`): human-readable metadata, the recommended citation, and
 * the dataset's JSON-LD embedded for machines (as repositories do for dataset search engines).
 */
export function renderLandingPage(view: LandingView): string {
  const e = escapeHtml;
  const doiLine =
    view.doi && view.doiState === 'findable'
      ? `<a href="https://doi.org/${e(view.doi)}">https://doi.org/${e(view.doi)}</a>`
      : view.doi
        ? `${e(view.doi)} <em>(${e(view.doiState)}${view.doiNotice ? `: ${e(view.doiNotice)}` : ''})</em>`
        : '<em>none yet</em>';
  const rows: Array<[string, string]> = [
    ['Creators', view.creators.map(e).join('; ')],
    ['Year', String(view.publicationYear)],
    ['Type', view.kind === 'image' ? 'Microscopy image set' : 'Derived image features'],
    ['DOI', doiLine],
    ['Licence', view.licenseUrl ? `<a href="${e(view.licenseUrl)}">${e(view.license)}</a>` : e(view.license)],
  ];
  if (view.accession) {
    rows.push([
      'Accession',
      view.accession.url
        ? `<a href="${e(view.accession.url)}">${e(view.accession.value)}</a>`
        : e(view.accession.value),
    ]);
  }
  if (view.derivedFrom.length > 0) {
    rows.push([
      'Derived from',
      view.derivedFrom.map((d) => `<a href="/datasets/${e(d.id)}">${e(d.title)}</a>`).join('<br>'),
    ]);
  }
  const l = view.links;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(view.title)}</title>
<link rel="alternate" type="application/ld+json" href="${e(l.jsonLd)}">
<script type="application/ld+json">${jsonForScript(view.jsonLd)}</script>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}th{text-align:left;padding-right:1rem;vertical-align:top}blockquote{background:#f4f4f4;padding:.75rem 1rem;margin:1rem 0}</style>
</head>
<body>
<h1>${e(view.title)}</h1>
${view.description ? `<p>${e(view.description)}</p>` : ''}
<table>${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>
<h2>Cite as</h2>
<blockquote>${e(view.citation)}</blockquote>
<p>Other formats: <a href="${e(l.citation)}?style=bibtex">BibTeX</a> · <a href="${e(l.citation)}?style=ris">RIS</a> · <a href="${e(l.citation)}?style=csl">CSL-JSON</a></p>
<h2>Provenance and credit</h2>
<ul>
<li><a href="${e(l.metrics)}">Reuse and citation metrics</a> · <a href="${e(l.credit)}">transitive credit with ledger proofs</a></li>
<li><a href="${e(l.roCrate)}">RO-Crate</a> · <a href="${e(l.jsonLd)}">JSON-LD</a> · <a href="${e(l.json)}">JSON</a></li>
<li><a href="${e(l.ledgerEntry)}">Deposit entry in the ledger</a></li>
</ul>
</body>
</html>
`;
}
