import { describe, expect, test } from 'vitest';
import {
  assertKeepsAnOwner,
  blogVisible,
  createActions,
  DomainError,
  deleteActions,
  draftRights,
  type Post,
  type Principal,
  patchActions,
} from '../../src/domain/index.js';

/** The HTTP-side newsroom rules, now pure functions in src/domain. */
const user = (id: string): Principal => ({
  kind: 'user',
  user: { id, name: id, color: '#000000', createdAt: '2026-01-01T00:00:00.000Z', canCreateBlogs: false },
});
const admin: Principal = { kind: 'admin' };
const post = (over: Partial<Post>): Post => ({
  id: 'p',
  blogId: 'b',
  seq: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  author: { id: 'alice', name: 'alice' },
  status: 'draft',
  pinned: false,
  keyEvent: false,
  blocks: [],
  ...over,
});

describe('blogVisible: a draft blog exists only for its members', () => {
  test.each([
    ['draft', false, false],
    ['draft', true, true],
    ['live', false, true],
    ['ended', false, true],
  ] as const)('%s blog, member %s → %s', (status, member, visible) => {
    expect(blogVisible({ status }, member)).toBe(visible);
  });
});

describe('post rights', () => {
  test('a contributor touches only their own drafts', () => {
    expect(draftRights(user('alice'), post({}), 'post.edit')).toEqual(['post.draft']);
    expect(draftRights(user('bob'), post({}), 'post.edit')).toEqual(['post.edit']);
    expect(draftRights(admin, post({}), 'post.delete')).toEqual(['post.draft']);
  });

  test('publishing, pinning and editing published posts need their own rights', () => {
    expect(createActions({ status: 'published', pinned: false, keyEvent: false })).toEqual(['post.publish']);
    expect(createActions({ status: 'draft', pinned: true, keyEvent: false })).toEqual(['post.draft', 'post.edit']);
    expect(patchActions(user('alice'), post({}), { status: 'published' })).toEqual(['post.draft', 'post.publish']);
    expect(patchActions(user('alice'), post({ status: 'published' }), { blocks: [] })).toEqual(['post.edit']);
    expect(patchActions(user('alice'), post({}), { pinned: true })).toEqual(['post.draft', 'post.edit']);
    // Sending the current value is no change: no extra right.
    expect(patchActions(user('alice'), post({}), { pinned: false })).toEqual(['post.draft']);
  });

  test('deleting: published posts need post.delete; drafts their author or post.delete', () => {
    expect(deleteActions(user('alice'), post({ status: 'published' }))).toEqual(['post.delete']);
    expect(deleteActions(user('alice'), post({}))).toEqual(['post.draft']);
    expect(deleteActions(user('bob'), post({}))).toEqual(['post.delete']);
  });
});

describe('assertKeepsAnOwner', () => {
  const members = [
    { userId: 'alice', role: 'owner' as const },
    { userId: 'bob', role: 'editor' as const },
  ];
  test('the last owner cannot go; others can', () => {
    expect(() => assertKeepsAnOwner(members, 'alice')).toThrow(DomainError);
    expect(() => assertKeepsAnOwner(members, 'alice')).toThrow(/at least one owner/);
    expect(() => assertKeepsAnOwner(members, 'bob')).not.toThrow();
    expect(() => assertKeepsAnOwner([...members, { userId: 'carol', role: 'owner' }], 'alice')).not.toThrow();
  });
});
