import { z } from 'zod';
import { Author } from './author.js';
import { Block, BlockInput } from './blocks.js';
import { Id, Seq, Timestamp } from './common.js';
import { Correction } from './workflow/correction.js';
import { PostCreateWorkflowShape, PostPatchWorkflowShape, ReviewNote } from './workflow/post-fields.js';
import { StoredTags } from './workflow/tags.js';
import { WorkflowStatus } from './workflow/transitions.js';

export { Author };

/** `draft`, `submitted` (for review), `scheduled` (has `publishAt`), `published` (readers have it). */
export const PostStatus = WorkflowStatus;
export type PostStatus = z.infer<typeof PostStatus>;

export const Post = z.object({
  id: Id,
  blogId: Id,
  /** seq of this post's last reader-visible change (0 while it has never been published). */
  seq: Seq,
  /** "Posted at": set when the post is first published (creation time until then). */
  createdAt: Timestamp,
  updatedAt: Timestamp,
  author: Author,
  status: PostStatus,
  pinned: z.boolean(),
  keyEvent: z.boolean(),
  blocks: z.array(Block),
  // Defaults: events stored before these fields existed still parse.
  /** When a `scheduled` post goes out; null otherwise. */
  publishAt: Timestamp.nullable().default(null),
  tags: StoredTags.default([]),
  /** The public correction note of the last corrected edit; null when never corrected. */
  correction: Correction.nullable().default(null),
  /** The editor who published a contributor's submission; null when its author published it. */
  approvedBy: Author.nullable().default(null),
  /** The editor's note when a submission was returned (its author sees it); null otherwise. */
  review: ReviewNote.nullable().default(null),
});
/**
 * The workflow fields are optional in the type (the schema fills their defaults when it
 * parses): code and stored events from before them still fit. Stores always return them.
 */
export type Post = z.input<typeof Post>;
/** A post as the store returns it: every field present. */
export type StoredPost = z.infer<typeof Post>;

export const PostCreateInput = z
  .object({
    blocks: z.array(BlockInput).min(1).max(50),
    pinned: z.boolean().default(false),
    keyEvent: z.boolean().default(false),
    ...PostCreateWorkflowShape,
  })
  .strict();
export type PostCreateInput = z.infer<typeof PostCreateInput>;

export const PostPatchInput = z
  .object({
    blocks: z.array(BlockInput).min(1).max(50),
    pinned: z.boolean(),
    keyEvent: z.boolean(),
  })
  .partial()
  .extend(PostPatchWorkflowShape)
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'at least one field is required');
export type PostPatchInput = z.infer<typeof PostPatchInput>;

export const PostsPage = z.object({
  posts: z.array(Post),
  /** Opaque; pass as `before` for the next page (older newest-first, later oldest-first). null on the last page. */
  nextCursor: z.string().nullable(),
});
export type PostsPage = z.input<typeof PostsPage>;
export type StoredPostsPage = z.infer<typeof PostsPage>;
