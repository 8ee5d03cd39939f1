import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Blog } from '../../src/domain/index.js';
import { type Api, createApi, text } from '../helpers/api.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { registerCleanup } from '../helpers/teardown.js';
import { launchBrowser, screenshot, watchPage } from './browser.js';
import { ensureClientBuilt } from './support.js';

/**
 * The workflow as a partner site's reader sees it, in Chromium: a correction arriving live,
 * the key-events view, an oldest-first widget receiving live posts at its end, and an
 * Arabic blog's widget laid out right to left.
 */
let server: TestServer;
let admin: Api;
let page: Page;
let errors: string[];
const blogs: Record<'news' | 'key' | 'oldest' | 'arabic', Blog> = {} as never;

async function partnerSite(serverUrl: string, body: string): Promise<string> {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner</title></head>
<body><h1>Partner coverage</h1>${body}<script async src="${serverUrl}/embed.js"></script></body></html>`;
  const site = createServer((req, res) => {
    if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  registerCleanup(() => new Promise<void>((resolve) => site.close(() => resolve())));
  return `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
}

/** Evaluates in the shadow root of the widget with id `id`. */
const inWidget = <T>(id: string, fn: string) =>
  page.evaluate(
    ([wid, body]) => {
      const root = document.getElementById(wid as string)?.shadowRoot;
      return new Function('root', body as string)(root);
    },
    [id, fn],
  ) as Promise<T>;
const waitInWidget = (id: string, condition: string) =>
  page.waitForFunction(
    ([wid, body]) => {
      const root = document.getElementById(wid as string)?.shadowRoot;
      return !!root && new Function('root', `return (${body})`)(root);
    },
    [id, condition],
    { timeout: 10_000 },
  );

beforeAll(async () => {
  ensureClientBuilt();
  server = await startServer();
  admin = createApi(server.url, server.adminToken);
  blogs.news = await admin.createBlog({ title: 'Harbour fire' });
  blogs.key = await admin.createBlog({ title: 'Election count' });
  blogs.oldest = await admin.createBlog({ title: 'Match report', order: 'oldest' });
  blogs.arabic = await admin.createBlog({ title: 'تغطية مباشرة', language: 'ar' });
  await admin.createPost(blogs.news.id, { blocks: [text('<p>Two ships affected.</p>')] });
  await admin.createPost(blogs.key.id, { blocks: [text('<p>Polls close.</p>')], keyEvent: true });
  await admin.createPost(blogs.key.id, { blocks: [text('<p>Turnout chatter.</p>')] });
  await admin.createPost(blogs.oldest.id, { blocks: [text('<p>Kick-off.</p>')] });
  await admin.createPost(blogs.oldest.id, { blocks: [text('<p>First chance.</p>')] });
  await admin.createPost(blogs.arabic.id, { blocks: [text('<p>بدأ الاجتماع.</p>')] });
  const url = await partnerSite(
    server.url,
    [
      `<div id="w-news" data-liveblog="${blogs.news.slug}"></div>`,
      `<div id="w-key" data-liveblog="${blogs.key.slug}" data-liveblog-key-events></div>`,
      `<div id="w-oldest" data-liveblog="${blogs.oldest.slug}"></div>`,
      `<div id="w-ar" data-liveblog="${blogs.arabic.slug}"></div>`,
    ].join('\n'),
  );
  const browser = await launchBrowser();
  const context = await browser.newContext({
    viewport: { width: 900, height: 3000 },
    timezoneId: 'Asia/Tokyo',
    locale: 'en-GB',
  });
  page = await context.newPage();
  errors = (await watchPage(page)).errors;
  await page.goto(url);
  for (const id of ['w-news', 'w-key', 'w-oldest', 'w-ar']) {
    await page.waitForSelector(`#${id}[data-connected="true"]`, { timeout: 15_000 });
  }
});

afterAll(() => {
  expect(errors).toEqual([]);
});

