import { randomUUID } from 'node:crypto';
import { createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';
import { createActor, depositDataset } from '../support/factories.js';

describe('perf', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });
  it('10k images and a 1500-node document', async () => {
    const a = await createActor(t, ['depositor']);
    const d = (await depositDataset(t, a)).id;
    const images = Array.from({ length: 10000 }, (_, i) => ({ path: `p/w${i}.tif` }));
    let t0 = Date.now();
    const res = await t.http.post(`/v1/datasets/${d}/images`).set(a.headers).send({ images });
    console.log('images', res.status, res.body.created, Date.now() - t0, 'ms', JSON.stringify(images).length);
    t0 = Date.now();
    const nodes = await t.http.get(`/v1/nodes/${d}/ro-crate`);
    console.log('crate', nodes.status, Date.now() - t0, 'ms', nodes.text.length);
    const graph: unknown[] = [];
    const person = `http://ledger.test/id/${a.id}`;
    let prev: string | null = null;
    for (let i = 0; i < 500; i++) {
      const id = `http://ledger.test/id/${randomUUID()}`;
      graph.push({ '@id': id, '@type': ['Dataset', 'prov:Entity', 'ImageDataset'], name: `d${i}`, license: { '@id': 'https://spdx.org/licenses/CC0-1.0' }, creator: { '@id': person }, ...(prev ? { wasDerivedFrom: { '@id': prev } } : {}) });
      prev = id;
    }
    t0 = Date.now();
    const imp = await t.http.post('/v1/provenance').set(a.headers).set('content-type', 'application/ld+json').send(JSON.stringify({ '@context': 'http://ledger.test/contexts/ledger/v1.jsonld', '@graph': graph }));
    console.log('import', imp.status, Date.now() - t0, 'ms', JSON.stringify(imp.body).slice(0, 300));
    t0 = Date.now();
    const lin = await t.http.get(`/v1/nodes/${(prev as string).slice(-36)}/lineage?depth=50`);
    console.log('lineage', lin.status, Date.now() - t0, 'ms', lin.headers['ledger-lineage-truncated']);
    t0 = Date.now();
    const again = await t.http.post('/v1/provenance').set(a.headers).set('content-type', 'application/ld+json').send(JSON.stringify({ '@context': 'http://ledger.test/contexts/ledger/v1.jsonld', '@graph': graph }));
    console.log('again', again.status, Date.now() - t0, 'ms');
  });
});
