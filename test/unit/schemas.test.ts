import { describe, expect, test } from 'vitest';
import {
  BlogCreateInput,
  BlogPatchInput,
  ChangesQuery,
  DomainError,
  HistoryQuery,
  MemberInput,
  PostCreateInput,
  PostListQuery,
  PostPatchInput,
  UserCreateInput,
} from '../../src/domain/index.js';
import { applyPostPatch, buildPost, cleanPlainText } from '../../src/domain/post-building.js';
import { slugify, withSuffix } from '../../src/domain/slug.js';

const text = { type: 'text', html: '<p>x</p>' };

describe('input schemas are strict and bounded', () => {
  test('unknown fields are refused everywhere', () => {
    expect(PostCreateInput.safeParse({ blocks: [text], seq: 3 }).success).toBe(false);
    expect(PostCreateInput.safeParse({ blocks: [{ ...text, extra: 1 }] }).success).toBe(false);
    expect(PostPatchInput.safeParse({ author: 'me' }).success).toBe(false);
    expect(BlogCreateInput.safeParse({ title: 't', seq: 1 }).success).toBe(false);
    expect(UserCreateInput.safeParse({ name: 'n', token: 'x' }).success).toBe(false);
    expect(MemberInput.safeParse({ userId: 'u1', role: 'owner', admin: true }).success).toBe(false);
    // Clients cannot send embed markup: html is not part of the embed input.
    expect(
      PostCreateInput.safeParse({ blocks: [{ type: 'embed', url: 'https://e.com', html: '<script>' }] }).success,
    ).toBe(false);
  });

  test('defaults', () => {
    // No status: published at once (see createStatus); with publishAt, scheduled.
    expect(PostCreateInput.parse({ blocks: [text] })).toEqual({
      blocks: [text],
      pinned: false,
      keyEvent: false,
    });
    expect(BlogCreateInput.parse({ title: ' T ' })).toEqual({
      title: 'T',
      description: '',
      status: 'live',
      allowedOrigins: [],
      order: 'newest',
      language: 'en',
    });
  });

  test('limits', () => {
    expect(PostCreateInput.safeParse({ blocks: [] }).success).toBe(false);
    expect(PostCreateInput.safeParse({ blocks: Array(51).fill(text) }).success).toBe(false);
    expect(PostCreateInput.safeParse({ blocks: [{ type: 'text', html: 'x'.repeat(20_001) }] }).success).toBe(false);
    expect(PostCreateInput.safeParse({ blocks: [{ type: 'quote', text: '   ' }] }).success).toBe(false);
    expect(BlogCreateInput.safeParse({ title: 'x'.repeat(201) }).success).toBe(false);
    expect(BlogCreateInput.safeParse({ title: '' }).success).toBe(false);
    expect(BlogCreateInput.safeParse({ title: 't', slug: 'Has Space' }).success).toBe(false);
    expect(BlogCreateInput.safeParse({ title: 't', slug: '-lead' }).success).toBe(false);
    expect(BlogCreateInput.safeParse({ title: 't', allowedOrigins: ['https://a.example/path'] }).success).toBe(false);
    expect(PostPatchInput.safeParse({}).success).toBe(false);
    expect(BlogPatchInput.safeParse({}).success).toBe(false);
  });

  test('image and embed URLs must be http(s)', () => {
    for (const url of ['javascript:alert(1)', 'data:image/png;base64,AA', '/relative.png']) {
      expect(PostCreateInput.safeParse({ blocks: [{ type: 'image', url, alt: 'a' }] }).success, `image ${url}`).toBe(
        false,
      );
      expect(PostCreateInput.safeParse({ blocks: [{ type: 'embed', url }] }).success, `embed ${url}`).toBe(false);
    }
  });

  test('query schemas parse strings strictly', () => {
    expect(PostListQuery.parse({})).toEqual({ limit: 20, status: 'published' });
    expect(PostListQuery.parse({ limit: '100' }).limit).toBe(100);
    for (const limit of ['0', '101', '-1', '1.5', '12abc', '']) {
      expect(PostListQuery.safeParse({ limit }).success, limit).toBe(false);
    }
    expect(PostListQuery.safeParse({ status: 'deleted' }).success).toBe(false);
    expect(PostListQuery.safeParse({ sort: 'asc' }).success).toBe(false);
    expect(ChangesQuery.parse({ since: '0' })).toEqual({ since: 0 });
    expect(ChangesQuery.safeParse({ since: '-1' }).success).toBe(false);
    expect(ChangesQuery.safeParse({ since: 'abc' }).success).toBe(false);
    expect(HistoryQuery.safeParse({ limit: '201' }).success).toBe(false);
  });
});

