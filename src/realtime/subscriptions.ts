import type { Socket } from 'socket.io';
import type { Deps } from '../deps.js';
import {
  type ClientToServerEvents,
  DomainError,
  type ErrorCode,
  type LiveEvent,
  type ServerToClientEvents,
  type SubscribeAck,
  SubscribeRequest,
  UnsubscribeRequest,
} from '../domain/index.js';
import type { CatchUp } from './feed.js';
import type { FeedRegistry } from './feeds.js';
import type { SocketData } from './socket-data.js';

export type ReaderSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export const blogRoom = (blogId: string) => `blog:${blogId}`;
export const draftRoom = (blogId: string) => `drafts:${blogId}`;

/** How often a catch-up re-reads when the ring moved on while the store was being read. */
const CATCHUP_ATTEMPTS = 3;

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
  feeds: FeedRegistry,
  /** Told of every successful subscribe (audience counting). */
  onJoined: (blogId: string, req: SubscribeRequest) => void = () => {},
): void {
  const { config, metrics, auth, log } = deps;

  async function subscribe(raw: unknown, reply: (ack: SubscribeAck) => void): Promise<SubscribeAck> {
    const parsed = SubscribeRequest.safeParse(raw);
    if (!parsed.success) return fail('validation_failed', zodMessage(parsed.error.issues));
    const { blogId: ref, sinceSeq, drafts } = parsed.data;

    const feed = await feeds.acquire(ref);
    if (!feed) return fail('not_found', 'blog not found');
    // A draft blog exists only for its members and the admin: to anyone else it answers
    // exactly like a missing one, as on the HTTP API.
    if (feed.status === 'draft') {
      const p = socket.data.principal;
      const role = p ? await auth.roleFor(p, feed.blogId) : null;
      if (!p || (p.kind === 'user' && role === null)) return fail('not_found', 'blog not found');
    }
    feed.lastActive = Date.now();
    const subs = socket.data.subs;
    if (!subs.has(feed.blogId) && subs.size >= config.MAX_SUBSCRIPTIONS_PER_SOCKET) {
      metrics.refusedConnections.inc({ reason: 'subscriptions' });
      return fail('rate_limited', `at most ${config.MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions per connection`);
    }
    if (drafts) await auth.authorize(socket.data.principal, feed.blogId, 'drafts.read');

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
    if (!subs.has(feed.blogId) && subs.size >= config.MAX_SUBSCRIPTIONS_PER_SOCKET) {
      metrics.refusedConnections.inc({ reason: 'subscriptions' });
      return fail('rate_limited', `at most ${config.MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions per connection`);
    }
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

  socket.on('subscribe', (raw, ack) => {
    const reply = typeof ack === 'function' ? ack : () => {};
    subscribe(raw, reply).then(
      (res) => {
        if (!res.ok) reply(res);
      },
      (err: unknown) => {
        if (err instanceof DomainError) return reply(fail(err.code, err.message));
        log.warn({ err }, 'subscribe failed');
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
