import { Hono } from 'hono';
import type { Deps } from '../../deps.js';
import { Id, MemberInput, notFound } from '../../domain/index.js';
import { authorizeAll, loadBlog, roleOn } from '../access.js';
import { auditFor } from '../audit.js';
import type { HttpEnv } from '../context.js';
import { requirePrincipal } from '../middleware/auth.js';
import { readJson, readParam } from '../validate.js';
import { assertKeepsAnOwner } from './blogs.js';

/** The body of PUT .../members/:userId (the user comes from the path). */
export const MemberRoleInput = MemberInput.pick({ role: true }).strict();

/** Blog membership: members may list it; owners and the admin change it. */
export function memberRoutes(deps: Deps): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();

  app.get('/blogs/:blogId/members', async (c) => {
    const p = requirePrincipal(c);
    const blog = await loadBlog(deps, c);
    if ((await roleOn(deps, p, blog.id)) === null) {
      await authorizeAll(deps, p, blog.id, ['blog.members']);
    }
    return c.json({ members: await deps.store.listMembers(blog.id) });
  });

  app.put('/blogs/:blogId/members/:userId', async (c) => {
    const blog = await loadBlog(deps, c);
    await authorizeAll(deps, c.get('principal'), blog.id, ['blog.members']);
    const userId = readParam(c, 'userId', Id);
    const { role } = await readJson(c, MemberRoleInput);
    if (!(await deps.store.getUser(userId))) throw notFound('user');
    if (role !== 'owner') await assertKeepsAnOwner(deps, blog.id, userId);
    const member = await deps.store.setMember(blog.id, userId, role, {
      audit: auditFor(c, deps.config.TRUST_PROXY, 'member.set', { blogId: blog.id, subjectId: userId }),
    });
    // Open connections of that person re-judge their rights on this blog, on every node.
    deps.bus.publish({ kind: 'access.changed', userId, blogId: blog.id });
    return c.json(member);
  });

  app.delete('/blogs/:blogId/members/:userId', async (c) => {
    const blog = await loadBlog(deps, c);
    await authorizeAll(deps, c.get('principal'), blog.id, ['blog.members']);
    const userId = readParam(c, 'userId', Id);
    await assertKeepsAnOwner(deps, blog.id, userId);
    const audit = auditFor(c, deps.config.TRUST_PROXY, 'member.remove', { blogId: blog.id, subjectId: userId });
    if (!(await deps.store.removeMember(blog.id, userId, { audit }))) throw notFound('member');
    deps.bus.publish({ kind: 'access.changed', userId, blogId: blog.id });
    return c.body(null, 204);
  });

  return app;
}
