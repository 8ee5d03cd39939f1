import type { Server } from 'socket.io';
import type { Deps } from '../deps.js';
import { blogVisible, type ClientToServerEvents, can, type Role, type ServerToClientEvents } from '../domain/index.js';
import type { StreamRegistry } from './blog-streams.js';
import type { SocketData } from './socket-data.js';
import { blogRoom, draftRoom, type ReaderSocket } from './subscriptions.js';

type Io = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/**
 * Live revocation for the reader hub. A socket keeps the credential it connected with; when
 * the bus says a user's rights changed (`access.changed`), every socket of that user on this
 * node is re-judged: the credential through Auth (revoked or deactivated → it leaves every
 * drafts room, and the rooms of draft blogs), then the role, read once per user and blog
 * however many sockets share it (no role, or one without drafts.read → it leaves that blog's
 * drafts room; a draft blog it is no longer a member of → it leaves the blog too).
 *
 * `epoch` moves synchronously with every such message, before any await: a subscribe that
 * judged access earlier and joins later sees it moved and judges again (see subscriptions.ts).
 */
export class AccessJudge {
  private changes = 0;
  private readonly byUser = new Map<string, Set<ReaderSocket>>();

  constructor(
    private readonly deps: Deps,
    private readonly io: Io,
    private readonly feeds: StreamRegistry,
  ) {}

  get epoch(): number {
    return this.changes;
  }

  /** Indexes an authenticated socket by its user until it disconnects. */
  track(socket: ReaderSocket): void {
    // An admin account is a person too (its deactivation must reach it); the bare admin token is not.
    const id = socket.data.principal?.user?.id;
    if (!id) return;
    let set = this.byUser.get(id);
    if (!set) {
      set = new Set();
      this.byUser.set(id, set);
    }
    set.add(socket);
    socket.once('disconnect', () => {
      set.delete(socket);
      if (set.size === 0 && this.byUser.get(id) === set) this.byUser.delete(id);
    });
  }

  /** Handles one access.changed message. Resolves when every affected socket was re-judged. */
  async changed(userId: string, blogId: string | null): Promise<void> {
    this.changes += 1;
    const sockets = [...(this.byUser.get(userId) ?? [])];
    if (sockets.length === 0) return;
    const { auth, log } = this.deps;
    // One authentication per distinct credential (normally one per user).
    const byToken = new Map<string, ReaderSocket[]>();
    for (const s of sockets) {
      const t = s.data.token;
      if (t === null) continue;
      const list = byToken.get(t) ?? [];
      list.push(s);
      byToken.set(t, list);
    }
    const roles = new Map<string, Promise<Role | null>>();
    const roleOn = (id: string) => {
      let r = roles.get(id);
      if (!r) {
        const p = sockets[0]?.data.principal;
        r = p ? auth.roleFor(p, id) : Promise.resolve(null);
        roles.set(id, r);
      }
      return r;
    };
    for (const [token, group] of byToken) {
      let principal: Awaited<ReturnType<typeof auth.authenticate>>;
      try {
        principal = await auth.reauthenticate(token);
      } catch (err) {
        // Fail closed: a credential we cannot re-check no longer reads drafts.
        log.warn({ err, userId }, 'could not re-authenticate a socket; treating it as revoked');
        principal = null;
      }
      for (const s of group) {
        if (!principal || principal.user?.id !== userId) {
          this.revoke(s);
          continue;
        }
        s.data.principal = principal;
        const blogs = blogId === null ? [...s.data.subs] : [blogId];
        for (const id of blogs) {
          let role: Role | null;
          try {
            role = await roleOn(id);
          } catch (err) {
            log.warn({ err, userId, blogId: id }, 'could not re-read a role; treating it as none');
            role = null;
          }
          if (!s.connected) break;
          if (!can(principal, role, 'drafts.read')) void s.leave(draftRoom(id));
          const feed = this.feeds.peek(id);
          if (feed && !blogVisible(feed, role !== null)) this.leaveBlog(s, id);
        }
      }
    }
  }

  /** The credential no longer authenticates: the socket becomes a public reader. */
  private revoke(s: ReaderSocket): void {
    s.data.principal = null;
    s.data.token = null;
    for (const id of [...s.data.subs]) {
      void s.leave(draftRoom(id));
      const feed = this.feeds.peek(id);
      if (feed && !blogVisible(feed, false)) this.leaveBlog(s, id);
    }
  }

  private leaveBlog(s: ReaderSocket, blogId: string): void {
    void s.leave(blogRoom(blogId));
    void s.leave(draftRoom(blogId));
    s.data.subs.delete(blogId);
  }

  /**
   * A blog went back to draft: readers who are not its members leave its room. Anonymous
   * sockets go at once; the role is read once per user, not once per socket.
   */
  async dropNonMembers(blogId: string): Promise<void> {
    const room = blogRoom(blogId);
    const ids = this.io.sockets.adapter.rooms.get(room);
    if (!ids) return;
    const byUser = new Map<string, ReaderSocket[]>();
    for (const sid of [...ids]) {
      const s = this.io.sockets.sockets.get(sid);
      if (!s) continue;
      const p = s.data.principal;
      if (p?.kind === 'admin') continue;
      if (!p) {
        this.leaveBlog(s, blogId);
        continue;
      }
      const list = byUser.get(p.user.id) ?? [];
      list.push(s);
      byUser.set(p.user.id, list);
    }
    await Promise.all(
      [...byUser.values()].map(async (group) => {
        const p = group[0]?.data.principal;
        const role = p ? await this.deps.auth.roleFor(p, blogId).catch(() => null) : null;
        const feed = this.feeds.peek(blogId);
        if (feed && blogVisible(feed, role !== null)) return;
        for (const s of group) this.leaveBlog(s, blogId);
      }),
    );
  }
}
