import { randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisClient } from '../../src/limits/redis-client.js';
import type { EventLog, EventLogRetention, LoggedEvent, ReadEvent, StreamSignal } from '../../src/store/event-log.js';
import { MemoryEventLog } from '../../src/store/memory-event-log.js';
import { RedisEventLog } from '../../src/store/redis-event-log.js';
import { REDIS_TEST_URL, redisAvailable } from '../helpers/redis.js';

interface LogFactory {
  name: 'memory' | 'redis';
  /** Two handles on one log: what two replicas see (the same object in process). */
  make(retention?: Partial<EventLogRetention>): Promise<[EventLog, EventLog]>;
}

const PREFIX = `test:event-log:${randomBytes(4).toString('hex')}:`;
const logs: EventLog[] = [];

async function redisLog(retention?: Partial<EventLogRetention>): Promise<EventLog> {
  const client: Redis = createRedisClient(REDIS_TEST_URL);
  await client.connect();
  const log = new RedisEventLog(client, { prefix: PREFIX, retention, blockMs: 200 });
  logs.push(log);
  return log;
}

const factories: LogFactory[] = [
  {
    name: 'memory',
    make: async (retention) => {
      const log = new MemoryEventLog(retention);
      logs.push(log);
      return [log, log];
    },
  },
];
if (redisAvailable) factories.push({ name: 'redis', make: async (retention) => [await redisLog(retention), await redisLog(retention)] });

afterAll(async () => {
  for (const l of logs) await l.close();
});

const ev = (seq: number, terminal = false): LoggedEvent => ({
  seq,
  event: terminal ? 'done' : seq === 1 ? 'sources' : 'token',
  data: JSON.stringify(terminal ? { finish_reason: 'stop' } : { text: `t${seq} ` }),
  terminal,
});

async function collect(gen: AsyncGenerator<ReadEvent, void, void>): Promise<ReadEvent[]> {
  const out: ReadEvent[] = [];
  for await (const e of gen) out.push(e);
  return out;
}

