import type { Deps } from '../deps.js';
import {
  type Action,
  assertEventFits,
  assertWritable,
  authorOf,
  type Blog,
  DomainError,
  isHidden,
  maxEventBytes,
  notFound,
  type Post,
  type PostPatchInput,
  type Principal,
  type StoredPost,
} from '../domain/index.js';
import { type MediaLookup, planPostPatch } from '../domain/post-building.js';
import type { AuditContext } from '../store/types.js';
import { authorizeAll } from './access.js';
import { publishDraft, publishLive } from './publish.js';

/** A guarded read-modify-write is tried this often before answering 409. */
const WRITE_ATTEMPTS = 3;

/**
 * Read, judge, write — guarded: `write` judges rights on `current` and passes its updatedAt
 * to the store, which refuses with 'conflict' if someone changed the post in between (an
 * editor published it while this edit was in flight). Then the post is read again and
 * judged and written anew, so fields a patch does not name are never reverted.
 */
export async function guardedWrite<T>(
  first: Post,
  reread: () => Promise<Post>,
  write: (current: Post) => Promise<T>,
): Promise<T> {
  let current = first;
  for (let attempt = 1; ; attempt++) {
    try {
      return await write(current);
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'conflict') || attempt >= WRITE_ATTEMPTS) throw err;
      current = await reread();
    }
  }
}

/** The editors' stream of hidden posts (drafts, submissions, scheduled): what changed and how. */
export function announceHidden(deps: Deps, post: Post, previous: Post | null, blogId: string, now: string): void {
  if (isHidden(post.status)) publishDraft(deps, 'draft.saved', post, blogId, now);
  else if (previous && isHidden(previous.status)) publishDraft(deps, 'draft.deleted', { id: post.id }, blogId, now);
}

/** 413 before the write when readers could not be sent the event (counted per type). */
export function fitsForReaders(deps: Deps, post: Omit<Post, 'seq'>, type: 'post.created' | 'post.updated'): void {
  try {
    assertEventFits('post', post, maxEventBytes(deps.config));
  } catch (err) {
    deps.metrics.eventsTooLarge.inc({ type });
    throw err;
  }
}

/**
 * One patch of a post, the same for PATCH and the submit / publish / return actions: the
 * domain plans it (next fields, rights), the caller's rights are judged on the fresh post,
 * the store writes it with its revision and event, readers and editors are told.
 */
export async function patchPost(
  deps: Deps,
  blog: Blog,
  p: Principal,
  postId: string,
  patch: PostPatchInput,
  media: MediaLookup = new Map(),
  audit?: AuditContext,
): Promise<StoredPost> {
  assertWritable(blog);
  const readPost = async (): Promise<Post> => {
    const post = await deps.store.getPost(blog.id, postId, { includeDrafts: true });
    if (!post) throw notFound('post');
    return post;
  };
  return guardedWrite(await readPost(), readPost, async (current) => {
    const now = new Date().toISOString();
    const actor = authorOf(p);
    const planned = planPostPatch(current, patch, now, actor, media);
    // Someone else's hidden post needs the general right to edit; the author's own, drafting.
    const byAuthor = p.kind === 'admin' || current.author.id === p.user.id;
    const own: Action[] = isHidden(current.status) && byAuthor ? ['post.draft'] : ['post.edit'];
    await authorizeAll(deps, p, blog.id, [...own, ...planned.needs]);
    fitsForReaders(deps, { ...current, ...planned.change }, 'post.updated');
    const { post, event, previous } = await deps.store.updatePost(blog.id, postId, planned.change, {
      expectedUpdatedAt: current.updatedAt,
      by: actor,
      ...(audit ? { audit } : {}),
    });
    publishLive(deps, event);
    announceHidden(deps, post, previous, blog.id, now);
    return post;
  });
}
