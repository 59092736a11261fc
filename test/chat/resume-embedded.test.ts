import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, jsonHeaders, type TestApp } from '../helpers/app.js';
import { pgliteFactory } from '../helpers/databases.js';
import { LiveSse } from '../helpers/live-sse.js';
import { answerText } from '../helpers/sse.js';

// The extractive answerer, slowed down so that the answer is still being written when the client goes.
describe('embedded mode: the event log in process', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await makeTestApp(await pgliteFactory.open(), { EXTRACTIVE_CHUNK_DELAY_MS: '20', CHAT_RESUME_GRACE_MS: '5000' });
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  }, 60_000);
  afterAll(async () => {
    t?.app.server.closeAllConnections();
    await t?.close();
  });

  it('a client that went away resumes with Last-Event-ID and gets each event once; stop ends another answer with done client_closed', async () => {
    const client = new AbortController();
    const first = await LiveSse.open(`${url}/api/v1/chat`, { method: 'POST', headers: jsonHeaders, body: JSON.stringify({ query: 'sidechain compression' }), signal: client.signal });
    await first.until((s) => s.tokens >= 3);
    client.abort();
    await first.ended;
    const messageId = String(first.events[0]?.id).split(':')[0]!;
    const rest = await LiveSse.open(`${url}/api/v1/chat/${messageId}/stream?last_event_id=${first.lastId}`);
    await rest.ended;
    const all = [...first.events, ...rest.events];
    expect(all.map((e) => Number(String(e.id).split(':')[1]))).toEqual(all.map((_, i) => i + 1));
    expect(all.at(-1)).toMatchObject({ event: 'done', data: { finish_reason: 'stop' } });
    expect(answerText(all)).toBe((await t.deps.conversations.getTurn(messageId))?.answer);

    const other = await LiveSse.open(`${url}/api/v1/chat`, { method: 'POST', headers: jsonHeaders, body: JSON.stringify({ query: 'reverb on vocals' }) });
    await other.until((s) => s.tokens >= 2);
    const otherId = String(other.events[0]?.id).split(':')[0]!;
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/chat/${otherId}/stop` })).statusCode).toBe(202);
    await other.ended;
    expect(other.events.at(-1)).toMatchObject({ event: 'done', data: { finish_reason: 'client_closed' } });
    expect((await t.deps.conversations.getTurn(otherId))?.finish_reason).toBe('client_closed');
  }, 60_000);
});
