const TOKEN_KEY = 'chrysopedia.token';

/** The signed-in user's API token, kept in this browser only (SPEC §5: a Bearer token). */
export const session = {
  token(): string | null {
    try {
      return localStorage.getItem(TOKEN_KEY);
    } catch {
      return null; // Storage off (private mode, policy): the page still works, anonymously.
    }
  },
  save(token: string): void {
    try {
      localStorage.setItem(TOKEN_KEY, token);
    } catch {
      // Nowhere to keep it: the user is signed in until the page closes.
    }
  },
  clear(): void {
    try {
      localStorage.removeItem(TOKEN_KEY);
    } catch {
      // Nothing kept, nothing to clear.
    }
  },
};

/**
 * A random UUID v4. crypto.randomUUID exists only on secure origins; getRandomValues everywhere,
 * and the page may well be served over plain http on a LAN.
 */
export function newConversationId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
