import type { Deps } from '../../deps.js';
import { DomainError, type Principal } from '../../domain/index.js';
import { hashToken, newToken } from '../../lib/ids.js';
import { actorOf } from '../audit.js';
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
