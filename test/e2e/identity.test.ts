import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, createPerson } from '../helpers/identity.js';
import { ANA, startTestIdp } from '../helpers/oidc-provider.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { freePort } from '../helpers/services.js';
import { launchBrowser, screenshot, watchPage } from './browser.js';
import { ensureClientBuilt, signInWithPassword } from './support.js';

/**
 * Signing in as a person would: a password, the newsroom's single sign-on (a real OpenID
 * provider on loopback), and an invitation link an admin made in the People panel.
 */
let server: TestServer;
let browser: Browser;
const errors: string[][] = [];

beforeAll(async () => {
  ensureClientBuilt();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const idp = await startTestIdp({ redirectUris: [`${url}/auth/oidc/callback`] });
  server = await startServer({
    PORT: String(port),
    PUBLIC_URL: url,
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: idp.clientId,
    OIDC_CLIENT_SECRET: idp.clientSecret,
    OIDC_SCOPES: 'openid email profile groups',
    OIDC_ALLOWED_DOMAINS: 'newsroom.test',
  });
  browser = await launchBrowser();
});

async function newPage(): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  errors.push((await watchPage(page)).errors);
  return page;
}

describe('signing in to the editor', () => {
  it('with a password; a reload renews the session without asking again; signing out ends it', async () => {
    await createPerson(server, { name: 'Priya Desk', email: 'priya@newsroom.test', password: 'copper kettle morning' });
    const page = await newPage();
    await signInWithPassword(page, server.url, 'priya@newsroom.test', 'copper kettle morning');
    await page.waitForSelector('[data-testid="signed-in-as"]:has-text("Priya Desk")');
    await screenshot(page, 'identity-password-signed-in');
    // Nothing readable by scripts holds the session: the cookie is HttpOnly.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    await page.reload();
    await page.waitForSelector('[data-testid="signed-in-as"]:has-text("Priya Desk")');
    await page.click('button:has-text("Sign out")');
    await page.waitForSelector('[data-testid="password-sign-in"]');
    await page.reload();
    await page.waitForSelector('[data-testid="password-sign-in"]');
  });

  it('shows a wrong password as an error and stays on the form', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/editor`);
    await page.fill('[data-testid="password-sign-in"] input[name="email"]', 'priya@newsroom.test');
    await page.fill('[data-testid="password-sign-in"] input[name="password"]', 'not her password at all');
    // The 401 is the answer we expect here, not a page error.
    errors.pop();
    await page.click('[data-testid="password-sign-in"] button[type="submit"]');
    await page.waitForSelector('.flash.error:has-text("wrong email or password")');
  });

  it("with the newsroom's single sign-on (OpenID Connect against a local provider)", async () => {
    const page = await newPage();
    await page.goto(`${server.url}/editor`);
    await page.click('[data-testid="sso"]');
    await page.waitForSelector('input[name="login"]');
    await page.fill('input[name="login"]', ANA.login);
    await page.fill('input[name="password"]', ANA.password);
    await page.click('button[type="submit"]');
    await page.waitForSelector('[data-testid="signed-in-as"]:has-text("Ana Reporter")', { timeout: 15_000 });
    // The CSRF token rode in the fragment and is gone from the address bar.
    expect(page.url()).toBe(`${server.url}/editor`);
    await screenshot(page, 'identity-sso-signed-in');
    await page.reload();
    await page.waitForSelector('[data-testid="signed-in-as"]:has-text("Ana Reporter")');
  });

  it('with an invitation an admin made in the People panel; the link works once', async () => {
    const adminPage = await newPage();
    await adminPage.goto(`${server.url}/editor`);
    await adminPage.fill('input[name="token"]', server.adminToken);
    await adminPage.click('form:has(input[name="token"]) button[type="submit"]');
    await adminPage.waitForSelector('[data-testid="signed-in-as"]');
    await adminPage.click('a[href="#/people"]');
    await adminPage.fill('input[name="name"]', 'Noor Newcomer');
    await adminPage.fill('input[name="email"]', 'noor@newsroom.test');
    await adminPage.click('button:has-text("Invite")');
    const link = await adminPage.waitForSelector('[data-testid="invitation-link"]:has-text("#invite=")');
    const url = (await link.textContent()) ?? '';
    expect(url).toContain(`${server.url}/editor#invite=`);
    await screenshot(adminPage, 'identity-people');

    const page = await newPage();
    await page.goto(url);
    await page.fill('[data-testid="invitation"] input[name="new-password"]', 'saffron bicycle tunnel');
    await page.click('[data-testid="invitation"] button[type="submit"]');
    await page.waitForSelector('[data-testid="signed-in-as"]:has-text("Noor Newcomer")');
    expect(page.url()).toBe(`${server.url}/editor`);

    // Replayed, the link is refused.
    const again = await newPage();
    errors.pop();
    await again.goto(url);
    await again.fill('[data-testid="invitation"] input[name="new-password"]', 'another choice entirely');
    await again.click('[data-testid="invitation"] button[type="submit"]');
    await again.waitForSelector('.flash.error:has-text("unknown, used or expired")');

    // The admin deactivates Noor in the panel: her session stops working at once.
    await adminPage.click('[data-user="noor@newsroom.test"] button[data-action="deactivate"]');
    await adminPage.waitForSelector('[data-user="noor@newsroom.test"]:has-text("deactivated")');
    const token = await page.evaluate(async () => {
      const csrf = localStorage.getItem('liveblog.csrf') ?? '';
      const r = await fetch('/api/v1/auth/refresh', { method: 'POST', headers: { 'x-csrf-token': csrf } });
      return r.status;
    });
    expect(token).toBe(401);
  });

  it('pages raised no unexpected errors', () => {
    // 401/404 are the refusals the tests above provoke; a fetch cut short by navigating away is no error.
    expect(errors.flat().filter((e) => !/ 401: | 404: |net::ERR_ABORTED/.test(e))).toEqual([]);
  });
});

it('the session cookie is not sent cross-site: a refresh from another origin is refused', async () => {
  const res = await call(server.url, 'POST', '/api/v1/auth/refresh', { headers: { origin: 'https://evil.example' } });
  expect(res.status).toBe(403);
});
