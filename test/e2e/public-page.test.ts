import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Blog } from '../../src/domain/index.js';
import { type Api, createApi, text } from '../helpers/api.js';
import type { TestServer } from '../helpers/server.js';
import { startServer } from '../helpers/server.js';
import { launchBrowser, screenshot, watchPage } from './browser.js';
import { ensureClientBuilt } from './support.js';

/** The public page as browsers and crawlers see it: readable without JS, live with it. */
let server: TestServer;
let admin: Api;
let blog: Blog;
let browser: Browser;

beforeAll(async () => {
  ensureClientBuilt();
  server = await startServer();
  admin = createApi(server.url, server.adminToken);
  blog = await admin.createBlog({ title: 'Election night, live', description: 'Results as they come in.' });
  await admin.createPost(blog.id, {
    blocks: [text('<p>Polls have closed in the <em>north</em>.</p>')],
    keyEvent: true,
  });
  await admin.createPost(blog.id, {
    blocks: [{ type: 'quote', text: 'We are confident.', attribution: 'A campaign spokesperson' }],
  });
  await admin.createPost(blog.id, { blocks: [text('<p>Turnout update: 64% by 8pm.</p>')], pinned: true });
  browser = await launchBrowser();
});

describe('public page', () => {
  it('reads without JavaScript, with every post in the HTML', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.url}/live/${blog.slug}`);
    expect(await page.locator('h1').textContent()).toBe('Election night, live');
    const posts = page.locator('article.lb-post');
    expect(await posts.count()).toBe(3);
    expect(await posts.first().textContent()).toContain('Turnout update');
    expect(await page.locator('article.lb-key').textContent()).toContain('Polls have closed');
    await context.close();
  });

  it('carries a LiveBlogPosting JSON-LD block of the right shape', async () => {
    const page = await browser.newPage();
    const { errors } = await watchPage(page);
    await page.goto(`${server.url}/live/${blog.slug}`);
    const blocks = await page.evaluate(() =>
      [...document.querySelectorAll('script[type="application/ld+json"]')].map((s) => JSON.parse(s.textContent ?? '')),
    );
    expect(blocks).toHaveLength(1);
    const ld = blocks[0] as Record<string, unknown>;
    const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
    expect(ld).toMatchObject({
      '@context': 'https://schema.org',
      '@type': 'LiveBlogPosting',
      headline: 'Election night, live',
      description: 'Results as they come in.',
      url: `${server.url}/live/${blog.slug}`,
    });
    expect(ld.coverageStartTime).toMatch(iso);
    expect(ld.datePublished).toMatch(iso);
    expect(ld.dateModified).toMatch(iso);
    const updates = ld.liveBlogUpdate as Record<string, unknown>[];
    expect(updates).toHaveLength(3);
    for (const u of updates) {
      expect(u['@type']).toBe('BlogPosting');
      expect(typeof u.headline).toBe('string');
      expect((u.headline as string).length).toBeGreaterThan(0);
      expect((u.headline as string).length).toBeLessThanOrEqual(110);
      expect(u.datePublished).toMatch(iso);
      expect(u.articleBody).toBeTruthy();
      expect(u.author).toMatchObject({ '@type': 'Person', name: 'Admin' });
    }
    // The discovery links resolve: the feed is well-formed XML, oEmbed answers rich JSON.
    const links = await page.evaluate(() => ({
      atom: document.querySelector<HTMLLinkElement>('link[type="application/atom+xml"]')?.href ?? '',
      oembed: document.querySelector<HTMLLinkElement>('link[type="application/json+oembed"]')?.href ?? '',
    }));
    const feedCheck = await page.evaluate(async (url) => {
      const xml = await (await fetch(url)).text();
      const doc = new DOMParser().parseFromString(xml, 'application/xml');
      return {
        error: doc.querySelector('parsererror')?.textContent ?? null,
        root: doc.documentElement.namespaceURI,
        entries: doc.getElementsByTagName('entry').length,
      };
    }, links.atom);
    expect(feedCheck).toEqual({ error: null, root: 'http://www.w3.org/2005/Atom', entries: 3 });
    const oembed = (await (await fetch(links.oembed)).json()) as { type: string; html: string };
    expect(oembed.type).toBe('rich');
    expect(oembed.html).toContain(`/embed/${blog.slug}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('upgrades to the live widget under the page CSP and follows new posts', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const { errors } = await watchPage(page);
    await page.goto(`${server.url}/live/${blog.slug}`);
    await page.waitForSelector('[data-liveblog][data-connected="true"]', { timeout: 15_000 });
    await admin.createPost(blog.id, { blocks: [text('<p>First result declared.</p>')] });
    await page.waitForFunction(() =>
      document
        .querySelector('[data-liveblog]')
        ?.shadowRoot?.querySelector('ol.posts')
        ?.textContent?.includes('First result declared.'),
    );
    await screenshot(page, 'public-page');
    // Nothing the page did was blocked by its own Content-Security-Policy.
    expect(errors).toEqual([]);
    await page.close();
  });
});
