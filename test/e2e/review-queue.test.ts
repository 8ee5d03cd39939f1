import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Blog } from '../../src/domain/index.js';
import { type Api, createApi } from '../helpers/api.js';
import { createPerson } from '../helpers/identity.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { launchBrowser, screenshot, startPartnerSite, watchPage } from './browser.js';
import { ensureClientBuilt, signInWithPassword } from './support.js';

/**
 * The review queue in two browsers, nobody reloading: a contributor submits a draft from
 * the editor page, an editor sees it arrive in the queue and returns it with a note, the
 * contributor sees the note, fixes and resubmits, the editor publishes it, and a reader of
 * a partner's widget sees the post under the contributor's name. Scheduled posts show in the
 * editor live, with a countdown, until the scheduler publishes them.
 */
let server: TestServer;
let browser: Browser;
let admin: Api;
let blog: Blog;
let carl: Page;
let eve: Page;
let reader: Page;
const errors: string[][] = [];
const TIP = 'The ferry terminal reopens at noon.';

async function signIn(email: string, password: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
  errors.push((await watchPage(page)).errors);
  await signInWithPassword(page, server.url, email, password);
  await page.click(`[data-testid="blog-list"] a[href="#/blog/${blog.id}"]`);
  await page.waitForSelector('[data-testid="live-status"]:text-is("live")', { timeout: 15_000 });
  return page;
}

/** The item of the post carrying `text` in one of the editor's lists. */
const itemIn = (p: Page, list: string, text: string) => p.locator(`[data-list="${list}"] li.item`, { hasText: text });

beforeAll(async () => {
  ensureClientBuilt();
  server = await startServer();
  admin = createApi(server.url, server.adminToken);
  blog = await admin.createBlog({ title: 'Live: ferry strike day two' });
  await admin.patchBlog(blog.id, { status: 'live' });
  const contributor = await createPerson(server, {
    name: 'Carl Contributor',
    email: 'carl@newsroom.test',
    password: 'saffron tugboat pier 13',
  });
  const editor = await createPerson(server, {
    name: 'Eve Editor',
    email: 'eve@newsroom.test',
    password: 'indigo lantern dock 48',
  });
  await admin.addMember(blog.id, contributor.id, 'contributor');
  await admin.addMember(blog.id, editor.id, 'editor');
  browser = await launchBrowser();
  carl = await signIn('carl@newsroom.test', 'saffron tugboat pier 13');
  eve = await signIn('eve@newsroom.test', 'indigo lantern dock 48');
  const partner = await startPartnerSite({ serverUrl: server.url, slug: blog.slug });
  reader = await (await browser.newContext({ viewport: { width: 900, height: 900 } })).newPage();
  errors.push((await watchPage(reader)).errors);
  await reader.goto(partner);
  await reader.waitForSelector('[data-liveblog][data-connected="true"]', { timeout: 15_000 });
});

