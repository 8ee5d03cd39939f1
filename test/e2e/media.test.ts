import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Blog } from '../../src/domain/index.js';
import { type Api, createApi } from '../helpers/api.js';
import { jpeg, png } from '../helpers/images.js';
import type { TestServer } from '../helpers/server.js';
import { startServer } from '../helpers/server.js';
import { launchBrowser, screenshot, startPartnerSite, watchPage } from './browser.js';
import { ensureClientBuilt } from './support.js';

/**
 * A reporter uploads a photo in the editor (file picker, then drag and drop), publishes it
 * with alt text, and a partner site's widget shows it live as a responsive <picture>.
 */
let server: TestServer;
let admin: Api;
let blog: Blog;
let editor: Page;
let reader: Page;
const errors: string[][] = [];

/** What the widget shows of its images (inside the shadow root). */
const widgetImages = (p: Page) =>
  p.evaluate(() =>
    [...(document.querySelector('[data-liveblog]')?.shadowRoot?.querySelectorAll('figure picture') ?? [])].map(
      (pic) => {
        const img = pic.querySelector('img') as HTMLImageElement;
        return {
          sources: [...pic.querySelectorAll('source')].map((s) => ({ type: s.type, srcset: s.srcset, sizes: s.sizes })),
          srcset: img.srcset,
          width: img.getAttribute('width'),
          height: img.getAttribute('height'),
          loading: img.loading,
          alt: img.alt,
          loaded: img.complete && img.naturalWidth > 0,
          current: img.currentSrc,
          background: img.style.backgroundColor,
          caption: pic.parentElement?.querySelector('figcaption')?.textContent ?? '',
        };
      },
    ),
  );

beforeAll(async () => {
  ensureClientBuilt();
  server = await startServer();
  admin = createApi(server.url, server.adminToken);
  blog = await admin.createBlog({ title: 'Live: harbour bridge closed', description: 'Photos from the scene.' });
  const reporter = await admin.createUser({ name: 'Mia Reporter', color: '#2ca02c' });
  await admin.addMember(blog.id, reporter.id, 'contributor');
  const editorUser = await admin.createUser({ name: 'Ed Itor', color: '#1f77b4' });
  await admin.addMember(blog.id, editorUser.id, 'editor');

  const browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  editor = await context.newPage();
  errors.push((await watchPage(editor)).errors);
  await editor.goto(`${server.url}/editor`);
  await editor.fill('input[name="token"]', editorUser.token);
  await editor.click('form:has(input[name="token"]) button[type="submit"]');
  await editor.click(`[data-testid="blog-list"] a[href="#/blog/${blog.id}"]`);
  await editor.waitForSelector('.composer');

  const partner = await startPartnerSite({ serverUrl: server.url, slug: blog.slug });
  reader = await (await browser.newContext({ viewport: { width: 420, height: 900 }, deviceScaleFactor: 2 })).newPage();
  errors.push((await watchPage(reader)).errors);
  await reader.goto(partner);
  await reader.waitForSelector('[data-liveblog][data-connected="true"]', { timeout: 15_000 });
}, 120_000);

afterAll(() => {
  // The editor's one failed request is the publish refused for lack of alt text (on purpose).
  expect(errors[0]).toEqual([expect.stringMatching(/^http 400: .*\/posts$/)]);
  expect(errors[1]).toEqual([]);
});

describe('photos from the editor to a partner widget', () => {
  it('uploads with the file picker, refuses to publish without alt text, publishes with it, and the widget shows a <picture> live', async () => {
    await editor.click('.composer .rt-content');
    await editor.keyboard.type('Fire crews at the north end of the bridge.');
    await editor.click('.composer button.secondary:text-is("image")');
    const photo = await jpeg(1600, 1067);
    await editor.setInputFiles('.composer .block-image input[type="file"]', {
      name: 'IMG_0042.jpg',
      mimeType: 'image/jpeg',
      buffer: photo,
    });
    await editor.waitForSelector('.composer .block-image [data-media-id]', { timeout: 60_000 });
    await editor.waitForSelector('.composer .block-image img.upload-preview:not([hidden])');

    // No alt text yet: the server refuses to publish, and says why.
    await editor.click('.composer [data-action="publish"]');
    await editor.waitForSelector('.composer > .flash.error');
    expect(await editor.textContent('.composer > .flash.error')).toMatch(/alt text is required/);

    await editor.fill('.composer .block-image [data-field="alt"]', 'Two fire engines on the closed bridge deck');
    await editor.fill('.composer .block-image [data-field="caption"]', 'The north end at 09:40');
    await editor.fill('.composer .block-image [data-field="credit"]', 'Mia Reporter');
    await editor.click('.composer [data-action="publish"]');
    await editor.waitForSelector('.composer > .flash.ok');

    await reader.waitForFunction(
      () => !!document.querySelector('[data-liveblog]')?.shadowRoot?.querySelector('figure picture img'),
      undefined,
      { timeout: 15_000 },
    );
    await reader.waitForFunction(() => {
      const img = document.querySelector('[data-liveblog]')?.shadowRoot?.querySelector('figure picture img') as
        | HTMLImageElement
        | undefined;
      img?.scrollIntoView();
      return !!img && img.complete && img.naturalWidth > 0;
    });
    const [shown] = await widgetImages(reader);
    expect(shown).toBeDefined();
    expect(shown!.sources.map((s) => s.type)).toEqual(['image/avif', 'image/webp']);
    expect(shown!.sources[0]!.srcset).toMatch(/ 320w, .* 640w, .* 1280w, .* 1600w$/);
    expect(shown!.sources[0]!.sizes).toBe('(min-width: 760px) 720px, 100vw');
    expect(shown!.srcset).toMatch(/\.jpeg 320w, .*\.jpeg 1600w$/);
    expect([shown!.width, shown!.height]).toEqual(['1600', '1067']);
    expect(shown!.loading).toBe('lazy');
    expect(shown!.alt).toBe('Two fire engines on the closed bridge deck');
    expect(shown!.caption).toBe('The north end at 09:40 Mia Reporter');
    expect(shown!.background).not.toBe('');
    expect(shown!.loaded).toBe(true);
    // A 420 px viewport at 2x picks a variant near 840 px wide: the browser chose from srcset.
    expect(shown!.current).toMatch(/\/media\/[0-9a-f]{64}\.avif$/);
    await screenshot(reader, 'media-widget');
  }, 120_000);

  it('a photo dropped onto the composer becomes a new image block and uploads', async () => {
    const bytes = [...(await png(640, 480))];
    await editor.evaluate((data) => {
      const file = new File([new Uint8Array(data)], 'dropped.png', { type: 'image/png' });
      const dt = new DataTransfer();
      dt.items.add(file);
      document
        .querySelector('.composer')
        ?.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, bytes);
    await editor.waitForFunction(
      () => document.querySelectorAll('.composer .block-image [data-media-id]').length === 1,
      undefined,
      { timeout: 60_000 },
    );
    expect(await editor.textContent('.composer .block-image .flash')).toMatch(/Uploaded \(640 × 480\)/);
  }, 120_000);
});
