import type { Deps } from '../../deps.js';
import { DomainError } from '../../domain/index.js';
import { auditFor } from '../audit.js';
import * as routes from '../contract/identity.js';
import { requirePrincipal } from '../middleware/auth.js';
import { newRouter } from '../openapi.js';
import { jsonBodyChecks } from '../validate.js';

/**
 * `PATCH /users/:userId`: the admin renames or deactivates a person. Deactivation ends every
 * credential of theirs at once: HTTP checks the account on each request, and the bus tells
 * every node to re-judge their open Socket.IO and collab connections.
 */
export function accountRoutes(deps: Deps) {
  const app = newRouter();

  app.openapi(
    {
      ...routes.patchUser,
      middleware: [
        async (c, next) => {
          if (requirePrincipal(c).kind !== 'admin') throw new DomainError('forbidden', 'only the admin manages users');
          await next();
        },
        jsonBodyChecks(),
      ],
    },
    async (c) => {
      const p = requirePrincipal(c);
      const { userId } = c.req.valid('param');
      const patch = c.req.valid('json');
      if (patch.active === false && p.user?.id === userId)
        throw new DomainError('conflict', 'you cannot deactivate yourself');
      const action =
        patch.active === false ? 'user.deactivate' : patch.active === true ? 'user.activate' : 'user.update';
      const account = await deps.store.updateAccount(
        userId,
        patch,
        auditFor(c, deps.config.TRUST_PROXY, action, { subjectId: userId }),
      );
      if (patch.active !== undefined) deps.bus.publish({ kind: 'access.changed', userId, blogId: null });
      return c.json(account, 200);
    },
  );

  return app;
}
