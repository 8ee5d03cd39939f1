import type { Deps } from '../../deps.js';
import { DomainError } from '../../domain/index.js';
import { blogFromPath, requireRights } from '../access.js';
import * as routes from '../contract/identity.js';
import { requirePrincipal } from '../middleware/auth.js';
import { newRouter } from '../openapi.js';

/** Who did what, newest first: a blog's trail for its owners, the whole trail for the admin. */
export function auditRoutes(deps: Deps) {
  const app = newRouter();

  app.openapi(
    { ...routes.blogAudit, middleware: [blogFromPath(deps), requireRights(deps, ['audit.read'])] },
    async (c) => {
      const q = c.req.valid('query');
      c.header('Cache-Control', 'no-store');
      return c.json(
        await deps.store.listAudit({ blogId: c.get('blog').id, before: q.before, limit: q.limit ?? 50 }),
        200,
      );
    },
  );

  app.openapi(
    {
      ...routes.audit,
      middleware: [
        async (c, next) => {
          if (requirePrincipal(c).kind !== 'admin')
            throw new DomainError('forbidden', 'only the admin reads the whole trail');
          await next();
        },
      ],
    },
    async (c) => {
      const q = c.req.valid('query');
      c.header('Cache-Control', 'no-store');
      return c.json(await deps.store.listAudit({ before: q.before, limit: q.limit ?? 50 }), 200);
    },
  );

  return app;
}