describe('the review queue, live in two editor pages', () => {
  it('submit → returned with a note → resubmitted → published, attributed to its author, seen by a widget reader', async () => {
    // The contributor's page offers only what a contributor may do; the editor's offers publishing.
    await carl.waitForSelector('#lb-editor-app[data-role="contributor"]');
    expect(await carl.locator('.composer [data-action="publish"]').isVisible()).toBe(false);
    expect(await carl.locator('.composer [data-action="submit-review"]').isVisible()).toBe(true);
    await eve.waitForSelector('#lb-editor-app[data-role="editor"]');
    expect(await eve.locator('.composer [data-action="publish"]').isVisible()).toBe(true);

    // The contributor writes and submits from the composer.
    await carl.click('.composer .rt-content');
    await carl.keyboard.type(TIP);
    await carl.click('.composer [data-action="submit-review"]');
    await carl.waitForSelector('.composer .flash.ok');

    // The editor's queue shows it without a reload.
    const queued = itemIn(eve, 'submitted', TIP);
    await queued.waitFor({ timeout: 5000 });
    expect(await queued.locator('.meta').textContent()).toContain('Carl Contributor');
    await screenshot(eve, 'review-queue-submitted');

    // Returned with a note; the contributor sees the note in their drafts, live.
    await queued.locator('[data-action="return"]').click();
    await queued.locator('[data-field="review-note"]').fill('Needs a second source: who confirmed noon?');
    await queued.locator('[data-action="send-return"]').click();
    await itemIn(eve, 'submitted', TIP).waitFor({ state: 'detached', timeout: 5000 });
    const returned = itemIn(carl, 'draft', TIP);
    await returned.locator('[data-testid="review-note"]').waitFor({ timeout: 5000 });
    expect(await returned.locator('[data-testid="review-note"]').textContent()).toBe(
      'Returned by Eve Editor: Needs a second source: who confirmed noon?',
    );
    expect(await returned.locator('[data-action="publish"]').isVisible()).toBe(false);
    await screenshot(carl, 'review-queue-returned');
    // Readers never saw any of it.
    expect(
      await reader.evaluate(() => document.querySelector('[data-liveblog]')?.shadowRoot?.textContent ?? ''),
    ).not.toContain(TIP);

    // Resubmitted from the draft's own button; back in the editor's queue, without the note.
    await returned.locator('[data-action="submit"]').click();
    const again = itemIn(eve, 'submitted', TIP);
    await again.waitFor({ timeout: 5000 });
    expect(await again.locator('[data-testid="review-note"]').count()).toBe(0);

    // Published by the editor: attributed to its author, approved by the editor.
    await again.locator('[data-action="approve"]').click();
    const published = itemIn(eve, 'published', TIP);
    await published.waitFor({ timeout: 5000 });
    expect(await published.locator('.meta').textContent()).toMatch(/Carl Contributor.*approved by Eve Editor/);
    await itemIn(carl, 'published', TIP).waitFor({ timeout: 5000 });

    // The partner site's reader gets it live, under the contributor's name.
    await reader.waitForFunction(
      (tip) =>
        [...(document.querySelector('[data-liveblog]')?.shadowRoot?.querySelectorAll('.post') ?? [])].some((p) =>
          p.textContent?.includes(tip),
        ),
      TIP,
      { timeout: 5000 },
    );
    const author = await reader.evaluate(
      (tip) =>
        [...(document.querySelector('[data-liveblog]')?.shadowRoot?.querySelectorAll('.post') ?? [])]
          .find((p) => p.textContent?.includes(tip))
          ?.querySelector('.author')?.textContent,
      TIP,
    );
    expect(author).toBe('Carl Contributor');
    await screenshot(reader, 'review-queue-reader');
  });

  it('shows a scheduled post live with a countdown that ticks, then moves it to Published when it goes out', async () => {
    const line = 'Results expected within the hour.';
    const at = new Date(Date.now() + 4000).toISOString();
    const res = await admin.raw('POST', `/api/v1/blogs/${blog.id}/posts`, {
      body: { blocks: [{ type: 'text', html: `<p>${line}</p>` }], publishAt: at },
    });
    expect(res.status).toBe(201);
    const scheduled = itemIn(eve, 'scheduled', line);
    await scheduled.waitFor({ timeout: 5000 });
    const countdown = scheduled.locator('.countdown');
    const first = (await countdown.textContent()) ?? '';
    expect(first).toMatch(/^in \d s$/);
    // It ticks every second without a reload.
    await eve.waitForFunction(
      ([sel, was]) => {
        const el = document.querySelector(sel as string);
        return !!el && el.textContent !== was;
      },
      [`[data-list="scheduled"] li.item .countdown`, first],
      { timeout: 3000 },
    );
    await screenshot(eve, 'review-queue-scheduled');
    // Published by the scheduler: it leaves Scheduled and appears in Published, live.
    await itemIn(eve, 'published', line).waitFor({ timeout: 8000 });
    expect(await itemIn(eve, 'scheduled', line).count()).toBe(0);
  });

  it('no page saw an error', () => {
    expect(errors.flat()).toEqual([]);
  });
});