describe.each(factories)('event log ($name)', (factory) => {
  it('replays every event after the given one, keeping its number, and stops after the terminal event', async () => {
    const [writer, reader] = await factory.make();
    const id = randomUUID();
    for (let seq = 1; seq <= 5; seq++) await writer.append(id, ev(seq, seq === 5));
    const after2 = await collect(reader.read(id, 2, new AbortController().signal));
    expect(after2.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(after2.every((e) => e.replayed)).toBe(true);
    expect(after2[0]).toMatchObject({ event: 'token', data: '{"text":"t3 "}', terminal: false });
    expect(after2.at(-1)).toMatchObject({ event: 'done', terminal: true });
    expect((await collect(reader.read(id, 0, new AbortController().signal))).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('a reader at or past the terminal event gets nothing, at once, instead of waiting for the stream to leave the log', async () => {
    const [writer, reader] = await factory.make();
    const id = randomUUID();
    for (let seq = 1; seq <= 3; seq++) await writer.append(id, ev(seq, seq === 3));
    // Not aborted: a reader that waited would hold the test until its timeout.
    expect(await collect(reader.read(id, 3, new AbortController().signal))).toEqual([]);
    expect(await collect(reader.read(id, 99, new AbortController().signal))).toEqual([]);
  });

  it('follows a stream being written: replayed events, then live ones, none missing, none twice', async () => {
    const [writer, reader] = await factory.make();
    const id = randomUUID();
    await writer.append(id, ev(1));
    await writer.append(id, ev(2));
    const reading = collect(reader.read(id, 1, new AbortController().signal));
    for (let seq = 3; seq <= 40; seq++) {
      await writer.append(id, ev(seq, seq === 40));
      if (seq % 10 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    const got = await reading;
    expect(got.map((e) => e.seq)).toEqual(Array.from({ length: 39 }, (_, i) => i + 2));
    expect(got[0]?.replayed).toBe(true);
    expect(got.at(-1)?.replayed).toBe(false);
  });

  it('a reader whose signal aborts stops while waiting', async () => {
    const [writer, reader] = await factory.make();
    const id = randomUUID();
    await writer.append(id, ev(1));
    const abort = new AbortController();
    const reading = collect(reader.read(id, 0, abort.signal));
    setTimeout(() => abort.abort(), 50);
    expect((await reading).map((e) => e.seq)).toEqual([1]);
  });

  it('has() knows the streams it holds; a finished stream leaves after its retention, a live one after its own', async () => {
    const [writer, reader] = await factory.make({ finishedMs: 150, liveMs: 400 });
    const finished = randomUUID();
    const live = randomUUID();
    expect(await reader.has(finished)).toBe(false);
    await writer.append(finished, ev(1, true));
    await writer.append(live, ev(1));
    expect(await reader.has(finished)).toBe(true);
    await new Promise((r) => setTimeout(r, 250));
    expect(await reader.has(finished)).toBe(false);
    expect(await reader.has(live)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(await reader.has(live)).toBe(false);
  });

  it('refuses an event that is not after the last one (no event twice)', async () => {
    const [writer] = await factory.make();
    const id = randomUUID();
    await writer.append(id, ev(1));
    await writer.append(id, ev(2));
    await expect(writer.append(id, ev(2))).rejects.toThrow();
  });

  it('appends made at once, not awaited one by one (as a stream writes them), of several streams, all land in order; a bad one fails alone', async () => {
    const [writer, reader] = await factory.make();
    const a = randomUUID();
    const b = randomUUID();
    const appends: Promise<void>[] = [];
    for (let seq = 1; seq <= 30; seq++) {
      appends.push(writer.append(a, ev(seq, seq === 30)));
      if (seq <= 10) appends.push(writer.append(b, ev(seq)));
    }
    const duplicate = writer.append(b, ev(10));
    await Promise.all(appends);
    await expect(duplicate).rejects.toThrow();
    const readA = await collect(reader.read(a, 0, new AbortController().signal));
    expect(readA.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(readA.at(-1)?.terminal).toBe(true);
    await writer.append(b, ev(11, true));
    const readB = await collect(reader.read(b, 0, new AbortController().signal));
    expect(readB.map((e) => `${e.seq}:${e.data}`)).toEqual(Array.from({ length: 11 }, (_, i) => `${i + 1}:${ev(i + 1, i === 10).data}`));
  });

  it('keeps at most maxEvents events of a stream', async () => {
    const [writer, reader] = await factory.make({ maxEvents: 100 });
    const id = randomUUID();
    // In batches of 50 made at once, as a fast stream appends them.
    for (let from = 1; from <= 1000; from += 50) await Promise.all(Array.from({ length: 50 }, (_, i) => writer.append(id, ev(from + i))));
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    const kept = await collect(reader.read(id, 0, abort.signal));
    // Redis's ~ trims whole nodes, so it may keep somewhat more; never all.
    expect(kept.length).toBeGreaterThanOrEqual(100);
    expect(kept.length).toBeLessThan(1000);
    expect(kept.at(-1)?.seq).toBe(1000);
  });

  it('a signal published on one replica is heard on the other', async () => {
    const [a, b] = await factory.make();
    const heard: [string, StreamSignal][] = [];
    const unsubscribe = b.subscribe((id, s) => heard.push([id, s]));
    await b.ready();
    const id = randomUUID();
    await a.publish(id, 'attach');
    await a.publish(id, 'stop');
    for (let i = 0; i < 50 && heard.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(heard).toEqual([
      [id, 'attach'],
      [id, 'stop'],
    ]);
    unsubscribe();
    await a.publish(id, 'detach');
    await new Promise((r) => setTimeout(r, 50));
    expect(heard).toHaveLength(2);
  });

  it('reports itself healthy', async () => {
    const [log] = await factory.make();
    expect((await log.health()).status).toBe('ok');
  });
});
