import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { PgUserStore } from '../../src/store/pg/pg-user-store.js';
import { dbFactories } from '../helpers/databases.js';

const newHash = () => createHash('sha256').update(randomBytes(32)).digest('hex');

describe.each(dbFactories)('UserStore contract on $name', (factory) => {
  let db: Db;
  let store: PgUserStore;
  beforeAll(async () => {
    db = await factory.open();
    store = new PgUserStore(db);
  });
  afterAll(async () => db.close());

  it('creates a user once; a taken id is refused', async () => {
    const user = await store.createUser({ id: 'ada', name: 'Ada', role: 'admin' });
    expect(user).toMatchObject({ id: 'ada', name: 'Ada', role: 'admin' });
    expect(typeof user?.created_at).toBe('string');
    expect(await store.createUser({ id: 'ada', name: 'Other', role: 'user' })).toBeNull();
    expect(await store.getUser('ada')).toMatchObject({ name: 'Ada', role: 'admin' });
    expect(await store.getUser('nobody')).toBeNull();
  });

  it('finds the owner of a live token by its hash, and not of a revoked one', async () => {
    await store.createUser({ id: 'bea', name: 'Bea', role: 'user' });
    const hash = newHash();
    const token = await store.addToken('bea', hash, 'chry_beabeabe');
    expect(token).toMatchObject({ user_id: 'bea', prefix: 'chry_beabeabe', last_used_at: null, revoked_at: null });
    expect(await store.findUserByTokenHash(hash)).toMatchObject({ id: 'bea', role: 'user' });
    expect(await store.findUserByTokenHash(newHash())).toBeNull();
    expect((await store.revokeUserTokens('bea')).map((t) => t.prefix)).toEqual(['chry_beabeabe']);
    expect(await store.findUserByTokenHash(hash)).toBeNull();
    expect(await store.revokeUserTokens('bea')).toEqual([]);
  });

  it('records when a token was last used', async () => {
    await store.createUser({ id: 'cid', name: 'Cid', role: 'user' });
    const hash = newHash();
    await store.addToken('cid', hash, 'chry_cidcidci');
    await store.findUserByTokenHash(hash);
    const [listed] = (await store.listUsers()).filter((u) => u.id === 'cid');
    expect(listed?.tokens[0]?.last_used_at).not.toBeNull();
  });

  it('revokes one token by its prefix and leaves the user\'s others alive', async () => {
    await store.createUser({ id: 'dee', name: 'Dee', role: 'user' });
    const [h1, h2] = [newHash(), newHash()];
    await store.addToken('dee', h1, 'chry_deeone11');
    await store.addToken('dee', h2, 'chry_deetwo22');
    expect((await store.revokeTokensByPrefix('chry_deeone11')).map((t) => t.user_id)).toEqual(['dee']);
    expect(await store.findUserByTokenHash(h1)).toBeNull();
    expect(await store.findUserByTokenHash(h2)).toMatchObject({ id: 'dee' });
    expect(await store.revokeTokensByPrefix('chry_nothing0')).toEqual([]);
  });

  it('never stores two tokens with the same hash', async () => {
    await store.createUser({ id: 'eve', name: 'Eve', role: 'user' });
    const hash = newHash();
    await store.addToken('eve', hash, 'chry_eveeveev');
    await expect(store.addToken('eve', hash, 'chry_eveeveev')).rejects.toThrow();
  });

  it('creates a JWT subject on first sight with role user, and keeps it as stored afterwards', async () => {
    const first = await store.ensureUser('oidc|42', 'Fay');
    expect(first).toMatchObject({ id: 'oidc|42', name: 'Fay', role: 'user' });
    await store.setRole('oidc|42', 'admin');
    expect(await store.ensureUser('oidc|42', 'Renamed')).toMatchObject({ name: 'Fay', role: 'admin' });
    const racing = await Promise.all([store.ensureUser('race', 'R'), store.ensureUser('race', 'R')]);
    expect(racing.map((u) => u.id)).toEqual(['race', 'race']);
  });

  it('sets a role only on a user that exists', async () => {
    expect(await store.setRole('ghost', 'admin')).toBeNull();
    await store.createUser({ id: 'gus', name: 'Gus', role: 'admin' });
    expect(await store.setRole('gus', 'user')).toMatchObject({ role: 'user' });
  });

  it('lists every user with their tokens, revoked ones marked', async () => {
    await store.createUser({ id: 'hal', name: 'Hal', role: 'user' });
    await store.addToken('hal', newHash(), 'chry_halhalh1');
    await store.addToken('hal', newHash(), 'chry_halhalh2');
    await store.revokeTokensByPrefix('chry_halhalh1');
    const hal = (await store.listUsers()).find((u) => u.id === 'hal');
    // Two tokens made within one tick of the database's clock have no order between them: compared by prefix.
    expect(hal?.tokens.map((t) => [t.prefix, t.revoked_at === null]).sort()).toEqual([
      ['chry_halhalh1', false],
      ['chry_halhalh2', true],
    ]);
    expect(JSON.stringify(hal)).not.toMatch(/[0-9a-f]{64}/);
  });
});
