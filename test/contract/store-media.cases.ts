import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Blog, DomainError, type MediaRecord, type Post } from '../../src/domain/index.js';
import { newId } from '../../src/lib/ids.js';
import type { Store } from '../../src/store/types.js';

/** What the media cases borrow from the Store contract suite (its store, clock and helpers). */
export interface MediaCaseKit {
  store: () => Store;
  open: () => Promise<Store>;
  tick: () => string;
  newBlog: () => Promise<Blog>;
  postInput: (blogId: string, over?: Partial<Post>) => Omit<Post, 'seq'>;
}

const key = (seed: string, ext: 'avif' | 'webp' | 'jpeg') =>
  `${createHash('sha256').update(seed).digest('hex')}.${ext}`;

/**
 * The media library part of the Store contract, run inside runStoreContract on both
 * databases (test/contract/store.contract.ts calls it).
 */
export function mediaStoreCases(kit: MediaCaseKit): void {
  const record = (blogId: string, over: Partial<MediaRecord> = {}, seed = newId()): MediaRecord => {
    const at = kit.tick();
    return {
      id: newId(),
      blogId,
      width: 640,
      height: 480,
      source: { type: 'image/jpeg', width: 4000, height: 3000 },
      variants: [
        { key: key(seed, 'avif'), width: 640, height: 480, type: 'image/avif' },
        { key: key(seed, 'jpeg'), width: 640, height: 480, type: 'image/jpeg' },
      ],
      placeholder: 'HBkSHYSIeHiPiHh8eJd4eTN0EEQG',
      color: '#808080',
      alt: '',
      caption: null,
      credit: null,
      bytes: 1000,
      uploadedBy: { id: 'u1', name: 'Ann' },
      createdAt: at,
      updatedAt: at,
      ...over,
    };
  };
  const rejects = async (p: Promise<unknown>, code: DomainError['code']) => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe(code);
    return err as DomainError;
  };

  describe('media library', () => {
    it('creates, reads back whole, lists newest first with paging, and counts usage', async () => {
      const s = kit.store();
      const blog = await kit.newBlog();
      const items = [];
      for (let i = 0; i < 5; i++) items.push(await s.createMedia(record(blog.id, { bytes: 100 + i }), 1_000_000));
      expect(await s.getMedia(blog.id, items[0]!.id)).toEqual(items[0]);
      const newest = [...items].reverse();
      expect((await s.listMedia(blog.id, { limit: 10 })).map((m) => m.id)).toEqual(newest.map((m) => m.id));
      const page1 = await s.listMedia(blog.id, { limit: 2 });
      const page2 = await s.listMedia(blog.id, { limit: 2, before: page1[1]!.id });
      expect([...page1, ...page2].map((m) => m.id)).toEqual(newest.slice(0, 4).map((m) => m.id));
      expect(await s.mediaUsage(blog.id)).toBe(100 + 101 + 102 + 103 + 104);
      const other = await kit.newBlog();
      expect(await s.getMedia(other.id, items[0]!.id)).toBeNull();
      expect(await s.listMedia(other.id, { limit: 10 })).toEqual([]);
      expect((await s.getMediaMany(blog.id, [items[1]!.id, items[3]!.id, 'absent'])).map((m) => m.id).sort()).toEqual(
        [items[1]!.id, items[3]!.id].sort(),
      );
      expect(await s.getMediaMany(other.id, [items[1]!.id])).toEqual([]);
      await rejects(s.createMedia(record('missing-blog'), 1_000_000), 'not_found');
    });

    it('refuses an upload past the quota and stores nothing; concurrent uploads never overshoot it', async () => {
      const s = kit.store();
      const other = await kit.open();
      const blog = await kit.newBlog();
      await s.createMedia(record(blog.id, { bytes: 600 }), 1000);
      const err = await rejects(s.createMedia(record(blog.id, { bytes: 401 }), 1000), 'payload_too_large');
      expect(err.message).toMatch(/quota/);
      expect(await s.mediaUsage(blog.id)).toBe(600);
      // Ten uploads of 100 bytes racing on two store instances: exactly four fit in the 400 left.
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? other : s).createMedia(record(blog.id, { bytes: 100 }), 1000)),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(4);
      expect(await s.mediaUsage(blog.id)).toBe(1000);
    });

    it('updates alt, caption and credit; clearing caption stores null', async () => {
      const s = kit.store();
      const blog = await kit.newBlog();
      const m = await s.createMedia(record(blog.id), 1_000_000);
      const now = kit.tick();
      const next = await s.updateMedia(
        blog.id,
        m.id,
        { alt: 'A fire engine', caption: 'On the bridge', credit: 'Ann' },
        now,
      );
      expect(next).toEqual({ ...m, alt: 'A fire engine', caption: 'On the bridge', credit: 'Ann', updatedAt: now });
      expect(await s.getMedia(blog.id, m.id)).toEqual(next);
      expect((await s.updateMedia(blog.id, m.id, { caption: null }, kit.tick())).caption).toBeNull();
      await rejects(s.updateMedia(blog.id, 'absent', { alt: 'x' }, kit.tick()), 'not_found');
      const other = await kit.newBlog();
      await rejects(s.updateMedia(other.id, m.id, { alt: 'x' }, kit.tick()), 'not_found');
    });

    it('refuses to delete an item a published post shows, naming it; drafts and mere mentions do not block', async () => {
      const s = kit.store();
      const blog = await kit.newBlog();
      const m = await s.createMedia(record(blog.id), 1_000_000);
      const image = { type: 'image' as const, url: 'https://e.com/a.jpeg', alt: 'a', mediaId: m.id };
      const { post } = await s.createPost(kit.postInput(blog.id, { blocks: [image] }));
      await s.createPost(kit.postInput(blog.id, { status: 'draft', blocks: [image] }));
      await s.createPost(kit.postInput(blog.id, { blocks: [{ type: 'text', html: `<p>${m.id}</p>` }] }));
      const err = await rejects(s.deleteMedia(blog.id, m.id), 'conflict');
      expect(err.details).toEqual({ posts: [{ id: post.id, blogId: blog.id }] });
      expect(err.message).toContain(post.id);
      expect(await s.getMedia(blog.id, m.id)).not.toBeNull();
      // Unpublished: now it may go.
      await s.updatePost(blog.id, post.id, {
        blocks: post.blocks,
        status: 'draft',
        pinned: false,
        keyEvent: false,
        createdAt: post.createdAt,
        updatedAt: kit.tick(),
      });
      const { deleted, orphanKeys } = await s.deleteMedia(blog.id, m.id);
      expect(deleted.id).toBe(m.id);
      expect(orphanKeys.sort()).toEqual(m.variants.map((v) => v.key).sort());
      expect(await s.getMedia(blog.id, m.id)).toBeNull();
      await rejects(s.deleteMedia(blog.id, m.id), 'not_found');
    });

    it('objects shared with another item (the same photo uploaded twice) are not orphaned', async () => {
      const s = kit.store();
      const blog = await kit.newBlog();
      const other = await kit.newBlog();
      const a = await s.createMedia(record(blog.id, {}, 'same-photo'), 1_000_000);
      const b = await s.createMedia(record(other.id, {}, 'same-photo'), 1_000_000);
      expect((await s.deleteMedia(blog.id, a.id)).orphanKeys).toEqual([]);
      expect((await s.deleteMedia(other.id, b.id)).orphanKeys).toHaveLength(2);
    });
  });
}
