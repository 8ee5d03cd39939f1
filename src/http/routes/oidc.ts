import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { cookieIsSecure } from '../../auth/csrf.js';
import { OidcPending } from '../../auth/oidc.js';
import type { Deps } from '../../deps.js';
import { DomainError } from '../../domain/index.js';
import { escapeHtml } from '../../domain/sanitize.js';
import type { HttpContext } from '../context.js';
import * as routes from '../contract/identity.js';
import { statusFor } from '../errors.js';
import { clientIp } from '../middleware/auth.js';
import { newRouter } from '../openapi.js';
import { setSessionCookie } from './auth.js';

const PENDING_COOKIE = 'liveblog_oidc';
const PURPOSE = 'oidc-pending';

/**
 * Single sign-on. `/auth/oidc/login` sends the browser to the provider with PKCE, state and
 * nonce, keeping them in a sealed cookie; `/auth/oidc/callback` checks them and signs in.
 *
 * The cookie is SameSite=Strict, so the browser does not send it on the provider's
 * cross-site redirect back to us. The callback therefore first answers a tiny page that
 * reloads the same URL from our own origin (a same-site navigation, which carries the
 * cookie). A forged callback (someone else's code in your browser) finds no matching cookie.
 */
export function oidcRoutes(deps: Deps) {
  const app = newRouter();
  const secure = cookieIsSecure(deps.config.publicUrl);
  const cookieOpts = { httpOnly: true, secure, sameSite: 'Strict' as const, path: '/auth/oidc', maxAge: 600 };

  const page = (c: HttpContext, status: 200 | 400 | 401 | 403 | 404 | 503, title: string, body: string) => {
    c.header('Cache-Control', 'no-store');
    c.header(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'",
    );
    c.header('Referrer-Policy', 'no-referrer');
    return c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>${body.startsWith('<meta') ? body : ''}</head><body style="font:16px system-ui;margin:3rem auto;max-width:32rem">${body.startsWith('<meta') ? '<p>Signing you in…</p>' : body}</body></html>`,
      status,
    );
  };
  const failure = (c: HttpContext, err: DomainError) => {
    const status = statusFor(err.code) as 400 | 401 | 403 | 404 | 503;
    return page(
      c,
      [400, 401, 403, 404, 503].includes(status) ? status : 400,
      'Sign-in failed',
      `<h1>Sign-in failed</h1><p id="error">${escapeHtml(err.message)}</p><p><a href="/editor">Back to the editor</a></p>`,
    );
  };

  app.openapi(routes.oidcLogin, async (c) => {
    const oidc = deps.auth.oidc;
    if (!oidc) return failure(c, new DomainError('not_found', 'single sign-on is not configured here'));
    try {
      const { url, pending } = await oidc.start(c.req.valid('query').returnTo ?? '/editor');
      setCookie(c, PENDING_COOKIE, deps.auth.sealer.seal(PURPOSE, pending), cookieOpts);
      c.header('Cache-Control', 'no-store');
      return c.redirect(url, 302);
    } catch (err) {
      if (err instanceof DomainError) return failure(c, err);
      throw err;
    }
  });

  app.openapi(routes.oidcCallback, async (c) => {
    const oidc = deps.auth.oidc;
    if (!oidc) return failure(c, new DomainError('not_found', 'single sign-on is not configured here'));
    const q = c.req.valid('query');
    const sealed = getCookie(c, PENDING_COOKIE);
    if (!sealed && !q.bounced) {
      const again = new URL(c.req.url);
      again.searchParams.set('bounced', '1');
      const target = `${again.pathname}${again.search}`;
      return page(c, 200, 'Signing in', `<meta http-equiv="refresh" content="0;url=${escapeHtml(target)}">`);
    }
    deleteCookie(c, PENDING_COOKIE, cookieOpts);
    if (q.error) return failure(c, new DomainError('unauthorized', `the provider refused: ${q.error}`));
    const pending = OidcPending.safeParse(sealed ? deps.auth.sealer.open(PURPOSE, sealed) : null);
    if (!pending.success) {
      return failure(
        c,
        new DomainError('bad_request', 'this sign-in was not started from this browser, or took too long; start again'),
      );
    }
    // openid-client checks the answer against the registered redirect URI, with the provider's parameters.
    const answer = new URL(oidc.redirectUri);
    for (const key of ['code', 'state', 'iss'] as const) {
      const v = q[key];
      if (v !== undefined) answer.searchParams.set(key, v);
    }
    try {
      const identity = await oidc.finish(answer, pending.data);
      const account = await deps.auth.accounts.externalAccount(identity);
      if (!account.active) throw new DomainError('forbidden', 'this account is deactivated');
      const s = await deps.auth.accounts.openSession(account, 'oidc_session', {
        grants: identity.roles,
        admin: identity.admin,
        address: clientIp(c, deps.config.TRUST_PROXY),
      });
      setSessionCookie(deps, c, s);
      c.header('Cache-Control', 'no-store');
      // The page learns its CSRF token from the fragment, which never reaches a server.
      return c.redirect(`${pending.data.returnTo}#sso=${s.csrfToken}`, 303);
    } catch (err) {
      if (err instanceof DomainError) return failure(c, err);
      throw err;
    }
  });

  return app;
}
