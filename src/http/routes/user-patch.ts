import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { DomainError, ErrorBody, Id, notFound, User, UserPatchInput } from '../../domain/index.js';
import type { HttpEnv } from '../context.js';
import { validationError } from '../errors.js';
import { requirePrincipal } from '../middleware/auth.js';
import { readJson, readParam } from '../validate.js';

const error = (description: string) => ({ description, content: { 'application/json': { schema: ErrorBody } } });

/** Runs before the declared validators, so a stranger learns 401/403, never what a valid body is. */
const adminOnly: MiddlewareHandler<HttpEnv> = async (c, next) => {
  if (requirePrincipal(c).kind !== 'admin') throw new DomainError('forbidden', 'only the admin manages users');
  await next();
};

/** `PATCH /users/:userId`: the admin changes a user's rights (today: blog creation). */
export const patchUserRoute = createRoute({
  method: 'patch',
  path: '/users/{userId}',
  tags: ['users'],
  summary: "Change a user's rights (admin): canCreateBlogs",
  middleware: [adminOnly] as const,
  request: {
    params: z.object({ userId: Id }),
    body: { required: true, content: { 'application/json': { schema: UserPatchInput } } },
  },
  responses: {
    200: { description: 'the user as now stored', content: { 'application/json': { schema: User } } },
    400: error('validation_failed or bad_request (names the field)'),
    401: error('missing or invalid bearer token'),
    403: error('only the admin manages users'),
    404: error('no such user'),
    413: error('body larger than MAX_BODY_BYTES'),
    429: error('rate limited; see Retry-After'),
    500: error('internal error (quote the requestId)'),
  },
});

export function userPatchRoutes(deps: Deps): OpenAPIHono<HttpEnv> {
  // A declared schema that fails answers with the project's error body, like every route.
  const app = new OpenAPIHono<HttpEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error);
    },
  });
  app.openapi(patchUserRoute, async (c) => {
    const userId = readParam(c, 'userId', Id);
    // readJson adds what the declaration cannot say: JSON content type, well-formed text.
    const patch = await readJson(c, UserPatchInput);
    const user = await deps.store.updateUser(userId, patch);
    if (!user) throw notFound('user');
    return c.json(user, 200);
  });
  return app;
}
