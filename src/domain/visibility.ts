import type { Blog } from './blog.js';

/**
 * A draft blog exists only for its members: anyone else is told it does not exist (the
 * same 404 as a missing blog, never a 403 that would confirm it). Admins count as members.
 * Live and ended blogs are public. Every transport (HTTP, pages, the reader hub) asks this.
 */
export function blogVisible(blog: Pick<Blog, 'status'>, isMember: boolean): boolean {
  return blog.status !== 'draft' || isMember;
}
