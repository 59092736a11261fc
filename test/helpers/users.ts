import { generateApiToken } from '../../src/auth/api-token.js';
import type { Role, UserStore } from '../../src/store/user-store.js';

/** Creates a user with one live API token, as `chrysopedia users create` does; returns the token. */
export async function userWithToken(users: UserStore, id: string, role: Role = 'user'): Promise<string> {
  await users.createUser({ id, name: id, role });
  const { token, hash, prefix } = generateApiToken();
  await users.addToken(id, hash, prefix);
  return token;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
