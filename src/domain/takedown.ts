import type { LiveEvent } from './events.js';

/**
 * The takedown rule for replays. Once a post is deleted (or unpublished), its earlier
 * `post.created` / `post.updated` events must no longer carry its content anywhere a replay
 * is served from. Each such event becomes a `post.deleted` of that post at the SAME seq, so
 * seqs stay contiguous and a replay still ends in the same state: deleting a post a reader
 * does not have is a no-op, and the real `post.deleted` follows later anyway.
 */
export function scrubbedEvent(event: LiveEvent, deletedPostId: string, deletedAtSeq: number): LiveEvent {
  if (event.seq >= deletedAtSeq) return event;
  if (event.type !== 'post.created' && event.type !== 'post.updated') return event;
  if (event.data.id !== deletedPostId) return event;
  return { blogId: event.blogId, seq: event.seq, at: event.at, type: 'post.deleted', data: { id: deletedPostId } };
}

/** The post a `post.deleted` takes down, or null for every other event. */
export function takenDownPost(event: LiveEvent): { postId: string; seq: number } | null {
  return event.type === 'post.deleted' ? { postId: event.data.id, seq: event.seq } : null;
}
