import type { Blog } from './blog.js';

/** A draft blog exists only for its members; admins count as members. */
export function blogVisible(blog: Pick<Blog, 'status'>, isMember: boolean): boolean {
  return blog.status !== 'draft' || isMember;
}
