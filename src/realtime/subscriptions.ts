import type { Socket } from 'socket.io';
import type { Deps } from '../deps.js';
import {
  blogVisible,
  type ClientToServerEvents,
  can,
  DomainError,
  type ErrorCode,
  type LiveEvent,
  type Role,
  type ServerToClientEvents,
  type SubscribeAck,
  SubscribeRequest,
  UnsubscribeRequest,
} from '../domain/index.js';
import type { AccessJudge } from './access.js';
import type { CatchUp } from './blog-stream.js';
import type { StreamRegistry } from './blog-streams.js';
import { TokenBucket } from './guards.js';
import type { SocketData } from './socket-data.js';

export type ReaderSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export const blogRoom = (blogId: string) => `blog:${blogId}`;
export const draftRoom = (blogId: string) => `drafts:${blogId}`;

/** How often a catch-up re-reads when the ring moved on while the store was being read. */
const CATCHUP_ATTEMPTS = 3;

/** How often a subscribe judges access again when it changed while the subscribe awaited. */
const JUDGE_ATTEMPTS = 3;
/** Subscribes a socket may send at once before the per-minute rate applies. */
const SUBSCRIBE_BURST = 20;

const fail = (code: ErrorCode, message: string): SubscribeAck => ({ ok: false, error: { code, message } });

function zodMessage(issues: { path: PropertyKey[]; message: string }[]): string {
  return issues.map((i) => `${i.path.map(String).join('.') || 'payload'}: ${i.message}`).join('; ');
}

/**
 * `subscribe` and `unsubscribe` for one socket. The ack's events and the live events that
 * follow are contiguous: every await happens first, then one synchronous step computes the
 * catch-up from memory, joins the room and acks; the room's next event is then head + 1.
 */
