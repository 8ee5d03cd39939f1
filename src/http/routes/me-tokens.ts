import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import {
  DomainError,
  Id,
  notFound,
  PersonalToken,
  PersonalTokenCreated,
  PersonalTokenInput,
  type Principal,
  type User,
} from '../../domain/index.js';
import { newId } from '../../lib/ids.js';
import { actorOf } from '../audit.js';
import { clientIp, requirePrincipal } from '../middleware/auth.js';
import { readJson, readParam } from '../validate.js';
import { errorResponses, jsonBody, jsonResponse, openApiApp } from './openapi-app.js';

/** A person's own credential list: only people have one (not the bare admin token). */
function personOf(p: Principal): User {
  if (!p.user) throw new DomainError('forbidden', 'the admin token has no personal tokens; sign in as a person');
  return p.user;
}

/**
 * Personal API tokens for automation: the secret is answered once, stored as a SHA-256 hash,
 * listed by name with when it was made and last used, and revoked at once everywhere.
 */
export function meTokenRoutes(deps: Deps) {
  const app = openApiApp();
  const TokenList = z.object({ tokens: z.array(PersonalToken) });

  app.openapi(
    createRoute({
      method: 'post',
      path: '/me/tokens',
      tags: ['identity'],
      summary: 'Create a personal API token (shown once)',
      security: [{ bearer: [] }],
      request: { body: jsonBody(PersonalTokenInput) },
      responses: {
        201: jsonResponse(PersonalTokenCreated, 'the token, shown this once'),
        ...errorResponses(400, 401, 403, 413, 429),
      },
    }),
    async (c) => {
      const p = requirePrincipal(c);
      const user = personOf(p);
      const { name } = await readJson(c, PersonalTokenInput);
      const made = await deps.auth.accounts.createPersonalToken(
        user.id,
        name,
        actorOf(p, clientIp(c, deps.config.TRUST_PROXY)),
      );
      c.header('Cache-Control', 'no-store');
      return c.json({ id: made.id, name, createdAt: made.createdAt, lastUsedAt: null, token: made.token }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/me/tokens',
      tags: ['identity'],
      summary: 'List your personal API tokens (never their secrets)',
      security: [{ bearer: [] }],
      responses: { 200: jsonResponse(TokenList, 'your live tokens'), ...errorResponses(401, 403, 429) },
    }),
    async (c) => {
      const user = personOf(requirePrincipal(c));
      c.header('Cache-Control', 'no-store');
      return c.json({ tokens: await deps.store.listPersonalTokens(user.id) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/me/tokens/{tokenId}',
      tags: ['identity'],
      summary: 'Revoke one of your personal API tokens (open connections using it are closed)',
      security: [{ bearer: [] }],
      request: { params: z.object({ tokenId: Id }) },
      responses: { 204: { description: 'revoked' }, ...errorResponses(400, 401, 403, 404, 429) },
    }),
    async (c) => {
      const p = requirePrincipal(c);
      const user = personOf(p);
      const tokenId = readParam(c, 'tokenId', Id);
      const actor = actorOf(p, clientIp(c, deps.config.TRUST_PROXY));
      const revoked = await deps.store.revokeCredential(user.id, tokenId, new Date().toISOString(), {
        ...actor,
        id: newId(),
        action: 'token.revoke',
        blogId: null,
        postId: null,
        subjectId: user.id,
      });
      if (!revoked) throw notFound('token');
      // Every node re-judges this user's open connections (the revoked token's among them).
      deps.bus.publish({ kind: 'access.changed', userId: user.id, blogId: null });
      return c.body(null, 204);
    },
  );

  return app;
}
