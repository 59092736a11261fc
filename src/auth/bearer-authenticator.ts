import type { UserStore } from '../store/user-store.js';
import { hashApiToken, isApiToken } from './api-token.js';
import { type Authenticator, invalidCredentials, type RequestUser } from './authenticator.js';
import type { JwtVerifier } from './jwt-verifier.js';

// RFC 6750 §2.1: the scheme is case-insensitive, the token is b64token characters.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

export interface BearerAuthenticatorOptions {
  users: UserStore;
  /** Null when no JWT_SECRET / JWT_JWKS_URL is configured: then only API tokens are accepted. */
  jwt: JwtVerifier | null;
}

/**
 * `Authorization: Bearer <token>`, where the token is an API token (`chry_…`, looked up by its
 * hash) or a JWT (its `sub` is the user, created on first sight). No header is anonymous; any
 * header that does not name a user is refused, never downgraded to anonymous.
 */
export class BearerAuthenticator implements Authenticator {
  constructor(private readonly options: BearerAuthenticatorOptions) {}

  async authenticate(authorization: string | undefined): Promise<RequestUser | null> {
    if (authorization === undefined) return null;
    const token = BEARER.exec(authorization)?.[1];
    if (!token) throw invalidCredentials();
    const { users, jwt } = this.options;
    if (isApiToken(token)) {
      const user = await users.findUserByTokenHash(hashApiToken(token));
      if (!user) throw invalidCredentials();
      return { id: user.id, name: user.name, role: user.role };
    }
    if (!jwt) throw invalidCredentials();
    const identity = await jwt.verify(token);
    // The role lives in our database, never in the token (docs/decisions/0003-authentication.md).
    const user = await users.ensureUser(identity.sub, identity.name);
    return { id: user.id, name: user.name, role: user.role };
  }
}
