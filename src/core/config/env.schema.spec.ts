import { defaultEmbeddedPort, parseEnv } from './env.schema.js';

describe('parseEnv', () => {
  it('applies the documented defaults', () => {
    const config = parseEnv({});
    expect(config.PORT).toBe(3000);
    expect(config.DOI_PROVIDER).toBe('fake');
    expect(config.LEDGER_ORIGIN).toBe('ledger.localhost');
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.PUBLIC_BASE_URL).toBe('http://127.0.0.1:3000');
    expect(config.EMBEDDED_PG_PORT).not.toBe(5432);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL'],
    [{ DOI_PROVIDER: 'crossref' }, 'DOI_PROVIDER'],
    [{ DOI_PROVIDER: 'datacite' }, 'DATACITE_REPOSITORY_ID'],
    [{ LEDGER_ORIGIN: 'has space' }, 'LEDGER_ORIGIN'],
    [{ LEDGER_ADMIN_TOKEN: 'short' }, 'LEDGER_ADMIN_TOKEN'],
    [{ DATACITE_PREFIX: '11.1234' }, 'DATACITE_PREFIX'],
  ])('rejects %j naming %s', (env, name) => {
    expect(() => parseEnv(env)).toThrow(new RegExp(`${name}:`));
  });

  it('treats empty strings as unset', () => {
    expect(parseEnv({ DATABASE_URL: '', REDIS_URL: ' ' }).REDIS_URL).toBeUndefined();
  });

  it('derives distinct embedded ports for distinct data directories', () => {
    const a = defaultEmbeddedPort('/srv/a/.data');
    const b = defaultEmbeddedPort('/srv/b/.data');
    expect(a).not.toBe(b);
    expect(a).toBeGreaterThanOrEqual(20000);
    expect(a).toBeLessThan(40000);
  });
});
