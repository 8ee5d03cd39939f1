import { describe, expect, it } from 'vitest';
import type { Author, Block, Blog, LiveEvent, Post } from '../../src/domain/index.js';
import type { ScheduleClaim } from '../../src/scheduler/types.js';
import type { Store } from '../../src/store/types.js';

/** What the workflow cases borrow from the Store contract suite (its store, clock and helpers). */
export interface WorkflowCaseKit {
  store: () => Store;
  open: () => Promise<Store>;
  tick: () => string;
  newBlog: () => Promise<Blog>;
  postInput: (blogId: string, over?: Partial<Post>) => Omit<Post, 'seq'>;
  edit: (p: Post, over?: Partial<Post>) => Parameters<Store['updatePost']>[2];
}

const text = (html: string): Block[] => [{ type: 'text', html }];
const EDITOR: Author = { id: 'editor-1', name: 'Eve Editor' };
const CONTRIBUTOR: Author = { id: 'contrib-1', name: 'Carl Contributor' };

/**
 * The newsroom's workflow as the store keeps it (issue 15), run inside runStoreContract on
 * both databases: scheduled posts claimed and published exactly once by competing store
 * instances (nodes), a revision kept for every change to a published post, and the review
 * round trip (submitted, returned with a note, resubmitted, published and attributed).
 */
