import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { JwtVerifier } from '../../src/auth/jwt-verifier.js';
import { AppError } from '../../src/errors.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, jsonHeaders, type TestApp } from '../helpers/app.js';
import { pgliteFactory } from '../helpers/databases.js';
import { bearer } from '../helpers/users.js';

const ISSUER = 'https://login.example.test/';
const AUDIENCE = 'chrysopedia-api';

/** A key set served over real HTTP on loopback, counting how often it is fetched. */
async function serveJwks(keys: JWK[]): Promise<{ url: string; fetches: () => number; server: Server }> {
  let fetches = 0;
  const server = createServer((req, res) => {
    fetches += 1;
    if (req.url !== '/.well-known/jwks.json') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/.well-known/jwks.json`, fetches: () => fetches, server };
}

async function signed(key: CryptoKey | Uint8Array, alg: string, kid: string | undefined, sub: string, o: { iss?: string; aud?: string } = {}) {
  return new SignJWT({ name: sub.toUpperCase() })
    .setProtectedHeader(kid ? { alg, kid } : { alg })
    .setSubject(sub)
    .setIssuer(o.iss ?? ISSUER)
    .setAudience(o.aud ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key);
}

describe('JWTs verified against a JWKS URL (RS256, ES256)', () => {
  let t: TestApp;
  let jwks: Awaited<ReturnType<typeof serveJwks>>;
  let rsa: { privateKey: CryptoKey; publicKey: CryptoKey };
  let ec: { privateKey: CryptoKey; publicKey: CryptoKey };
  let rsaPublicPem: string;

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256', { extractable: true });
    ec = await generateKeyPair('ES256');
    rsaPublicPem = await exportSPKI(rsa.publicKey);
    jwks = await serveJwks([
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ]);
    t = await makeTestApp(await pgliteFactory.open(), { JWT_JWKS_URL: jwks.url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE }, { skipDemo: true });
  });
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => jwks.server.close(resolve));
  });

  const chat = (token: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: { ...jsonHeaders, ...bearer(token) }, payload: { query: 'reverb tails' } });

  it('accepts an RS256 token signed by a key of the set, and fetches the set once for many requests', async () => {
    const res = await chat(await signed(rsa.privateKey, 'RS256', 'rsa-1', 'auth0|rita'));
    expect(res.statusCode).toBe(200);
    expect(await t.deps.users.getUser('auth0|rita')).toMatchObject({ name: 'AUTH0|RITA', role: 'user' });
    expect((await chat(await signed(rsa.privateKey, 'RS256', 'rsa-1', 'auth0|rita'))).statusCode).toBe(200);
    expect(jwks.fetches()).toBe(1);
  });

  it('accepts an ES256 token signed by a key of the set', async () => {
    expect((await chat(await signed(ec.privateKey, 'ES256', 'ec-1', 'ed'))).statusCode).toBe(200);
  });

  it.each([
    ['signed by a key not in the set, under a kid of the set', async () => signed((await generateKeyPair('RS256')).privateKey, 'RS256', 'rsa-1', 'mallory')],
    ['with a kid the set does not hold', async () => signed((await generateKeyPair('RS256')).privateKey, 'RS256', 'nope', 'mallory')],
    ['HS256-signed with the public key as the secret (algorithm confusion)', async () =>
      signed(new TextEncoder().encode(rsaPublicPem), 'HS256', 'rsa-1', 'mallory')],
    ['from another issuer', async () => signed(rsa.privateKey, 'RS256', 'rsa-1', 'mallory', { iss: 'https://evil.example/' })],
    ['for another audience', async () => signed(rsa.privateKey, 'RS256', 'rsa-1', 'mallory', { aud: 'other-api' })],
  ])('refuses a token %s with 401', async (_label, make) => {
    const res = await chat(await make());
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: 'Invalid credentials', code: 'invalid_credentials' });
    expect(await t.deps.users.getUser('mallory')).toBeNull();
  });
});

describe('JWTs when the JWKS URL does not answer', () => {
  it('are refused with 503 and Retry-After: a token that cannot be checked now is not known to be bad', async () => {
    // A port that was just free: nothing listens there any more.
    const gone = await serveJwks([]);
    await new Promise((resolve) => gone.server.close(resolve));
    const verifier = new JwtVerifier({ jwksUrl: gone.url });
    const { privateKey } = await generateKeyPair('RS256');
    const error = await verifier.verify(await signed(privateKey, 'RS256', 'k', 'someone')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 503, code: 'service_unavailable', extra: { retry_after: 5 }, headers: { 'Retry-After': '5' } });
  });
});
