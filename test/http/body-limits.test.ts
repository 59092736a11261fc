import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAT_BODY_LIMIT } from '../../src/http/chat.js';
import { IMPORT_BODY_LIMIT } from '../../src/http/import.js';
import { jsonHeaders, makeTestApp, type TestApp } from '../helpers/app.js';
import { pgliteFactory } from '../helpers/databases.js';
import { bearer, userWithToken } from '../helpers/users.js';

let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await makeTestApp(await pgliteFactory.open(), {}, { skipDemo: true });
  admin = await userWithToken(t.deps.users, 'limits-admin', 'admin');
});
afterAll(async () => t.close());

// Whitespace around a valid document: its size is the padding, its meaning unchanged.
const padded = (bytes: number) => `{"creators":[],"videos":[]}${' '.repeat(bytes)}`;

describe('a 413 names the limit of the route that refused the body', () => {
  it('chat refuses a body over 16 KiB and says 16384', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/chat', headers: jsonHeaders, payload: padded(CHAT_BODY_LIMIT + 1) });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'body_too_large', limit_bytes: 16 * 1024 });
  });

  it('import takes a body chat refuses, and refuses one over 50 MiB saying 52428800', async () => {
    const headers = { ...jsonHeaders, ...bearer(admin) };
    const small = await t.app.inject({ method: 'POST', url: '/api/v1/import', headers, payload: padded(CHAT_BODY_LIMIT * 2) });
    expect(small.statusCode).toBe(200);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/import', headers, payload: padded(IMPORT_BODY_LIMIT + 1) });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'body_too_large', limit_bytes: 50 * 1024 * 1024 });
  });
});
