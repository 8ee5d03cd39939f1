import type { MiddlewareHandler } from 'hono';
import type { Deps } from '../../deps.js';
import { DomainError, notFound, type Principal, type User } from '../../domain/index.js';
import { newId } from '../../lib/ids.js';
import { actorOf } from '../audit.js';
import type { HttpEnv } from '../context.js';
import * as routes from '../contract/identity.js';
import { clientIp, requirePrincipal } from '../middleware/auth.js';
import { newRouter } from '../openapi.js';
import { jsonBodyChecks } from '../validate.js';

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
  const app = newRouter();
  const person = (): MiddlewareHandler<HttpEnv> => async (c, next) => {
    personOf(requirePrincipal(c));
    await next();
  };

  app.openapi({ ...routes.createToken, middleware: [person(), jsonBodyChecks()] }, async (c) => {
    const p = requirePrincipal(c);
    const user = personOf(p);
    const { name } = c.req.valid('json');
    const made = await deps.auth.accounts.createPersonalToken(
      user.id,
      name,
      actorOf(p, clientIp(c, deps.config.TRUST_PROXY)),
    );
    c.header('Cache-Control', 'no-store');
    return c.json({ id: made.id, name, createdAt: made.createdAt, lastUsedAt: null, token: made.token }, 201);
  });

  app.openapi(routes.listTokens, async (c) => {
    const user = personOf(requirePrincipal(c));
    c.header('Cache-Control', 'no-store');
    return c.json({ tokens: await deps.store.listPersonalTokens(user.id) }, 200);
  });

  app.openapi({ ...routes.deleteToken, middleware: [person()] }, async (c) => {
    const p = requirePrincipal(c);
    const user = personOf(p);
    const { tokenId } = c.req.valid('param');
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
  });

  return app;
}
