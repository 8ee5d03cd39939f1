import type { Deps } from '../../deps.js';
import { DomainError, notFound, type Principal, type User } from '../../domain/index.js';
import { hashToken, newId, newToken } from '../../lib/ids.js';
import * as routes from '../contract/users.js';
import { requirePrincipal } from '../middleware/auth.js';
import { newRouter } from '../openapi.js';
import { jsonBodyChecks } from '../validate.js';

/** Presence colours handed out when the admin does not pick one (readable on white and dark). */
const PALETTE = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#469990', '#9a6324'];

const requireAdmin = (p: Principal) => {
  if (p.kind !== 'admin') throw new DomainError('forbidden', 'only the admin manages users');
};

/** Users are created by the admin; each answers once with its token (stored hashed only). */
export function userRoutes(deps: Deps) {
  const app = newRouter();

  app.openapi(
    {
      ...routes.createUser,
      // The admin check comes before the body is read: a 403 must not depend on the body.
      middleware: [
        async (c, next) => {
          requireAdmin(requirePrincipal(c));
          await next();
        },
        jsonBodyChecks(),
      ],
    },
    async (c) => {
      const input = c.req.valid('json');
      const user: User = {
        id: newId(),
        name: input.name,
        color: input.color ?? PALETTE[Math.floor(Math.random() * PALETTE.length)] ?? '#4363d8',
        createdAt: new Date().toISOString(),
        canCreateBlogs: false,
      };
      const token = newToken();
      const created = await deps.store.createUser(user, hashToken(token));
      return c.json({ ...created, token }, 201);
    },
  );

  app.openapi(
    {
      ...routes.patchUser,
      middleware: [
        async (c, next) => {
          requireAdmin(requirePrincipal(c));
          await next();
        },
        jsonBodyChecks(),
      ],
    },
    async (c) => {
      const user = await deps.store.updateUser(c.req.valid('param').userId, c.req.valid('json'));
      if (!user) throw notFound('user');
      return c.json(user, 200);
    },
  );

  app.openapi(routes.listUsers, async (c) => {
    requireAdmin(requirePrincipal(c));
    return c.json({ users: await deps.store.listUsers() }, 200);
  });

  app.openapi(routes.me, (c) => {
    const p = requirePrincipal(c);
    return c.json(p.kind === 'admin' ? { kind: 'admin' as const } : { kind: 'user' as const, user: p.user }, 200);
  });

  return app;
}
