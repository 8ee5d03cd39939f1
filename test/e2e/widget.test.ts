import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Blog } from '../../src/domain/index.js';
import { type Api, createApi, text } from '../helpers/api.js';
import type { TestServer } from '../helpers/server.js';
import { startServer } from '../helpers/server.js';
import { launchBrowser, screenshot, startPartnerSite, watchPage } from './browser.js';
import { ensureClientBuilt } from './support.js';

/**
 * The embed widget on a partner's site (another origin): it renders the blog in a shadow
 * root and follows it live without a reload.
 */
let server: TestServer;
let admin: Api;
let blog: Blog;
let page: Page;
let pageErrors: string[];

/** The text of the widget's post list, or '' before it exists. */
const widgetText = (p: Page) =>
  p.evaluate(() => document.querySelector('[data-liveblog]')?.shadowRoot?.querySelector('ol.posts')?.textContent ?? '');

beforeAll(async () => {
  ensureClientBuilt();
  server = await startServer();
  admin = createApi(server.url, server.adminToken);
  blog = await admin.createBlog({ title: 'Harbour storm', description: 'Live from the quay' });
  // More than one page of posts, so "load more" has something to load.
  for (let i = 1; i <= 22; i++)
    await admin.createPost(blog.id, { blocks: [text(`<p>Earlier update number ${i}.</p>`)] });
  await admin.createPost(blog.id, { blocks: [text('<p>Pinned: where to find shelter.</p>')], pinned: true });
  const partner = await startPartnerSite({ serverUrl: server.url, slug: blog.slug, filler: true });
  const browser = await launchBrowser();
  const context = await browser.newContext({
    viewport: { width: 900, height: 800 },
    timezoneId: 'Asia/Tokyo',
    locale: 'en-GB',
  });
  page = await context.newPage();
  pageErrors = (await watchPage(page)).errors;
  await page.goto(partner);
  await page.waitForSelector('[data-liveblog][data-connected="true"]', { timeout: 15_000 });
});

afterAll(() => {
  expect(pageErrors).toEqual([]);
});

