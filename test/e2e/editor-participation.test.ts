import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Blog } from '../../src/domain/index.js';
import { type Api, createApi } from '../helpers/api.js';
import { openReader } from '../helpers/realtime.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { launchBrowser, screenshot, watchPage } from './browser.js';
import { ensureClientBuilt } from './support.js';

/**
 * The editor's side of readers taking part: the question queue updates without a reload and
 * answers or dismisses from the page; the audience chart (uPlot) fills in as readers are
 * counted, without a reload.
 */
let server: TestServer;
let admin: Api;
let blog: Blog;
let page: Page;
let errors: string[];

beforeAll(async () => {
  ensureClientBuilt();
  server = await startServer({ AUDIENCE_FLUSH_MS: '500', HEARTBEAT_MS: '300' });
  admin = createApi(server.url, server.adminToken);
  blog = await admin.createBlog({ title: 'Questions and audience' });
  await admin.patchBlog(blog.id, { status: 'live' });
  const editor = await admin.createUser({ name: 'Eve Editor' });
  await admin.addMember(blog.id, editor.id, 'editor');
  const browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1200, height: 1000 } })).newPage();
  errors = (await watchPage(page)).errors;
  await page.goto(`${server.url}/editor`);
  await page.fill('input[name="token"]', editor.token);
  await page.click('form:has(input[name="token"]) button[type="submit"]');
  await page.click(`[data-testid="blog-list"] a[href="#/blog/${blog.id}"]`);
  await page.waitForSelector('[data-testid="question-queue"]', { timeout: 15_000, state: 'attached' });
});

afterAll(() => {
  expect(errors).toEqual([]);
});

describe('editor: question queue and audience chart', () => {
  it('shows new questions live; answer publishes a post quoting it, dismiss drops it', async () => {
    const ask = (text: string) =>
      admin.as(undefined).raw('POST', `/api/v1/blogs/${blog.id}/questions`, { body: { text } });
    expect((await ask('When does the ferry run again?')).status).toBe(202);
    expect((await ask('Buy cheap pills now')).status).toBe(202);
    const queue = page.locator('[data-testid="question-queue"]');
    await queue.locator('li[data-question-id]').nth(1).waitFor({ timeout: 10_000 });
    const first = queue.locator('li[data-question-id]', { hasText: 'ferry' });
    await first.locator('textarea').fill('From 6 pm, every half hour.');
    await first.locator('button[data-action="answer"]').click();
    await queue.locator('li[data-question-id]', { hasText: 'ferry' }).waitFor({ state: 'detached' });
    const spam = queue.locator('li[data-question-id]', { hasText: 'pills' });
    await spam.locator('button[data-action="dismiss"]').click();
    await spam.waitFor({ state: 'detached' });
    const posts = (await admin.listPosts(blog.id)).posts;
    expect(posts).toHaveLength(1);
    expect(posts[0]?.blocks).toEqual([
      { type: 'quote', text: 'When does the ferry run again?', attribution: 'A reader asks' },
      { type: 'text', html: '<p>From 6 pm, every half hour.</p>' },
    ]);
    expect(JSON.stringify(posts)).not.toContain('pills');
  });

  it('the audience chart fills in without a reload as readers are counted', async () => {
    const readers = [openReader(server.url, { transports: ['websocket'] }), openReader(server.url)];
    for (const r of readers) await r.subscribe({ blogId: blog.id, site: 'https://partner.example' });
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="audience-chart"]')?.getAttribute('data-minutes') ?? 0) > 0,
      undefined,
      { timeout: 30_000 },
    );
    await page.waitForFunction(
      () => /partner\.example/.test(document.querySelector('[data-testid="audience-sites"]')?.textContent ?? ''),
      undefined,
      { timeout: 30_000 },
    );
    expect(await page.locator('[data-testid="audience-chart"] canvas').count()).toBeGreaterThan(0);
    await screenshot(page, 'editor-participation');
  });
});
