import type { Deps } from '../../deps.js';
import { assertKeepsAnOwner, notFound } from '../../domain/index.js';
import { authorizeAll, blogFromPath, requireRights, roleOn, signedIn } from '../access.js';
import * as routes from '../contract/members.js';
import { requirePrincipal } from '../middleware/auth.js';
import { newRouter } from '../openapi.js';
import { jsonBodyChecks } from '../validate.js';

/** Blog membership: members may list it; owners and the admin change it. */
export function memberRoutes(deps: Deps) {
  const app = newRouter();

  app.openapi({ ...routes.listMembers, middleware: [signedIn(), blogFromPath(deps)] }, async (c) => {
    const p = requirePrincipal(c);
    const blog = c.get('blog');
    if ((await roleOn(deps, p, blog.id)) === null) {
      await authorizeAll(deps, p, blog.id, ['blog.members']);
    }
    return c.json({ members: await deps.store.listMembers(blog.id) }, 200);
  });

  app.openapi(
    {
      ...routes.putMember,
      middleware: [blogFromPath(deps), requireRights(deps, ['blog.members']), jsonBodyChecks()],
    },
    async (c) => {
      const blog = c.get('blog');
      const { userId } = c.req.valid('param');
      const { role } = c.req.valid('json');
      if (!(await deps.store.getUser(userId))) throw notFound('user');
      if (role !== 'owner') assertKeepsAnOwner(await deps.store.listMembers(blog.id), userId);
      const member = await deps.store.setMember(blog.id, userId, role);
      // Open sockets and collab connections of that user are re-judged on every node.
      deps.bus.publish({ kind: 'access.changed', userId, blogId: blog.id });
      return c.json(member, 200);
    },
  );

  app.openapi(
    { ...routes.deleteMember, middleware: [blogFromPath(deps), requireRights(deps, ['blog.members'])] },
    async (c) => {
      const blog = c.get('blog');
      const { userId } = c.req.valid('param');
      assertKeepsAnOwner(await deps.store.listMembers(blog.id), userId);
      if (!(await deps.store.removeMember(blog.id, userId))) throw notFound('member');
      deps.bus.publish({ kind: 'access.changed', userId, blogId: blog.id });
      return c.body(null, 204);
    },
  );

  return app;
}
