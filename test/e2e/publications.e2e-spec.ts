import type pg from 'pg';
import { admin, createTestApp } from '../support/app.js';
import type { TestApp } from '../support/app.js';
import { connect } from '../support/db.js';
import { createActor, createOrganization, createPerson } from '../support/factories.js';
import type { Actor } from '../support/factories.js';

// Valid ORCID iDs (ISO 7064 MOD 11-2 check character computed by hand).
const ORCID_SILVA = 'https://orcid.org/0000-0003-4567-8125';
const ORCID_ROE = 'https://orcid.org/0000-0003-1111-222X';

describe('publications (e2e)', () => {
  let t: TestApp;
  let db: pg.Client;
  let depositor: Actor;

  const ledgerSize = async (): Promise<string> =>
    (await db.query<{ size: string }>('SELECT size FROM ledger_head')).rows[0].size;
  const count = async (table: 'publications' | 'agents' | 'graph_nodes'): Promise<number> =>
    Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

  beforeAll(async () => {
    t = await createTestApp();
    db = await connect(t.db.url);
    depositor = await createActor(t, ['depositor']);
  });

  afterAll(async () => {
    await db.end();
    await t.close();
  });

  it('registers CSL-JSON, links an author to the agent with her ORCID and creates the others', async () => {
    const silva = await createPerson(t, { givenName: 'Ana', familyName: 'Silva', orcid: '0000-0003-4567-8125' });
    const agentsBefore = await count('agents');
    const res = await t.http
      .post('/v1/publications')
      .set(depositor.headers)
      .send({
        csl: {
          type: 'article-journal',
          title: 'Deep phenotyping of mitotic cells',
          'container-title': 'Nature Methods',
          DOI: 'https://doi.org/10.5555/Pub.One',
          issued: { 'date-parts': [[2021, 3, 4]] },
          author: [
            { family: 'Silva', given: 'A. M.', ORCID: ORCID_SILVA },
            { family: 'Doe', given: 'Jane' },
          ],
        },
      })
      .expect(201);
    expect(res.body).toMatchObject({
      doi: '10.5555/pub.one',
      iri: 'https://doi.org/10.5555/pub.one',
      title: 'Deep phenotyping of mitotic cells',
      issued: '2021-03-04',
      containerTitle: 'Nature Methods',
      metadataStatus: 'complete',
      createdBy: depositor.id,
      authors: [
        { family: 'Silva', given: 'A. M.', orcid: ORCID_SILVA, agentId: silva.id },
        { family: 'Doe', given: 'Jane' },
      ],
    });
    expect(BigInt(res.body.receipt.treeSize)).toBeGreaterThan(BigInt(res.body.receipt.seq));
    // Only Jane Doe is new.
    expect(await count('agents')).toBe(agentsBefore + 1);
    const doe = await t.http.get(`/v1/agents/${res.body.authors[1].agentId}`).expect(200);
    expect(doe.body).toMatchObject({ kind: 'person', name: 'Jane Doe', givenName: 'Jane', familyName: 'Doe' });

    const entry = await t.http.get(`/v1/ledger/entries/${res.body.receipt.seq}`).expect(200);
    expect(entry.body.kind).toBe('publication.registered');
    expect(entry.body.payload).toMatchObject({ id: res.body.id, doi: '10.5555/pub.one', metadataStatus: 'complete' });

    const node = await db.query('SELECT type, iri, occurred_at, ledger_seq FROM graph_nodes WHERE id = $1', [
      res.body.id,
    ]);
    expect(node.rows[0]).toMatchObject({
      type: 'Publication',
      iri: 'https://doi.org/10.5555/pub.one',
      ledger_seq: res.body.receipt.seq,
    });
    expect((node.rows[0].occurred_at as Date).toISOString()).toBe('2021-03-04T00:00:00.000Z');
    const edges = await db.query(
      `SELECT e.target_id, e.properties->>'position' AS position, n.type FROM graph_edges e JOIN graph_nodes n ON n.id = e.target_id
       WHERE e.source_id = $1 AND e.relation = 'wasAttributedTo' ORDER BY position`,
      [res.body.id],
    );
    expect(edges.rows).toEqual([
      { target_id: silva.id, position: '0', type: 'Person' },
      { target_id: res.body.authors[1].agentId, position: '1', type: 'Person' },
    ]);

    const got = await t.http.get(`/v1/publications/${res.body.id}`).expect(200);
    expect(got.body).toMatchObject({ id: res.body.id, doi: '10.5555/pub.one', authors: res.body.authors });
    expect(got.body.receipt).toBeUndefined();
  });

  it('parses BibTeX offline, keeping the surname particle in the family name', async () => {
    const res = await t.http
      .post('/v1/publications')
      .set(depositor.headers)
      .send({
        bibtex: `@article{chaumont2012, title={Icy: an open bioimage informatics platform}, author={de Chaumont, Fabrice and Roe, Richard},
          journal={Nature Methods}, year={2012}, month={jun}, doi={10.5555/ICY.2012}}`,
      })
      .expect(201);
    expect(res.body).toMatchObject({
      doi: '10.5555/icy.2012',
      title: 'Icy: an open bioimage informatics platform',
      issued: '2012-06',
      authors: [
        { family: 'de Chaumont', given: 'Fabrice' },
        { family: 'Roe', given: 'Richard' },
      ],
    });
  });

  it('parses RIS and puts a linked agent in the place of the author with her name, with the ORCID only it knows', async () => {
    const emilie = await createPerson(t, {
      givenName: 'Émilie',
      familyName: 'de Chaumont',
      name: 'Émilie de Chaumont',
    });
    const roe = await createPerson(t, { givenName: 'Richard', familyName: 'Roe', orcid: ORCID_ROE });
    const agentsBefore = await count('agents');
    const res = await t.http
      .post('/v1/publications')
      .set(depositor.headers)
      .send({
        ris: 'TY  - JOUR\nTI  - Tracking mice in groups\nAU  - Lee, Min\nAU  - De Chaumont, E.\nPY  - 2019/11/20\nER  - \n',
        authors: [roe.id, emilie.id],
      })
      .expect(201);
    expect(res.body).toMatchObject({
      doi: null,
      issued: '2019-11-20',
      authors: [
        { family: 'Lee', given: 'Min' },
        { family: 'De Chaumont', given: 'E.', agentId: emilie.id },
        { family: 'Roe', given: 'Richard', orcid: ORCID_ROE, agentId: roe.id },
      ],
    });
    expect(res.body.iri).toBe(`http://ledger.test/id/${res.body.id}`);
    expect(await count('agents')).toBe(agentsBefore + 1);
  });

  it('stores a DOI alone as metadata pending, and answers a second registration of it with 200 and nothing written', async () => {
    const author = await createPerson(t);
    const res = await t.http
      .post('/v1/publications')
      .set(depositor.headers)
      .send({ doi: 'doi:10.5555/Only.A.DOI', authors: [author.id] })
      .expect(201);
    expect(res.body).toMatchObject({
      doi: '10.5555/only.a.doi',
      title: null,
      issued: null,
      metadataStatus: 'pending',
      csl: null,
    });
    expect(res.body.authors).toEqual([expect.objectContaining({ agentId: author.id })]);
    const node = await db.query('SELECT type, label, occurred_at FROM graph_nodes WHERE id = $1', [res.body.id]);
    expect(node.rows[0]).toEqual({ type: 'Publication', label: '10.5555/only.a.doi', occurred_at: null });

    const size = await ledgerSize();
    const publications = await count('publications');
    for (const body of [
      { doi: 'https://doi.org/10.5555/ONLY.A.DOI' },
      { csl: { title: 'Other', DOI: '10.5555/only.a.doi' } },
    ]) {
      const again = await t.http.post('/v1/publications').set(depositor.headers).send(body).expect(200);
      expect(again.body.id).toBe(res.body.id);
      expect(again.body.metadataStatus).toBe('pending');
      expect(again.body.receipt.seq).toBe(res.body.receipt.seq);
      expect(again.body.receipt.leafHash).toBe(res.body.receipt.leafHash);
    }
    expect(await ledgerSize()).toBe(size);
    expect(await count('publications')).toBe(publications);
  });

  it('looks a publication up by DOI in any form, and lists by author with a cursor', async () => {
    const author = await createPerson(t);
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      const res = await t.http
        .post('/v1/publications')
        .set(depositor.headers)
        .send({ doi: `10.5555/LIST.${n}`, authors: [author.id] })
        .expect(201);
      ids.push(res.body.id as string);
    }
    const byDoi = await t.http.get('/v1/publications').query({ doi: 'https://doi.org/10.5555/list.2' }).expect(200);
    expect(byDoi.body.items.map((p: { id: string }) => p.id)).toEqual([ids[1]]);
    const first = await t.http.get(`/v1/publications?author=${author.id}&limit=2`).expect(200);
    expect(first.body.items.map((p: { id: string }) => p.id)).toEqual([ids[2], ids[1]]);
    const second = await t.http
      .get(`/v1/publications?author=${author.id}&limit=2&cursor=${first.body.nextCursor}`)
      .expect(200);
    expect(second.body.items.map((p: { id: string }) => p.id)).toEqual([ids[0]]);
    expect(second.body.nextCursor).toBeNull();
    await t.http.get('/v1/publications?doi=not-a-doi').expect(400);
  });

  describe('refusals write nothing', () => {
    let organization: string;

    beforeAll(async () => {
      organization = (await createOrganization(t)).id;
    });

    it.each<[string, number, string, () => Record<string, unknown>, RegExp | null]>([
      ['a malformed DOI', 400, 'INVALID_DOI', () => ({ doi: '11.1234/abc' }), null],
      ['a DOI without suffix', 400, 'INVALID_DOI', () => ({ doi: '10.1234/' }), null],
      ['truncated BibTeX', 422, 'BIBTEX_PARSE_ERROR', () => ({ bibtex: '@article{x, title={Segmentation' }), /EOF/],
      [
        'two BibTeX entries',
        422,
        'BIBTEX_PARSE_ERROR',
        () => ({ bibtex: '@misc{a, title={A}}\n@misc{b, title={B}}' }),
        /found 2/,
      ],
      ['text that is not RIS', 422, 'RIS_PARSE_ERROR', () => ({ ris: 'hello world' }), /No RIS record/],
      [
        'CSL with an author that is not a list',
        422,
        'CSL_INVALID',
        () => ({ csl: { title: 'x', author: 'Doe' } }),
        null,
      ],
      [
        'CSL without a title',
        422,
        'CSL_INVALID',
        () => ({ csl: { type: 'article', DOI: '10.5555/untitled' } }),
        /no title/,
      ],
      ['nothing at all', 400, 'METADATA_MISSING', () => ({}), null],
      [
        'a DOI that contradicts the metadata',
        400,
        'DOI_MISMATCH',
        () => ({ doi: '10.5555/a', csl: { title: 'x', DOI: '10.5555/b' } }),
        null,
      ],
      [
        'an organization as author',
        422,
        'AUTHOR_NOT_A_PERSON',
        () => ({ doi: '10.5555/org-author', authors: [organization] }),
        null,
      ],
      [
        'an unknown author agent',
        404,
        'AGENT_NOT_FOUND',
        () => ({ doi: '10.5555/ghost', authors: ['00000000-0000-4000-8000-000000000000'] }),
        null,
      ],
      ['an unknown field', 400, 'UNKNOWN_FIELD', () => ({ doi: '10.5555/typo', author: [] }), null],
    ])('%s -> %i %s', async (_, status, code, body, detail) => {
      const size = await ledgerSize();
      const publications = await count('publications');
      const agents = await count('agents');
      const res = await t.http.post('/v1/publications').set(depositor.headers).send(body());
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe(code);
      if (detail) expect(res.body.detail).toMatch(detail);
      expect(await ledgerSize()).toBe(size);
      expect(await count('publications')).toBe(publications);
      expect(await count('agents')).toBe(agents);
    });

    it('needs a token with the depositor or curator role', async () => {
      await t.http.post('/v1/publications').send({ doi: '10.5555/anon' }).expect(401);
      const funder = await createActor(t, ['funder']);
      const res = await t.http.post('/v1/publications').set(funder.headers).send({ doi: '10.5555/funder' }).expect(403);
      expect(res.body.code).toBe('FORBIDDEN_ROLE');
      await t.http.post('/v1/publications').set(admin).send({ doi: '10.5555/by-admin' }).expect(201);
    });
  });

  it('answers 404 for an unknown publication and 400 for a malformed id', async () => {
    const missing = await t.http.get('/v1/publications/00000000-0000-4000-8000-000000000000').expect(404);
    expect(missing.body.code).toBe('PUBLICATION_NOT_FOUND');
    const bad = await t.http.get('/v1/publications/not-a-uuid').expect(400);
    expect(bad.body.code).toBe('INVALID_ID');
  });
});
