import type { preHandlerAsyncHookHandler } from 'fastify';
import type { Authenticator, RequestUser } from '../auth/authenticator.js';
import { AppError } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking: set by the route's authentication hook; null when anonymous. */
    user: RequestUser | null;
  }
}

export type Access = 'optional' | 'user' | 'admin';

/**
 * The one authentication step of a route (SPEC §5), run as its hook: a bad token is 401 whatever
 * the access; 'optional' lets anonymous callers through, 'user' does not, 'admin' wants the role.
 */
export function authenticate(auth: Authenticator, access: Access): preHandlerAsyncHookHandler {
  return async (request) => {
    const user = await auth.authenticate(request.headers.authorization);
    if (!user && access !== 'optional') throw new AppError('unauthenticated', 'Authentication required');
    if (user && access === 'admin' && user.role !== 'admin') throw new AppError('forbidden', 'Admin role required');
    request.user = user;
  };
}

/** OpenAPI security of each access: optional means "no token, or a bearer token". */
export const security: Record<Access, Record<string, string[]>[]> = {
  optional: [{}, { bearer: [] }],
  user: [{ bearer: [] }],
  admin: [{ bearer: [] }],
};
