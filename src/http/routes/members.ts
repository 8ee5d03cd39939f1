import type { Deps } from '../../deps.js';
import { assertKeepsAnOwner, notFound } from '../../domain/index.js';
import { authorizeAll, blogFromPath, requireRights, roleOn, signedIn } from '../access.js';
import { actorOf, auditFor } from '../audit.js';
import * as routes from '../contract/members.js';
import { clientIp, requirePrincipal } from '../middleware/auth.js';
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
      const member = await deps.store.setMember(blog.id, userId, role, {
        audit: auditFor(c, deps.config.TRUST_PROXY, 'member.set', { blogId: blog.id, subjectId: userId }),
      });
      // Open connections of that person re-judge their rights on this blog, on every node.
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
      const audit = auditFor(c, deps.config.TRUST_PROXY, 'member.remove', { blogId: blog.id, subjectId: userId });
      if (!(await deps.store.removeMember(blog.id, userId, { audit }))) throw notFound('member');
      deps.bus.publish({ kind: 'access.changed', userId, blogId: blog.id });
      return c.body(null, 204);
    },
  );

  // Owners bring people to their own blog: a role on this blog, nothing more (never admin,
  // never blog creation, never another blog). The admin may do the same on any blog.
  app.openapi(
    {
      ...routes.inviteToBlog,
      middleware: [blogFromPath(deps), requireRights(deps, ['blog.members']), jsonBodyChecks()],
    },
    async (c) => {
      const blog = c.get('blog');
      const { name, email, role } = c.req.valid('json');
      c.header('Cache-Control', 'no-store');
      const known = await deps.store.getAccountByEmail(email);
      let userId: string;
      let invitation: { url: string; expiresAt: string } | null = null;
      if (known) {
        // Already a person here: the role is all there is to give (they sign in as they do).
        userId = known.id;
        if (role !== 'owner') assertKeepsAnOwner(await deps.store.listMembers(blog.id), userId);
      } else {
        const made = await deps.auth.accounts.createPerson(
          { name, email },
          actorOf(requirePrincipal(c), clientIp(c, deps.config.TRUST_PROXY)),
        );
        userId = made.account.id;
        if (made.invitation) {
          // The secret rides in the fragment: never sent to a server, so never in an access log or Referer.
          invitation = {
            url: `${deps.config.publicUrl}/editor#invite=${made.invitation.token}`,
            expiresAt: made.invitation.expiresAt,
          };
        }
      }
      const member = await deps.store.setMember(blog.id, userId, role, {
        audit: auditFor(c, deps.config.TRUST_PROXY, 'member.set', { blogId: blog.id, subjectId: userId }),
      });
      if (known) deps.bus.publish({ kind: 'access.changed', userId, blogId: blog.id });
      return c.json({ member, invitation }, 201);
    },
  );

  return app;
}
