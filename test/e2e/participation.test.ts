import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Blog, Question } from '../../src/domain/index.js';
import { type Api, createApi, text } from '../helpers/api.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { launchBrowser, screenshot, startPartnerSite, watchPage } from './browser.js';
import { ensureClientBuilt } from './support.js';

/**
 * Readers taking part through the widget on partner sites: a question an editor answers
 * (the answer post appears in the widget; the question itself never does), and two partner
 * sites on different origins voting in one poll and seeing each other's votes live.
 */
let server: TestServer;
let admin: Api;
let blog: Blog;
let pageA: Page;
let pageB: Page;
const errors: string[][] = [];

const shadowText = (p: Page, sel: string) =>
  p.evaluate((s) => document.querySelector('[data-liveblog]')?.shadowRoot?.querySelector(s)?.textContent ?? '', sel);

beforeAll(async () => {
  ensureClientBuilt();
  server = await startServer({ COUNTS_INTERVAL_MS: '300' });
  admin = createApi(server.url, server.adminToken);
  blog = await admin.createBlog({ title: 'Cup final' });
  await admin.patchBlog(blog.id, { status: 'live' });
  await admin.createPost(blog.id, { blocks: [text('<p>Kick-off soon.</p>')] });
  const partner = await startPartnerSite({ serverUrl: server.url, slug: blog.slug });
  const browser = await launchBrowser();
  const open = async (url: string) => {
    const context = await browser.newContext({ viewport: { width: 800, height: 900 } });
    const page = await context.newPage();
    errors.push((await watchPage(page)).errors);
    await page.goto(url);
    await page.waitForSelector('[data-liveblog][data-connected="true"]', { timeout: 15_000 });
    return page;
  };
  // Two partner sites: the same page served on two origins (127.0.0.1 and localhost).
  pageA = await open(partner);
  pageB = await open(partner.replace('127.0.0.1', 'localhost'));
});

afterAll(() => {
  for (const e of errors) expect(e).toEqual([]);
});

describe('readers taking part from partner-site widgets', () => {
  it('a reader sends a question; nobody sees it until an editor answers, then the answer post appears', async () => {
    await pageA.evaluate(() => {
      const root = document.querySelector('[data-liveblog]')?.shadowRoot;
      (root?.querySelector('details.ask') as HTMLDetailsElement).open = true;
    });
    const form = pageA.locator('[data-liveblog] form.ask-form');
    await form.locator('textarea[name="text"]').fill('Is the <b>stadium</b> roof closed?');
    await form.locator('input[name="name"]').fill('Mia');
    await form.locator('button[type="submit"]').click();
    await pageA.waitForFunction(
      () =>
        document
          .querySelector('[data-liveblog]')
          ?.shadowRoot?.querySelector('form.ask-form')
          ?.getAttribute('data-sent') === 'true',
    );
    expect(await shadowText(pageA, '.ask-status')).toContain('sent to the editors');
    // Not shown to readers: neither widget has it.
    expect(await shadowText(pageB, 'ol.posts')).not.toContain('stadium');
    expect(await shadowText(pageA, 'ol.posts')).not.toContain('stadium');

    const queue = await admin.raw('GET', `/api/v1/blogs/${blog.id}/questions`);
    const [q] = (queue.body as { questions: Question[] }).questions;
    expect(q).toMatchObject({ text: 'Is the stadium roof closed?', name: 'Mia' });
    const answered = await admin.raw('POST', `/api/v1/blogs/${blog.id}/questions/${q?.id}/answer`, {
      body: { html: '<p>Yes, it closed at noon.</p>' },
    });
    expect(answered.status).toBe(201);
    for (const p of [pageA, pageB]) {
      await p.waitForFunction(
        () =>
          /closed at noon/.test(
            document.querySelector('[data-liveblog]')?.shadowRoot?.querySelector('ol.posts')?.textContent ?? '',
          ),
        undefined,
        { timeout: 5000 },
      );
    }
    const li = await shadowText(pageB, 'ol.posts li.post');
    expect(li).toContain('Is the stadium roof closed?');
    expect(li).toContain('Mia');
  });

  it('two partner sites vote in one poll and see each other’s votes live', async () => {
    const post = await admin.createPost(blog.id, {
      blocks: [{ type: 'poll', question: 'Who lifts the cup?', options: ['Reds', 'Blues'] }],
    });
    const poll = (p: Page) =>
      p.evaluate((id) => {
        const li = document
          .querySelector('[data-liveblog]')
          ?.shadowRoot?.querySelector(`li.post[data-post-id="${id}"]`);
        const box = li?.querySelector('[data-poll]') as HTMLElement | null | undefined;
        return {
          total: box?.dataset.total ?? '',
          options: [...(box?.querySelectorAll('button[data-vote]') ?? [])].map((b) => ({
            n: b.querySelector('.n')?.textContent ?? '',
            pressed: b.getAttribute('aria-pressed'),
            disabled: (b as HTMLButtonElement).disabled,
          })),
        };
      }, post.id);
    await waitFor(async () => (await poll(pageA)).options.length === 2 && (await poll(pageB)).options.length === 2, {
      what: 'the poll in both widgets',
    });
    await pageA.locator(`[data-liveblog] li[data-post-id="${post.id}"] button[data-vote="o1"]`).click();
    // Site B sees site A's vote live (counts frame), then votes itself; A sees it.
    await waitFor(async () => (await poll(pageB)).total === '1', { what: "site A's vote on site B" });
    await pageB.locator(`[data-liveblog] li[data-post-id="${post.id}"] button[data-vote="o2"]`).click();
    await waitFor(async () => (await poll(pageA)).total === '2', { what: "site B's vote on site A" });
    const a = await poll(pageA);
    expect(a.options.map((o) => o.n)).toEqual(['1 · 50%', '1 · 50%']);
    expect(a.options[0]).toMatchObject({ pressed: 'true', disabled: true });
    // A reaction from A shows on B.
    await pageA.locator(`[data-liveblog] li[data-post-id="${post.id}"] button[data-react="clap"]`).click();
    await waitFor(
      async () =>
        (await pageB.evaluate(
          (id) =>
            document
              .querySelector('[data-liveblog]')
              ?.shadowRoot?.querySelector(`li.post[data-post-id="${id}"] button[data-react="clap"] .n`)?.textContent ??
            '',
          post.id,
        )) === '1',
      { what: 'the reaction on site B' },
    );
    // The store agrees exactly.
    const t = await admin.raw('GET', `/api/v1/blogs/${blog.id}/tallies?posts=${post.id}`);
    expect(t.body).toEqual({
      posts: { [post.id]: { votes: { o1: 1, o2: 1 }, reactions: { like: 0, love: 0, wow: 0, sad: 0, clap: 1 } } },
    });
    // Closing: the final result reaches both as one post update.
    await admin.raw('POST', `/api/v1/blogs/${blog.id}/posts/${post.id}/poll/close`);
    for (const p of [pageA, pageB]) {
      await waitFor(async () => (await poll(p)).options.every((o) => o.disabled), { what: 'the closed poll' });
    }
    expect(await shadowText(pageB, `li.post[data-post-id="${post.id}"] .poll-state`)).toContain('closed');
    await screenshot(pageA, 'widget-poll');
  });
});
