import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { apiTokenPrefix, generateApiToken, hashApiToken, isApiToken, normalizePrefix } from '../../src/auth/api-token.js';

describe('API tokens', () => {
  it('are chry_ and 32 random bytes in base64url, different every time', () => {
    const a = generateApiToken();
    const b = generateApiToken();
    expect(a.token).toMatch(/^chry_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.token.slice(5), 'base64url')).toHaveLength(32);
    expect(a.token).not.toBe(b.token);
    expect(isApiToken(a.token)).toBe(true);
  });

  it('are stored only as their SHA-256 hex, with a short prefix that is not the secret', () => {
    const { token, hash, prefix } = generateApiToken();
    expect(hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(hashApiToken(token)).toBe(hash);
    expect(prefix).toBe(token.slice(0, 13));
    expect(apiTokenPrefix(token)).toBe(prefix);
  });

  it('are told apart from JWTs and other strings', () => {
    expect(isApiToken('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig')).toBe(false);
    expect(isApiToken('chry_short')).toBe(false);
  });

  it('can be named by their prefix with or without chry_', () => {
    expect(normalizePrefix('AbCd1234')).toBe('chry_AbCd1234');
    expect(normalizePrefix('chry_AbCd1234')).toBe('chry_AbCd1234');
  });
});
