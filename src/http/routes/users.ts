import { Hono } from 'hono';
import type { Deps } from '../../deps.js';
import { DomainError, PersonCreateInput } from '../../domain/index.js';
import { hashToken, newToken } from '../../lib/ids.js';
import { actorOf } from '../audit.js';
import type { HttpEnv } from '../context.js';
import { clientIp, requirePrincipal } from '../middleware/auth.js';
import { readJson } from '../validate.js';

/**
 * Users are created by the admin. With an email, a person who signs in: with a password, or
 * (without one) an invitation link shown once, valid 7 days, single use. Without an email,
 * as before, a bearer token answered once (stored hashed only).
 */
export function userRoutes(deps: Deps): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();

  const requireAdmin = (p: ReturnType<typeof requirePrincipal>) => {
    if (p.kind !== 'admin') throw new DomainError('forbidden', 'only the admin manages users');
  };

  app.post('/users', async (c) => {
    const p = requirePrincipal(c);
    requireAdmin(p);
    const input = await readJson(c, PersonCreateInput);
    const accounts = deps.auth.accounts;
    c.header('Cache-Control', 'no-store');
    if (input.email === undefined) {
      if (input.admin) throw new DomainError('validation_failed', 'an admin needs an email to sign in with');
      const user = accounts.newUser(input.name, input.color);
      const token = newToken();
      const created = await deps.store.createUser(user, hashToken(token));
      return c.json({ ...created, token }, 201);
    }
    const { account, invitation } = await accounts.createPerson(
      input,
      actorOf(p, clientIp(c, deps.config.TRUST_PROXY)),
    );
    if (!invitation) return c.json(account, 201);
    // The secret rides in the fragment: never sent to a server, so never in an access log or Referer.
    const url = `${deps.config.publicUrl}/editor#invite=${invitation.token}`;
    return c.json({ ...account, invitation: { url, expiresAt: invitation.expiresAt } }, 201);
  });

  app.get('/users', async (c) => {
    requireAdmin(requirePrincipal(c));
    return c.json({ users: await deps.store.listAccounts() });
  });

  app.get('/me', (c) => {
    const p = requirePrincipal(c);
    if (p.kind === 'admin')
      return c.json(p.user ? { kind: 'admin' as const, user: p.user } : { kind: 'admin' as const });
    return c.json({ kind: 'user' as const, user: p.user });
  });

  return app;
}
