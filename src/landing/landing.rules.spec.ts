import { renderLandingPage } from './landing.rules.js';
import type { LandingView } from './landing.rules.js';

const view: LandingView = {
  id: 'f3b4',
  title: 'Mitotic <atlas> & "friends"',
  description: null,
  kind: 'image',
  creators: ['Hériché, J.-K.', "O'Brien, A."],
  publicationYear: 2010,
  license: 'CC-BY-4.0',
  licenseUrl: 'https://spdx.org/licenses/CC-BY-4.0.html',
  accession: { value: 'idr0013', url: 'https://idr.openmicroscopy.org/search/?query=Name:idr0013' },
  doi: '10.80000/abcd-efgh-12',
  doiState: 'findable',
  doiNotice: null,
  citation: 'Hériché, J.-K. (2010). Mitotic atlas.',
  derivedFrom: [],
  jsonLd: { '@id': 'x', name: '</script><script>alert(1)</script>' },
  links: {
    json: '/j',
    jsonLd: '/ld',
    roCrate: '/rc',
    metrics: '/m',
    credit: '/c',
    citation: '/cite',
    ledgerEntry: '/l',
  },
};

describe('renderLandingPage', () => {
  it('escapes text and cannot be broken out of by the embedded JSON-LD', () => {
    const html = renderLandingPage(view);
    expect(html).toContain('<h1>Mitotic &lt;atlas&gt; &amp; &quot;friends&quot;</h1>');
    expect(html).not.toContain('</script><script>alert(1)');
    expect(html).toContain('\\u003c/script>');
    expect(html).toContain('O&#39;Brien');
  });

  it.each([
    ['findable', '<a href="https://doi.org/10.80000/abcd-efgh-12">'],
    ['pending', '10.80000/abcd-efgh-12 <em>(pending)</em>'],
  ])('shows a %s DOI as %s', (doiState, expected) => {
    expect(renderLandingPage({ ...view, doiState })).toContain(expected);
  });

  it('links the accession to its archive', () => {
    expect(renderLandingPage(view)).toContain(
      '<a href="https://idr.openmicroscopy.org/search/?query=Name:idr0013">idr0013</a>',
    );
  });
});
