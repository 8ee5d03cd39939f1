import { createRoute, z } from '@hono/zod-openapi';
import {
  AuditPage,
  Id,
  InvitationAcceptInput,
  LoginInput,
  LoginResult,
  PersonalToken,
  PersonalTokenCreated,
  PersonalTokenInput,
} from '../../domain/index.js';
import { apiErrors, BEARER, BlogParams, errors, json, jsonBody, PUBLIC } from './common.js';

/** Identity routes: sign-in, sessions, personal tokens, people, the audit trail (docs/identity.md). */

const CsrfHeaders = z.object({ 'x-csrf-token': z.string().max(100).optional() });
const html = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });

const AuthMethods = z.object({ password: z.boolean(), oidc: z.boolean(), jwt: z.boolean() });

export const authMethods = createRoute({
  method: 'get',
  path: '/api/v1/auth/methods',
  operationId: 'authMethods',
  tags: ['identity'],
  summary: 'How people can sign in here (the editor page shows the matching buttons)',
  security: PUBLIC,
  responses: { 200: json(AuthMethods, 'sign-in methods'), ...apiErrors() },
});

export const login = createRoute({
  method: 'post',
  path: '/api/v1/auth/login',
  operationId: 'login',
  tags: ['identity'],
  summary: 'Sign in with email and password: a short-lived access token and a session cookie',
  security: PUBLIC,
  request: { body: jsonBody(LoginInput) },
  responses: {
    200: json(LoginResult, 'signed in (Set-Cookie carries the session)'),
    ...errors(400, 413),
    ...apiErrors(),
  },
});

export const refresh = createRoute({
  method: 'post',
  path: '/api/v1/auth/refresh',
  operationId: 'refreshSession',
  tags: ['identity'],
  summary: 'A fresh access token for the session cookie (same origin and X-CSRF-Token required)',
  security: PUBLIC,
  request: { headers: CsrfHeaders },
  responses: { 200: json(LoginResult, 'renewed'), ...errors(403, 413), ...apiErrors() },
});

export const logout = createRoute({
  method: 'post',
  path: '/api/v1/auth/logout',
  operationId: 'logout',
  tags: ['identity'],
  summary: 'Sign out: ends the session of the cookie (with X-CSRF-Token) or of the bearer access token',
  security: PUBLIC,
  request: { headers: CsrfHeaders },
  responses: { 204: { description: 'signed out' }, ...errors(403, 413), ...apiErrors() },
});

export const acceptInvitation = createRoute({
  method: 'post',
  path: '/api/v1/auth/invitations/accept',
  operationId: 'acceptInvitation',
  tags: ['identity'],
  summary: 'Accept an invitation: choose a password and sign in (each link works once, for 7 days)',
  security: PUBLIC,
  request: { body: jsonBody(InvitationAcceptInput) },
  responses: { 200: json(LoginResult, 'password set and signed in'), ...errors(400, 403, 404, 413), ...apiErrors() },
});

export const createToken = createRoute({
  method: 'post',
  path: '/api/v1/me/tokens',
  operationId: 'createPersonalToken',
  tags: ['identity'],
  summary: 'Create a personal API token (shown once)',
  security: BEARER,
  request: { body: jsonBody(PersonalTokenInput) },
  responses: {
    201: json(PersonalTokenCreated, 'the token, shown this once'),
    ...errors(400, 403, 413),
    ...apiErrors(),
  },
});

export const listTokens = createRoute({
  method: 'get',
  path: '/api/v1/me/tokens',
  operationId: 'listPersonalTokens',
  tags: ['identity'],
  summary: 'List your personal API tokens (never their secrets)',
  security: BEARER,
  responses: {
    200: json(z.object({ tokens: z.array(PersonalToken) }), 'your live tokens'),
    ...errors(403),
    ...apiErrors(),
  },
});

export const deleteToken = createRoute({
  method: 'delete',
  path: '/api/v1/me/tokens/{tokenId}',
  operationId: 'revokePersonalToken',
  tags: ['identity'],
  summary: 'Revoke one of your personal API tokens (open connections using it are re-judged)',
  security: BEARER,
  request: { params: z.object({ tokenId: Id.describe('the token id') }) },
  responses: { 204: { description: 'revoked' }, ...errors(400, 403, 404), ...apiErrors() },
});

const AuditQuery = z
  .object({
    before: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a cursor from a previous page')
      .optional()
      .describe('older page cursor'),
    limit: z
      .string()
      .regex(/^\d{1,3}$/, 'must be 1 to 200')
      .transform(Number)
      .pipe(z.number().int().min(1).max(200))
      .optional()
      .describe('page size, 1–200 (50)'),
  })
  .strict();

export const blogAudit = createRoute({
  method: 'get',
  path: '/api/v1/blogs/{blogId}/audit',
  operationId: 'blogAudit',
  tags: ['identity'],
  summary: "A blog's audit trail (owners): who wrote what, when, from where, with which credential",
  security: BEARER,
  request: { params: BlogParams, query: AuditQuery },
  responses: { 200: json(AuditPage, 'newest first'), ...errors(400, 403, 404), ...apiErrors() },
});

export const audit = createRoute({
  method: 'get',
  path: '/api/v1/audit',
  operationId: 'audit',
  tags: ['identity'],
  summary: 'The whole audit trail (admin)',
  security: BEARER,
  request: { query: AuditQuery },
  responses: { 200: json(AuditPage, 'newest first'), ...errors(400, 403), ...apiErrors() },
});

const OidcCallbackQuery = z.object({
  code: z.string().max(2048).optional(),
  state: z.string().max(512).optional(),
  iss: z.string().max(2048).optional(),
  session_state: z.string().max(512).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
  /** Set by our own bounce page (see the callback). */
  bounced: z.literal('1').optional(),
});

export const oidcLogin = createRoute({
  method: 'get',
  path: '/auth/oidc/login',
  operationId: 'oidcLogin',
  tags: ['identity'],
  summary: "Single sign-on: redirects to the newsroom's OpenID provider",
  security: PUBLIC,
  request: { query: z.object({ returnTo: z.string().max(500).optional() }) },
  responses: {
    302: { description: 'to the provider (Set-Cookie keeps PKCE, state and nonce, sealed)' },
    400: html('bad query'),
    404: html('single sign-on is not configured'),
    500: html('internal error'),
    503: html('the provider could not be reached'),
  },
});

export const oidcCallback = createRoute({
  method: 'get',
  path: '/auth/oidc/callback',
  operationId: 'oidcCallback',
  tags: ['identity'],
  summary: "The provider's redirect back: checks state, nonce and PKCE, then signs in",
  security: PUBLIC,
  request: { query: OidcCallbackQuery },
  responses: {
    200: html('a same-origin reload of this URL (so the SameSite=Strict cookie is sent)'),
    303: { description: 'signed in: Set-Cookie carries the session; on to the page it started from' },
    400: html('the round trip is unknown, stale or was tampered with'),
    401: html("the provider's answer was refused"),
    403: html('this account may not sign in here'),
    404: html('single sign-on is not configured'),
    500: html('internal error'),
    503: html('the provider could not be reached'),
  },
});
