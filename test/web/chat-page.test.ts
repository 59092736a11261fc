import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { importDocument } from '../../src/kb/import-document.js';
import { bearer, userWithToken } from '../helpers/users.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { buildPage, chromiumAvailable, launchChromium, startLiveApp, type LiveApp } from './browser.js';

interface SearchResult {
  cascade_tier: string;
  results: { number: number; url: string; start_seconds: number; end_seconds: number; technique: string | null; creator: { slug: string } }[];
}

// Records every text the answer shows while it streams; runs in the page, hence a string.
const RECORD_ANSWER_STATES = `
  window.__answerStates = [];
  new MutationObserver(() => {
    const turn = document.querySelector('#thread .turn:last-child');
    if (!turn || turn.dataset.state !== 'streaming') return;
    const text = turn.querySelector('.answer').textContent;
    if (text && window.__answerStates[window.__answerStates.length - 1] !== text) window.__answerStates.push(text);
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
`;

describe.skipIf(!chromiumAvailable)('the chat page in a real browser', () => {
  let browser: Browser;
  let live: LiveApp;
  let page: Page;
  let context: BrowserContext;
  let removePage: () => Promise<void>;

  beforeAll(async () => {
    const built = await buildPage();
    removePage = built.remove;
    [browser, live] = await Promise.all([launchChromium(), startLiveApp(built.dir)]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await live?.close();
    await removePage?.();
  });

  afterEach(async () => {
    await context?.close();
  });

  async function openPage(viewport = { width: 1280, height: 800 }, url = live.url): Promise<Page> {
    context = await browser.newContext({ viewport });
    page = await context.newPage();
    await page.addInitScript({ content: RECORD_ANSWER_STATES });
    await page.goto(url);
    // The creator picker is filled from /api/v1/creators once the page has started.
    await page.locator('#creator option[value="mira-vox"]').waitFor({ state: 'attached' });
    return page;
  }

  async function ask(question: string): Promise<void> {
    await page.getByLabel('Your question').fill(question);
    await page.getByLabel('Your question').press('Enter');
  }

  const lastTurn = () => page.locator('#thread .turn').last();
  const waitForState = (state: string) => page.locator(`#thread .turn:last-child[data-state="${state}"]`).waitFor({ timeout: 20_000 });

  async function search(q: string, creator?: string): Promise<SearchResult> {
    const qs = new URLSearchParams({ q, ...(creator ? { creator } : {}) });
    return (await (await fetch(`${live.url}/api/v1/search?${qs}`)).json()) as SearchResult;
  }

  it('shows the answer as it streams, then its sources; a citation opens the video at the cited second', async () => {
    await openPage();
    const question = 'How do I set up sidechain compression?';
    const expected = await search(question);
    expect(expected.results.length).toBeGreaterThan(0);

    await ask(question);
    await waitForState('done');

    const final = (await lastTurn().locator('.answer').textContent()) ?? '';
    const states = (await page.evaluate('window.__answerStates')) as string[];
    // Streaming means the reader saw part of the answer first. On a loaded machine the last
    // frame before `done` may already show the whole text, so only the earlier ones must differ.
    expect(states.length).toBeGreaterThanOrEqual(2);
    expect(states.every((s) => s.length > 0)).toBe(true);
    const words = (s: string) => s.replace(/\s+/g, ' ').trim();
    expect(words(states[0] ?? '').length).toBeLessThan(words(final).length);
    expect(words(final).startsWith(words(states[0] ?? '?'))).toBe(true);

    const cards = lastTurn().locator('.source');
    expect(await cards.count()).toBe(expected.results.length);
    expect(await cards.locator('.source-title').allTextContents()).toEqual(
      expected.results.map((r) => `Source ${r.number}: ${r.technique}`),
    );
    const first = expected.results[0]!;
    expect(await cards.first().locator('.source-time').getAttribute('href')).toBe(first.url);

    const cite = lastTurn().locator('.answer a.cite').first();
    const cited = expected.results[Number(await cite.getAttribute('data-source')) - 1]!;
    const href = await cite.getAttribute('href');
    expect(href).toBe(cited.url);
    expect(href).toContain(`t=${cited.start_seconds}`);

    // The video host is not on this machine: answer for it, and see where the click lands.
    await context.route(new URL(cited.url).origin + '/**', (route) => route.fulfill({ body: 'the video', contentType: 'text/plain' }));
    const [popup] = await Promise.all([page.waitForEvent('popup'), cite.click()]);
    await popup.waitForLoadState();
    expect(popup.url()).toBe(cited.url);
  });

  it("picking a creator changes the sources to that creator's, and the badge names the tier that answered", async () => {
    await openPage();
    const everyone = await search('compression');
    await ask('compression');
    await waitForState('done');
    expect(await lastTurn().locator('.tier').getAttribute('data-tier')).toBe(everyone.cascade_tier);
    const globalCreators = await lastTurn().locator('.source').evaluateAll((els) => els.map((e) => e.getAttribute('data-creator')));
    expect(globalCreators).toEqual(everyone.results.map((r) => r.creator.slug));
    expect(new Set(globalCreators).size, 'the demo knowledge base answers "compression" from several creators').toBeGreaterThan(1);
    expect(await page.locator('#personality-field').isVisible()).toBe(false);

    await page.getByRole('button', { name: 'New chat' }).click();
    await page.getByLabel('Creator', { exact: true }).selectOption('mira-vox');
    await page.getByLabel("Creator's voice").fill('0.7');
    const [request] = await Promise.all([page.waitForRequest('**/api/v1/chat'), ask('sidechain compression')]);
    expect(request.postDataJSON()).toMatchObject({ query: 'sidechain compression', creator: 'mira-vox', personality_weight: 0.7 });
    await waitForState('done');
    const badge = lastTurn().locator('.tier');
    expect(await badge.getAttribute('data-tier')).toBe('creator');
    expect(await badge.textContent()).toBe('Mira Vox');
    const miraCreators = await lastTurn().locator('.source').evaluateAll((els) => els.map((e) => e.getAttribute('data-creator')));
    expect(miraCreators.length).toBe((await search('sidechain compression', 'mira-vox')).results.length);
    expect(new Set(miraCreators)).toEqual(new Set(['mira-vox']));

    await page.getByRole('button', { name: 'New chat' }).click();
    await ask('how do I bake sourdough bread');
    await waitForState('done');
    expect(await lastTurn().locator('.tier').getAttribute('data-tier')).toBe('none');
    expect(await lastTurn().locator('.tier').textContent()).toBe('Not in the knowledge base');
    expect(await lastTurn().locator('.source, .cite').count()).toBe(0);
  });

  it('a 429 says when to ask again; an error event shows its message and a retry that works; so does a dropped connection', async () => {
    await openPage();
    await page.route('**/api/v1/chat', (route) =>
      route.fulfill({
        status: 429,
        headers: { 'retry-after': '120' },
        contentType: 'application/json',
        body: JSON.stringify({ error: 'Rate limit exceeded', code: 'rate_limited', retry_after: 120, request_id: 'r1' }),
      }),
    );
    await ask('sidechain compression');
    const limited = lastTurn().getByRole('alert');
    await limited.filter({ hasText: 'You can ask again in 2 min' }).waitFor();
    expect(await limited.getByRole('button', { name: 'Try again' }).isDisabled()).toBe(true);
    await page.unroute('**/api/v1/chat');

    await page.getByRole('button', { name: 'New chat' }).click();
    await page.route('**/api/v1/chat', (route) =>
      route.fulfill({
        status: 200,
        contentType: 'text/event-stream; charset=utf-8',
        body:
          'id: m1:1\nevent: sources\ndata: []\n\n' +
          'id: m1:2\nevent: token\ndata: {"text":"A partial answer "}\n\n' +
          'id: m1:3\nevent: error\ndata: {"error":"The language model is unavailable","code":"llm_unavailable"}\n\n',
      }),
    );
    await ask('sidechain compression');
    await waitForState('error');
    const failed = lastTurn().getByRole('alert');
    expect(await failed.textContent()).toContain('The language model is unavailable');
    expect(await lastTurn().locator('.answer').textContent()).toContain('A partial answer');
    await page.unroute('**/api/v1/chat');
    await failed.getByRole('button', { name: 'Try again' }).click();
    await waitForState('done');
    expect(await page.locator('#thread .turn').count()).toBe(1);
    expect(await lastTurn().locator('.cite').count()).toBeGreaterThan(0);

    await page.route('**/api/v1/chat', (route) => route.abort('connectionreset'));
    await ask('and with reverb?');
    await waitForState('error');
    expect(await lastTurn().getByRole('alert').textContent()).toContain('connection was lost');
    expect(await lastTurn().getByRole('button', { name: 'Try again' }).isEnabled()).toBe(true);
  });

  it('a malformed event shows an error in the turn, keeps what came, and the page goes on working', async () => {
    await openPage();
    const pageErrors: Error[] = [];
    page.on('pageerror', (err) => pageErrors.push(err));
    // Each read with the shared schemas (src/contract/chat-events.ts): one whose data breaks them.
    const streams = [
      // done without most of its fields, and a citation that is not a number
      'id: m1:3\nevent: done\ndata: {"conversation_id":"c","citations":["one"]}\n\n',
      // a token whose data is not JSON at all
      'id: m1:3\nevent: token\ndata: {"text": oops}\n\n',
      // sources that are not an array of sources
      'id: m1:1\nevent: sources\ndata: {"number":1}\n\n',
    ];
    for (const broken of streams) {
      await page.route('**/api/v1/chat', (route) =>
        route.fulfill({
          status: 200,
          contentType: 'text/event-stream; charset=utf-8',
          body:
            (broken.includes('event: sources') ? '' : 'id: m1:1\nevent: sources\ndata: []\n\n') +
            'id: m1:2\nevent: token\ndata: {"text":"What came first "}\n\n' +
            broken,
        }),
      );
      await page.getByRole('button', { name: 'New chat' }).click();
      await ask('sidechain compression');
      await waitForState('error');
      const alert = lastTurn().getByRole('alert');
      expect(await alert.textContent()).toContain('cannot read');
      expect(await alert.getByRole('button', { name: 'Try again' }).isEnabled()).toBe(true);
      if (!broken.includes('event: sources')) expect(await lastTurn().locator('.answer').textContent()).toContain('What came first');
      await page.unroute('**/api/v1/chat');
    }
    expect(pageErrors).toEqual([]);
    // Not a crash: the same page answers the next question from the real server.
    await lastTurn().getByRole('alert').getByRole('button', { name: 'Try again' }).click();
    await waitForState('done');
    expect(await lastTurn().locator('.cite').count()).toBeGreaterThan(0);
  });

  it('the network cut mid-answer and restored: the page says it is reconnecting, and the answer completes with each token shown once', async () => {
    const proxy = new TcpProxy('127.0.0.1', Number(new URL(live.url).port));
    await proxy.start();
    try {
      await openPage(undefined, `http://127.0.0.1:${proxy.port}`);
      const question = 'How do I make my kick cut through the mix?';
      await ask(question);
      const streaming = page.locator('#thread .turn:last-child[data-state="streaming"] .answer');
      await expect.poll(async () => ((await streaming.count()) > 0 ? ((await streaming.textContent()) ?? '').length : 0), { timeout: 10_000 }).toBeGreaterThan(20);
      await proxy.cut();
      await page.locator('#thread .turn:last-child[data-reconnecting]').waitFor({ timeout: 5000 });
      expect(await lastTurn().locator('.reconnecting').textContent()).toContain('reconnecting');
      await new Promise((r) => setTimeout(r, 1000));
      await proxy.restore();
      await waitForState('done');
      expect(await lastTurn().getAttribute('data-reconnecting')).toBeNull();
      const shown = (await lastTurn().locator('.answer').textContent()) ?? '';
      const messageId = await lastTurn().getAttribute('data-message-id');
      const stored = await live.deps.conversations.getTurn(messageId!);
      expect(stored?.finish_reason).toBe('stop');

      // The same question answered without a cut renders the same text: nothing shown twice or missed.
      await context.close();
      await openPage();
      await ask(question);
      await waitForState('done');
      const uncut = (await lastTurn().locator('.answer').textContent()) ?? '';
      expect((await live.deps.conversations.getTurn((await lastTurn().getAttribute('data-message-id'))!))?.answer).toBe(stored?.answer);
      expect(shown).toBe(uncut);
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it('stop aborts the stream, keeps what came, and the server stores the turn as client_closed', async () => {
    await openPage();
    await ask('compression');
    // Polled from here: page.waitForFunction with a string polls by eval in the page, which its CSP
    // (script-src 'self') forbids, so it failed whenever the answer was slow to come.
    const streaming = page.locator('#thread .turn:last-child[data-state="streaming"] .answer');
    await expect.poll(async () => ((await streaming.count()) > 0 ? ((await streaming.textContent()) ?? '').length : 0), { timeout: 10_000 }).toBeGreaterThan(20);
    await page.getByRole('button', { name: 'Stop' }).click();
    await waitForState('stopped');
    await page.getByRole('button', { name: 'Send' }).waitFor();
    const shown = (await lastTurn().locator('.answer').textContent()) ?? '';
    expect(shown.length).toBeGreaterThan(20);

    const messageId = await lastTurn().getAttribute('data-message-id');
    expect(messageId).toMatch(/^[0-9a-f-]{36}$/);
    let stored = await live.deps.conversations.getTurn(messageId!);
    for (let i = 0; i < 100 && !stored?.completed_at; i += 1) {
      await new Promise((r) => setTimeout(r, 50));
      stored = await live.deps.conversations.getTurn(messageId!);
    }
    expect(stored?.finish_reason).toBe('client_closed');
    expect(stored?.answer.length).toBeGreaterThan(0);
    expect(await lastTurn().locator('.answer').textContent()).toBe(shown);
  });

  it.each([
    // The wide shot shows an answer's end with its source cards; the narrow one its beginning.
    { name: 'desktop', viewport: { width: 1280, height: 800 }, scroll: "document.querySelector('#thread .sources').getBoundingClientRect().top + window.scrollY - 300" },
    { name: 'mobile', viewport: { width: 375, height: 812 }, scroll: '0' },
  ])('fits a $viewport.width px wide screen with labelled controls and a visible focus ($name)', async ({ name, viewport, scroll }) => {
    await openPage(viewport);
    const shots = process.env.UPDATE_SCREENSHOTS === '1' ? SCREENSHOT_DIR : os.tmpdir();
    await mkdir(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, `welcome-${name}.png`) });

    for (const label of ['Creator', 'Your question']) expect(await page.getByLabel(label, { exact: true }).isVisible()).toBe(true);
    await page.getByLabel('Creator', { exact: true }).selectOption('mira-vox');
    expect(await page.getByLabel("Creator's voice").isVisible()).toBe(true);
    await ask('How do I set up sidechain compression?');
    await waitForState('done');
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);

    await page.getByLabel('Your question').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Send');
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).not.toBe('none');

    await page.getByLabel('Your question').focus();
    await page.evaluate(`window.scrollTo(0, ${scroll})`);
    await page.screenshot({ path: path.join(shots, `chat-${name}.png`) });
  });

  it('a signed-in user keeps a token once, sees past conversations newest first, reopens one to go on, and deletes it', async () => {
    const token = await userWithToken(live.deps.users, 'ada');
    await openPage();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('API token').fill('chry_not-a-real-token');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#history-note').filter({ hasText: 'Your conversations will appear here' }).waitFor();

    const items = page.locator('#history-list li');
    await page.getByLabel('Creator', { exact: true }).selectOption('mira-vox');
    await ask('sidechain compression');
    await waitForState('done');
    await items.first().waitFor();
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.getByLabel('Creator', { exact: true }).selectOption('');
    await ask('reverb pre-delay');
    await waitForState('done');
    await items.nth(1).waitFor();

    await page.reload(); // The token was kept: still signed in.
    await items.nth(1).waitFor();
    expect(await items.locator('.history-title').allTextContents()).toEqual(['reverb pre-delay', 'sidechain compression']);
    expect(await items.nth(1).locator('.history-meta').textContent()).toContain('Mira Vox');

    const id = (await items.nth(1).getAttribute('data-id'))!;
    await items.nth(1).locator('.history-open').click();
    await waitForState('done');
    expect(await page.locator('#thread .turn').count()).toBe(1);
    expect(await lastTurn().locator('.question').textContent()).toContain('sidechain compression');
    expect(await lastTurn().locator('.tier').textContent()).toBe('Mira Vox');
    const cite = lastTurn().locator('.cite').first();
    const source = (await search('sidechain compression', 'mira-vox')).results[Number(await cite.getAttribute('data-source')) - 1]!;
    expect(await cite.getAttribute('href')).toBe(source.url);
    expect(await page.getByLabel('Creator', { exact: true }).inputValue()).toBe('mira-vox');

    await ask('and the release time?');
    await waitForState('done');
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      await page.mouse.move(700, 400);
      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'history-desktop.png') });
    }
    const reopened = await fetch(`${live.url}/api/v1/conversations/${id}`, { headers: bearer(token) });
    expect(((await reopened.json()) as { turn_count: number }).turn_count).toBe(2);

    const item = page.locator(`#history-list li[data-id="${id}"]`);
    await item.locator('.history-delete').click();
    await item.locator('.history-delete').click();
    await item.waitFor({ state: 'detached' });
    expect((await fetch(`${live.url}/api/v1/conversations/${id}`, { headers: bearer(token) })).status).toBe(404);
    expect(await page.locator('#welcome').isVisible()).toBe(true);
    expect(await items.count()).toBe(1);
  });

  // Last: the creator it imports would show in the other tests' picker and screenshots.
  it('markup in a passage shows as text and never runs', async () => {
    await importDocument(live.deps.kb, {
      creators: [{ slug: 'mallory', name: 'Mallory <b onmouseover="pwned=1">Markup</b>', genres: ['glitch'] }],
      videos: [
        {
          id: 'xss:1',
          creator: 'mallory',
          title: 'Glitch <script>pwned=2;alert(2)</script> edits',
          url: 'https://videos.chrysopedia.example/mallory/glitch',
          passages: [
            {
              start_seconds: 12,
              end_seconds: 64,
              technique: 'Zorblax stutter <img src=x onerror="pwned=3;alert(3)">',
              text:
                'For the zorblax stutter, paste <img src=x onerror="pwned=4;alert(4)"> into the zorblax notes! ' +
                'A zorblax stutter <script>pwned=5;alert(5)</script> needs short fades!',
            },
          ],
        },
      ],
    });
    await openPage();
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs += 1;
      void d.dismiss();
    });
    await ask('zorblax stutter');
    await waitForState('done');

    const answer = (await lastTurn().locator('.answer').textContent()) ?? '';
    expect(answer).toContain('<img src=x onerror="pwned=4;alert(4)">');
    expect(answer).toContain('<script>pwned=5;alert(5)</script>');
    expect(answer).toContain('Zorblax stutter <img src=x onerror="pwned=3;alert(3)">');
    expect(await lastTurn().locator('.source-snippet').first().textContent()).toContain('<img src=x onerror=');
    expect(await lastTurn().locator('.source-title').first().textContent()).toContain('<img src=x');
    expect(await page.locator('#thread img, #thread script, #thread b').count()).toBe(0);
    expect(await page.evaluate('typeof window.pwned')).toBe('undefined');
    expect(dialogs).toBe(0);
  });
});

const SCREENSHOT_DIR = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
