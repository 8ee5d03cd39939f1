import { Hono } from 'hono';
import type { Deps } from '../../deps.js';
import { DomainError, type User, UserCreateInput } from '../../domain/index.js';
import { hashToken, newId, newToken } from '../../lib/ids.js';
import type { HttpEnv } from '../context.js';
import { requirePrincipal } from '../middleware/auth.js';
import { readJson } from '../validate.js';

/** Presence colours handed out when the admin does not pick one (readable on white and dark). */
const PALETTE = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#469990', '#9a6324'];

/** Users are created by the admin; each answers once with its token (stored hashed only). */
export function userRoutes(deps: Deps): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();

  const requireAdmin = (p: ReturnType<typeof requirePrincipal>) => {
    if (p.kind !== 'admin') throw new DomainError('forbidden', 'only the admin manages users');
  };

  app.post('/users', async (c) => {
    requireAdmin(requirePrincipal(c));
    const input = await readJson(c, UserCreateInput);
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
  });

  app.get('/users', async (c) => {
    requireAdmin(requirePrincipal(c));
    return c.json({ users: await deps.store.listUsers() });
  });

  app.get('/me', (c) => {
    const p = requirePrincipal(c);
    return c.json(p.kind === 'admin' ? { kind: 'admin' as const } : { kind: 'user' as const, user: p.user });
  });

  return app;
}
