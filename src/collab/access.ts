import type { Deps } from '../deps.js';
import { can, isReadOnly } from '../domain/index.js';
import type { DocRoom, RoomMember } from './doc-room.js';
import { CloseCode } from './protocol.js';

interface Open {
  member: RoomMember;
  room: DocRoom;
}

/**
 * Open collab connections by user, so that an `access.changed` bus message (a member removed
 * or downgraded, a user deactivated, a credential revoked) re-judges them at once on every node.
 *
 * The member's updates are held from the moment the message arrives until the verdict, so
 * nothing it types after the change is checked, stored or broadcast unless it is still allowed.
 * Each distinct credential is authenticated once and each (user, blog) role read once, however
 * many sockets share them. A role that may no longer read closes the socket with 4403 (the
 * stock provider does not reconnect after a 44xx); a downgrade to a role that may still read
 * (editor to contributor) keeps the socket and makes it read-only, like a contributor's: it
 * keeps following the doc, and what it types from then on is refused. A blog archived
 * (`blog.access`) makes every connection to it read-only the same way, the admin's included.
 */
export class OpenConnections {
  private readonly byUser = new Map<string, Set<Open>>();
  private readonly byBlog = new Map<string, Set<Open>>();

  constructor(private readonly deps: Pick<Deps, 'auth' | 'log' | 'store'>) {}

  add(member: RoomMember, room: DocRoom): () => void {
    const entry: Open = { member, room };
    const index = (map: Map<string, Set<Open>>, key: string) => {
      let set = map.get(key);
      if (!set) {
        set = new Set();
        map.set(key, set);
      }
      set.add(entry);
      return () => {
        const s = map.get(key);
        s?.delete(entry);
        if (s?.size === 0) map.delete(key);
      };
    };
    // Every connection (the admin token's too) follows its blog; users' also follow them.
    const forgetBlog = index(this.byBlog, room.blogId);
    const forgetUser = member.userId === null ? () => {} : index(this.byUser, member.userId);
    return () => {
      forgetBlog();
      forgetUser();
    };
  }

  /** Re-judges every open connection of `userId` (on `blogId`, or on all blogs when null). */
  async accessChanged(userId: string, blogId: string | null): Promise<void> {
    const affected = [...(this.byUser.get(userId) ?? [])].filter(
      (o) => o.member.open && (blogId === null || o.room.blogId === blogId),
    );
    await this.rejudge(affected);
  }

  /**
   * Re-judges every open connection to this blog, whoever holds it (`blog.access`: the blog
   * was archived, so nobody may edit its summary any more, the admin included).
   */
  async blogChanged(blogId: string): Promise<void> {
    await this.rejudge([...(this.byBlog.get(blogId) ?? [])].filter((o) => o.member.open));
  }

  /**
   * The verdict for open connections, as at connect time: the credential again, the role on
   * the blog, and the blog's status (archived is read-only). Each distinct credential is
   * authenticated once, each (person, blog) role and each blog read once. It only ever takes
   * rights away: a connection made read-only stays so until it reconnects (its peer still
   * holds what it typed meanwhile, which must not be pulled in later).
   */
  private async rejudge(affected: Open[]): Promise<void> {
    if (affected.length === 0) return;
    for (const o of affected) o.room.hold(o.member);
    const { auth, log, store } = this.deps;
    const principals = new Map<string, ReturnType<typeof auth.reauthenticate>>();
    const roles = new Map<string, ReturnType<typeof auth.roleFor>>();
    const blogs = new Map<string, ReturnType<typeof store.getBlog>>();
    const once = <T>(map: Map<string, T>, key: string, make: () => T): T => {
      let v = map.get(key);
      if (v === undefined) {
        v = make();
        map.set(key, v);
      }
      return v;
    };
    await Promise.all(
      affected.map(async ({ member, room }) => {
        try {
          const p = await once(principals, member.token, () => auth.reauthenticate(member.token));
          if (!p || (member.userId !== null && p.user?.id !== member.userId)) {
            return member.close(CloseCode.unauthorized, 'credential no longer valid');
          }
          const who = p.user?.id ?? 'admin-token';
          const [r, blog] = await Promise.all([
            once(roles, `${who}\n${room.blogId}`, () => auth.roleFor(p, room.blogId)),
            once(blogs, room.blogId, () => store.getBlog(room.blogId)),
          ]);
          if (!blog || !can(p, r, 'summary.read')) member.close(CloseCode.forbidden, 'your role on this blog changed');
          else if (!can(p, r, 'summary.edit') || isReadOnly(blog.status)) member.readOnly = true;
        } catch (err) {
          // Cannot tell (store down): fail closed; the editor reconnects and is judged afresh.
          log.warn({ err, blogId: room.blogId }, 'could not re-judge a collab connection; closing it');
          member.close(CloseCode.internalError, 'could not check access');
        } finally {
          room.resume(member);
        }
      }),
    );
  }
}
