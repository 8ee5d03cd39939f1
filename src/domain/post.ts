import { z } from 'zod';
import { Block, BlockInput } from './blocks.js';
import { Id, Seq, Timestamp } from './common.js';

export const PostStatus = z.enum(['draft', 'published']);
export type PostStatus = z.infer<typeof PostStatus>;

export const Author = z.object({ id: Id, name: z.string() });
export type Author = z.infer<typeof Author>;

export const Post = z.object({
  id: Id,
  blogId: Id,
  /** seq of this post's last reader-visible change (0 while it has only ever been a draft). */
  seq: Seq,
  /** "Posted at": set when the post is first published (creation time while a draft). */
  createdAt: Timestamp,
  updatedAt: Timestamp,
  author: Author,
  status: PostStatus,
  pinned: z.boolean(),
  keyEvent: z.boolean(),
  blocks: z.array(Block),
});
export type Post = z.infer<typeof Post>;

export const PostCreateInput = z
  .object({
    blocks: z.array(BlockInput).min(1).max(50),
    status: PostStatus.default('published'),
    pinned: z.boolean().default(false),
    keyEvent: z.boolean().default(false),
  })
  .strict();
export type PostCreateInput = z.infer<typeof PostCreateInput>;

export const PostPatchInput = z
  .object({
    blocks: z.array(BlockInput).min(1).max(50),
    status: PostStatus,
    pinned: z.boolean(),
    keyEvent: z.boolean(),
  })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'at least one field is required');
export type PostPatchInput = z.infer<typeof PostPatchInput>;

export const PostsPage = z.object({
  posts: z.array(Post),
  /** Opaque; pass as `before` for the next (older) page. null on the last page. */
  nextCursor: z.string().nullable(),
});
export type PostsPage = z.infer<typeof PostsPage>;