describe('workflow in the widget on a partner site', () => {
  it('shows a correction live: "Corrected HH:MM — note" in the reader\'s time zone', async () => {
    const [post] = (await admin.listPosts(blogs.news.id)).posts;
    if (!post) throw new Error('no post');
    const res = await admin.raw('PATCH', `/api/v1/blogs/${blogs.news.id}/posts/${post.id}`, {
      body: { blocks: [text('<p>Three ships affected.</p>')], correction: { note: 'We first said two ships.' } },
    });
    const at = (res.body as { correction: { at: string } }).correction.at;
    await waitInWidget(
      'w-news',
      "root.querySelector('.correction')?.textContent?.includes('We first said two ships.')",
    );
    const line = await inWidget<string>('w-news', "return root.querySelector('.correction').textContent");
    const tokyo = new Date(Date.parse(at) + 9 * 3600_000);
    const hhmm = `${String(tokyo.getUTCHours()).padStart(2, '0')}:${String(tokyo.getUTCMinutes()).padStart(2, '0')}`;
    expect(line).toBe(`Corrected ${hhmm} — We first said two ships.`);
    expect(await inWidget<string>('w-news', "return root.querySelector('ol.posts').textContent")).toContain(
      'Three ships',
    );
  });

  it('the key-events view shows key events only, as a timeline, and follows live changes', async () => {
    await waitInWidget(
      'w-key',
      "root.querySelector('ol.posts.timeline') && root.querySelectorAll('li.post').length === 1",
    );
    expect(await inWidget<string>('w-key', "return root.querySelector('ol.posts').textContent")).toContain(
      'Polls close.',
    );
    const plain = await admin.createPost(blogs.key.id, { blocks: [text('<p>Queue outside.</p>')] });
    const key = await admin.createPost(blogs.key.id, {
      blocks: [text('<p>First result declared.</p>')],
      keyEvent: true,
    });
    await waitInWidget('w-key', `!!root.querySelector('li.post[data-post-id="${key.id}"]')`);
    // A post that becomes a key event joins the timeline; the view's switch is pressed.
    await admin.patchPost(blogs.key.id, plain.id, { keyEvent: true });
    await waitInWidget('w-key', `!!root.querySelector('li.post[data-post-id="${plain.id}"]')`);
    expect(
      await inWidget<string>(
        'w-key',
        "return root.querySelector('button[data-view=key]').getAttribute('aria-pressed')",
      ),
    ).toBe('true');
    expect(await inWidget<string>('w-key', "return root.querySelector('ol.posts').textContent")).not.toContain(
      'Turnout',
    );
  });

  it("oldest first (the blog's order): live posts land at the end", async () => {
    await waitInWidget('w-oldest', "root.querySelectorAll('li.post').length === 2");
    const p = await admin.createPost(blogs.oldest.id, { blocks: [text('<p>Goal!</p>')] });
    await waitInWidget('w-oldest', `!!root.querySelector('li.post[data-post-id="${p.id}"]')`);
    const order = await inWidget<string[]>(
      'w-oldest',
      "return [...root.querySelectorAll('li.post')].map((li) => li.textContent)",
    );
    expect(
      order.map((t) =>
        t.includes('Kick-off') ? 'k' : t.includes('First chance') ? 'f' : t.includes('Goal') ? 'g' : '?',
      ),
    ).toEqual(['k', 'f', 'g']);
    expect(await page.getAttribute('#w-oldest', 'data-order')).toBe('oldest');
  });

  it("an Arabic blog's widget is right to left, in Arabic", async () => {
    await waitInWidget('w-ar', "root.querySelector('.root').dir === 'rtl'");
    const info = await inWidget<{ lang: string; direction: string; live: string }>(
      'w-ar',
      "const r = root.querySelector('.root'); return { lang: r.lang, direction: getComputedStyle(r).direction, live: root.querySelector('.live').textContent }",
    );
    expect(info).toEqual({ lang: 'ar', direction: 'rtl', live: 'مباشر' });
    await screenshot(page, 'workflow-widgets');
  });
});