describe('embed widget on a partner page', () => {
  it('renders summary-less blog posts in an open shadow root, pinned first, with relative and exact times', async () => {
    await page.waitForFunction(
      () => (document.querySelector('[data-liveblog]')?.shadowRoot?.querySelectorAll('li.post').length ?? 0) >= 21,
    );
    const info = await page.evaluate(() => {
      const root = document.querySelector('[data-liveblog]')?.shadowRoot;
      const items = [...(root?.querySelectorAll('li.post') ?? [])];
      const time = root?.querySelector('li.post time');
      return {
        mode: root?.mode,
        first: items[0]?.textContent ?? '',
        firstPinned: items[0]?.classList.contains('pinned'),
        second: items[1]?.textContent ?? '',
        timeText: time?.textContent ?? '',
        timeTitle: time?.getAttribute('title') ?? '',
        datetime: time?.getAttribute('datetime') ?? '',
        hostText: document.querySelector('[data-liveblog]')?.textContent ?? '',
        accent: root?.querySelector('.live')
          ? getComputedStyle(root.querySelector('.live') as Element).backgroundColor
          : '',
      };
    });
    expect(info.mode).toBe('open');
    expect(info.first).toContain('Pinned: where to find shelter.');
    expect(info.firstPinned).toBe(true);
    expect(info.second).toContain('Earlier update number 22.');
    expect(info.timeText).toMatch(/now|sec|min/);
    // The exact time is in the reader's time zone (Tokyo is UTC+9).
    const tokyoHour = new Date(Date.parse(info.datetime) + 9 * 3600_000).getUTCHours();
    expect(info.timeTitle).toContain(String(tokyoHour).padStart(2, '0'));
    // Themed through the host's custom property (--lb-accent: #0b5cad).
    expect(info.accent).toBe('rgb(11, 92, 173)');
    // Nothing leaks into the partner's light DOM.
    expect(info.hostText).toBe('');
  });

  it('shows a post published through the API within a second, without reloading', async () => {
    await page.evaluate(() => {
      (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });
    const created = await admin.createPost(blog.id, {
      blocks: [text('<p>Breaking: the <strong>ferry</strong> service resumes.</p>')],
      keyEvent: true,
    });
    const shownAt = Date.now();
    await page.waitForFunction(
      (id) => !!document.querySelector('[data-liveblog]')?.shadowRoot?.querySelector(`li.post[data-post-id="${id}"]`),
      created.id,
      { timeout: 1000, polling: 20 },
    );
    expect(Date.now() - shownAt).toBeLessThan(1000);
    const state = await page.evaluate((id) => {
      const root = document.querySelector('[data-liveblog]')?.shadowRoot;
      const li = root?.querySelector(`li.post[data-post-id="${id}"]`);
      return {
        same: (window as unknown as { __sameDocument?: boolean }).__sameDocument === true,
        key: li?.classList.contains('key'),
        strong: li?.querySelector('strong')?.textContent,
        index: [...(root?.querySelectorAll('li.post') ?? [])].indexOf(li as Element),
        announced: root?.querySelector('[aria-live="polite"]')?.textContent ?? '',
      };
    }, created.id);
    expect(state).toMatchObject({ same: true, key: true, strong: 'ferry', index: 1 });
    expect(state.announced).toContain('key event');
    await screenshot(page, 'widget-partner');
  });

  it('applies edits and deletions live', async () => {
    const post = await admin.createPost(blog.id, { blocks: [text('<p>Typo in this updte.</p>')] });
    await page.waitForFunction(() =>
      document.querySelector('[data-liveblog]')?.shadowRoot?.querySelector('ol.posts')?.textContent?.includes('updte'),
    );
    await admin.patchPost(blog.id, post.id, { blocks: [text('<p>Fixed this update.</p>')] });
    await page.waitForFunction(() =>
      document
        .querySelector('[data-liveblog]')
        ?.shadowRoot?.querySelector('ol.posts')
        ?.textContent?.includes('Fixed this update.'),
    );
    expect(await widgetText(page)).not.toContain('updte');
    await admin.deletePost(blog.id, post.id);
    await page.waitForFunction(
      () =>
        !document
          .querySelector('[data-liveblog]')
          ?.shadowRoot?.querySelector('ol.posts')
          ?.textContent?.includes('Fixed this update.'),
    );
  });

  it('holds new posts behind an "N new updates" button while the reader has scrolled away', async () => {
    // Scroll so the top of the list is above the viewport.
    await page.evaluate(() => {
      const list = document.querySelector('[data-liveblog]')?.shadowRoot?.querySelector('ol.posts') as HTMLElement;
      window.scrollTo(0, list.getBoundingClientRect().top + window.scrollY + 400);
    });
    // Where a post the reader is looking at sits on screen: it must not move.
    const anchorTop = () =>
      page.evaluate(() => {
        const root = document.querySelector('[data-liveblog]')?.shadowRoot;
        const visible = [...(root?.querySelectorAll('li.post') ?? [])].find((li) => li.getBoundingClientRect().top > 0);
        return {
          id: (visible as HTMLElement | undefined)?.dataset.postId,
          top: Math.round(visible?.getBoundingClientRect().top ?? -1),
        };
      });
    const before = await anchorTop();
    const a = await admin.createPost(blog.id, { blocks: [text('<p>Held back one.</p>')] });
    const b = await admin.createPost(blog.id, { blocks: [text('<p>Held back two.</p>')] });
    await page.waitForFunction(
      () =>
        document.querySelector('[data-liveblog]')?.shadowRoot?.querySelector('button.new:not([hidden])')
          ?.textContent === '2 new updates',
    );
    const hidden = await page.evaluate(
      ([x, y]) => {
        const root = document.querySelector('[data-liveblog]')?.shadowRoot;
        return !root?.querySelector(`[data-post-id="${x}"]`) && !root?.querySelector(`[data-post-id="${y}"]`);
      },
      [a.id, b.id],
    );
    expect(hidden).toBe(true);
    const after = await anchorTop();
    expect(after.id).toBe(before.id);
    expect(Math.abs(after.top - before.top)).toBeLessThanOrEqual(1);
    await page.locator('[data-liveblog] button.new').click();
    await page.waitForFunction(
      (id) => !!document.querySelector('[data-liveblog]')?.shadowRoot?.querySelector(`[data-post-id="${id}"]`),
      b.id,
    );
    expect(await page.locator('[data-liveblog] button.new').isHidden()).toBe(true);
  });

  it('loads older posts on demand', async () => {
    const count = () =>
      page.evaluate(
        () => document.querySelector('[data-liveblog]')?.shadowRoot?.querySelectorAll('li.post').length ?? 0,
      );
    expect(await widgetText(page)).not.toContain('Earlier update number 1.');
    const shown = await count();
    await page.locator('[data-liveblog] button.more').click();
    await page.waitForFunction(() =>
      document
        .querySelector('[data-liveblog]')
        ?.shadowRoot?.querySelector('ol.posts')
        ?.textContent?.includes('Earlier update number 1.'),
    );
    expect(await count()).toBeGreaterThan(shown);
    await page.waitForFunction(() =>
      document.querySelector('[data-liveblog]')?.shadowRoot?.querySelector('button.more')?.hasAttribute('hidden'),
    );
  });

  it('runs as the iframe variant under its own CSP', async () => {
    const frame = await page.context().newPage();
    const errors = (await watchPage(frame)).errors;
    await frame.goto(`${server.url}/embed/${blog.slug}`);
    await frame.waitForSelector('[data-liveblog][data-connected="true"]', { timeout: 10_000 });
    await frame.waitForFunction(() =>
      document.querySelector('[data-liveblog]')?.shadowRoot?.querySelector('ol.posts')?.textContent?.includes('ferry'),
    );
    expect(errors).toEqual([]);
    await frame.close();
  });
});
