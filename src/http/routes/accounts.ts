import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { Account, DomainError, Id, UserPatchInput } from '../../domain/index.js';
import { newId } from '../../lib/ids.js';
import { actorOf } from '../audit.js';
import { clientIp, requirePrincipal } from '../middleware/auth.js';
import { readJson, readParam } from '../validate.js';
import { errorResponses, jsonBody, jsonResponse, openApiApp } from './openapi-app.js';

/**
 * `PATCH /users/:userId`: the admin renames or deactivates a person. Deactivation ends every
 * credential of theirs at once: HTTP checks the account on each request, and the bus tells
 * every node to re-judge their open Socket.IO and collab connections.
 */
export function accountRoutes(deps: Deps) {
  const app = openApiApp();

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/users/{userId}',
      tags: ['identity'],
      summary: 'Change a user: `{ active: false }` deactivates them everywhere within a second',
      security: [{ bearer: [] }],
      request: { params: z.object({ userId: Id }), body: jsonBody(UserPatchInput) },
      responses: {
        200: jsonResponse(Account, 'the user as changed'),
        ...errorResponses(400, 401, 403, 404, 413, 429),
      },
    }),
    async (c) => {
      const p = requirePrincipal(c);
      if (p.kind !== 'admin') throw new DomainError('forbidden', 'only the admin manages users');
      const userId = readParam(c, 'userId', Id);
      const patch = await readJson(c, UserPatchInput);
      if (patch.active === false && p.user?.id === userId) {
        throw new DomainError('conflict', 'you cannot deactivate yourself');
      }
      const action =
        patch.active === false ? 'user.deactivate' : patch.active === true ? 'user.activate' : 'user.update';
      const account = await deps.store.updateAccount(userId, patch, {
        ...actorOf(p, clientIp(c, deps.config.TRUST_PROXY)),
        id: newId(),
        action,
        blogId: null,
        postId: null,
        subjectId: userId,
      });
      if (patch.active !== undefined) deps.bus.publish({ kind: 'access.changed', userId, blogId: null });
      return c.json(account, 200);
    },
  );

  return app;
}
