import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('has SPEC defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      HOST: '127.0.0.1',
      PORT: 8000,
      DATA_DIR: './data',
      CHAT_TOP_K: 6,
      CHAT_HISTORY_TURNS: 6,
      RATE_LIMIT_USER_PER_HOUR: 60,
      RATE_LIMIT_IP_PER_HOUR: 20,
      RATE_LIMIT_CREATOR_PER_HOUR: 300,
      RATE_LIMIT_FAIL: 'open',
      LLM_FIRST_TOKEN_TIMEOUT_MS: 15000,
      LLM_IDLE_TIMEOUT_MS: 30000,
      SSE_PING_MS: 15000,
      TRUST_PROXY: false,
    });
  });
  it('names the bad variable', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ RATE_LIMIT_FAIL: 'maybe' })).toThrow(/RATE_LIMIT_FAIL/);
  });
  it('reads TRUST_PROXY as a hop count, a flag or a list', () => {
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.1, 10.0.0.2' }).TRUST_PROXY).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, 192.168.0.0/255.255.0.0, ::1, fd00::/8' }).TRUST_PROXY).toHaveLength(5);
  });
  it('stops at once on a TRUST_PROXY list entry that is no address, naming the variable (not after loading the data)', () => {
    for (const bad of ['garbage', '10.0.0.1, proxy.local', '10.0.0.0/33', '10.0.0.1/8/2']) {
      expect(() => loadConfig({ TRUST_PROXY: bad })).toThrow(/TRUST_PROXY/);
    }
  });
  it('says which whole numbers a limit takes', () => {
    expect(() => loadConfig({ RATE_LIMIT_IP_PER_HOUR: '-1' })).toThrow(/RATE_LIMIT_IP_PER_HOUR.*at least 1/);
    expect(() => loadConfig({ PORT: '-5' })).toThrow(/PORT.*from 0 to 65535/);
  });
});
