import type { Deps } from '../../deps.js';
import { DomainError, type Principal } from '../../domain/index.js';
import { hashToken, newToken } from '../../lib/ids.js';
import { actorOf, auditFor } from '../audit.js';
import * as routes from '../contract/users.js';
import { clientIp, requirePrincipal } from '../middleware/auth.js';
import { newRouter } from '../openapi.js';
import { jsonBodyChecks } from '../validate.js';

const requireAdmin = (p: Principal) => {
  if (p.kind !== 'admin') throw new DomainError('forbidden', 'only the admin manages users');
};

/**
 * Users are created by the admin. With an email, a person who signs in: with a password, or
 * (without one) an invitation link shown once, valid 7 days, single use. Without an email,
 * as before, a bearer token answered once (stored hashed only).
 */
export function userRoutes(deps: Deps) {
  const app = newRouter();
  const adminOnly = () => async (c: Parameters<typeof requirePrincipal>[0], next: () => Promise<void>) => {
    requireAdmin(requirePrincipal(c));
    await next();
  };

  app.openapi(
    // The admin check comes before the body is read: a 403 must not depend on the body.
    { ...routes.createUser, middleware: [adminOnly(), jsonBodyChecks()] },
    async (c) => {
      const input = c.req.valid('json');
      const accounts = deps.auth.accounts;
      c.header('Cache-Control', 'no-store');
      if (input.email === undefined) {
        if (input.admin || input.password !== undefined) {
          throw new DomainError('validation_failed', 'email: an admin or a password needs an email to sign in with', [
            { path: 'email', message: 'required for a password or an admin' },
          ]);
        }
        const user = accounts.newUser(input.name, input.color);
        const token = newToken();
        const created = await deps.store.createUser(user, hashToken(token));
        return c.json({ ...created, token }, 201);
      }
      const p = requirePrincipal(c);
      const { account, invitation } = await accounts.createPerson(
        input,
        actorOf(p, clientIp(c, deps.config.TRUST_PROXY)),
      );
      if (!invitation) return c.json(account, 201);
      // The secret rides in the fragment: never sent to a server, so never in an access log or Referer.
      const url = `${deps.config.publicUrl}/editor#invite=${invitation.token}`;
      return c.json({ ...account, invitation: { url, expiresAt: invitation.expiresAt } }, 201);
    },
  );

  app.openapi({ ...routes.patchUser, middleware: [adminOnly(), jsonBodyChecks()] }, async (c) => {
    const p = requirePrincipal(c);
    const { userId } = c.req.valid('param');
    const patch = c.req.valid('json');
    if (patch.active === false && p.user?.id === userId)
      throw new DomainError('conflict', 'you cannot deactivate yourself');
    const action = patch.active === false ? 'user.deactivate' : patch.active === true ? 'user.activate' : 'user.update';
    const account = await deps.store.updateAccount(
      userId,
      patch,
      auditFor(c, deps.config.TRUST_PROXY, action, { subjectId: userId }),
    );
    // Deactivation ends every credential at once on HTTP (checked per request); open
    // Socket.IO and collab connections are re-judged on every node through the bus.
    if (patch.active !== undefined) deps.bus.publish({ kind: 'access.changed', userId, blogId: null });
    return c.json(account, 200);
  });

  app.openapi(routes.listUsers, async (c) => {
    requireAdmin(requirePrincipal(c));
    return c.json({ users: await deps.store.listAccounts() }, 200);
  });

  app.openapi(routes.me, (c) => {
    const p = requirePrincipal(c);
    if (p.kind === 'admin')
      return c.json(p.user ? { kind: 'admin' as const, user: p.user } : { kind: 'admin' as const }, 200);
    return c.json({ kind: 'user' as const, user: p.user }, 200);
  });

  return app;
}
