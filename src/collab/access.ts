import type { Deps } from '../deps.js';
import { can } from '../domain/index.js';
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
 * keeps following the doc, and what it types from then on is refused.
 */
export class OpenConnections {
  private readonly byUser = new Map<string, Set<Open>>();

  constructor(private readonly deps: Pick<Deps, 'auth' | 'log'>) {}

  add(member: RoomMember, room: DocRoom): () => void {
    if (member.userId === null) return () => {};
    const entry: Open = { member, room };
    let set = this.byUser.get(member.userId);
    if (!set) {
      set = new Set();
      this.byUser.set(member.userId, set);
    }
    set.add(entry);
    const userId = member.userId;
    return () => {
      const s = this.byUser.get(userId);
      s?.delete(entry);
      if (s?.size === 0) this.byUser.delete(userId);
    };
  }

  /** Re-judges every open connection of `userId` (on `blogId`, or on all blogs when null). */
  async accessChanged(userId: string, blogId: string | null): Promise<void> {
    const affected = [...(this.byUser.get(userId) ?? [])].filter(
      (o) => o.member.open && (blogId === null || o.room.blogId === blogId),
    );
    if (affected.length === 0) return;
    for (const o of affected) o.room.hold(o.member);
    const { auth, log } = this.deps;
    const principals = new Map<string, ReturnType<typeof auth.authenticate>>();
    const roles = new Map<string, ReturnType<typeof auth.roleFor>>();
    await Promise.all(
      affected.map(async ({ member, room }) => {
        try {
          let principal = principals.get(member.token);
          if (!principal) {
            principal = auth.authenticate(member.token);
            principals.set(member.token, principal);
          }
          const p = await principal;
          if (!p || (p.kind === 'user' && p.user.id !== userId)) {
            return member.close(CloseCode.unauthorized, 'credential no longer valid');
          }
          let role = roles.get(room.blogId);
          if (!role) {
            role = auth.roleFor(p, room.blogId);
            roles.set(room.blogId, role);
          }
          const r = await role;
          if (!can(p, r, 'summary.read')) member.close(CloseCode.forbidden, 'your role on this blog changed');
          else if (!can(p, r, 'summary.edit')) member.readOnly = true;
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