export function handleSubscriptions(
  socket: ReaderSocket,
  deps: Deps,
  feeds: StreamRegistry,
  access: AccessJudge,
  /** Told of every successful subscribe (audience counting). */
  onJoined: (blogId: string, req: SubscribeRequest) => void = () => {},
): void {
  const { config, metrics, auth } = deps;
  // Each subscribe may cost a store read: a socket gets a small burst, then a steady rate.
  const budget = new TokenBucket(SUBSCRIBE_BURST, config.RATE_SUBSCRIBES_PER_MIN / 60);

  const overSubscribed = (blogId: string): SubscribeAck | null => {
    const subs = socket.data.subs;
    if (subs.has(blogId) || subs.size < config.MAX_SUBSCRIPTIONS_PER_SOCKET) return null;
    metrics.refusedConnections.inc({ reason: 'subscriptions' });
    return fail('rate_limited', `at most ${config.MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions per connection`);
  };

  async function subscribe(raw: unknown, reply: (ack: SubscribeAck) => void): Promise<SubscribeAck> {
    const parsed = SubscribeRequest.safeParse(raw);
    if (!parsed.success) return fail('validation_failed', zodMessage(parsed.error.issues));
    const { blogId: ref, sinceSeq, drafts } = parsed.data;
    if (!budget.take()) {
      metrics.rateLimited.inc({ limit: 'socket_subscribes' });
      return fail('rate_limited', `at most ${config.RATE_SUBSCRIBES_PER_MIN} subscribes per minute per connection`);
    }

    const feed = await feeds.acquire(ref);
    if (!feed) return fail('not_found', 'blog not found');
    feed.lastActive = Date.now();
    const subs = socket.data.subs;

    for (let judged = 0; judged < JUDGE_ATTEMPTS; judged++) {
      // Access is judged here, then judged again in the synchronous step that joins: a
      // role change (access.changed moves the epoch) or a blog taken back to draft while
      // this subscribe awaited must not let it into a room it may no longer enter.
      const epoch = access.epoch;
      const p = socket.data.principal;
      const needsRole = p?.kind === 'user' && (drafts === true || feed.status === 'draft');
      const role: Role | null | undefined = needsRole && p ? await auth.roleFor(p, feed.blogId) : undefined;
      const member = p?.kind === 'admin' || (role !== undefined && role !== null);
      // A draft blog exists only for its members and the admin: to anyone else it answers
      // exactly like a missing one, as on the HTTP API.
      if (!blogVisible(feed, member)) return fail('not_found', 'blog not found');
      if (drafts) {
        if (!p) throw new DomainError('unauthorized', 'a valid bearer token is required');
        if (!can(p, role ?? null, 'drafts.read')) {
          throw new DomainError('forbidden', `your role on this blog (${role ?? 'none'}) may not drafts.read`);
        }
      }
      const tooMany = overSubscribed(feed.blogId);
      if (tooMany) return tooMany;

      // A repeated subscribe restarts this socket's stream from its sinceSeq. Until it succeeds
      // the socket is not subscribed at all (a failure below must not leave it listed but deaf).
      void socket.leave(blogRoom(feed.blogId));
      void socket.leave(draftRoom(feed.blogId));
      subs.delete(feed.blogId);
      // A reader ahead of this node's feed read the store over HTTP, or came from a node that
      // heard the bus sooner: catch the feed up from the store rather than answer a reset whose
      // seq goes backwards. (Twice at most: a read already in flight may predate its seq.)
      for (let i = 0; i < 2 && sinceSeq !== undefined && sinceSeq > feed.head; i++) await feed.checkTail();
      let catchUp: CatchUp | null = null;
      let outcome: 'memory' | 'store' = 'memory';
      for (let attempt = 0; attempt < CATCHUP_ATTEMPTS && !catchUp; attempt++) {
        let older: readonly LiveEvent[] = [];
        if (sinceSeq !== undefined && !feed.servesFromMemory(sinceSeq)) {
          outcome = 'store';
          older = await feeds.readOlder(feed, sinceSeq, feed.ringStart - 1);
        }
        if (socket.disconnected) return fail('unavailable', 'disconnected');
        // --- the synchronous step: nothing below awaits ---
        catchUp = feed.catchUp(sinceSeq, older);
      }
      catchUp ??= { kind: 'reset', seq: feed.head };
      if (access.epoch !== epoch || socket.data.principal !== p) continue;
      if (!blogVisible(feed, member)) {
        // Went back to draft meanwhile: a user whose role was not read is judged again.
        if (p?.kind === 'user' && role === undefined) continue;
        return fail('not_found', 'blog not found');
      }
      const raced = overSubscribed(feed.blogId);
      if (raced) return raced;
      void socket.join(blogRoom(feed.blogId));
      if (drafts) void socket.join(draftRoom(feed.blogId));
      else void socket.leave(draftRoom(feed.blogId));
      subs.add(feed.blogId);
      onJoined(feed.blogId, parsed.data);
      metrics.catchups.inc({ outcome: catchUp.kind === 'reset' ? 'reset' : outcome });
      const ack: SubscribeAck =
        catchUp.kind === 'reset'
          ? { ok: true, blogId: feed.blogId, seq: catchUp.seq, reset: true }
          : { ok: true, blogId: feed.blogId, seq: catchUp.seq, events: catchUp.events };
      // Acked here, not in a later .then: another microtask could emit to the room in between.
      reply(ack);
      return ack;
    }
    return fail('unavailable', 'access changed while subscribing, retry');
  }

  socket.on('subscribe', (raw, ack) => {
    const reply = typeof ack === 'function' ? ack : () => {};
    subscribe(raw, reply).then(
      (res) => {
        if (!res.ok) reply(res);
      },
      (err: unknown) => {
        if (err instanceof DomainError) return reply(fail(err.code, err.message));
        deps.log.warn({ err }, 'subscribe failed');
        reply(fail('unavailable', 'temporarily unavailable, retry'));
      },
    );
  });

  socket.on('unsubscribe', (raw, ack) => {
    const reply = typeof ack === 'function' ? ack : () => {};
    const parsed = UnsubscribeRequest.safeParse(raw);
    if (!parsed.success) return reply({ ok: false });
    const feed = feeds.peek(parsed.data.blogId);
    const blogId = feed?.blogId ?? parsed.data.blogId;
    void socket.leave(blogRoom(blogId));
    void socket.leave(draftRoom(blogId));
    const had = socket.data.subs.delete(blogId);
    reply({ ok: had });
  });
}
