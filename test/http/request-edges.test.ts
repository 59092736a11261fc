import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonHeaders, makeTestApp, type TestApp } from '../helpers/app.js';
import { pgliteFactory } from '../helpers/databases.js';
import { parseSse } from '../helpers/sse.js';
import { bearer, userWithToken } from '../helpers/users.js';

let t: TestApp;
let port: number;
let alice: string;
beforeAll(async () => {
  t = await makeTestApp(await pgliteFactory.open(), { RATE_LIMIT_USER_PER_HOUR: '7', RATE_LIMIT_IP_PER_HOUR: '1000' });
  alice = await userWithToken(t.deps.users, 'edges-alice');
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as AddressInfo).port;
});
afterAll(async () => t.close());

/** Sends raw bytes and returns the raw response: what Node's parser refuses never reaches a route. */
function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    let out = '';
    socket.on('data', (d) => (out += d.toString()));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
}

const bodyOf = (response: string) => JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;

describe('requests refused before any route still get the JSON error family', () => {
  it('a path whose percent-escapes do not decode: 400 malformed_url with a request id, the path not echoed', async () => {
    for (const url of ['/api/v1/creators/%', '/api/v1/conversations/%E0', '/api/v1/chat/%zz/stop']) {
      const res = await t.app.inject({ method: url.endsWith('stop') ? 'POST' : 'GET', url });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'Malformed URL', code: 'malformed_url', request_id: expect.any(String) });
      expect(res.headers['x-request-id']).toBe(res.json().request_id);
    }
  });

  it('a Content-Length that lies, or headers too large: our JSON body and a request id, on the raw socket', async () => {
    const lying = await raw('POST /api/v1/chat HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}');
    expect(lying).toMatch(/^HTTP\/1\.1 400 /);
    expect(bodyOf(lying)).toEqual({ error: 'Malformed HTTP request', code: 'malformed_request', request_id: expect.any(String) });
    expect(lying).toMatch(new RegExp(`X-Request-Id: ${String(bodyOf(lying).request_id)}`));

    const huge = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    expect(bodyOf(huge)).toMatchObject({ code: 'headers_too_large' });
  });
});

describe('chat and search take what forms and fetch send', () => {
  it('a JSON body sent as text/plain (fetch with no Content-Type) is a 415 naming the type, not a 422 about a string', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: { 'content-type': 'text/plain;charset=UTF-8' }, payload: '{"query":"kick"}' });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ code: 'unsupported_media_type', error: 'Content-Type must be application/json' });
  });

  it('an empty creator is the whole knowledge base, as in the seed, for chat and search', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: jsonHeaders, payload: { query: 'sidechain compression', creator: '' } });
    expect(res.statusCode).toBe(200);
    const done = parseSse(res.body).events.at(-1);
    expect(done?.data).toMatchObject({ cascade_tier: 'global' });
    const search = await t.app.inject({ url: '/api/v1/search?q=sidechain&creator=' });
    expect(search.statusCode).toBe(200);
    expect(search.json().cascade_tier).toBe('global');
  });

  it('a search limit out of range says the range', async () => {
    for (const limit of ['0', '51', '-3']) {
      const res = await t.app.inject({ url: `/api/v1/search?q=kick&limit=${limit}` });
      expect(res.statusCode).toBe(422);
      expect(res.json().details).toEqual([{ field: 'limit', message: 'must be between 1 and 50' }]);
    }
    const twice = await t.app.inject({ url: '/api/v1/search?q=kick&q=snare' });
    expect(twice.json().details).toEqual([{ field: 'q', message: 'is required, once' }]);
  });
});

describe("a signed-in user's refused chat carries their own limit's headers", () => {
  it('422 and 400 before authentication show the user limit, not the IP one', async () => {
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: { ...jsonHeaders, ...bearer(alice) }, payload: { query: 'kick' } });
    expect(ok.headers['ratelimit-limit']).toBe('7');
    expect(ok.headers['ratelimit-remaining']).toBe('6');
    for (const payload of [{ query: '' }, '{"query":']) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: { ...jsonHeaders, ...bearer(alice) }, payload });
      expect([400, 422]).toContain(res.statusCode);
      expect(res.headers['ratelimit-limit']).toBe('7');
      expect(res.headers['ratelimit-remaining']).toBe('6');
    }
    // Anonymous, the same refusal shows the IP limit.
    const anonymous = await t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: jsonHeaders, payload: { query: '' } });
    expect(anonymous.headers['ratelimit-limit']).toBe('1000');
  });
});

describe('import', () => {
  it('refuses an anonymous caller before reading the body', async () => {
    // Were the body read first, this would be a 400 (malformed) or a 413; the caller is settled first.
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/import', headers: jsonHeaders, payload: '{"creators": [' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'unauthenticated' });
  });

  it('lists every problem of a bad document at once, shape and cross-document alike, as the CLI does', async () => {
    const admin = await userWithToken(t.deps.users, 'edges-admin', 'admin');
    const video = (id: string, creator: string) => ({ id, creator, title: 'T', url: 'https://v.example/a', passages: [{ start_seconds: 10, end_seconds: 5, text: 'x' }] });
    const doc = { creators: [{ slug: 'ana', name: '' }], videos: [video('v1', 'ana'), video('v1', 'nobody')] };
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/import', headers: { ...jsonHeaders, ...bearer(admin) }, payload: doc });
    expect(res.statusCode).toBe(422);
    const paths = (res.json().details as { path: string }[]).map((d) => d.path);
    // The empty name is a problem of shape; the rest only show when the rules across the document run too.
    expect(paths).toEqual(expect.arrayContaining(['$.creators[0].name', '$.videos[1].id', '$.videos[1].creator', '$.videos[0].passages[0].end_seconds']));
    expect((await t.app.inject({ url: '/api/v1/creators/ana' })).statusCode).toBe(404);
  });
});
