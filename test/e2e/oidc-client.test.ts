import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExternalIdentity } from '../../src/auth/identity.js';
import { createOidcClient, type OidcClient, type OidcPending } from '../../src/auth/oidc.js';
import { loadConfig } from '../../src/config.js';
import { DomainError } from '../../src/domain/index.js';
import { ANA, startTestIdp } from '../helpers/oidc-provider.js';
import { registerCleanup } from '../helpers/teardown.js';
import { launchBrowser } from './browser.js';

/**
 * The OIDC module against a real provider on loopback, driven by a real browser. A bare
 * relying party stands in for our routes: /start begins the flow, the callback records what
 * the provider sent so each check below can finish it its own way.
 */
let rp: string;
let oidc: OidcClient;
let page: Page;
const flows: { pending: OidcPending; callback?: URL }[] = [];

beforeAll(async () => {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', rp);
    if (url.pathname === '/start') {
      oidc.start('/editor').then(
        ({ url: to, pending }) => {
          flows.push({ pending });
          res.writeHead(302, { location: to }).end();
        },
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
      return;
    }
    if (url.pathname === '/auth/oidc/callback') {
      const flow = flows.at(-1);
      if (flow) flow.callback = url;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('back at the relying party');
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  registerCleanup(() => new Promise<void>((r) => server.close(() => r())));
  rp = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const idp = await startTestIdp({ redirectUris: [`${rp}/auth/oidc/callback`] });
  const config = loadConfig({
    PUBLIC_URL: rp,
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: idp.clientId,
    OIDC_CLIENT_SECRET: idp.clientSecret,
    OIDC_SCOPES: 'openid email profile groups',
    OIDC_ALLOWED_DOMAINS: 'newsroom.test',
    OIDC_GROUP_ROLES: 'newsroom-admins=admin,politics-desk=editor@election-2026',
  });
  const client = createOidcClient(config);
  if (!client) throw new Error('OIDC not configured');
  oidc = client;
  const browser = await launchBrowser();
  page = await (await browser.newContext()).newPage();
});

/** One round trip through the provider's sign-in page; resolves with what came back. */
async function roundTrip(): Promise<{ pending: OidcPending; callback: URL }> {
  await page.goto(`${rp}/start`);
  // The provider remembers the browser after the first sign-in and sends it straight back.
  if (!page.url().startsWith(rp)) {
    await page.fill('input[name=login]', ANA.login);
    await page.fill('input[name=password]', ANA.password);
    await page.click('button[type=submit]');
    await page.waitForURL((u) => u.href.startsWith(`${rp}/auth/oidc/callback`));
  }
  const flow = flows.at(-1);
  if (!flow?.callback) throw new Error(`no callback reached; page at ${page.url()}`);
  return { pending: flow.pending, callback: flow.callback };
}

async function refusal(p: Promise<ExternalIdentity>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return `${(err as DomainError).code}: ${(err as DomainError).message}`;
}

describe('OpenID Connect sign-in (openid-client against oidc-provider, in Chromium)', () => {
  it('sends PKCE S256, state and nonce to the provider', async () => {
    const { url, pending } = await oidc.start('/editor');
    const u = new URL(url);
    expect(u.searchParams.get('code_challenge_method')).toBe('S256');
    expect(u.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(u.searchParams.get('code_challenge')).not.toBe(pending.verifier);
    expect(u.searchParams.get('state')).toBe(pending.state);
    expect(u.searchParams.get('nonce')).toBe(pending.nonce);
    expect(u.searchParams.get('redirect_uri')).toBe(`${rp}/auth/oidc/callback`);
    // The return path must stay on our site.
    expect((await oidc.start('//evil.example/x')).pending.returnTo).toBe('/editor');
  });

  it('signs the test account in and maps email, name and groups to roles; the code works once', async () => {
    const { pending, callback } = await roundTrip();
    const id = await oidc.finish(callback, pending);
    expect(id).toEqual({
      source: 'oidc',
      issuer: expect.stringMatching(/^http:\/\/127\.0\.0\.1:/),
      subject: 'ana',
      email: 'ana@newsroom.test',
      name: 'Ana Reporter',
      admin: false,
      roles: { 'election-2026': 'editor' },
    });
    // Replaying the same callback (a leaked URL) is refused by the provider: codes are single-use.
    expect(await refusal(oidc.finish(callback, pending))).toMatch(/^unauthorized/);
  });

  it('refuses an answer whose state does not match what this browser started', async () => {
    const { pending, callback } = await roundTrip();
    expect(await refusal(oidc.finish(callback, { ...pending, state: 'x'.repeat(43) }))).toMatch(/^unauthorized/);
  });

  it('refuses an ID token whose nonce is not ours, and a wrong PKCE verifier', async () => {
    const a = await roundTrip();
    expect(await refusal(oidc.finish(a.callback, { ...a.pending, nonce: 'n'.repeat(43) }))).toMatch(/^unauthorized/);
    const b = await roundTrip();
    expect(await refusal(oidc.finish(b.callback, { ...b.pending, verifier: 'v'.repeat(43) }))).toMatch(/^unauthorized/);
  });

  it('refuses a round trip that took longer than ten minutes', async () => {
    const { pending, callback } = await roundTrip();
    expect(await refusal(oidc.finish(callback, { ...pending, expiresAt: Date.now() - 1 }))).toMatch(/took too long/);
  });
});
