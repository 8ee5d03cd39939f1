import { getConnInfo } from '@hono/node-server/conninfo';
import type { MiddlewareHandler } from 'hono';
import type { Auth } from '../../auth/index.js';
import { DomainError, type Principal } from '../../domain/index.js';
import { clientAddress } from '../../lib/client-ip.js';
import type { MinuteLimit } from '../../lib/rate-limit.js';
import type { HttpContext, HttpEnv } from '../context.js';

const BEARER = /^Bearer\s+(\S{1,512})\s*$/i;

/**
 * The client address: the socket peer, or behind a trusted proxy the LAST X-Forwarded-For
 * hop, the one that proxy appended. Earlier hops are whatever the client sent: keying a
 * limit on them lets anyone dodge it or spend someone else's budget.
 */
export function clientIp(c: HttpContext, trustProxy: boolean): string {
  let remote: string | undefined;
  try {
    remote = getConnInfo(c).remote.address;
  } catch {
    // app.request() in tests has no socket.
  }
  return clientAddress(c.req.header('x-forwarded-for'), remote, trustProxy);
}

/**
 * Resolves the bearer token (if any) to a principal. A token that is present but unknown
 * is a 401 even on public routes, so a client with a stale token learns at once. Failed
 * attempts are counted per IP and, past the budget, answered 429 instead of 401. The token
 * is always checked first: a valid one is never refused, whatever else shares the address
 * (a newsroom's office NAT, a CDN edge), so a stranger's flood cannot lock editors out.
 */
export function authenticate(auth: Auth, failures: MinuteLimit, trustProxy: boolean): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header === undefined) return next();
    const token = BEARER.exec(header)?.[1];
    const principal = token ? await auth.authenticate(token) : null;
    if (!principal) {
      await spend(failures, clientIp(c, trustProxy));
      throw new DomainError('unauthorized', token ? 'the bearer token is not valid' : 'malformed Authorization header');
    }
    c.set('principal', principal);
    return next();
  };
}

/** Spends a point of an HTTP budget; past it, 429 with the seconds to wait (Retry-After). */
export async function spend(limit: MinuteLimit, key: string): Promise<void> {
  const retryAfterSeconds = await limit.take(key);
  if (retryAfterSeconds === null) return;
  throw new DomainError('rate_limited', `too many requests; retry in ${retryAfterSeconds} s`, {
    limit: limit.name,
    retryAfterSeconds,
  });
}

/** The principal or a 401. */
export function requirePrincipal(c: HttpContext): Principal {
  const p = c.get('principal');
  if (!p) throw new DomainError('unauthorized', 'a valid bearer token is required');
  return p;
}

/** Stable rate-limit key for a principal; never the token itself. */
export function principalKey(p: Principal): string {
  return p.kind === 'admin' ? 'admin' : `user:${p.user.id}`;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Write budget per principal per minute (anonymous writes fail auth anyway). */
export function limitWrites(writes: MinuteLimit): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const p = c.get('principal');
    if (p && WRITE_METHODS.has(c.req.method)) await spend(writes, principalKey(p));
    return next();
  };
}