export function workflowStoreCases(kit: WorkflowCaseKit): void {
  const { tick, postInput, edit } = kit;
  const mine = (claims: ScheduleClaim[], blogId: string) => claims.filter((c) => c.blogId === blogId);
  const changesOf = async (s: Store, blogId: string): Promise<LiveEvent[]> => {
    const c = await s.listChanges(blogId, 0, { limit: 10_000, replayWindow: 1_000_000 });
    if (!('events' in c)) throw new Error('unexpected reset');
    return c.events;
  };

  describe('workflow: scheduled posts', () => {
    it('two store instances claiming at once publish each due post exactly once, with gap-free seqs', async () => {
      const store = kit.store();
      const other = await kit.open();
      const blog = await kit.newBlog();
      const dueAt = tick();
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) {
        const created = await store.createPost(postInput(blog.id, { status: 'scheduled', publishAt: dueAt }));
        // Scheduled posts are hidden: no seq, no event until they publish.
        expect(created.event).toBeNull();
        expect(created.post.seq).toBe(0);
        ids.push(created.post.id);
      }
      const now = tick();
      const later = new Date(Date.parse(now) + 3_600_000).toISOString();
      const notDue = (await store.createPost(postInput(blog.id, { status: 'scheduled', publishAt: later }))).post;

      const opts = (nodeId: string) => ({ nodeId, limit: 100, leaseMs: 60_000 });
      const [a, b] = await Promise.all([
        store.claimDuePosts(now, opts('node-a')),
        other.claimDuePosts(now, opts('node-b')),
      ]);
      const claimsA = mine(a, blog.id);
      const claimsB = mine(b, blog.id);
      const claimed = [...claimsA, ...claimsB].map((c) => c.postId);
      // Each due post claimed by exactly one node; the one not due by neither.
      expect(claimed.sort()).toEqual([...ids].sort());
      expect(claimed).not.toContain(notDue.id);
      // While held, nobody else gets them.
      expect(mine(await other.claimDuePosts(now, opts('node-c')), blog.id)).toEqual([]);

      // Each node publishes what it holds and tries what the other holds: the latter do nothing.
      const results = await Promise.all([
        ...claimsA.map((c) => store.publishClaimed(c, 'node-a', now)),
        ...claimsB.map((c) => other.publishClaimed(c, 'node-b', now)),
        ...claimsA.map((c) => other.publishClaimed(c, 'node-b', now)),
        ...claimsB.map((c) => store.publishClaimed(c, 'node-a', now)),
      ]);
      const published = results.filter((r) => r !== null);
      expect(published).toHaveLength(ids.length);
      // Publishing twice is impossible: the same claim again is refused.
      for (const c of claimsA) expect(await store.publishClaimed(c, 'node-a', now)).toBeNull();

      const events = await changesOf(store, blog.id);
      expect(events.map((e) => e.seq)).toEqual(ids.map((_, i) => i + 1));
      expect(events.every((e) => e.type === 'post.created')).toBe(true);
      expect(new Set(events.map((e) => (e.data as Post).id)).size).toBe(ids.length);
      for (const id of ids) {
        const p = await store.getPost(blog.id, id);
        expect(p).toMatchObject({ status: 'published', publishAt: null });
        // Its "posted at" is its publication.
        expect(p?.createdAt).toBe(now);
      }
      expect(await store.getPost(blog.id, notDue.id, { includeDrafts: true })).toMatchObject({
        status: 'scheduled',
        seq: 0,
      });
    });

    it('a node that dies holding a claim loses nothing: after its lease another publishes; its late try does nothing', async () => {
      const store = kit.store();
      const other = await kit.open();
      const blog = await kit.newBlog();
      const post = (await store.createPost(postInput(blog.id, { status: 'scheduled', publishAt: tick() }))).post;
      const now = tick();
      const [held] = mine(await store.claimDuePosts(now, { nodeId: 'dies', limit: 100, leaseMs: 1000 }), blog.id);
      expect(held?.postId).toBe(post.id);
      // Within the lease the post is the dead node's.
      expect(mine(await other.claimDuePosts(now, { nodeId: 'lives', limit: 100, leaseMs: 1000 }), blog.id)).toEqual([]);
      const afterLease = new Date(Date.parse(now) + 2000).toISOString();
      const [taken] = mine(
        await other.claimDuePosts(afterLease, { nodeId: 'lives', limit: 100, leaseMs: 60_000 }),
        blog.id,
      );
      expect(taken?.postId).toBe(post.id);
      expect(await other.publishClaimed(taken as ScheduleClaim, 'lives', afterLease)).not.toBeNull();
      expect(await store.publishClaimed(held as ScheduleClaim, 'dies', afterLease)).toBeNull();
      expect((await changesOf(store, blog.id)).map((e) => e.type)).toEqual(['post.created']);
    });

    it('an edit or a cancellation after the claim wins: the claimed publication does nothing', async () => {
      const store = kit.store();
      const blog = await kit.newBlog();
      const post = (await store.createPost(postInput(blog.id, { status: 'scheduled', publishAt: tick() }))).post;
      const now = tick();
      const [claim] = mine(await store.claimDuePosts(now, { nodeId: 'n', limit: 100, leaseMs: 60_000 }), blog.id);
      expect(claim).toBeDefined();
      const cancelled = await store.updatePost(blog.id, post.id, edit(post, { status: 'draft', publishAt: null }));
      expect(cancelled.event).toBeNull();
      expect(await store.publishClaimed(claim as ScheduleClaim, 'n', now)).toBeNull();
      expect(await changesOf(store, blog.id)).toEqual([]);
      expect(await store.getPost(blog.id, post.id, { includeDrafts: true })).toMatchObject({ status: 'draft', seq: 0 });
    });
  });

  describe('workflow: revisions', () => {
    it('keeps a revision (who, blocks before and after, the correction) for every change to a published post only', async () => {
      const store = kit.store();
      const blog = await kit.newBlog();
      const draft = (await store.createPost(postInput(blog.id, { status: 'draft', blocks: text('<p>d1</p>') }))).post;
      const d2 = (await store.updatePost(blog.id, draft.id, edit(draft, { blocks: text('<p>d2</p>') }))).post;
      // Drafts keep no history.
      expect(await store.listRevisions(blog.id, draft.id, { limit: 10 })).toEqual([]);

      const pub = (await store.updatePost(blog.id, draft.id, edit(d2, { status: 'published' }))).post;
      const postedAt = pub.createdAt;
      const v2 = await store.updatePost(blog.id, pub.id, edit(pub, { blocks: text('<p>v2</p>') }), { by: EDITOR });
      const correction = { note: 'The minister was misnamed.', at: tick() };
      const v3 = await store.updatePost(blog.id, pub.id, edit(v2.post, { blocks: text('<p>v3</p>'), correction }), {
        by: EDITOR,
      });
      // Editing never moves a post.
      expect(v3.post.createdAt).toBe(postedAt);
      expect(v3.event?.type).toBe('post.updated');

      const revisions = await store.listRevisions(blog.id, pub.id, { limit: 10 });
      expect(revisions.map((r) => r.seq)).toEqual([v3.post.seq, v2.post.seq]);
      const [newest, older] = revisions;
      expect(newest).toMatchObject({ by: EDITOR, correction, before: text('<p>v2</p>'), after: text('<p>v3</p>') });
      expect(newest?.changed).toEqual(expect.arrayContaining(['blocks', 'correction']));
      expect(older).toMatchObject({
        by: EDITOR,
        correction: null,
        before: text('<p>d2</p>'),
        after: text('<p>v2</p>'),
      });
      expect(older?.changed).toEqual(['blocks']);
      // Without `by`, a change is the author's.
      await store.updatePost(blog.id, pub.id, edit(v3.post, { pinned: true }));
      const [pinned] = await store.listRevisions(blog.id, pub.id, { limit: 1 });
      expect(pinned).toMatchObject({ by: pub.author, changed: ['pinned'] });
      expect(await store.listRevisions(blog.id, pub.id, { limit: 2 })).toHaveLength(2);
    });
  });

  describe('workflow: review', () => {
    it('submitted, returned with a note, resubmitted, published with the approver and its author kept', async () => {
      const store = kit.store();
      const blog = await kit.newBlog();
      const draft = (
        await store.createPost(postInput(blog.id, { status: 'draft', author: CONTRIBUTOR, blocks: text('<p>tip</p>') }))
      ).post;
      const queue = async () => (await store.listPosts(blog.id, { limit: 50, status: 'submitted' })).posts;
      const drafts = async () => (await store.listPosts(blog.id, { limit: 50, status: 'draft' })).posts;

      const submitted = await store.updatePost(blog.id, draft.id, edit(draft, { status: 'submitted' }));
      expect(submitted.event).toBeNull();
      expect(submitted.post.seq).toBe(0);
      expect((await queue()).map((p) => p.id)).toEqual([draft.id]);
      expect(await drafts()).toEqual([]);

      const review = { note: 'Needs a second source.', by: EDITOR, at: tick() };
      const returned = await store.updatePost(blog.id, draft.id, edit(submitted.post, { status: 'draft', review }), {
        by: EDITOR,
      });
      expect(returned.event).toBeNull();
      expect(await queue()).toEqual([]);
      expect((await drafts()).map((p) => p.review)).toEqual([review]);
      expect((await store.getPost(blog.id, draft.id, { includeDrafts: true }))?.review).toEqual(review);
      // Readers were never shown any of it, and no revision was kept.
      expect(await changesOf(store, blog.id)).toEqual([]);

      const again = await store.updatePost(
        blog.id,
        draft.id,
        edit(returned.post, { status: 'submitted', blocks: text('<p>tip, confirmed</p>'), review: null }),
      );
      expect((await queue()).map((p) => [p.id, p.review])).toEqual([[draft.id, null]]);

      const published = await store.updatePost(
        blog.id,
        draft.id,
        edit(again.post, { status: 'published', approvedBy: EDITOR }),
        { by: EDITOR },
      );
      expect(published.event?.type).toBe('post.created');
      expect(published.event?.seq).toBe(1);
      expect(published.post).toMatchObject({ author: CONTRIBUTOR, approvedBy: EDITOR, status: 'published', seq: 1 });
      expect(await queue()).toEqual([]);
      const page = await store.listPosts(blog.id, { limit: 10 });
      expect(page.posts.map((p) => [p.id, p.author.name, p.approvedBy?.name])).toEqual([
        [draft.id, CONTRIBUTOR.name, EDITOR.name],
      ]);
      expect(await store.listRevisions(blog.id, draft.id, { limit: 10 })).toEqual([]);
    });
  });
}
