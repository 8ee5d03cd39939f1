import { expect, it } from 'vitest';
import { createApi, text } from '../helpers/api.js';
import { startServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { launchBrowser, startPartnerSite, watchPage } from './browser.js';
import { ensureClientBuilt } from './support.js';

/**
 * Partner sites that are single-page apps replace their article (and the placeholder in it)
 * on every navigation. A widget whose element left the document must let go of its
 * connection; otherwise each navigation leaves one more socket open until the tab closes.
 */
it('a widget whose placeholder is removed from the page closes its connection', async () => {
  ensureClientBuilt();
  const server = await startServer();
  const admin = createApi(server.url, server.adminToken);
  const blog = await admin.createBlog({ title: 'Unmount' });
  await admin.createPost(blog.id, { blocks: [text('<p>Hello.</p>')] });
  const partner = await startPartnerSite({ serverUrl: server.url, slug: blog.slug });
  const browser = await launchBrowser();
  const page = await (await browser.newContext()).newPage();
  const { errors } = await watchPage(page);
  const readers = async () => {
    const metric = await server.app.deps.metrics.readersConnected.get();
    return metric.values.reduce((sum, v) => sum + v.value, 0);
  };

  await page.goto(partner);
  await page.waitForSelector('[data-liveblog][data-connected="true"]', { timeout: 15_000 });
  expect(await readers()).toBe(1);

  // Moving the element keeps it (and its widget) alive.
  await page.evaluate(() => {
    const el = document.querySelector('[data-liveblog]') as HTMLElement;
    document.body.append(el);
  });
  await page.waitForFunction(
    () => document.querySelector('[data-liveblog]')?.getAttribute('data-connected') === 'true',
  );
  expect(await readers()).toBe(1);

  // A client-side navigation: the old article goes, a new one with a placeholder comes.
  await page.evaluate((slug) => {
    document.querySelector('[data-liveblog]')?.remove();
    const next = document.createElement('div');
    next.dataset.liveblog = slug;
    next.className = 'second';
    document.body.append(next);
  }, blog.slug);
  await page.waitForSelector('.second[data-connected="true"]', { timeout: 15_000 });
  await waitFor(async () => (await readers()) === 1, { timeoutMs: 10_000, what: 'the removed widget disconnects' });
  expect(errors).toEqual([]);
}, 60_000);
