import { randomUUID } from 'node:crypto';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { API_TOKEN_PREFIX, generateApiToken, normalizePrefix } from '../auth/api-token.js';
import { PgUserStore } from '../store/pg/pg-user-store.js';
import { ROLES, type Role, type TokenSummary, type UserStore, type UserWithTokens } from '../store/user-store.js';
import { openCliDb } from './context.js';

const out = (line: string) => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`${line}\n`);

/** Runs fn over the user store of the configured database, closing it whatever happens. */
async function withUsers<T>(fn: (users: UserStore) => Promise<T>): Promise<T> {
  const { db } = await openCliDb();
  try {
    return await fn(new PgUserStore(db));
  } finally {
    await db.close();
  }
}

function nonEmpty(label: string, max: number) {
  return (value: string): string => {
    const v = value.trim();
    if (v === '' || v.length > max) throw new InvalidArgumentError(`${label} must be 1–${max} characters.`);
    return v;
  };
}

const roleOption = () => new Option('--role <role>', 'user or admin').choices(ROLES).default('user');

/** Issues a token and prints it alone on stdout (so `TOKEN=$(chrysopedia users create …)` works). */
async function issueToken(users: UserStore, userId: string): Promise<void> {
  const { token, hash, prefix } = generateApiToken();
  await users.addToken(userId, hash, prefix);
  out(token);
  note(`token ${prefix}… for user ${userId}: shown this once, only its hash is stored.`);
}

function describeToken(t: TokenSummary): string {
  if (t.revoked_at) return `${t.prefix}  revoked ${t.revoked_at}`;
  return `${t.prefix}  active, created ${t.created_at}, ${t.last_used_at ? `last used ${t.last_used_at}` : 'never used'}`;
}

function printUsers(list: UserWithTokens[]): void {
  if (list.length === 0) {
    note('no users yet: chrysopedia users create --name NAME');
    return;
  }
  for (const u of list) {
    out(`${u.id}  ${u.role}  ${JSON.stringify(u.name)}  created ${u.created_at}`);
    for (const t of u.tokens) out(`    ${describeToken(t)}`);
  }
}

/** `chrysopedia users …`: create users, issue, list and revoke their API tokens, set roles. */
export function registerUsers(program: Command): void {
  const users = program.command('users').description('manage users and their API tokens');

  users
    .command('create')
    .description('create a user and print a new API token for it (once)')
    .requiredOption('--name <name>', 'display name', nonEmpty('--name', 200))
    .addOption(roleOption())
    .option('--id <id>', 'user id (default: a new UUID; give a JWT subject to set its role ahead)', nonEmpty('--id', 200))
    .action(async (opts: { name: string; role: Role; id?: string }) => {
      await withUsers(async (store) => {
        const id = opts.id ?? randomUUID();
        const user = await store.createUser({ id, name: opts.name, role: opts.role });
        if (!user) throw new Error(`user ${id} already exists (use: chrysopedia users token ${id})`);
        note(`created user ${user.id} (${user.role})`);
        await issueToken(store, user.id);
      });
    });

  users
    .command('token')
    .description('print a new API token for an existing user (once)')
    .argument('<user-id>')
    .action(async (userId: string) => {
      await withUsers(async (store) => {
        if (!(await store.getUser(userId))) throw new Error(`no user ${userId}`);
        await issueToken(store, userId);
      });
    });

  users
    .command('list')
    .description('list users and their tokens (by prefix; tokens themselves are never stored)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const list = await withUsers((store) => store.listUsers());
      if (opts.json) out(JSON.stringify(list, null, 2));
      else printUsers(list);
    });

  users
    .command('revoke')
    .description(`revoke every live token of a user, or the token with a prefix (${API_TOKEN_PREFIX}…)`)
    .argument('<user-id-or-prefix>')
    .action(async (target: string) => {
      await withUsers(async (store) => {
        const isUser = !target.startsWith(API_TOKEN_PREFIX) && (await store.getUser(target)) !== null;
        const revoked = isUser ? await store.revokeUserTokens(target) : await store.revokeTokensByPrefix(normalizePrefix(target));
        for (const t of revoked) out(`revoked ${t.prefix} of user ${t.user_id}`);
        if (revoked.length > 0) return;
        // A user with nothing left to revoke is already where the operator wants it; a typo is not.
        if (isUser) note(`user ${target} has no live token`);
        else throw new Error(`no user and no live token matches ${target}`);
      });
    });

  users
    .command('set-role')
    .description('make a user an admin or a plain user')
    .argument('<user-id>')
    .addArgument(program.createArgument('<role>', 'user or admin').choices(ROLES))
    .action(async (userId: string, role: Role) => {
      await withUsers(async (store) => {
        const user = await store.setRole(userId, role);
        if (!user) throw new Error(`no user ${userId}`);
        out(`user ${user.id} is now ${user.role}`);
      });
    });
}
