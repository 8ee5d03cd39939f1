import { describe, expect, it } from 'vitest';
import { BlockInput, DomainError, type Media, type Post, PostCreateInput } from '../../src/domain/index.js';
import { applyPostPatch, buildPost, mediaIdsIn, mediaIdsOf } from '../../src/domain/post-building.js';

const now = '2026-12-01T10:00:00.000Z';
const author = { id: 'u1', name: 'Reporter' };
const media: Media = {
  id: 'm1',
  blogId: 'b1',
  url: 'https://live.example.com/media/aaaa.jpeg',
  width: 1280,
  height: 853,
  type: 'image/jpeg',
  source: { type: 'image/jpeg', width: 4000, height: 2667 },
  variants: [
    { url: 'https://live.example.com/media/a1.avif', width: 1280, height: 853, type: 'image/avif' },
    { url: 'https://live.example.com/media/aaaa.jpeg', width: 1280, height: 853, type: 'image/jpeg' },
  ],
  placeholder: 'HBkSHYSIeHiPiHh8eJd4eTN0EEQG',
  color: '#8a7f70',
  alt: 'Smoke over the harbour bridge',
  caption: 'The bridge at 9:40',
  credit: 'A. Reporter',
  bytes: 123_456,
  uploadedBy: author,
  createdAt: now,
  updatedAt: now,
};
const library = new Map([[media.id, media]]);

const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return err as DomainError;
  }
  throw new Error('expected a DomainError');
};

describe('image blocks: url or mediaId', () => {
  it('takes exactly one of url and mediaId; a url image still needs its alt field', () => {
    expect(BlockInput.safeParse({ type: 'image', mediaId: 'm1' }).success).toBe(true);
    expect(BlockInput.safeParse({ type: 'image', url: 'https://e.com/a.jpg', alt: '' }).success).toBe(true);
    expect(BlockInput.safeParse({ type: 'image', url: 'https://e.com/a.jpg', mediaId: 'm1', alt: 'x' }).success).toBe(
      false,
    );
    expect(BlockInput.safeParse({ type: 'image', alt: 'x' }).success).toBe(false);
    expect(BlockInput.safeParse({ type: 'image', url: 'https://e.com/a.jpg' }).success).toBe(false);
  });

  it('an uploaded image is stored with its url, size, variants and placeholder, text from the library', () => {
    const input = PostCreateInput.parse({ blocks: [{ type: 'image', mediaId: 'm1' }] });
    expect(mediaIdsOf(input.blocks)).toEqual(['m1']);
    const post = buildPost(input, author, 'b1', now, 'p1', library);
    expect(post.blocks[0]).toEqual({
      type: 'image',
      url: media.url,
      alt: media.alt,
      caption: media.caption,
      credit: media.credit,
      mediaId: 'm1',
      width: 1280,
      height: 853,
      variants: media.variants,
      placeholder: media.placeholder,
      color: media.color,
    });
    expect(mediaIdsIn(post.blocks)).toEqual(['m1']);
  });

  it('the block may override alt, caption and credit', () => {
    const input = PostCreateInput.parse({
      blocks: [{ type: 'image', mediaId: 'm1', alt: 'Other words', caption: 'Later', credit: 'Agency' }],
    });
    expect(buildPost(input, author, 'b1', now, 'p1', library).blocks[0]).toMatchObject({
      alt: 'Other words',
      caption: 'Later',
      credit: 'Agency',
    });
  });

  it("a mediaId outside the blog's library is a validation error naming the field", () => {
    const input = PostCreateInput.parse({ blocks: [{ type: 'image', mediaId: 'elsewhere', alt: 'x' }] });
    const err = errorOf(() => buildPost(input, author, 'b1', now, 'p1', library));
    expect(err.code).toBe('validation_failed');
    expect(err.message).toMatch(/^blocks\.0\.mediaId: /);
  });
});

describe('alt text before publishing', () => {
  const noAlt = { ...media, alt: '' };
  const lib = new Map([[noAlt.id, noAlt]]);
  const blocks = [
    { type: 'text', html: '<p>Update</p>' },
    { type: 'image', mediaId: 'm1' },
  ];

  it('a published post with an image without alt is refused; a draft is not', () => {
    const published = PostCreateInput.parse({ blocks });
    const err = errorOf(() => buildPost(published, author, 'b1', now, 'p1', lib));
    expect(err.message).toMatch(/^blocks\.1\.alt: alt text is required/);
    const urlImage = PostCreateInput.parse({ blocks: [{ type: 'image', url: 'https://e.com/a.jpg', alt: '  ' }] });
    expect(() => buildPost(urlImage, author, 'b1', now, 'p1')).toThrow(/alt text is required/);
    const draft = PostCreateInput.parse({ blocks, status: 'draft' });
    expect(buildPost(draft, author, 'b1', now, 'p1', lib).blocks[1]).toMatchObject({ alt: '' });
  });

  it('publishing a draft whose image lacks alt is refused; pinning an older published post is not', () => {
    const draft = {
      ...buildPost(PostCreateInput.parse({ blocks, status: 'draft' }), author, 'b1', now, 'p1', lib),
      seq: 0,
    };
    expect(() => applyPostPatch(draft, { status: 'published' }, now)).toThrow(/alt text is required/);
    const fixed = applyPostPatch(
      draft,
      { status: 'published', blocks: [{ type: 'image', mediaId: 'm1', alt: 'Now described' }] },
      now,
      undefined,
      lib,
    );
    expect(fixed.status).toBe('published');
    const legacy: Post = { ...draft, status: 'published', seq: 3 };
    expect(applyPostPatch(legacy, { pinned: true }, now).pinned).toBe(true);
  });
});
