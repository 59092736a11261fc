import { isIP } from 'node:net';
import { z } from 'zod';

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, max === Number.MAX_SAFE_INTEGER ? `expected a whole number, at least ${min}` : `expected a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .default(def);

const fraction = (def: number) =>
  z
    .string()
    .trim()
    .regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'expected a number from 0 to 1')
    .transform(Number)
    .default(def);

const optionalUrl = z.url().optional();
const optionalText = z.string().min(1).optional();
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .transform((v) => v === 'true' || v === '1' || v === 'yes')
    .default(def);

/** TRUST_PROXY: a hop count, "true", or a comma-separated list of addresses/CIDRs (Fastify's trustProxy). */
const trustProxy = z
  .string()
  .trim()
  .optional()
  .transform((v): boolean | number | string[] => {
    if (v === undefined || v === '' || v === 'false') return false;
    if (v === 'true') return true;
    if (/^\d+$/.test(v)) return Number(v);
    return v.split(',').map((s) => s.trim()).filter(Boolean);
  })
  .superRefine((v, ctx) => {
    if (!Array.isArray(v)) return;
    const bad = v.find((entry) => !isProxyAddress(entry));
    if (bad !== undefined) {
      ctx.addIssue({ code: 'custom', message: `"${bad}" is not an IP address, a CIDR range, loopback, linklocal or uniquelocal` });
    }
  });

/** What proxy-addr (Fastify's trustProxy) accepts in a list: an address, a CIDR range or netmask, or a named range. */
function isProxyAddress(entry: string): boolean {
  if (entry === 'loopback' || entry === 'linklocal' || entry === 'uniquelocal') return true;
  const [address = '', range, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (range === undefined) return true;
  if (/^\d{1,3}$/.test(range)) return Number(range) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(range) === 4;
}

export const envSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(8000, 0, 65535),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL').optional(),
  /** PostgreSQL connections each replica keeps (the pool); statements beyond them wait for one, up to 5 s. */
  DATABASE_POOL_SIZE: int(10, 1, 1000),
  /** Search statement shapes kept prepared on each PostgreSQL connection (about 0.85 MB each; 0: none). */
  DATABASE_SEARCH_SHAPES: int(24, 0, 1000),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'expected a redis:// URL').optional(),
  LLM_BASE_URL: optionalUrl,
  LLM_API_KEY: optionalText,
  LLM_MODEL: z.string().min(1).default('gpt-4o-mini'),
  LLM_FALLBACK_MODEL: optionalText,
  LLM_FALLBACK_BASE_URL: optionalUrl,
  LLM_FALLBACK_API_KEY: optionalText,
  LLM_FIRST_TOKEN_TIMEOUT_MS: int(15000, 1),
  LLM_IDLE_TIMEOUT_MS: int(30000, 1),
  LLM_REWRITE_TIMEOUT_MS: int(3000, 1),
  // Vector search (SPEC §2): an OpenAI-compatible /embeddings endpoint and pgvector in the database.
  EMBEDDINGS_BASE_URL: optionalUrl,
  EMBEDDINGS_API_KEY: optionalText,
  EMBEDDINGS_MODEL: z.string().min(1).default('text-embedding-3-small'),
  EMBEDDINGS_DIMENSIONS: int(1536, 1, 16000),
  /** Send `dimensions` with each request (models that shorten their vectors on demand). */
  EMBEDDINGS_REQUEST_DIMENSIONS: bool(false),
  EMBEDDINGS_MIN_SIMILARITY: fraction(0.5),
  EMBEDDINGS_TIMEOUT_MS: int(3000, 1),
  CHAT_TOP_K: int(6, 1, 50),
  CHAT_HISTORY_TURNS: int(6, 0, 100),
  CHAT_STORE_RETRY_MS: int(10000, 0, 600000),
  /** How long an answer whose client went away goes on, waiting for the client to resume it. */
  CHAT_RESUME_GRACE_MS: int(15000, 0, 600000),
  RATE_LIMIT_USER_PER_HOUR: int(60, 1),
  RATE_LIMIT_IP_PER_HOUR: int(20, 1),
  RATE_LIMIT_CREATOR_PER_HOUR: int(300, 1),
  RATE_LIMIT_FAIL: z.enum(['open', 'closed']).default('open'),
  TRUST_PROXY: trustProxy,
  // HS256 is only as strong as its key: RFC 7518 §3.2 asks for at least the hash size (32 bytes).
  JWT_SECRET: z.string().min(32, 'expected at least 32 characters').optional(),
  JWT_JWKS_URL: optionalUrl,
  JWT_ISSUER: optionalText,
  JWT_AUDIENCE: optionalText,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_GRACE_MS: int(10000, 0),
  SSE_PING_MS: int(15000, 10),
  /** Tokens of a fast stream leave at most once per this long (the first at once); 0: each as it comes. */
  SSE_COALESCE_MS: int(50, 0, 1000),
  EXTRACTIVE_CHUNK_DELAY_MS: int(15, 0, 5000),
  LOAD_DEMO_KB: bool(true),
  /** A response body or stream event with a field its schema lacks fails instead of losing it (tests). */
  STRICT_RESPONSES: bool(false),
  /** The built chat page (Vite's output); default: web/dist of this package. */
  WEB_DIST_DIR: z.string().min(1).optional(),
});

export type Config = z.output<typeof envSchema>;

export class ConfigError extends Error {
  constructor(readonly variable: string, detail: string) {
    super(`invalid configuration: ${variable}: ${detail}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once; the first bad variable is reported by name. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const relevant: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') relevant[key] = value;
  }
  const parsed = envSchema.safeParse(relevant);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(String(issue?.path[0] ?? 'environment'), issue?.message ?? 'invalid');
  }
  return parsed.data;
}

/** Test helper and CLI default: a config from explicit overrides over the built-in defaults. */
export function configFrom(overrides: Partial<Record<keyof Config, string>> = {}): Config {
  return loadConfig(overrides);
}
