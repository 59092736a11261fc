import { SignJWT } from 'jose';
import { BearerAuthenticator } from '../../src/auth/bearer-authenticator.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, jsonHeaders, type TestApp } from '../helpers/app.js';
import { pgliteFactory } from '../helpers/databases.js';
import { parseSse } from '../helpers/sse.js';
import { bearer, userWithToken } from '../helpers/users.js';

const SECRET = 'test-secret-that-is-long-enough-for-hs256!';
const ISSUER = 'https://id.example.test';
const AUDIENCE = 'chrysopedia';
const key = new TextEncoder().encode(SECRET);
const now = () => Math.floor(Date.now() / 1000);

interface JwtOptions {
  sub?: string | null;
  iss?: string;
  aud?: string;
  exp?: number | null;
  claims?: Record<string, unknown>;
  secret?: Uint8Array;
}

function jwt(o: JwtOptions = {}): Promise<string> {
  const t = new SignJWT(o.claims ?? {}).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setIssuer(o.iss ?? ISSUER).setAudience(o.aud ?? AUDIENCE);
  if (o.sub !== null) t.setSubject(o.sub ?? 'jwt-user');
  if (o.exp !== null) t.setExpirationTime(o.exp ?? now() + 300);
  return t.sign(o.secret ?? key);
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
/** An unsecured JWT (RFC 7519 §6): header alg "none", empty signature. */
const unsecuredJwt = (payload: Record<string, unknown>) => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`;

const doc = {
  creators: [{ slug: 'ivo-ash', name: 'Ivo Ash', genres: ['ambient'] }],
  videos: [
    {
      id: 'yt:ivo1',
      creator: 'ivo-ash',
      title: 'Granular pads',
      url: 'https://video.example/ivo1',
      passages: [{ start_seconds: 10, end_seconds: 60, technique: 'Granular synthesis', text: 'Freeze a grain and smear it.' }],
    },
  ],
};

describe('authentication (SPEC §5)', () => {
  let t: TestApp;
  let userToken: string;
  let adminToken: string;
  let revokedToken: string;

  beforeAll(async () => {
    t = await makeTestApp(await pgliteFactory.open(), { JWT_SECRET: SECRET, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE }, { skipDemo: true });
    userToken = await userWithToken(t.deps.users, 'uma');
    adminToken = await userWithToken(t.deps.users, 'root', 'admin');
    revokedToken = await userWithToken(t.deps.users, 'rex');
    await t.deps.users.revokeUserTokens('rex');
  });
  afterAll(async () => t.close());

  const chat = (headers: Record<string, string> = {}, body: unknown = { query: 'granular pads' }) =>
    t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: { ...jsonHeaders, ...headers }, payload: JSON.stringify(body) });

  const expectInvalidCredentials = (res: Awaited<ReturnType<typeof chat>>) => {
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.json()).toMatchObject({ error: 'Invalid credentials', code: 'invalid_credentials' });
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  };

  it('answers an anonymous chat when no Authorization header is sent', async () => {
    const res = await chat();
    expect(res.statusCode).toBe(200);
    expect(parseSse(res.body).events.at(-1)?.event).toBe('done');
  });

  it('answers a chat with a valid API token', async () => {
    const res = await chat(bearer(userToken));
    expect(res.statusCode).toBe(200);
  });

  it('accepts the Bearer scheme in any case', async () => {
    expect((await chat({ authorization: `bearer ${userToken}` })).statusCode).toBe(200);
  });

  it.each([
    ['an unknown API token', () => `Bearer chry_${'A'.repeat(43)}`],
    ['a revoked API token', () => `Bearer ${revokedToken}`],
    ['another scheme', () => `Basic ${Buffer.from('uma:pw').toString('base64')}`],
    ['a bare token without a scheme', () => userToken],
    ['Bearer with no token', () => 'Bearer '],
    ['an empty header', () => ''],
    ['garbage', () => 'Bearer not a token'],
  ])('refuses %s with 401, never as anonymous', async (_label, header) => {
    expectInvalidCredentials(await chat({ authorization: header() }));
  });

  it('validates the body before the credentials (SPEC §1 order)', async () => {
    const res = await chat({ authorization: 'Bearer nope' }, { query: '   ' });
    expect(res.statusCode).toBe(422);
  });

  it('refuses a bad credential on search too', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/search?q=granular', headers: { authorization: 'Bearer nope' } });
    expectInvalidCredentials(res);
  });

  describe('JWT (JWT_SECRET, HS256)', () => {
    it('accepts a valid JWT; its subject becomes a user on first sight, with role user', async () => {
      const token = await jwt({ sub: 'oidc|ann', claims: { name: 'Ann', role: 'admin' } });
      expect((await chat(bearer(token))).statusCode).toBe(200);
      expect(await t.deps.users.getUser('oidc|ann')).toMatchObject({ name: 'Ann', role: 'user' });
    });

    it.each([
      ['an expired JWT', () => jwt({ exp: now() - 120 })],
      ['a JWT signed with another secret', () => jwt({ secret: new TextEncoder().encode('x'.repeat(40)) })],
      ['an alg:none JWT', async () => unsecuredJwt({ sub: 'root', iss: ISSUER, aud: AUDIENCE, exp: now() + 300 })],
      ['a JWT from another issuer', () => jwt({ iss: 'https://evil.example' })],
      ['a JWT for another audience', () => jwt({ aud: 'someone-else' })],
      ['a JWT without sub', () => jwt({ sub: null })],
      ['a JWT without exp', () => jwt({ exp: null })],
      ['a JWT with its payload altered', async () => {
        const [h, , s] = (await jwt({ sub: 'uma' })).split('.');
        return `${h}.${b64({ sub: 'root', iss: ISSUER, aud: AUDIENCE, exp: now() + 300 })}.${s}`;
      }],
    ])('refuses %s with 401', async (_label, make) => {
      expectInvalidCredentials(await chat(bearer(await make())));
    });

    it('does not let a role claim make anyone an admin', async () => {
      const token = await jwt({ sub: 'climber', claims: { role: 'admin' } });
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/import', headers: { ...jsonHeaders, ...bearer(token) }, payload: doc });
      expect(res.statusCode).toBe(403);
    });

    it('honours the role an admin gave the subject in the database', async () => {
      await t.deps.users.ensureUser('oidc|ops', 'Ops');
      await t.deps.users.setRole('oidc|ops', 'admin');
      const token = await jwt({ sub: 'oidc|ops' });
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/import', headers: { ...jsonHeaders, ...bearer(token) }, payload: doc });
      expect(res.statusCode).toBe(200);
    });
  });

  it('refuses any JWT, even a well-signed one, when no JWT_SECRET or JWT_JWKS_URL is set', async () => {
    const apiTokensOnly = new BearerAuthenticator({ users: t.deps.users, jwt: null });
    await expect(apiTokensOnly.authenticate(`Bearer ${await jwt()}`)).rejects.toMatchObject({ status: 401, code: 'invalid_credentials' });
    await expect(apiTokensOnly.authenticate(`Bearer ${userToken}`)).resolves.toMatchObject({ id: 'uma', role: 'user' });
  });

  describe('POST /api/v1/import is admin-only', () => {
    const importDoc = (headers: Record<string, string>) =>
      t.app.inject({ method: 'POST', url: '/api/v1/import', headers: { ...jsonHeaders, ...headers }, payload: doc });

    it('is 401 without credentials', async () => {
      const res = await importDoc({});
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'unauthenticated' });
    });

    it('is 401 with a bad token', async () => {
      expectInvalidCredentials(await importDoc({ authorization: 'Bearer chry_wrong' }));
    });

    it('is 403 for a user token', async () => {
      const res = await importDoc(bearer(userToken));
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ error: 'Admin role required', code: 'forbidden' });
    });

    it('imports the document for an admin token', async () => {
      const res = await importDoc(bearer(adminToken));
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ imported: { creators: { inserted: expect.any(Number) } } });
      const creator = await t.app.inject({ method: 'GET', url: '/api/v1/creators/ivo-ash' });
      expect(creator.statusCode).toBe(200);
      expect(creator.json()).toMatchObject({ slug: 'ivo-ash', name: 'Ivo Ash' });
    });
  });
});
