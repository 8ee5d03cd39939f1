import { DomainError } from './errors.js';
import type { Post, PostPatchInput } from './post.js';
import type { Action, Member, Principal } from './users.js';

/** The author's id the server writes on a post made by this principal. */
export function authorOf(p: Principal): { id: string; name: string } {
  // An admin account writes as the person it is; only the bare admin token writes as "Admin".
  return p.user ? { id: p.user.id, name: p.user.name } : { id: 'admin', name: 'Admin' };
}

function isAuthor(p: Principal, post: Pick<Post, 'author'>): boolean {
  return p.kind === 'admin' || post.author.id === p.user.id;
}

/**
 * Contributors may only touch their own drafts; someone else's draft needs the right to
 * edit (or delete) posts in general.
 */
export function draftRights(p: Principal, post: Pick<Post, 'author'>, general: Action): Action[] {
  return isAuthor(p, post) ? ['post.draft'] : [general];
}

/** Which rights creating a post with these settings needs. */
export function createActions(input: { status: Post['status']; pinned: boolean; keyEvent: boolean }): Action[] {
  const actions: Action[] = [input.status === 'published' ? 'post.publish' : 'post.draft'];
  if (input.pinned || input.keyEvent) actions.push('post.edit');
  return actions;
}

/** Which rights a patch needs, judged from the current post and the patch. */
export function patchActions(p: Principal, current: Post, patch: PostPatchInput): Action[] {
  const actions: Action[] = [];
  if (current.status === 'published') actions.push('post.edit');
  else actions.push(...draftRights(p, current, 'post.edit'));
  if (patch.status === 'published' && current.status === 'draft') actions.push('post.publish');
  if (
    (patch.pinned !== undefined && patch.pinned !== current.pinned) ||
    (patch.keyEvent !== undefined && patch.keyEvent !== current.keyEvent)
  ) {
    actions.push('post.edit');
  }
  return actions;
}

/**
 * Which rights deleting a post needs: a published post needs post.delete; a draft, its
 * author's own right or post.delete for someone else's.
 */
export function deleteActions(p: Principal, current: Post): Action[] {
  return current.status === 'published' ? ['post.delete'] : draftRights(p, current, 'post.delete');
}

/**
 * A blog must keep at least one owner (nobody but the admin could manage it otherwise):
 * throws 'conflict' when `userId` is its only owner and is about to stop being one.
 */
export function assertKeepsAnOwner(members: readonly Pick<Member, 'userId' | 'role'>[], userId: string): void {
  const owners = members.filter((m) => m.role === 'owner');
  if (owners.length === 1 && owners[0]?.userId === userId) {
    throw new DomainError('conflict', 'a blog must keep at least one owner');
  }
}
