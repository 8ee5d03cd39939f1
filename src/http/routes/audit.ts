import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { AuditPage, DomainError, QueryInt } from '../../domain/index.js';
import { authorizeAll, BlogRef, loadBlog } from '../access.js';
import { requirePrincipal } from '../middleware/auth.js';
import { errorResponses, jsonResponse, openApiApp } from './openapi-app.js';

export const AuditQuery = z
  .object({
    before: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a cursor from a previous page')
      .optional(),
    limit: QueryInt(1, 200).optional(),
  })
  .strict();

/** Who did what, newest first: a blog's trail for its owners, the whole trail for the admin. */
export function auditRoutes(deps: Deps) {
  const app = openApiApp();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/blogs/{blogId}/audit',
      tags: ['identity'],
      summary: "A blog's audit trail (owners): who wrote what, when, from where, with which credential",
      security: [{ bearer: [] }],
      request: { params: z.object({ blogId: BlogRef }), query: AuditQuery },
      responses: { 200: jsonResponse(AuditPage, 'newest first'), ...errorResponses(400, 401, 403, 404, 429) },
    }),
    async (c) => {
      const blog = await loadBlog(deps, c);
      await authorizeAll(deps, c.get('principal'), blog.id, ['audit.read']);
      const q = c.req.valid('query');
      c.header('Cache-Control', 'no-store');
      return c.json(await deps.store.listAudit({ blogId: blog.id, before: q.before, limit: q.limit ?? 50 }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/audit',
      tags: ['identity'],
      summary: 'The whole audit trail (admin)',
      security: [{ bearer: [] }],
      request: { query: AuditQuery },
      responses: { 200: jsonResponse(AuditPage, 'newest first'), ...errorResponses(400, 401, 403, 429) },
    }),
    async (c) => {
      if (requirePrincipal(c).kind !== 'admin')
        throw new DomainError('forbidden', 'only the admin reads the whole trail');
      const q = c.req.valid('query');
      c.header('Cache-Control', 'no-store');
      return c.json(await deps.store.listAudit({ before: q.before, limit: q.limit ?? 50 }), 200);
    },
  );

  return app;
}
