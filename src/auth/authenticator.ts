import { AppError } from '../errors.js';

export interface RequestUser {
  /** The users.id: the key of per-user rate limits and conversation ownership. */
  id: string;
  name: string;
  role: 'user' | 'admin';
}

/** Turns an Authorization header into a user: none → anonymous (null); a bad credential → 401. */
export interface Authenticator {
  authenticate(authorization: string | undefined): Promise<RequestUser | null>;
}

// One answer for every way a credential can be wrong, so a caller learns nothing about which.
export const invalidCredentials = () =>
  new AppError('invalid_credentials', 'Invalid credentials', {}, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
