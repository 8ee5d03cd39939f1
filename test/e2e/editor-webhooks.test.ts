import { describe, expect, it } from 'vitest';
import { createApi, text } from '../helpers/api.js';
import { startReceiver } from '../helpers/receiver.js';
import { startServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { launchBrowser, watchPage } from './browser.js';
import { ensureClientBuilt } from './support.js';

/** The owner opening the editor is told which webhook endpoint was disabled, and why. */
describe('editor: disabled webhook endpoints', () => {
  it('lists a disabled endpoint with its reason and re-enables it', async () => {
    ensureClientBuilt();
    const server = await startServer({ OUTBOUND_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_MS: '50' });
    const admin = createApi(server.url, server.adminToken);
    const blog = await admin.createBlog({ title: 'Hooks' });
    const owner = await admin.createUser({ name: 'Olive Owner' });
    await admin.addMember(blog.id, owner.id, 'owner');
    // 410 Gone: the receiver says it is no more, so the endpoint is disabled at once.
    const gone = await startReceiver((_req, res) => {
      res.statusCode = 410;
      res.end();
    });
    const hook = await admin.raw('POST', `/api/v1/blogs/${blog.id}/webhooks`, { body: { url: `${gone.url}/hook` } });
    expect(hook.status).toBe(201);
    await admin.createPost(blog.id, { blocks: [text('<p>First.</p>')] });
    const path = `/api/v1/blogs/${blog.id}/webhooks/${(hook.body as { id: string }).id}`;
    await waitFor(async () => !((await admin.raw('GET', path)).body as { enabled: boolean }).enabled, {
      what: 'the endpoint to be disabled',
    });

    const browser = await launchBrowser();
    const page = await browser.newPage();
    const { errors } = await watchPage(page);
    await page.goto(`${server.url}/editor`);
    await page.fill('input[name="token"]', owner.token);
    await page.click('form:has(input[name="token"]) button[type="submit"]');
    await page.click(`[data-testid="blog-list"] a[href="#/blog/${blog.id}"]`);
    const notice = page.locator('[data-webhooks-disabled]');
    await notice.waitFor({ state: 'visible' });
    expect(await notice.textContent()).toContain(`${gone.url}/hook`);
    expect(await notice.textContent()).toContain('410 Gone');
    await notice.getByRole('button', { name: 'Re-enable' }).click();
    await notice.waitFor({ state: 'hidden' });
    expect(((await admin.raw('GET', path)).body as { enabled: boolean }).enabled).toBe(true);
    expect(errors).toEqual([]);
  }, 60_000);
});
