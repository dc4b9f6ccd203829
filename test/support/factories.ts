import { randomBytes } from 'node:crypto';
import { admin } from './app.js';
import type { TestApp } from './app.js';

/** Builds state through the public API only (never by writing rows), with fresh names per call. */
export function uniqueName(prefix: string): string {
  return `${prefix} ${randomBytes(3).toString('hex')}`;
}

export interface Actor {
  id: string;
  token: string;
  headers: { Authorization: string };
}

export async function createPerson(
  t: TestApp,
  fields: { name?: string; givenName?: string; familyName?: string; orcid?: string; affiliations?: string[] } = {},
): Promise<{ id: string; body: Record<string, unknown> }> {
  const familyName = fields.familyName ?? uniqueName('Family').replace(' ', '');
  const givenName = fields.givenName ?? 'Alex';
  const res = await t.http
    .post('/v1/agents')
    .set(admin)
    .send({ kind: 'person', name: fields.name ?? `${givenName} ${familyName}`, givenName, familyName, ...fields });
  if (res.status !== 201) throw new Error(`createPerson failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id as string, body: res.body as Record<string, unknown> };
}

export async function createOrganization(
  t: TestApp,
  fields: { name?: string; ror?: string } = {},
): Promise<{ id: string }> {
  const res = await t.http
    .post('/v1/agents')
    .set(admin)
    .send({ kind: 'organization', name: fields.name ?? uniqueName('Institute'), ...fields });
  if (res.status !== 201) throw new Error(`createOrganization failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id as string };
}

/** A person with an API key holding the given roles. */
export async function createActor(
  t: TestApp,
  roles: string[],
  fields: Parameters<typeof createPerson>[1] = {},
): Promise<Actor> {
  const person = await createPerson(t, fields);
  const key = await t.http.post('/v1/api-keys').set(admin).send({ agentId: person.id, roles });
  if (key.status !== 201) throw new Error(`createActor failed: ${key.status} ${JSON.stringify(key.body)}`);
  return {
    id: person.id,
    token: key.body.token as string,
    headers: { Authorization: `Bearer ${key.body.token as string}` },
  };
}

export async function depositDataset(
  t: TestApp,
  as: Actor,
  fields: Record<string, unknown> = {},
): Promise<{ id: string; body: Record<string, unknown> }> {
  const res = await t.http
    .post('/v1/datasets')
    .set(as.headers)
    .send({ kind: 'image', title: uniqueName('Dataset'), creators: [as.id], license: 'CC-BY-4.0', ...fields });
  if (res.status !== 201) throw new Error(`depositDataset failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id as string, body: res.body as Record<string, unknown> };
}
