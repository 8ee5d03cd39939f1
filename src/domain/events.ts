import { z } from 'zod';
import { Blog } from './blog.js';
import { Id, Seq, Timestamp } from './common.js';
import { Post } from './post.js';
import { Summary } from './summary.js';

export const EventType = z.enum(['post.created', 'post.updated', 'post.deleted', 'summary.updated', 'blog.updated']);
export type EventType = z.infer<typeof EventType>;

const base = { blogId: Id, seq: Seq.min(1), at: Timestamp };

/** A reader-visible change. `data` is always the whole new resource, so no second request is needed. */
export const LiveEvent = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('post.created'), data: Post }),
  z.object({ ...base, type: z.literal('post.updated'), data: Post }),
  z.object({ ...base, type: z.literal('post.deleted'), data: z.object({ id: Id }) }),
  z.object({ ...base, type: z.literal('summary.updated'), data: Summary }),
  z.object({ ...base, type: z.literal('blog.updated'), data: Blog }),
]);
export type LiveEvent = z.input<typeof LiveEvent>;

/** Editors-only stream of draft changes; drafts carry no reader seq. */
export const DraftEvent = z.object({
  blogId: Id,
  type: z.enum(['draft.saved', 'draft.deleted']),
  data: z.union([Post, z.object({ id: Id })]),
  at: Timestamp,
});
export type DraftEvent = z.input<typeof DraftEvent>;

/** `GET /changes?since=` and the subscribe ack share this shape. */
export const Changes = z.union([
  z.object({ seq: Seq, events: z.array(LiveEvent) }),
  z.object({ seq: Seq, reset: z.literal(true) }),
]);
export type Changes = z.input<typeof Changes>;
/** As the store returns them: stored events parse to every field (defaults filled). */
export type StoredChanges = z.infer<typeof Changes>;
