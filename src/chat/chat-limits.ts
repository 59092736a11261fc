import { AppError } from '../errors.js';
import { type KeyState, type LimitKey, type RateLimiter, retryAfterSeconds } from '../limits/rate-limiter.js';

export interface ChatLimitSettings {
  userPerHour: number;
  ipPerHour: number;
  creatorPerHour: number;
}

export interface ChatCaller {
  userId: string | null;
  ip: string;
}

export type LimitScope = 'user' | 'ip' | 'creator';

export interface ChatLimitVerdict {
  /** RateLimit-* for the identity limit: every chat response carries them. */
  headers: Record<string, string>;
  /** The 429 of SPEC §3 when the identity limit refused. */
  identityRejection: AppError | null;
  /** The 429 of SPEC §3 when the creator limit refused (the identity was not counted either). */
  creatorRejection: AppError | null;
  /** Which limit refused, for logs and metrics. */
  rejectedScope: LimitScope | null;
}

/** SPEC §3 for chat: per user (or per IP when anonymous) and per creator, in one atomic check. */
export class ChatLimits {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly settings: ChatLimitSettings,
  ) {}

  /**
   * The identity limit's RateLimit-* headers without counting, for chat responses refused before
   * the check (400, 401, 413, 422); null when the limiter cannot say.
   */
  async peekHeaders(caller: ChatCaller): Promise<Record<string, string> | null> {
    try {
      return rateLimitHeaders(await this.limiter.peek(this.identityKey(caller)));
    } catch {
      return null;
    }
  }

  private identityKey(caller: ChatCaller): LimitKey {
    return caller.userId === null
      ? { key: `ratelimit:ip:${caller.ip}`, limit: this.settings.ipPerHour }
      : { key: `ratelimit:user:${caller.userId}`, limit: this.settings.userPerHour };
  }

  /** `creatorSlug` only for a creator that exists: an unknown slug is answered 404, not counted. */
  async check(caller: ChatCaller, creatorSlug: string | null): Promise<ChatLimitVerdict> {
    const identityScope: LimitScope = caller.userId === null ? 'ip' : 'user';
    const keys: LimitKey[] = [this.identityKey(caller)];
    if (creatorSlug !== null) keys.push({ key: `ratelimit:creator:${creatorSlug}`, limit: this.settings.creatorPerHour });

    const decision = await this.limiter.check(keys);
    const identity = decision.states[0]!;
    const verdict: ChatLimitVerdict = {
      headers: rateLimitHeaders(identity),
      identityRejection: null,
      creatorRejection: null,
      rejectedScope: null,
    };
    if (decision.rejectedBy === 0) {
      verdict.identityRejection = tooMany('rate_limited', 'Rate limit exceeded', identity);
      verdict.rejectedScope = identityScope;
    } else if (decision.rejectedBy === 1) {
      verdict.creatorRejection = tooMany('creator_rate_limited', 'Creator rate limit exceeded', decision.states[1]!);
      verdict.rejectedScope = 'creator';
    }
    return verdict;
  }
}

/** RateLimit-Reset is the seconds until the next slot frees (the window slides, it never resets whole). */
function rateLimitHeaders(state: KeyState): Record<string, string> {
  return {
    'ratelimit-limit': String(state.limit),
    'ratelimit-remaining': String(state.remaining),
    'ratelimit-reset': String(Math.ceil(state.resetMs / 1000)),
  };
}

function tooMany(code: 'rate_limited' | 'creator_rate_limited', message: string, state: KeyState): AppError {
  const retryAfter = retryAfterSeconds(state);
  return new AppError(code, message, { retry_after: retryAfter }, { 'retry-after': String(retryAfter) });
}
