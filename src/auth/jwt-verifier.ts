import { createRemoteJWKSet, errors, jwtVerify, type JWTHeaderParameters, type FlattenedJWSInput } from 'jose';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { invalidCredentials } from './authenticator.js';

/** Who a verified JWT names: `sub` is the user id (SPEC §5). */
export interface JwtIdentity {
  sub: string;
  name: string;
}

export interface JwtSettings {
  /** HS256 shared secret. */
  secret?: string | undefined;
  /** Where the issuer publishes its public keys (RS256 / ES256). */
  jwksUrl?: string | undefined;
  issuer?: string | undefined;
  audience?: string | undefined;
}

// Only these: `none`, and any algorithm the configured keys were not meant for, are refused by
// jose before a key is even looked up (no algorithm-confusion between the secret and public keys).
const SECRET_ALGS = ['HS256'];
const JWKS_ALGS = ['RS256', 'ES256'];
// Clocks of the issuer and ours may disagree a little; more than this and the token is expired.
const CLOCK_TOLERANCE_S = 30;
const MAX_SUB_LENGTH = 200;
const JWKS_RETRY_AFTER_S = 5;

/** The key set could not be fetched: the credential is not known bad, we cannot check it now. */
class JwksUnavailable extends Error {}

const settingsOf = (c: Config): JwtSettings => ({
  secret: c.JWT_SECRET,
  jwksUrl: c.JWT_JWKS_URL,
  issuer: c.JWT_ISSUER,
  audience: c.JWT_AUDIENCE,
});

/** Verifies JWTs against a shared secret (HS256) and/or a remote key set (RS256, ES256). */
export class JwtVerifier {
  private readonly algorithms: string[];
  private readonly secret: Uint8Array | null;
  private readonly jwks: ReturnType<typeof createRemoteJWKSet> | null;

  constructor(
    private readonly settings: JwtSettings,
    private readonly log?: Logger,
  ) {
    this.secret = settings.secret ? new TextEncoder().encode(settings.secret) : null;
    this.jwks = settings.jwksUrl ? createRemoteJWKSet(new URL(settings.jwksUrl)) : null;
    this.algorithms = [...(this.secret ? SECRET_ALGS : []), ...(this.jwks ? JWKS_ALGS : [])];
  }

  /** A verifier when JWT_SECRET or JWT_JWKS_URL is set, else null (API tokens only). */
  static fromConfig(config: Config, log?: Logger): JwtVerifier | null {
    const settings = settingsOf(config);
    return settings.secret || settings.jwksUrl ? new JwtVerifier(settings, log) : null;
  }

  /** The token's subject; a bad token → 401 invalid_credentials, an unreachable key set → 503. */
  async verify(token: string): Promise<JwtIdentity> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, (header, jws) => this.keyFor(header, jws), {
        algorithms: this.algorithms,
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        requiredClaims: ['sub', 'exp'],
        clockTolerance: CLOCK_TOLERANCE_S,
      }));
    } catch (err) {
      if (!(err instanceof JwksUnavailable)) throw invalidCredentials();
      this.log?.warn({ cause: err.message }, 'JWKS unreachable: JWTs cannot be verified');
      throw new AppError(
        'service_unavailable',
        'Service unavailable',
        { retry_after: JWKS_RETRY_AFTER_S },
        { 'Retry-After': String(JWKS_RETRY_AFTER_S) },
      );
    }
    const sub = payload.sub;
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_SUB_LENGTH) throw invalidCredentials();
    return { sub, name: displayName(payload) ?? sub };
  }

  private async keyFor(header: JWTHeaderParameters, jws: FlattenedJWSInput) {
    if (header.alg === 'HS256' && this.secret) return this.secret;
    if (!this.jwks) throw invalidCredentials();
    try {
      return await this.jwks(header, jws);
    } catch (err) {
      // No key for this kid is the token's fault; anything else (network, timeout, a bad key set) is ours.
      if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) throw err;
      throw new JwksUnavailable(err instanceof Error ? err.message : String(err));
    }
  }
}

function displayName(payload: Record<string, unknown>): string | undefined {
  for (const claim of ['name', 'preferred_username']) {
    const v = payload[claim];
    if (typeof v === 'string' && v.trim() !== '') return v.trim().slice(0, 200);
  }
  return undefined;
}
