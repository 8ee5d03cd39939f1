import type { Blog } from '../domain/index.js';
import type { BlogStream } from './blog-stream.js';
import { blogRoom, draftRoom, type ReaderSocket } from './subscriptions.js';

/** Statuses after which readers get nothing new: their live connections can be let go. */
export const isFinished = (status: Blog['status'] | string): boolean => status === 'ended' || status === 'archived';

/**
 * Releases the readers of a finished blog once its grace period is over: each leaves the
 * blog's room, and a socket left with no subscription is disconnected (the reader client
 * knows from the `ended` message or the blog's status not to reconnect for it). Editors
 * following drafts keep their subscription: the editor page stays live for them.
 * Resolves with the number of sockets disconnected.
 */
export function releaseFinished(
  feed: BlogStream,
  sockets: Iterable<ReaderSocket>,
  now: number,
  graceMs: number,
): number {
  if (!isFinished(feed.status) || now - feed.statusSince < graceMs) return 0;
  const room = blogRoom(feed.blogId);
  const drafts = draftRoom(feed.blogId);
  let disconnected = 0;
  for (const socket of sockets) {
    if (socket.rooms.has(drafts)) continue;
    void socket.leave(room);
    socket.data.subs.delete(feed.blogId);
    if (socket.data.subs.size === 0) {
      socket.disconnect(true);
      disconnected += 1;
    }
  }
  return disconnected;
}
