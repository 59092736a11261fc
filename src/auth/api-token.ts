import { createHash, randomBytes } from 'node:crypto';

/** Every API token starts with this, so a leaked one is recognisable (and secret scanners can match it). */
export const API_TOKEN_PREFIX = 'chry_';
const SECRET_BYTES = 32;
// Characters of the secret kept in clear for listing: 48 of 256 bits, the rest stays unguessable.
const SHOWN_CHARS = 8;
const API_TOKEN = new RegExp(`^${API_TOKEN_PREFIX}[A-Za-z0-9_-]{43}$`);

export interface NewApiToken {
  /** Shown once to the person who created it, never stored. */
  token: string;
  hash: string;
  prefix: string;
}

/** SHA-256 hex: the token is 256 random bits, so a fast hash is enough (nothing to brute-force). */
export const hashApiToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export const apiTokenPrefix = (token: string): string => token.slice(0, API_TOKEN_PREFIX.length + SHOWN_CHARS);

export const isApiToken = (token: string): boolean => API_TOKEN.test(token);

export function generateApiToken(): NewApiToken {
  const token = API_TOKEN_PREFIX + randomBytes(SECRET_BYTES).toString('base64url');
  return { token, hash: hashApiToken(token), prefix: apiTokenPrefix(token) };
}

/** `chry_AbCd1234` or just `AbCd1234`: the prefix an operator typed, in stored form. */
export const normalizePrefix = (given: string): string =>
  given.startsWith(API_TOKEN_PREFIX) ? given : API_TOKEN_PREFIX + given;
