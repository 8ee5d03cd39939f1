import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertUnchanged,
  can,
  DomainError,
  decodeCursor,
  encodeCursor,
  MAX_PINNED,
  type Post,
  type Principal,
  pickPost,
  postTransition,
  sameBullets,
  UserPatchInput,
} from '../../src/domain/index.js';

const post: Omit<Post, 'seq'> = {
  id: 'p1',
  blogId: 'b1',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:01.000Z',
  author: { id: 'u1', name: 'Ann' },
  status: 'published',
  pinned: false,
  keyEvent: true,
  blocks: [{ type: 'text', html: 'x' }],
};

describe('post transitions', () => {
  it('maps every (previous, next) status pair to what readers see', () => {
    expect(postTransition('draft', 'draft')).toBeNull();
    expect(postTransition('draft', 'published')).toBe('post.created');
    expect(postTransition('published', 'published')).toBe('post.updated');
    expect(postTransition('published', 'draft')).toBe('post.deleted');
  });

  it('refuses a guarded write only when updatedAt moved on', () => {
    expect(() => assertUnchanged(post, undefined)).not.toThrow();
    expect(() => assertUnchanged(post, post.updatedAt)).not.toThrow();
    const err = (() => {
      try {
        assertUnchanged(post, '2026-01-01T00:00:00.000Z');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('conflict');
  });

  it('pickPost keeps the Post fields only', () => {
    const extra = { ...post, secret: 'x', author: { ...post.author, email: 'a@b' } } as Omit<Post, 'seq'>;
    expect(pickPost(extra)).toEqual(post);
    expect(MAX_PINNED).toBe(20);
  });
});

describe('cursor codec', () => {
  it('round-trips and matches the base64url the stores always produced', () => {
    fc.assert(
      fc.property(
        fc.date({ noInvalidDate: true, min: new Date('2000-01-01'), max: new Date('2100-01-01') }),
        fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
        (d, id) => {
          const c = { createdAt: d.toISOString(), id };
          const cursor = encodeCursor(c);
          expect(cursor).toBe(Buffer.from(JSON.stringify([c.createdAt, id])).toString('base64url'));
          expect(decodeCursor(cursor)).toEqual(c);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses anything else with validation_failed', () => {
    for (const bad of ['', 'not a cursor!', 'a'.repeat(401), Buffer.from('[1,2]').toString('base64url'), '____']) {
      expect(() => decodeCursor(bad)).toThrow('before: invalid cursor');
    }
  });
});

describe('sameBullets', () => {
  it('compares html and text in order', () => {
    expect(sameBullets([{ html: 'a', text: 'a' }], [{ text: 'a', html: 'a' }])).toBe(true);
    expect(sameBullets([{ html: 'a', text: 'a' }], [{ html: 'b', text: 'a' }])).toBe(false);
    expect(sameBullets([], [])).toBe(true);
    expect(sameBullets([{ html: 'a', text: 'a' }], [])).toBe(false);
  });
});

describe('blog creation right', () => {
  const user = (canCreateBlogs: boolean): Principal => ({
    kind: 'user',
    user: { id: 'u', name: 'U', color: '#123456', createdAt: post.createdAt, canCreateBlogs },
  });

  it('is the admin’s and granted users’ only; no blog role grants it', () => {
    expect(can({ kind: 'admin' }, null, 'blog.create')).toBe(true);
    expect(can(user(true), null, 'blog.create')).toBe(true);
    expect(can(user(false), null, 'blog.create')).toBe(false);
    expect(can(user(false), 'owner', 'blog.create')).toBe(false);
    // The right gives nothing on blogs themselves.
    expect(can(user(true), null, 'blog.update')).toBe(false);
    expect(can(user(false), 'owner', 'blog.update')).toBe(true);
  });

  it('patch body: a boolean, nothing else, not empty', () => {
    expect(UserPatchInput.parse({ canCreateBlogs: true })).toEqual({ canCreateBlogs: true });
    for (const bad of [{}, { canCreateBlogs: 'yes' }, { canCreateBlogs: true, admin: true }, null, []]) {
      expect(UserPatchInput.safeParse(bad).success).toBe(false);
    }
  });
});
