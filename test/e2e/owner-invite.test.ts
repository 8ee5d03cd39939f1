import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Blog } from '../../src/domain/index.js';
import { type Api, createApi } from '../helpers/api.js';
import { createPerson } from '../helpers/identity.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { freePort } from '../helpers/services.js';
import { launchBrowser, screenshot, watchPage } from './browser.js';
import { ensureClientBuilt, signInWithPassword } from './support.js';

/**
 * An owner (not an admin) invites a freelancer to their blog from its Members panel; the
 * freelancer accepts the link, lands signed in, and co-edits that blog as an editor.
 */
let server: TestServer;
let browser: Browser;
let admin: Api;
let blog: Blog;
const errors: string[][] = [];

async function newPage(): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
  errors.push((await watchPage(page)).errors);
  return page;
}

beforeAll(async () => {
  ensureClientBuilt();
  const port = await freePort();
  server = await startServer({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
  admin = createApi(server.url, server.adminToken);
  blog = await admin.createBlog({ title: 'Live: county election count' });
  await admin.patchBlog(blog.id, { status: 'live' });
  const owner = await createPerson(server, {
    name: 'Olga Owner',
    email: 'olga@newsroom.test',
    password: 'meadow compass tinder 5',
  });
  await admin.addMember(blog.id, owner.id, 'owner');
  browser = await launchBrowser();
});

describe('an owner invites a person to their blog from the editor page', () => {
  it('the link is shown once in the Members panel; the person accepts it and edits that blog', async () => {
    const olga = await newPage();
    await signInWithPassword(olga, server.url, 'olga@newsroom.test', 'meadow compass tinder 5');
    // An owner has no People page (admins only), but the blog's Members panel.
    await olga.waitForSelector('[data-testid="signed-in-as"]:has-text("Olga Owner")');
    expect(await olga.locator('a[href="#/people"]').count()).toBe(0);
    await olga.click(`[data-testid="blog-list"] a[href="#/blog/${blog.id}"]`);
    const form = olga.locator('[data-testid="member-invite"]');
    await form.waitFor({ timeout: 10_000 });
    await form.locator('input[name="inviteName"]').fill('Farah Freelance');
    await form.locator('input[name="inviteEmail"]').fill('farah@agency.test');
    await form.locator('select[name="inviteRole"]').selectOption('editor');
    await form.locator('button[type="submit"]').click();
    const link = await olga.waitForSelector('[data-testid="member-invitation-link"]:has-text("#invite=")');
    const url = (await link.textContent()) ?? '';
    expect(url).toContain(`${server.url}/editor#invite=`);
    await olga.waitForSelector('[data-testid="members"] li:has-text("Farah Freelance")');
    expect(await olga.locator('[data-testid="members"] li:has-text("Farah Freelance") select').inputValue()).toBe(
      'editor',
    );
    await screenshot(olga, 'owner-invite-members');

    const farah = await newPage();
    await farah.goto(url);
    await farah.fill('[data-testid="invitation"] input[name="new-password"]', 'lagoon pepper station 71');
    await farah.click('[data-testid="invitation"] button[type="submit"]');
    await farah.waitForSelector('[data-testid="signed-in-as"]:has-text("Farah Freelance")');
    // Her blog is there, and she edits it as an editor: the shared summary connects.
    await farah.click(`[data-testid="blog-list"] a[href="#/blog/${blog.id}"]`);
    await farah.waitForSelector('[data-testid="collab-status"][data-status="connected"]', { timeout: 15_000 });
    await farah.waitForSelector('#lb-editor-app[data-role="editor"]');
    expect(await farah.locator('.composer [data-action="publish"]').isVisible()).toBe(true);
  });

  it('no page saw an error', () => {
    expect(errors.flat()).toEqual([]);
  });
});
