import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgliteFactory } from '../helpers/databases.js';
import { makeTestApp, type TestApp } from '../helpers/app.js';

describe('the chat page is served at / by the app', () => {
  let dir: string;
  let built: TestApp;
  let unbuilt: TestApp;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'chrysopedia-dist-'));
    await mkdir(path.join(dir, 'assets'));
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>Chrysopedia Chat</title><script type="module" src="/assets/app-1a2b.js"></script>');
    await writeFile(path.join(dir, 'assets', 'app-1a2b.js'), 'console.log("chat")');
    const db = await pgliteFactory.open();
    built = await makeTestApp(db, { WEB_DIST_DIR: dir }, { skipDemo: true });
    unbuilt = await makeTestApp(db, { WEB_DIST_DIR: path.join(dir, 'missing') }, { skipDemo: true });
  });

  afterAll(async () => {
    await built.app.close();
    await unbuilt.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('/ returns the built page, which may run only its own scripts', async () => {
    const res = await built.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('/assets/app-1a2b.js');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('serves the hashed assets as immutable', async () => {
    const res = await built.app.inject({ method: 'GET', url: '/assets/app-1a2b.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toContain('immutable');
  });

  it('API routes keep priority, and an unknown path is the JSON 404', async () => {
    const creators = await built.app.inject({ method: 'GET', url: '/api/v1/creators' });
    expect(creators.statusCode).toBe(200);
    expect(creators.json()).toHaveProperty('creators');
    for (const url of ['/api/v1/nothing-here', '/assets/missing.js', '/../package.json']) {
      const res = await built.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toMatchObject({ error: 'Not found', code: 'not_found' });
    }
  });

  it('without a build, / says to run npm run build', async () => {
    const res = await unbuilt.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('npm run build');
    expect((await unbuilt.app.inject({ method: 'GET', url: '/api/v1/creators' })).statusCode).toBe(200);
    const other = await unbuilt.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(other.statusCode).toBe(404);
    expect(other.json()).toMatchObject({ code: 'not_found' });
  });
});
