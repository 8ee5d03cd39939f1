import { beforeAll, describe, expect, it } from 'vitest';
import type { LoginResult } from '../../src/domain/index.js';
import { call, createPerson, errorMessage, login, ownPage } from '../helpers/identity.js';
import { startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
const PASSWORD = 'orchid lantern quarry 42';

beforeAll(async () => {
  server = await startServer();
  await createPerson(server, { name: 'Ana Reporter', email: 'Ana@Newsroom.Test', password: PASSWORD });
});

describe('password sign-in', () => {
  it('answers { token, expiresAt, user } and an HttpOnly SameSite=Strict session cookie; the token works', async () => {
    const res = await login(server, 'ana@newsroom.test', PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({
      name: 'Ana Reporter',
      email: 'ana@newsroom.test',
      active: true,
      admin: false,
    });
    expect(Date.parse(res.body.expiresAt) - Date.now()).toBeGreaterThan(60_000);
    const setCookie = res.headers.getSetCookie().join('\n');
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const me = await call<{ kind: string; user: { name: string } }>(server.url, 'GET', '/api/v1/me', {
      token: res.body.token,
    });
    expect(me.status).toBe(200);
    expect(me.body.user.name).toBe('Ana Reporter');
  });

  it('gives the same answer for a wrong password and an unknown email', async () => {
    const wrong = await login(server, 'ana@newsroom.test', 'not the password at all');
    const unknown = await login(server, 'nobody@newsroom.test', 'not the password at all');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(errorMessage(wrong)).toBe(errorMessage(unknown));
    expect(wrong.cookie).toBeNull();
  });

  it('renews the access token from the cookie with the CSRF token from our own origin, and only then', async () => {
    const res = await login(server, 'ana@newsroom.test', PASSWORD);
    const cookie = res.cookie as string;
    const csrf = res.body.csrfToken;
    const ok = await call<LoginResult>(server.url, 'POST', '/api/v1/auth/refresh', {
      headers: ownPage(server, cookie, csrf),
    });
    expect(ok.status).toBe(200);
    expect(ok.body.token).not.toBe('');
    expect((await call(server.url, 'GET', '/api/v1/me', { token: ok.body.token })).status).toBe(200);
    // Another site's page: the browser sends its own Origin.
    const crossSite = await call(server.url, 'POST', '/api/v1/auth/refresh', {
      headers: { ...ownPage(server, cookie, csrf), origin: 'https://evil.example' },
    });
    expect(crossSite.status).toBe(403);
    const noToken = await call(server.url, 'POST', '/api/v1/auth/refresh', {
      headers: ownPage(server, cookie, undefined),
    });
    expect(noToken.status).toBe(403);
    const noCookie = await call(server.url, 'POST', '/api/v1/auth/refresh', {
      headers: { origin: server.url, 'x-csrf-token': csrf },
    });
    expect(noCookie.status).toBe(401);
  });

  it('signing out ends the session: its access tokens and its cookie stop working', async () => {
    const res = await login(server, 'ana@newsroom.test', PASSWORD);
    const cookie = res.cookie as string;
    const csrf = res.body.csrfToken;
    const forged = await call(server.url, 'POST', '/api/v1/auth/logout', {
      headers: { ...ownPage(server, cookie, csrf), origin: 'https://evil.example' },
    });
    expect(forged.status).toBe(403);
    expect((await call(server.url, 'GET', '/api/v1/me', { token: res.body.token })).status).toBe(200);
    const out = await call(server.url, 'POST', '/api/v1/auth/logout', { headers: ownPage(server, cookie, csrf) });
    expect(out.status).toBe(204);
    expect((await call(server.url, 'GET', '/api/v1/me', { token: res.body.token })).status).toBe(401);
    expect(
      (await call(server.url, 'POST', '/api/v1/auth/refresh', { headers: ownPage(server, cookie, csrf) })).status,
    ).toBe(401);
  });

  it('a forged or altered access token is refused', async () => {
    const res = await login(server, 'ana@newsroom.test', PASSWORD);
    const t = res.body.token;
    const altered = `${t.slice(0, -2)}${t.endsWith('A') ? 'BB' : 'AA'}`;
    expect((await call(server.url, 'GET', '/api/v1/me', { token: altered })).status).toBe(401);
    const longer = t.replace(/~(\d+)~/, (_m, exp: string) => `~${Number(exp) + 86_400}~`);
    expect((await call(server.url, 'GET', '/api/v1/me', { token: longer })).status).toBe(401);
  });
});
