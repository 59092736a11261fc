import { AppError } from '../errors.js';

export interface RequestUser {
  id: string;
  name: string;
  role: 'user' | 'admin';
}

/** Turns an Authorization header into a user: none → anonymous (null); a bad credential → 401. */
export interface Authenticator {
  authenticate(authorization: string | undefined): Promise<RequestUser | null>;
}

export const invalidCredentials = () => new AppError('invalid_credentials', 'Invalid credentials');

/** Until tokens exist every presented credential is unverifiable, hence refused (never anonymous). */
export class NoCredentialsAuthenticator implements Authenticator {
  async authenticate(authorization: string | undefined): Promise<RequestUser | null> {
    if (authorization === undefined) return null;
    throw invalidCredentials();
  }
}
