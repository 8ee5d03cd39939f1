import { createRoute } from '@hono/zod-openapi';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import type { SignedIn } from '../../auth/accounts.js';
import { fromOwnOrigin, sessionCookieName, sessionCookieOptions } from '../../auth/csrf.js';
import type { Deps } from '../../deps.js';
import { DomainError, InvitationAcceptInput, LoginInput, LoginResult } from '../../domain/index.js';
import { newId } from '../../lib/ids.js';
import { actorOf } from '../audit.js';
import type { HttpContext } from '../context.js';
import { clientIp } from '../middleware/auth.js';
import { readJson } from '../validate.js';
import { errorResponses, jsonBody, jsonResponse, openApiApp } from './openapi-app.js';

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

export function loginBody(s: SignedIn): z.infer<typeof LoginResult> {
  return { token: s.token, expiresAt: s.expiresAt, user: s.account, csrfToken: s.csrfToken };
}

const CsrfHeaders = z.object({ 'x-csrf-token': z.string().max(100).optional() });

/**
 * Password sign-in and the editor page's session. The cookie only ever authenticates two
 * writes, renewing the access token and signing out, and both also need our Origin and the
 * CSRF token the page received at sign-in: every other write carries the bearer token.
 */
export function authRoutes(deps: Deps) {
  const app = openApiApp();
  const cookieName = sessionCookieName(deps.config.publicUrl);
  const address = (c: HttpContext) => clientIp(c, deps.config.TRUST_PROXY);

  /** A write the session cookie authenticates: refused unless it comes from our own page. */
  const cookieWrite = (c: HttpContext): string | null => {
    if (
      !fromOwnOrigin(
        deps.config.publicUrl,
        c.req.header('origin'),
        c.req.header('sec-fetch-site'),
        new URL(c.req.url).origin,
      )
    ) {
      throw new DomainError('forbidden', 'cross-origin request refused');
    }
    return getCookie(c, cookieName) ?? null;
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/auth/methods',
      tags: ['identity'],
      summary: 'How people can sign in here (the editor page shows the matching buttons)',
      responses: {
        200: jsonResponse(z.object({ password: z.boolean(), oidc: z.boolean(), jwt: z.boolean() }), 'sign-in methods'),
      },
    }),
    (c) =>
      c.json(
        {
          password: true,
          oidc: deps.auth.oidc !== null,
          jwt: Boolean(deps.config.AUTH_JWKS_URL || deps.config.AUTH_JWT_PUBLIC_KEY),
        },
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/login',
      tags: ['identity'],
      summary: 'Sign in with email and password: a short-lived access token and a session cookie',
      request: { body: jsonBody(LoginInput) },
      responses: {
        200: jsonResponse(LoginResult, 'signed in (Set-Cookie carries the session)'),
        ...errorResponses(400, 401, 413, 429),
      },
    }),
    async (c) => {
      const input = await readJson(c, LoginInput);
      const s = await deps.auth.accounts.passwordLogin(input.email, input.password, address(c));
      setSessionCookie(deps, c, s);
      c.header('Cache-Control', 'no-store');
      return c.json(loginBody(s), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/refresh',
      tags: ['identity'],
      summary: 'A fresh access token for the session cookie (same origin and X-CSRF-Token required)',
      request: { headers: CsrfHeaders },
      responses: {
        200: jsonResponse(LoginResult, 'renewed'),
        ...errorResponses(401, 403, 429),
      },
    }),
    async (c) => {
      const refresh = cookieWrite(c);
      if (!refresh) throw new DomainError('unauthorized', 'not signed in');
      const s = await deps.auth.accounts.renew(refresh, c.req.header('x-csrf-token'));
      c.header('Cache-Control', 'no-store');
      return c.json(loginBody(s), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/logout',
      tags: ['identity'],
      summary: 'Sign out: ends the session of the cookie (with X-CSRF-Token) or of the bearer access token',
      request: { headers: CsrfHeaders },
      responses: { 204: { description: 'signed out' }, ...errorResponses(401, 403, 429) },
    }),
    async (c) => {
      const p = c.get('principal');
      const actor = actorOf(p, address(c));
      const refresh = getCookie(c, cookieName);
      if (refresh) {
        cookieWrite(c);
        await deps.auth.accounts.signOut(refresh, c.req.header('x-csrf-token'), actor);
        deleteCookie(c, cookieName, sessionCookieOptions(deps.config.publicUrl, 0));
      } else if (
        p?.credentialId &&
        p.user &&
        (p.credential === 'password_session' || p.credential === 'oidc_session')
      ) {
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
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/invitations/accept',
      tags: ['identity'],
      summary: 'Accept an invitation: choose a password and sign in (each link works once, for 7 days)',
      request: { body: jsonBody(InvitationAcceptInput) },
      responses: {
        200: jsonResponse(LoginResult, 'password set and signed in'),
        ...errorResponses(400, 404, 413, 429),
      },
    }),
    async (c) => {
      const input = await readJson(c, InvitationAcceptInput);
      const s = await deps.auth.accounts.acceptInvitation(input.token, input.password, address(c));
      setSessionCookie(deps, c, s);
      c.header('Cache-Control', 'no-store');
      return c.json(loginBody(s), 200);
    },
  );

  return app;
}