describe('posts', () => {
  const author = { id: 'u1', name: 'Ann' };
  const t0 = '2026-01-01T10:00:00.000Z';
  const t1 = '2026-01-01T11:00:00.000Z';

  test('buildPost sanitises, canonicalises and stamps', () => {
    const input = PostCreateInput.parse({
      blocks: [
        { type: 'text', html: '<p onclick="x">Hi <b>there</b></p>' },
        { type: 'quote', text: 'said\u0007 it ', attribution: '  ' },
        { type: 'embed', url: 'https://youtu.be/dQw4w9WgXcQ' },
      ],
    });
    const post = buildPost(input, author, 'b1', t0, 'p1');
    expect(post).toMatchObject({ id: 'p1', blogId: 'b1', createdAt: t0, updatedAt: t0, status: 'published' });
    expect(post.blocks[0]).toEqual({ type: 'text', html: '<p>Hi <strong>there</strong></p>' });
    expect(post.blocks[1]).toEqual({ type: 'quote', text: 'said it' });
    expect(post.blocks[2]).toMatchObject({ provider: 'youtube', url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' });
  });

  test('a bad block names its index', () => {
    const input = PostCreateInput.parse({
      blocks: [text, { type: 'embed', url: 'https://e.com/', provider: 'youtube' }],
    });
    expect(() => buildPost(input, author, 'b1', t0, 'p1')).toThrow(DomainError);
    expect(() => buildPost(input, author, 'b1', t0, 'p1')).toThrow(/blocks\.1\.provider/);
  });

  test('publishing a never-published draft moves createdAt to the publish time', () => {
    const draft = {
      ...buildPost(PostCreateInput.parse({ blocks: [text], status: 'draft' }), author, 'b', t0, 'p'),
      seq: 0,
    };
    const next = applyPostPatch(draft, { status: 'published' }, t1);
    expect(next).toMatchObject({ status: 'published', createdAt: t1, updatedAt: t1 });
  });

  test('a post readers saw keeps its first publication time', () => {
    const published = { ...buildPost(PostCreateInput.parse({ blocks: [text] }), author, 'b', t0, 'p'), seq: 4 };
    expect(applyPostPatch(published, { pinned: true }, t1)).toMatchObject({
      createdAt: t0,
      updatedAt: t1,
      pinned: true,
    });
    const unpublished = { ...published, status: 'draft' as const, seq: 5 };
    expect(applyPostPatch(unpublished, { status: 'published' }, t1).createdAt).toBe(t0);
  });

  // Cleaning can empty a field (control characters only) or lengthen it (HTML escaping, URL
  // percent-encoding). Such a block must be refused with a 400 naming it, not stored as a
  // post whose event the store then refuses (a 500, and a draft that can never be published).
  test.each([
    ['a quote of control characters only', { type: 'quote', text: '\u0001\u0085' }, 'blocks.1.text'],
    ['text whose escaping outgrows the limit', { type: 'text', html: `a${'&'.repeat(19_000)}` }, 'blocks.1.html'],
    [
      'an image URL that percent-encoding lengthens',
      { type: 'image', url: `https://e.com/${'é'.repeat(1_000)}`, alt: '' },
      'blocks.1.url',
    ],
    [
      'an embed URL that percent-encoding lengthens',
      { type: 'embed', url: `https://e.com/${' a'.repeat(1_000)}` },
      'blocks.1.url',
    ],
  ])('%s is a validation error naming the field', (_name, block, path) => {
    const input = PostCreateInput.parse({ blocks: [text, block] });
    let err: unknown;
    try {
      buildPost(input, author, 'b1', t0, 'p1');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('validation_failed');
    expect((err as DomainError).details).toEqual([expect.objectContaining({ path })]);
  });

  test('cleanPlainText drops control characters', () => {
    expect(cleanPlainText(' a\u0000b\u001bc\nd ')).toBe('abc\nd');
  });
});

describe('slugify', () => {
  test('folds accents and punctuation', () => {
    expect(slugify('Élections 2026 : les résultats, en direct !')).toBe('elections-2026-les-resultats-en-direct');
    expect(slugify('Straße über Øresund')).toBe('strasse-uber-oresund');
  });
  test('falls back to a random suffix', () => {
    expect(slugify('東京 🔥', () => 'abc123')).toBe('blog-abc123');
  });
  test('caps the length at 80 on a word boundary', () => {
    const s = slugify(`${'word '.repeat(40)}end`);
    expect(s.length).toBeLessThanOrEqual(80);
    expect(s).not.toMatch(/-$/);
    expect(s.endsWith('word')).toBe(true);
    expect(withSuffix('x'.repeat(80), () => 'zz').length).toBeLessThanOrEqual(80);
  });
});
