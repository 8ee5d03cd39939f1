import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { z } from 'zod';
import type { SignedIn } from '../../auth/accounts.js';
import { fromOwnOrigin, sessionCookieName, sessionCookieOptions } from '../../auth/csrf.js';
import type { Deps } from '../../deps.js';
import { DomainError, type LoginResult } from '../../domain/index.js';
import { newId } from '../../lib/ids.js';
import { actorOf } from '../audit.js';
import type { HttpContext } from '../context.js';
import * as routes from '../contract/identity.js';
import { clientIp } from '../middleware/auth.js';
import { newRouter } from '../openapi.js';
import { jsonBodyChecks } from '../validate.js';

/** The session cookie for a sign-in: HttpOnly, SameSite=Strict, Secure off localhost, `__Host-`. */
export function setSessionCookie(deps: Deps, c: HttpContext, s: SignedIn): void {
  const maxAge = Math.max(0, Math.floor((Date.parse(s.sessionExpiresAt) - Date.now()) / 1000));
  setCookie(
    c,
    sessionCookieName(deps.config.publicUrl),
    s.refreshToken,
    sessionCookieOptions(deps.config.publicUrl, maxAge),
  );
}

function loginBody(s: SignedIn): z.infer<typeof LoginResult> {
  return { token: s.token, expiresAt: s.expiresAt, user: s.account, csrfToken: s.csrfToken };
}

/**
 * Password sign-in and the editor page's session. The cookie only ever authenticates two
 * writes, renewing the access token and signing out, and both also need our Origin and the
 * CSRF token the page received at sign-in: every other write carries the bearer token.
 */
export function authRoutes(deps: Deps) {
  const app = newRouter();
  const cookieName = sessionCookieName(deps.config.publicUrl);
  const address = (c: HttpContext) => clientIp(c, deps.config.TRUST_PROXY);

  /** A write the session cookie authenticates: refused unless it comes from our own page. */
  const cookieWrite = (c: HttpContext): string | null => {
    const own = fromOwnOrigin(
      deps.config.publicUrl,
      c.req.header('origin'),
      c.req.header('sec-fetch-site'),
      new URL(c.req.url).origin,
    );
    if (!own) throw new DomainError('forbidden', 'cross-origin request refused');
    return getCookie(c, cookieName) ?? null;
  };

  app.openapi(routes.authMethods, (c) =>
    c.json(
      {
        password: true,
        oidc: deps.auth.oidc !== null,
        jwt: Boolean(deps.config.AUTH_JWKS_URL || deps.config.AUTH_JWT_PUBLIC_KEY),
      },
      200,
    ),
  );

  app.openapi({ ...routes.login, middleware: [jsonBodyChecks()] }, async (c) => {
    const input = c.req.valid('json');
    const s = await deps.auth.accounts.passwordLogin(input.email, input.password, address(c));
    setSessionCookie(deps, c, s);
    c.header('Cache-Control', 'no-store');
    return c.json(loginBody(s), 200);
  });

  app.openapi(routes.refresh, async (c) => {
    const refresh = cookieWrite(c);
    if (!refresh) throw new DomainError('unauthorized', 'not signed in');
    const s = await deps.auth.accounts.renew(refresh, c.req.header('x-csrf-token'));
    c.header('Cache-Control', 'no-store');
    return c.json(loginBody(s), 200);
  });

  app.openapi(routes.logout, async (c) => {
    const p = c.get('principal');
    const actor = actorOf(p, address(c));
    const refresh = getCookie(c, cookieName);
    if (refresh) {
      cookieWrite(c);
      await deps.auth.accounts.signOut(refresh, c.req.header('x-csrf-token'), actor);
      deleteCookie(c, cookieName, sessionCookieOptions(deps.config.publicUrl, 0));
    } else if (p?.credentialId && p.user && (p.credential === 'password_session' || p.credential === 'oidc_session')) {
      await deps.store.revokeCredential(p.user.id, p.credentialId, new Date().toISOString(), {
        ...actor,
        id: newId(),
        action: 'auth.logout',
        blogId: null,
        postId: null,
        subjectId: p.user.id,
      });
    } else {
      throw new DomainError('unauthorized', 'not signed in with a session');
    }
    if (p?.user) deps.bus.publish({ kind: 'access.changed', userId: p.user.id, blogId: null });
    return c.body(null, 204);
  });

  app.openapi({ ...routes.acceptInvitation, middleware: [jsonBodyChecks()] }, async (c) => {
    const input = c.req.valid('json');
    const s = await deps.auth.accounts.acceptInvitation(input.token, input.password, address(c));
    setSessionCookie(deps, c, s);
    c.header('Cache-Control', 'no-store');
    return c.json(loginBody(s), 200);
  });

  return app;
}
