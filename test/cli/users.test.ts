import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Config } from '../../src/config.js';
import { buildProgram } from '../../src/cli/main.js';
import { configFrom } from '../../src/config.js';
import { openDb } from '../../src/deps.js';
import { makeTestApp, jsonHeaders } from '../helpers/app.js';
import { freshPostgresUrl, postgresAvailable } from '../helpers/databases.js';
import { bearer } from '../helpers/users.js';

/** Commander exits the process on a usage error; in a test it must throw instead, on every subcommand. */
function throwInsteadOfExit(command: Command): Command {
  command.exitOverride();
  for (const sub of command.commands) throwInsteadOfExit(sub);
  return command;
}

/** Runs `chrysopedia …` in process against the temp data dir; returns what it printed. */
async function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  try {
    await throwInsteadOfExit(buildProgram()).parseAsync(args, { from: 'user' });
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return { stdout, stderr };
}

type Env = Partial<Record<keyof Config, string>>;

/** Points the CLI (which reads the environment) at one database; returns an app opener over the same one. */
function useDatabase(env: () => Promise<Env>) {
  let current: Env = {};
  beforeAll(async () => {
    current = await env();
    vi.stubEnv('DATA_DIR', current.DATA_DIR ?? '');
    vi.stubEnv('DATABASE_URL', current.DATABASE_URL ?? '');
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(() => vi.unstubAllEnvs());

  /** The app over the database the CLI wrote; fn gets "import as this token → status". Closed after (PGlite holds its dir). */
  return async function withApp<T>(fn: (importAs: (token: string) => Promise<number>) => Promise<T>): Promise<T> {
    const t = await makeTestApp(await openDb(configFrom(current)), {}, { skipDemo: true });
    try {
      return await fn(async (token) => {
        const res = await t.app.inject({ method: 'POST', url: '/api/v1/import', headers: { ...jsonHeaders, ...bearer(token) }, payload: { creators: [] } });
        return res.statusCode;
      });
    } finally {
      await t.close();
    }
  };
}

describe('chrysopedia users on the embedded data dir', () => {
  let dataDir = '';
  const withApp = useDatabase(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'chry-users-'));
    return { DATA_DIR: dataDir };
  });
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  it('create prints a token once that authenticates; revoke by its prefix makes it 401', async () => {
    const created = await cli('users', 'create', '--name', 'Ada Admin', '--role', 'admin', '--id', 'ada');
    const token = created.stdout.trim();
    expect(token).toMatch(/^chry_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toContain('created user ada (admin)');
    expect(created.stderr).not.toContain(token);

    expect(await withApp((importAs) => importAs(token))).toBe(200);

    const revoked = await cli('users', 'revoke', token.slice(0, 13));
    expect(revoked.stdout).toContain(`revoked ${token.slice(0, 13)} of user ada`);
    expect(await withApp((importAs) => importAs(token))).toBe(401);
    // Four PGlite start-ups (each command opens the data dir, as does each app): seconds each on a busy machine.
  }, 90_000);
});

// The same commands against DATABASE_URL (PostgreSQL opens in milliseconds, PGlite in seconds).
describe.skipIf(!postgresAvailable)('chrysopedia users on DATABASE_URL', () => {
  const withApp = useDatabase(async () => ({ DATABASE_URL: await freshPostgresUrl() }));

  it("revoke by user id ends all that user's tokens; token issues a new one; set-role makes an admin", async () => {
    const first = (await cli('users', 'create', '--name', 'Uli', '--id', 'uli')).stdout.trim();
    const second = (await cli('users', 'token', 'uli')).stdout.trim();
    expect(second).not.toBe(first);
    expect((await cli('users', 'revoke', 'uli')).stdout.split('\n').filter(Boolean)).toHaveLength(2);
    const third = (await cli('users', 'token', 'uli')).stdout.trim();
    const listed = await cli('users', 'list');
    expect(listed.stdout).toContain(`uli  user  "Uli"`);
    expect(listed.stdout).toContain(`${third.slice(0, 13)}  active`);
    expect(listed.stdout).toContain(`${first.slice(0, 13)}  revoked`);
    for (const token of [first, second, third]) expect(listed.stdout).not.toContain(token);
    expect(await withApp(async (importAs) => [await importAs(first), await importAs(second), await importAs(third)])).toEqual([401, 401, 403]);
    expect((await cli('users', 'set-role', 'uli', 'admin')).stdout).toContain('user uli is now admin');
    expect(await withApp((importAs) => importAs(third))).toBe(200);
  });

  it('refuses a taken id, an unknown revoke target and an unknown role, naming the problem', async () => {
    await cli('users', 'create', '--name', 'Vic', '--id', 'vic');
    await expect(cli('users', 'create', '--name', 'Again', '--id', 'vic')).rejects.toThrow('user vic already exists');
    await expect(cli('users', 'revoke', 'nobody-at-all')).rejects.toThrow('no user and no live token matches nobody-at-all');
    await expect(cli('users', 'set-role', 'vic', 'wizard')).rejects.toThrow(/Allowed choices are user, admin/);
    await expect(cli('users', 'create', '--name', '  ')).rejects.toThrow(/--name must be 1–200 characters/);
  });
});
