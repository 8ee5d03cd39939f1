import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Block,
  type Blog,
  DomainError,
  LiveEvent,
  type NewBlog,
  type Post,
  type Role,
} from '../../src/domain/index.js';
import { newId } from '../../src/lib/ids.js';
import type { AuditContext, Store } from '../../src/store/types.js';
import { mediaStoreCases } from './store-media.cases.js';

/**
 * One suite, every Store implementation. `create` opens a NEW store instance on the SAME
 * database each time it is called (so close + reopen and two-instance tests work); tests
 * therefore never assume an empty database and always work on blogs of their own.
 */
export function runStoreContract(name: string, create: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    const opened: Store[] = [];
    let store: Store;
    const open = async () => {
      const s = await create();
      opened.push(s);
      await s.migrate();
      return s;
    };

    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      for (const s of opened) await s.close();
    });

    // A clock that only moves forward, so creation order is unambiguous.
    let clock = Date.parse('2026-01-01T00:00:00.000Z');
    const tick = () => {
      clock += 1000;
      return new Date(clock).toISOString();
    };

    const text = (html: string): Block[] => [{ type: 'text', html }];
    const newBlog = async (s: Store = store, over: Partial<NewBlog> = {}): Promise<Blog> => {
      const id = newId();
      return s.createBlog(
        { id, slug: `b-${id}`, title: 'Election night', description: '', status: 'live', allowedOrigins: [], ...over },
        tick(),
      );
    };
    const postInput = (blogId: string, over: Partial<Post> = {}): Omit<Post, 'seq'> => {
      const at = over.createdAt ?? tick();
      return {
        id: newId(),
        blogId,
        createdAt: at,
        updatedAt: at,
        author: { id: 'author-1', name: 'Ann' },
        status: 'published',
        pinned: false,
        keyEvent: false,
        blocks: text('<p>hello</p>'),
        // The workflow fields, as every store returns them.
        publishAt: null,
        tags: [],
        correction: null,
        approvedBy: null,
        review: null,
        ...over,
      };
    };
    const edit = (p: Post, over: Partial<Post> = {}) => ({
      blocks: p.blocks,
      status: p.status,
      pinned: p.pinned,
      keyEvent: p.keyEvent,
      createdAt: p.createdAt,
      updatedAt: tick(),
      ...over,
    });
    const allChanges = async (s: Store, blogId: string) => {
      const c = await s.listChanges(blogId, 0, { limit: 10_000, replayWindow: 1_000_000 });
      if (!('events' in c)) throw new Error('unexpected reset');
      return c;
    };
    const rejectsWith = async (p: Promise<unknown>, code: DomainError['code']) => {
      const err = await p.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).code).toBe(code);
      return err as DomainError;
    };

    describe('lifecycle', () => {
      it('migrates idempotently and answers ping', async () => {
        await store.migrate();
        await store.migrate();
        await expect(store.ping()).resolves.toBeUndefined();
        expect(['sqlite', 'postgres']).toContain(store.kind);
      });

      it('keeps data across close and reopen', async () => {
        const s1 = await open();
        const blog = await newBlog(s1);
        const { post } = await s1.createPost(postInput(blog.id));
        await s1.publishSummary(blog.id, [{ html: '<b>a</b>', text: 'a' }], tick());
        const ids = await s1.appendDocUpdates(blog.id, [new Uint8Array([9, 8, 7])]);
        await s1.setSettingIfAbsent(`k-${blog.id}`, 'v1');
        await s1.close();
        const s2 = await open();
        expect(await s2.getPost(blog.id, post.id)).toEqual(post);
        const again = await s2.getBlog(blog.slug);
        expect(again?.seq).toBe(2);
        expect(again?.summary.bullets).toEqual([{ html: '<b>a</b>', text: 'a' }]);
        expect((await s2.loadDoc(blog.id)).updates).toEqual([{ id: ids[0], data: new Uint8Array([9, 8, 7]) }]);
        expect(await s2.getSetting(`k-${blog.id}`)).toBe('v1');
        expect((await allChanges(s2, blog.id)).events.map((e) => e.seq)).toEqual([1, 2]);
      });
    });

    describe('blogs', () => {
      it('creates a blog with seq 0 and an empty summary, found by id and by slug', async () => {
        const blog = await newBlog(store, { allowedOrigins: ['https://partner.example'], status: 'draft' });
        expect(blog.seq).toBe(0);
        expect(blog.summary).toEqual({ seq: 0, bullets: [], updatedAt: null });
        expect(blog.allowedOrigins).toEqual(['https://partner.example']);
        expect(blog.createdAt).toBe(blog.updatedAt);
        expect(await store.getBlog(blog.id)).toEqual(blog);
        expect(await store.getBlog(blog.slug)).toEqual(blog);
        expect(await store.getBlog('no-such-blog')).toBeNull();
      });

      it('rejects a slug clash on create and on update with conflict', async () => {
        const a = await newBlog();
        const b = await newBlog();
        await rejectsWith(newBlog(store, { slug: a.slug }), 'conflict');
        await rejectsWith(store.updateBlog(b.id, { slug: a.slug }, tick()), 'conflict');
        expect((await store.getBlog(b.id))?.seq).toBe(0);
      });

      it('lists blogs newest first with offset', async () => {
        const made = [await newBlog(), await newBlog(), await newBlog()];
        const page = await store.listBlogs({ limit: 2 });
        expect(page.map((b) => b.id)).toEqual([made[2]?.id, made[1]?.id]);
        const next = await store.listBlogs({ limit: 1, offset: 2 });
        expect(next.map((b) => b.id)).toEqual([made[0]?.id]);
      });

      it('updates a blog with a blog.updated event carrying the whole new blog', async () => {
        const blog = await newBlog();
        const now = tick();
        const { blog: updated, event } = await store.updateBlog(blog.id, { title: 'New title', status: 'ended' }, now);
        expect(updated).toMatchObject({ title: 'New title', status: 'ended', slug: blog.slug, seq: 1, updatedAt: now });
        expect(event).toEqual({ blogId: blog.id, seq: 1, type: 'blog.updated', data: updated, at: now });
        expect(await store.getBlog(blog.id)).toEqual(updated);
        const renamed = await store.updateBlog(blog.id, { slug: `${blog.slug}-x` }, tick());
        expect(await store.getBlog(`${blog.slug}-x`)).toEqual(renamed.blog);
        expect(await store.getBlog(blog.slug)).toBeNull();
        await rejectsWith(store.updateBlog('missing', { title: 'x' }, tick()), 'not_found');
      });
    });

    describe('seq', () => {
      it('is gap-free and strictly increasing across every kind of change; drafts take none', async () => {
        const blog = await newBlog();
        // Each visible change, and the post it is about; a takedown turns that post's earlier
        // created/updated events into post.deleted.
        const expected: { type: string; post?: string }[] = [];
        const takeDown = (id: string) => {
          for (const e of expected) if (e.post === id) e.type = 'post.deleted';
        };
        const a = await store.createPost(postInput(blog.id));
        expected.push({ type: 'post.created', post: a.post.id });
        const draft = await store.createPost(postInput(blog.id, { status: 'draft' }));
        expect(draft.event).toBeNull();
        expect(draft.post.seq).toBe(0);
        expect((await store.updatePost(blog.id, draft.post.id, edit(draft.post, { blocks: text('v2') }))).event).toBe(
          null,
        );
        await store.updatePost(blog.id, a.post.id, edit(a.post, { pinned: true }));
        expected.push({ type: 'post.updated', post: a.post.id });
        await store.publishSummary(blog.id, [{ html: 'x', text: 'x' }], tick());
        expected.push({ type: 'summary.updated' });
        await store.updateBlog(blog.id, { description: 'more' }, tick());
        expected.push({ type: 'blog.updated' });
        await store.updatePost(blog.id, draft.post.id, edit(draft.post, { status: 'published' }));
        expected.push({ type: 'post.created', post: draft.post.id });
        await store.updatePost(blog.id, draft.post.id, edit(draft.post, { status: 'draft' }));
        takeDown(draft.post.id);
        expected.push({ type: 'post.deleted' });
        expect((await store.deletePost(blog.id, draft.post.id, tick())).event).toBeNull();
        await store.deletePost(blog.id, a.post.id, tick());
        takeDown(a.post.id);
        expected.push({ type: 'post.deleted' });

        const changes = await allChanges(store, blog.id);
        expect(changes.seq).toBe(expected.length);
        expect(changes.events.map((e) => e.seq)).toEqual(expected.map((_, i) => i + 1));
        expect(changes.events.map((e) => e.type)).toEqual(expected.map((e) => e.type));
        for (const e of changes.events) expect(LiveEvent.parse(e)).toEqual(e);
        expect((await store.getBlog(blog.id))?.seq).toBe(expected.length);
      });

      it('stays gap-free with two store instances writing at once', async () => {
        const other = await open();
        const blog = await newBlog();
        const n = 100;
        const writes = (s: Store) =>
          Promise.all(Array.from({ length: n }, () => s.createPost(postInput(blog.id)).then((r) => r.event?.seq)));
        const [mine, theirs] = await Promise.all([writes(store), writes(other)]);
        const all = [...mine, ...theirs].sort((x, y) => (x ?? 0) - (y ?? 0));
        expect(all).toEqual(Array.from({ length: 2 * n }, (_, i) => i + 1));
        const changes = await allChanges(store, blog.id);
        expect(changes.events.map((e) => e.seq)).toEqual(all);
      });
    });

    describe('drifts between the two bodies, now one rule', () => {
      it('updateBlog checks the slug before taking a seq: a clash uses none, and the next change is seq 1', async () => {
        const a = await newBlog();
        const b = await newBlog();
        for (let i = 0; i < 3; i++)
          await rejectsWith(store.updateBlog(b.id, { slug: a.slug, title: 'x' }, tick()), 'conflict');
        expect(await store.getBlog(b.id)).toEqual(b);
        expect((await allChanges(store, b.id)).events).toEqual([]);
        const { event } = await store.updateBlog(b.id, { title: 'renamed' }, tick());
        expect(event.seq).toBe(1);
        expect((await allChanges(store, b.id)).events.map((e) => e.seq)).toEqual([1]);
      });

      it('publishSummary is serialised per blog: concurrent publishes from two instances lose and reorder nothing', async () => {
        const other = await open();
        const blog = await newBlog();
        // Both instances publish the same new bullets at once, round after round: exactly one
        // of each pair may take a seq (the other must see them as current already).
        for (let round = 0; round < 15; round++) {
          const same = [{ html: `same ${round}`, text: `same ${round}` }];
          const pair = await Promise.all([
            store.publishSummary(blog.id, same, tick()),
            other.publishSummary(blog.id, same, tick()),
            store.publishSummary(blog.id, same, tick()),
          ]);
          expect(pair.filter((r) => r !== null)).toHaveLength(1);
        }
        // Distinct bullets from both at once: each takes exactly one seq, none lost.
        const n = 20;
        const publish = (s: Store, who: string) =>
          Promise.all(
            Array.from({ length: n }, (_, i) =>
              s.publishSummary(blog.id, [{ html: `${who}${i}`, text: `${who}${i}` }], tick()),
            ),
          );
        const [mine, theirs] = await Promise.all([publish(store, 'a'), publish(other, 'b')]);
        expect([...mine, ...theirs].every((r) => r !== null)).toBe(true);
        const total = 15 + 2 * n;
        const { events, seq } = await allChanges(store, blog.id);
        expect(seq).toBe(total);
        expect(events.map((e) => e.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
        // The stored summary is the last one published, and history has every one, newest first.
        const last = events.at(-1);
        expect(last?.type).toBe('summary.updated');
        expect(await store.getSummary(blog.id)).toEqual(last?.data);
        const history = await store.listSummaryHistory(blog.id, { limit: 1000 });
        expect(history.map((h) => h.seq)).toEqual(events.map((e) => e.seq).reverse());
      });

      it('listChanges never returns an event past the head seq it answers with, even while writers commit', async () => {
        const blog = await newBlog();
        const writer = await open();
        const reader = await open();
        let writing = true;
        const writes = (async () => {
          for (let i = 0; i < 150; i++) await writer.createPost(postInput(blog.id));
          writing = false;
        })();
        let checks = 0;
        const deadline = Date.now() + 30_000;
        while ((writing || checks === 0) && checks < 2_000 && Date.now() < deadline) {
          checks++;
          const since = Math.max(0, checks % 7 === 0 ? 0 : ((await reader.getBlog(blog.id))?.seq ?? 0) - 3);
          const c = await reader.listChanges(blog.id, since, { limit: 1000, replayWindow: 100_000 });
          if (!('events' in c)) continue;
          for (const e of c.events) expect(e.seq).toBeLessThanOrEqual(c.seq);
          expect(c.events.map((e) => e.seq)).toEqual(Array.from({ length: c.seq - since }, (_, i) => since + i + 1));
        }
        await writes;
        expect(checks).toBeGreaterThan(0);
      }, 60_000);
    });

    describe('takedowns', () => {
      const contentOf = (events: LiveEvent[], postId: string) =>
        events.filter((e) => (e.type === 'post.created' || e.type === 'post.updated') && e.data.id === postId);

      it('deleting a published post tombstones its earlier events in the same write; seqs and replay hold', async () => {
        const blog = await newBlog();
        const { post: keep } = await store.createPost(postInput(blog.id, { blocks: text('<p>keep me</p>') }));
        const { post } = await store.createPost(postInput(blog.id, { blocks: text('<p>libel</p>') }));
        const upd = await store.updatePost(blog.id, post.id, edit(post, { blocks: text('<p>libel, edited</p>') }));
        await store.publishSummary(blog.id, [{ html: 'x', text: 'x' }], tick());
        const before = await allChanges(store, blog.id);
        expect(contentOf(before.events, post.id)).toHaveLength(2);

        const del = await store.deletePost(blog.id, post.id, tick(), { expectedUpdatedAt: upd.post.updatedAt });
        const after = await allChanges(store, blog.id);
        expect(after.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
        expect(contentOf(after.events, post.id)).toEqual([]);
        expect(JSON.stringify(after.events)).not.toContain('libel');
        expect(after.events[1]).toEqual({ ...before.events[1], type: 'post.deleted', data: { id: post.id } });
        expect(after.events[2]).toEqual({ ...before.events[2], type: 'post.deleted', data: { id: post.id } });
        expect(after.events[4]).toEqual(del.event);
        // Other posts' events and the summary keep their data.
        expect(after.events[0]).toEqual(before.events[0]);
        expect(after.events[3]).toEqual(before.events[3]);
        // Replays from any point end where a fresh reader starts.
        for (let since = 0; since <= 5; since++) {
          const c = await store.listChanges(blog.id, since, { limit: 100, replayWindow: 100 });
          expect('events' in c && JSON.stringify(c.events)).not.toContain('libel');
        }
        expect((await store.listPosts(blog.id, { limit: 10 })).posts).toEqual([keep]);
      });

      it('unpublishing tombstones the published cycle; a re-publication carries only the new content', async () => {
        const blog = await newBlog();
        const { post } = await store.createPost(postInput(blog.id, { blocks: text('<p>first version</p>') }));
        const un = await store.updatePost(blog.id, post.id, edit(post, { status: 'draft' }));
        let { events } = await allChanges(store, blog.id);
        expect(events.map((e) => e.type)).toEqual(['post.deleted', 'post.deleted']);
        expect(JSON.stringify(events)).not.toContain('first version');
        // The draft itself keeps its content for its editors.
        expect((await store.getPost(blog.id, post.id, { includeDrafts: true }))?.blocks).toEqual(
          text('<p>first version</p>'),
        );
        const again = await store.updatePost(
          blog.id,
          post.id,
          edit(un.post, { status: 'published', blocks: text('<p>second version</p>') }),
        );
        ({ events } = await allChanges(store, blog.id));
        expect(events.map((e) => e.type)).toEqual(['post.deleted', 'post.deleted', 'post.created']);
        expect(events[2]?.data).toEqual(again.post);
        expect(JSON.stringify(events)).not.toContain('first version');
      });

      it('a failed (refused) takedown changes nothing', async () => {
        const blog = await newBlog();
        const { post } = await store.createPost(postInput(blog.id));
        const before = await allChanges(store, blog.id);
        await rejectsWith(store.deletePost(blog.id, post.id, tick(), { expectedUpdatedAt: tick() }), 'conflict');
        expect(await allChanges(store, blog.id)).toEqual(before);
        expect(await store.getPost(blog.id, post.id)).toEqual(post);
      });
    });

    describe('replay property', () => {
      type Op =
        | { kind: 'create'; status: Post['status']; pinned: boolean }
        | { kind: 'update'; target: number; status: Post['status']; pinned: boolean }
        | { kind: 'delete'; target: number }
        | { kind: 'summary'; bullets: number };
      const status = fc.constantFrom<Post['status']>('published', 'draft');
      const op: fc.Arbitrary<Op> = fc.oneof(
        fc.record({ kind: fc.constant('create' as const), status, pinned: fc.boolean() }),
        fc.record({ kind: fc.constant('update' as const), target: fc.nat(20), status, pinned: fc.boolean() }),
        fc.record({ kind: fc.constant('delete' as const), target: fc.nat(20) }),
        fc.record({ kind: fc.constant('summary' as const), bullets: fc.nat(2) }),
      );

      it('replaying the change log from 0 always rebuilds exactly what listPosts shows', async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
            const blog = await newBlog();
            const ids: string[] = [];
            let visibleChanges = 0;
            let bullets = 0;
            for (const o of ops) {
              if (o.kind === 'create') {
                const { post, event } = await store.createPost(
                  postInput(blog.id, { status: o.status, pinned: o.pinned }),
                );
                ids.push(post.id);
                expect(event === null).toBe(o.status === 'draft');
                if (event) visibleChanges++;
              } else if (o.kind === 'summary') {
                const r = await store.publishSummary(
                  blog.id,
                  Array.from({ length: o.bullets }, (_, i) => ({ html: `b${i}`, text: `b${i}` })),
                  tick(),
                );
                expect(r === null).toBe(o.bullets === bullets);
                if (r) visibleChanges++;
                bullets = o.bullets;
              } else {
                const id = ids[o.target % Math.max(1, ids.length)];
                if (!id) continue;
                const before = await store.getPost(blog.id, id, { includeDrafts: true });
                if (!before) {
                  await rejectsWith(store.deletePost(blog.id, id, tick()), 'not_found');
                  continue;
                }
                const r =
                  o.kind === 'delete'
                    ? await store.deletePost(blog.id, id, tick())
                    : await store.updatePost(blog.id, id, edit(before, { status: o.status, pinned: o.pinned }));
                const visible = before.status === 'published' || (o.kind === 'update' && o.status === 'published');
                expect(r.event !== null).toBe(visible);
                if (visible) visibleChanges++;
              }
            }
            const { seq, events } = await allChanges(store, blog.id);
            expect(seq).toBe(visibleChanges);
            expect(events.map((e) => e.seq)).toEqual(Array.from({ length: visibleChanges }, (_, i) => i + 1));
            // What a reader that applied every event holds…
            const replayed = new Map<string, Post>();
            for (const e of events) {
              if (e.type === 'post.created' || e.type === 'post.updated') replayed.set(e.data.id, e.data);
              else if (e.type === 'post.deleted') replayed.delete(e.data.id);
            }
            // …is what a fresh reader loads.
            const page = await store.listPosts(blog.id, { limit: 1000 });
            expect(new Map(page.posts.map((p) => [p.id, p]))).toEqual(replayed);
            for (const p of page.posts) expect(await store.getPost(blog.id, p.id)).toEqual(p);
          }),
          { numRuns: 25 },
        );
      }, 60_000);
    });

    describe('concurrent edits of one post', () => {
      it('keep the change log consistent with the stored post', async () => {
        const other = await open();
        const blog = await newBlog();
        const { post } = await store.createPost(postInput(blog.id, { status: 'draft' }));
        // Two nodes flip the same post between draft and published at once; every edit
        // must see the other's committed state, or the log would disagree with the row.
        const flips = (s: Store, offset: number) =>
          Promise.all(
            Array.from({ length: 25 }, (_, i) =>
              s.updatePost(
                blog.id,
                post.id,
                edit(post, { status: (i + offset) % 3 === 0 ? 'draft' : 'published', pinned: i % 2 === 0 }),
              ),
            ),
          );
        await Promise.all([flips(store, 0), flips(other, 1)]);
        const { events } = await allChanges(store, blog.id);
        expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
        let visible: Post | null = null;
        for (const e of events) {
          if (e.type === 'post.created') {
            expect(visible).toBeNull();
            visible = e.data;
          } else if (e.type === 'post.updated') {
            expect(visible).not.toBeNull();
            visible = e.data;
          } else if (e.type === 'post.deleted') {
            // Unpublishing tombstones the cycle's earlier events into post.deleted too, so a
            // deletion may find the post already gone; replaying it is then a no-op.
            visible = null;
          }
        }
        expect(await store.getPost(blog.id, post.id)).toEqual(visible);
      });
    });

    describe('posts', () => {
      it('creates a published post with its seq and a post.created event', async () => {
        const blog = await newBlog();
        const input = postInput(blog.id, { keyEvent: true, pinned: true });
        const { post, event } = await store.createPost(input);
        expect(post).toEqual({ ...input, seq: 1 });
        expect(event).toEqual({ blogId: blog.id, seq: 1, type: 'post.created', data: post, at: input.updatedAt });
        expect(await store.getPost(blog.id, post.id)).toEqual(post);
        expect(await store.getPost('other-blog', post.id)).toBeNull();
      });

      it('publishes, edits and unpublishes with the right events and post seqs', async () => {
        const blog = await newBlog();
        const { post: draft } = await store.createPost(postInput(blog.id, { status: 'draft' }));
        expect(await store.getPost(blog.id, draft.id)).toBeNull();
        expect(await store.getPost(blog.id, draft.id, { includeDrafts: true })).toEqual(draft);

        const postedAt = tick();
        const pub = await store.updatePost(
          blog.id,
          draft.id,
          edit(draft, { status: 'published', createdAt: postedAt }),
        );
        expect(pub.previous).toEqual(draft);
        expect(pub.post).toMatchObject({ status: 'published', seq: 1, createdAt: postedAt });
        expect(pub.event).toMatchObject({ type: 'post.created', seq: 1, data: pub.post });

        const upd = await store.updatePost(blog.id, draft.id, edit(pub.post, { blocks: text('<p>fixed</p>') }));
        expect(upd.event).toMatchObject({ type: 'post.updated', seq: 2, data: upd.post });
        expect(upd.post.seq).toBe(2);
        expect(await store.getPost(blog.id, draft.id)).toEqual(upd.post);

        const un = await store.updatePost(blog.id, draft.id, edit(upd.post, { status: 'draft' }));
        expect(un.event).toEqual({
          blogId: blog.id,
          seq: 3,
          type: 'post.deleted',
          data: { id: draft.id },
          at: un.post.updatedAt,
        });
        expect(await store.getPost(blog.id, draft.id)).toBeNull();
        expect((await store.getPost(blog.id, draft.id, { includeDrafts: true }))?.status).toBe('draft');
      });

      it('tombstones deleted posts: invisible to reads, present in the change log', async () => {
        const blog = await newBlog();
        const { post } = await store.createPost(postInput(blog.id));
        const { post: draft } = await store.createPost(postInput(blog.id, { status: 'draft' }));
        const del = await store.deletePost(blog.id, post.id, tick());
        expect(del.previous).toEqual(post);
        expect(del.event).toMatchObject({ type: 'post.deleted', seq: 2, data: { id: post.id } });
        const delDraft = await store.deletePost(blog.id, draft.id, tick());
        expect(delDraft).toEqual({ previous: draft, event: null });

        for (const id of [post.id, draft.id]) {
          expect(await store.getPost(blog.id, id, { includeDrafts: true })).toBeNull();
          await rejectsWith(store.deletePost(blog.id, id, tick()), 'not_found');
          await rejectsWith(store.updatePost(blog.id, id, edit(post)), 'not_found');
        }
        expect((await store.listPosts(blog.id, { limit: 10 })).posts).toEqual([]);
        expect((await store.listPosts(blog.id, { limit: 10, status: 'draft' })).posts).toEqual([]);
        // The takedown turned the post.created (content) into a post.deleted { id } as well.
        expect((await allChanges(store, blog.id)).events.map((e) => e.type)).toEqual(['post.deleted', 'post.deleted']);
        expect((await store.getBlog(blog.id))?.seq).toBe(2);
      });

      it('answers not_found for writes on a missing blog or post', async () => {
        const blog = await newBlog();
        await rejectsWith(store.createPost(postInput('missing-blog')), 'not_found');
        await rejectsWith(store.createPost(postInput('missing-blog', { status: 'draft' })), 'not_found');
        const { post } = await store.createPost(postInput(blog.id));
        await rejectsWith(store.updatePost(blog.id, 'missing-post', edit(post)), 'not_found');
        await rejectsWith(store.updatePost('missing-blog', post.id, edit(post)), 'not_found');
        await rejectsWith(store.deletePost(blog.id, 'missing-post', tick()), 'not_found');
        await rejectsWith(store.publishSummary('missing-blog', [{ html: 'a', text: 'a' }], tick()), 'not_found');
        await rejectsWith(store.appendDocUpdates('missing-blog', [new Uint8Array([1])]), 'not_found');
        await rejectsWith(store.listPosts('missing-blog', { limit: 5 }), 'not_found');
        await rejectsWith(store.listChanges('missing-blog', 0, { limit: 5, replayWindow: 10 }), 'not_found');
        await rejectsWith(store.createPost(postInput(blog.id, { id: post.id })), 'conflict');
        expect((await store.getBlog(blog.id))?.seq).toBe(1);
      });
    });

    describe('listPosts paging', () => {
      let blog: Blog;
      const published: Post[] = [];
      const pinned: Post[] = [];
      const drafts: Post[] = [];

      beforeAll(async () => {
        blog = await newBlog();
        // 285 posts; every third one shares a timestamp so the id must break ties.
        for (let i = 0; i < 285; i++) {
          const createdAt = i % 3 === 1 ? (published.at(-1)?.createdAt ?? tick()) : tick();
          const kind = i % 45 === 7 ? 'pinned' : i % 30 === 11 ? 'draft' : i % 40 === 13 ? 'deleted' : 'plain';
          const { post } = await store.createPost(
            postInput(blog.id, {
              createdAt,
              status: kind === 'draft' ? 'draft' : 'published',
              pinned: kind === 'pinned',
            }),
          );
          if (kind === 'deleted') await store.deletePost(blog.id, post.id, tick());
          else if (kind === 'pinned') pinned.push(post);
          else if (kind === 'draft') drafts.push(post);
          else published.push(post);
        }
      }, 60_000);

      const newestFirst = (a: Post, b: Post) =>
        a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1;

      it('returns every published post exactly once, newest first, pinned first only on page one', async () => {
        expect(published.length).toBeGreaterThan(250);
        const seen: Post[] = [];
        let cursor: string | undefined;
        let pages = 0;
        for (; pages < 50; pages++) {
          const page = await store.listPosts(blog.id, { limit: 37, before: cursor });
          const unpinned = page.posts.filter((p) => !p.pinned);
          if (pages === 0) {
            expect(page.posts.slice(0, pinned.length)).toEqual([...pinned].sort(newestFirst));
            expect(unpinned).toHaveLength(37);
          } else {
            expect(page.posts.some((p) => p.pinned)).toBe(false);
          }
          seen.push(...unpinned);
          if (page.nextCursor === null) break;
          cursor = page.nextCursor;
        }
        expect(pages).toBe(Math.ceil(published.length / 37) - 1);
        expect(seen).toEqual([...published].sort(newestFirst));
        expect(new Set(seen.map((p) => p.id)).size).toBe(seen.length);
      });

      it('ends with a null cursor when the last page is exactly full', async () => {
        const all = await store.listPosts(blog.id, { limit: published.length });
        expect(all.nextCursor).toBeNull();
        expect(all.posts.filter((p) => !p.pinned)).toHaveLength(published.length);
      });

      it('lists drafts separately', async () => {
        const page = await store.listPosts(blog.id, { limit: 100, status: 'draft' });
        expect(page.posts).toEqual([...drafts].sort(newestFirst));
        expect(page.nextCursor).toBeNull();
      });

      it('rejects a bad cursor with validation_failed', async () => {
        const bad = [
          'not a cursor!',
          Buffer.from('{"a":1}').toString('base64url'),
          Buffer.from('["yesterday","id"]').toString('base64url'),
          Buffer.from('not json').toString('base64url'),
          '',
        ];
        for (const before of bad) {
          const err = await rejectsWith(store.listPosts(blog.id, { limit: 5, before }), 'validation_failed');
          expect(err.message).toBe('before: invalid cursor');
        }
      });
    });

    describe('listChanges', () => {
      it('pages with limit, resets outside the replay window and past the head', async () => {
        const blog = await newBlog();
        for (let i = 0; i < 12; i++) await store.createPost(postInput(blog.id));
        const first = await store.listChanges(blog.id, 0, { limit: 5, replayWindow: 100 });
        expect(first).toMatchObject({ seq: 12 });
        expect('events' in first && first.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
        const mid = await store.listChanges(blog.id, 9, { limit: 5, replayWindow: 100 });
        expect('events' in mid && mid.events.map((e) => e.seq)).toEqual([10, 11, 12]);
        expect(await store.listChanges(blog.id, 12, { limit: 5, replayWindow: 100 })).toEqual({ seq: 12, events: [] });
        expect(await store.listChanges(blog.id, 13, { limit: 5, replayWindow: 100 })).toEqual({ seq: 12, reset: true });
        expect(await store.listChanges(blog.id, 1, { limit: 5, replayWindow: 10 })).toEqual({ seq: 12, reset: true });
        const edge = await store.listChanges(blog.id, 2, { limit: 1, replayWindow: 10 });
        expect('events' in edge && edge.events.map((e) => e.seq)).toEqual([3]);
      });
    });

    describe('summary', () => {
      it('publishes new bullets as events, skips identical ones, keeps history newest first', async () => {
        const blog = await newBlog();
        expect(await store.getSummary(blog.id)).toEqual({ seq: 0, bullets: [], updatedAt: null });
        expect(await store.publishSummary(blog.id, [], tick())).toBeNull();
        const b1 = [{ html: '<b>one</b>', text: 'one' }];
        const b2 = [...b1, { html: 'two', text: 'two' }];
        const t1 = tick();
        const r1 = await store.publishSummary(blog.id, b1, t1);
        expect(r1).toEqual({
          summary: { seq: 1, bullets: b1, updatedAt: t1 },
          event: {
            blogId: blog.id,
            seq: 1,
            type: 'summary.updated',
            data: { seq: 1, bullets: b1, updatedAt: t1 },
            at: t1,
          },
        });
        expect(await store.publishSummary(blog.id, [{ text: 'one', html: '<b>one</b>' }], tick())).toBeNull();
        await store.createPost(postInput(blog.id));
        const t3 = tick();
        const r3 = await store.publishSummary(blog.id, b2, t3);
        expect(r3?.summary.seq).toBe(3);
        expect(await store.getSummary(blog.id)).toEqual({ seq: 3, bullets: b2, updatedAt: t3 });
        expect((await store.getBlog(blog.id))?.summary).toEqual({ seq: 3, bullets: b2, updatedAt: t3 });
        expect(await store.listSummaryHistory(blog.id, { limit: 10 })).toEqual([
          { seq: 3, at: t3, bullets: b2 },
          { seq: 1, at: t1, bullets: b1 },
        ]);
        expect(await store.listSummaryHistory(blog.id, { limit: 1 })).toHaveLength(1);
        expect((await store.getBlog(blog.id))?.seq).toBe(3);
        await rejectsWith(store.getSummary('missing-blog'), 'not_found');
      });
    });

    describe('collaborative doc', () => {
      it('a large batch is stored whole and in order, one id per update, ascending', async () => {
        const blog = await newBlog();
        // 89 = 64 + 16 + 4 + 4 + 1: every statement size the SQLite body uses, in one batch.
        const batch = Array.from({ length: 89 }, (_, i) => new Uint8Array([i, 255 - i, i % 7]));
        const ids = await store.appendDocUpdates(blog.id, batch);
        expect(ids).toHaveLength(89);
        expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
        const loaded = await store.loadDoc(blog.id);
        expect(loaded.updates.map((u) => u.id)).toEqual(ids);
        expect(loaded.updates.map((u) => Array.from(u.data))).toEqual(batch.map((u) => Array.from(u)));
      });

      it('appends, loads, compacts; rows after upToId survive; a stale compaction conflicts', async () => {
        const blog = await newBlog();
        expect(await store.loadDoc(blog.id)).toEqual({ snapshot: null, snapshotUpToId: 0, updates: [] });
        expect(await store.appendDocUpdates(blog.id, [])).toEqual([]);
        const big = new Uint8Array(70_000).map((_, i) => (i * 7) % 256);
        const ids = await store.appendDocUpdates(blog.id, [new Uint8Array([0, 1, 255]), big, new Uint8Array([3])]);
        expect(ids).toHaveLength(3);
        expect(ids[0]! < ids[1]! && ids[1]! < ids[2]!).toBe(true);
        const loaded = await store.loadDoc(blog.id);
        expect(loaded.updates.map((u) => u.id)).toEqual(ids);
        expect(loaded.updates[1]?.data).toEqual(big);
        expect((await store.loadDoc(blog.id, { afterId: ids[1] })).updates.map((u) => u.id)).toEqual([ids[2]]);

        // Compact up to the second row while a later row (and one appended after) must survive.
        const later = await store.appendDocUpdates(blog.id, [new Uint8Array([4])]);
        await store.compactDoc(blog.id, new Uint8Array([42, 42]), ids[1]!);
        const after = await store.loadDoc(blog.id);
        expect(after.snapshot).toEqual(new Uint8Array([42, 42]));
        expect(after.snapshotUpToId).toBe(ids[1]);
        expect(after.updates).toEqual([
          { id: ids[2], data: new Uint8Array([3]) },
          { id: later[0], data: new Uint8Array([4]) },
        ]);

        await rejectsWith(store.compactDoc(blog.id, new Uint8Array([1]), ids[0]!), 'conflict');
        expect((await store.loadDoc(blog.id)).snapshot).toEqual(new Uint8Array([42, 42]));

        await store.compactDoc(blog.id, new Uint8Array([7]), later[0]!);
        const newer = await store.appendDocUpdates(blog.id, [new Uint8Array([5])]);
        expect(newer[0]).toBeGreaterThan(later[0]!);
        expect(await store.loadDoc(blog.id)).toEqual({
          snapshot: new Uint8Array([7]),
          snapshotUpToId: later[0],
          updates: [{ id: newer[0], data: new Uint8Array([5]) }],
        });
        // Doc writes use no reader seq.
        expect((await store.getBlog(blog.id))?.seq).toBe(0);
      });
    });

    describe('collaborative doc under concurrency', () => {
      it('loses no row when two instances append while a third compacts', async () => {
        const blog = await newBlog();
        const [a, b, compactor] = [await open(), await open(), await open()];
        const enc = (values: number[]) => new TextEncoder().encode(JSON.stringify(values));
        const dec = (data: Uint8Array) => JSON.parse(new TextDecoder().decode(data)) as number[];
        // Each row carries one number; a snapshot carries every number merged into it.
        const writer = async (s: Store, base: number) => {
          for (let i = 0; i < 40; i++) await s.appendDocUpdates(blog.id, [enc([base + i])]);
        };
        let writing = true;
        const compactions = (async () => {
          let runs = 0;
          while ((writing || runs === 0) && runs < 500) {
            runs++;
            const state = await compactor.loadDoc(blog.id);
            const last = state.updates.at(-1);
            if (!last) continue;
            const merged = [
              ...(state.snapshot ? dec(state.snapshot) : []),
              ...state.updates.flatMap((u) => dec(u.data)),
            ];
            await compactor.compactDoc(blog.id, enc(merged), last.id);
          }
          return runs;
        })();
        await Promise.all([writer(a, 1000), writer(b, 2000)]);
        writing = false;
        expect(await compactions).toBeGreaterThan(0);
        const final = await store.loadDoc(blog.id);
        const all = [...(final.snapshot ? dec(final.snapshot) : []), ...final.updates.flatMap((u) => dec(u.data))];
        const expected = [
          ...Array.from({ length: 40 }, (_, i) => 1000 + i),
          ...Array.from({ length: 40 }, (_, i) => 2000 + i),
        ];
        expect([...all].sort((x, y) => x - y)).toEqual(expected);
      }, 60_000);
    });

    describe('users and members', () => {
      it('creates users, finds them by token hash, and manages roles', async () => {
        const uid = newId();
        const user = { id: uid, name: 'Zed Editor', color: '#12ab34', createdAt: tick(), canCreateBlogs: false };
        expect(await store.createUser(user, `hash-${uid}`)).toEqual(user);
        expect(await store.getUserByTokenHash(`hash-${uid}`)).toEqual(user);
        expect(await store.getUserByTokenHash('nope')).toBeNull();
        expect(await store.getUser(uid)).toEqual(user);
        expect(await store.getUser('nobody')).toBeNull();
        expect((await store.listUsers()).filter((u) => u.id === uid)).toEqual([user]);
        await rejectsWith(store.createUser({ ...user, id: newId() }, `hash-${uid}`), 'conflict');
        await rejectsWith(store.createUser(user, `other-${uid}`), 'conflict');

        // Blog creation is a right of its own, off by default, granted and withdrawn.
        const granted = await store.updateUser(uid, { canCreateBlogs: true });
        expect(granted).toEqual({ ...user, canCreateBlogs: true });
        expect(await store.getUserByTokenHash(`hash-${uid}`)).toEqual(granted);
        expect(await store.updateUser(uid, { canCreateBlogs: false })).toEqual(user);
        expect(await store.getUser(uid)).toEqual(user);
        expect(await store.updateUser('nobody', { canCreateBlogs: true })).toBeNull();

        const blog = await newBlog();
        expect(await store.getRole(blog.id, uid)).toBeNull();
        expect(await store.setMember(blog.id, uid, 'contributor')).toEqual({
          blogId: blog.id,
          userId: uid,
          role: 'contributor',
          name: 'Zed Editor',
        });
        await store.setMember(blog.id, uid, 'editor');
        expect(await store.getRole(blog.id, uid)).toBe<Role>('editor');
        expect(await store.listMembers(blog.id)).toEqual([
          { blogId: blog.id, userId: uid, role: 'editor', name: 'Zed Editor' },
        ]);
        await rejectsWith(store.setMember(blog.id, 'nobody', 'owner'), 'not_found');
        await rejectsWith(store.setMember('missing-blog', uid, 'owner'), 'not_found');
        expect(await store.removeMember(blog.id, uid)).toBe(true);
        expect(await store.removeMember(blog.id, uid)).toBe(false);
        expect(await store.getRole(blog.id, uid)).toBeNull();
        expect(await store.listMembers(blog.id)).toEqual([]);
      });
    });

    describe('identity', () => {
      const actor = (action: string, over: Partial<AuditContext> = {}): AuditContext => ({
        id: newId(),
        actorId: 'actor-1',
        actorName: 'Ann Admin',
        actorAdmin: true,
        credential: 'admin_token',
        action,
        blogId: null,
        postId: null,
        subjectId: null,
        address: '192.0.2.1',
        ...over,
      });
      const person = (name: string) => ({
        id: newId(),
        name,
        color: '#123456',
        createdAt: tick(),
        canCreateBlogs: false,
      });

      it('accounts: unique email, lookup with the hash, deactivation, outside identities linked once', async () => {
        const u = person('Pat Person');
        const email = `pat-${u.id}@newsroom.test`;
        const acc = await store.createAccount(
          { user: u, email, passwordHash: '$argon2id$x', admin: false },
          actor('user.create'),
        );
        expect(acc).toEqual({ ...u, email, active: true, admin: false });
        expect(await store.getAccountByEmail(email)).toEqual({ ...acc, passwordHash: '$argon2id$x' });
        await rejectsWith(
          store.createAccount({ user: person('Again'), email, passwordHash: null, admin: false }),
          'conflict',
        );
        const off = await store.updateAccount(u.id, { active: false }, actor('user.deactivate', { subjectId: u.id }));
        expect(off.active).toBe(false);
        await rejectsWith(store.updateAccount('nobody', { active: false }), 'not_found');

        const ext = { issuer: 'https://cms', subject: `s-${u.id}`, email: `ext-${u.id}@newsroom.test`, name: 'Ext' };
        const first = await store.upsertExternalAccount({ ...ext, newUser: person('Ext') });
        const again = await store.upsertExternalAccount({ ...ext, newUser: person('Ext twin') });
        expect(again.id).toBe(first.id);
        // An outside identity with an existing email joins that account.
        const byEmail = await store.upsertExternalAccount({
          issuer: 'https://idp',
          subject: `o-${u.id}`,
          email,
          name: null,
          newUser: person('unused'),
        });
        expect(byEmail.id).toBe(u.id);
      });

      it('credentials: live until revoked or expired, and never for a deactivated account', async () => {
        const u = person('Cred Holder');
        await store.createAccount({ user: u, email: `c-${u.id}@newsroom.test`, passwordHash: null, admin: false });
        const now = tick();
        const id = newId();
        await store.createCredential(
          {
            id,
            userId: u.id,
            kind: 'personal_token',
            name: 'bot',
            tokenHash: `th-${id}`,
            expiresAt: null,
            grants: { b1: 'editor' },
            admin: false,
            createdAt: now,
          },
          actor('token.create'),
        );
        const live = await store.findCredentialByHash(`th-${id}`, now);
        expect(live?.credential).toMatchObject({
          id,
          kind: 'personal_token',
          grants: { b1: 'editor' },
          revokedAt: null,
        });
        expect((await store.getLiveCredential(id, now))?.account.id).toBe(u.id);
        await store.touchCredential(id, now);
        expect((await store.listPersonalTokens(u.id))[0]).toMatchObject({ id, name: 'bot', lastUsedAt: now });
        const sid = newId();
        await store.createCredential({
          id: sid,
          userId: u.id,
          kind: 'password_session',
          name: '',
          tokenHash: `sh-${sid}`,
          expiresAt: new Date(clock + 60_000).toISOString(),
          grants: {},
          admin: false,
          createdAt: now,
        });
        expect(await store.getLiveCredential(sid, new Date(clock + 120_000).toISOString())).toBeNull();
        expect(await store.revokeCredential(u.id, id, tick())).toBe(true);
        expect(await store.revokeCredential(u.id, id, tick())).toBe(false);
        expect(await store.findCredentialByHash(`th-${id}`, tick())).toBeNull();
        expect(await store.listPersonalTokens(u.id)).toEqual([]);
        await store.updateAccount(u.id, { active: false });
        expect(await store.getLiveCredential(sid, now)).toBeNull();
      });

      it('invitations work once and not after they expire', async () => {
        const u = person('Invitee');
        await store.createAccount({ user: u, email: `i-${u.id}@newsroom.test`, passwordHash: null, admin: false });
        const at = tick();
        await store.createInvitation({
          tokenHash: `ih-${u.id}`,
          userId: u.id,
          createdBy: null,
          createdAt: at,
          expiresAt: new Date(clock + 60_000).toISOString(),
        });
        expect(await store.acceptInvitation('unknown', 'h', at)).toBeNull();
        expect((await store.acceptInvitation(`ih-${u.id}`, '$argon2id$new', at))?.id).toBe(u.id);
        expect(await store.acceptInvitation(`ih-${u.id}`, '$argon2id$again', at)).toBeNull();
        expect((await store.getAccountByEmail(`i-${u.id}@newsroom.test`))?.passwordHash).toBe('$argon2id$new');
        const v = person('Late');
        await store.createAccount({ user: v, email: `l-${v.id}@newsroom.test`, passwordHash: null, admin: false });
        await store.createInvitation({
          tokenHash: `lh-${v.id}`,
          userId: v.id,
          createdBy: null,
          createdAt: at,
          expiresAt: at,
        });
        expect(await store.acceptInvitation(`lh-${v.id}`, 'h', tick())).toBeNull();
      });

      it('audit rows commit with their write, roll back with it, and page newest first', async () => {
        const blog = await newBlog(store, {});
        const made = await store.createPost(postInput(blog.id), { audit: actor('post.create', { blogId: blog.id }) });
        await rejectsWith(
          store.createBlog(
            { id: newId(), slug: blog.slug, title: 't', description: '', status: 'live', allowedOrigins: [] },
            tick(),
            { audit: actor('blog.create', { blogId: 'clash' }) },
          ),
          'conflict',
        );
        await store.deletePost(blog.id, made.post.id, tick(), {
          audit: actor('post.delete', { blogId: blog.id, postId: made.post.id }),
        });
        const page = await store.listAudit({ blogId: blog.id, limit: 10 });
        expect(page.entries.map((e) => e.action)).toEqual(['post.delete', 'post.create']);
        expect(page.entries[0]).toMatchObject({
          actor: { name: 'Ann Admin', admin: true },
          credential: 'admin_token',
          address: '192.0.2.1',
        });
        expect((await store.listAudit({ blogId: 'clash', limit: 10 })).entries).toEqual([]);
        const first = await store.listAudit({ blogId: blog.id, limit: 1 });
        expect(first.nextCursor).not.toBeNull();
        const second = await store.listAudit({ blogId: blog.id, limit: 1, before: first.nextCursor ?? '' });
        expect(second.entries.map((e) => e.action)).toEqual(['post.create']);
        expect(second.nextCursor).toBeNull();
      });
    });

    describe('settings', () => {
      it('sets only if absent, and racing writers all see the one stored value', async () => {
        const key = `admin-${newId()}`;
        expect(await store.getSetting(key)).toBeNull();
        const other = await open();
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 ? other : store).setSettingIfAbsent(key, `v${i}`)),
        );
        const stored = await store.getSetting(key);
        expect(stored).toMatch(/^v\d$/);
        expect(new Set(results)).toEqual(new Set([stored]));
        expect(await other.setSettingIfAbsent(key, 'later')).toBe(stored);
      });
    });

    mediaStoreCases({ store: () => store, open, tick, newBlog: () => newBlog(), postInput });
    describe('webhook outbox', () => {
      const hook = (blogId: string, events: string[] = ['*']) =>
        store.outbox.createWebhook({
          id: newId(),
          blogId,
          url: 'https://hooks.example.com/in',
          secret: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0',
          events,
          description: '',
          now: tick(),
        });
      const claim = (s: Store, owner: string, at = new Date(clock + 10_000_000), leaseMs = 60_000, limit = 100) =>
        s.outbox.claimDeliveries({
          owner,
          now: at.toISOString(),
          leaseUntil: new Date(at.getTime() + leaseMs).toISOString(),
          limit,
        });
      const done = (d: { id: string; webhookId: string; lease: string }, ok = true) =>
        store.outbox.finishAttempt({
          deliveryId: d.id,
          webhookId: d.webhookId,
          owner: d.lease,
          at: tick(),
          ok,
          status: ok ? 200 : 500,
          error: ok ? null : 'HTTP 500',
          latencyMs: 12.5,
          nextAttemptAt: ok ? null : new Date(clock + 1000).toISOString(),
          disable: null,
        });

      it('writes one delivery per matching endpoint with each event, and hands them out in seq order per endpoint', async () => {
        const blog = await newBlog();
        const all = await hook(blog.id);
        const onlyDeletes = await hook(blog.id, ['post.deleted']);
        const { post } = await store.createPost(postInput(blog.id));
        await store.updatePost(blog.id, post.id, edit(post, { pinned: true }));
        await store.deletePost(blog.id, post.id, tick());
        expect((await store.outbox.listDeliveries(blog.id, all.id, 10)).map((d) => d.seq).sort()).toEqual([1, 2, 3]);
        expect((await store.outbox.listDeliveries(blog.id, onlyDeletes.id, 10)).map((d) => d.seq)).toEqual([3]);

        const seen: number[] = [];
        for (let round = 0; round < 5; round++) {
          const got = (await claim(store, 'node-1')).filter((d) => d.webhookId === all.id);
          if (got.length === 0) break;
          expect(got).toHaveLength(1); // only the endpoint's oldest pending delivery
          const d = got[0]!;
          expect(JSON.parse(d.body)).toMatchObject({ blogId: blog.id, seq: d.seq, type: d.type });
          seen.push(d.seq);
          await done(d);
        }
        expect(seen).toEqual([1, 2, 3]);
        const delivered = await store.outbox.listDeliveries(blog.id, all.id, 10);
        expect(delivered.every((d) => d.status === 'delivered' && d.attempts === 1 && d.latencyMs === 12.5)).toBe(true);
      });

      it('leases: a claimed delivery is not handed out again until the lease ends; a retry keeps the order', async () => {
        const blog = await newBlog();
        const h = await hook(blog.id);
        await store.createPost(postInput(blog.id));
        await store.createPost(postInput(blog.id));
        const other = await open();
        const at = new Date(clock + 20_000_000);
        const first = (await claim(store, 'a', at)).filter((d) => d.webhookId === h.id);
        expect(first.map((d) => d.seq)).toEqual([1]);
        expect((await claim(other, 'b', at)).filter((d) => d.webhookId === h.id)).toEqual([]);
        // The lease runs out (node a died): node b gets the same delivery, still seq 1.
        const later = new Date(at.getTime() + 120_000);
        const again = (await claim(other, 'b', later)).filter((d) => d.webhookId === h.id);
        expect(again.map((d) => d.seq)).toEqual([1]);
        // a's late answer no longer counts: only the lease holder moves it on.
        await done(first[0]!);
        expect((await store.outbox.listDeliveries(blog.id, h.id, 10)).find((d) => d.seq === 1)?.status).toBe('pending');
        await done(again[0]!, false);
        const failed = (await store.outbox.listDeliveries(blog.id, h.id, 10)).find((d) => d.seq === 1);
        expect(failed).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 500, lastError: 'HTTP 500' });
        const retry = (await claim(store, 'a', new Date(later.getTime() + 120_000))).filter(
          (d) => d.webhookId === h.id,
        );
        expect(retry.map((d) => [d.seq, d.attempts])).toEqual([[1, 1]]);
      });

      it('claims each delivery once when nodes race, and when one node claims twice in the same instant', async () => {
        const blog = await newBlog();
        const hooks = await Promise.all(Array.from({ length: 6 }, () => hook(blog.id)));
        await store.createPost(postInput(blog.id));
        const other = await open();
        const at = new Date(clock + 30_000_000);
        const got = await Promise.all([
          claim(store, 'a', at, 60_000, 2),
          claim(other, 'b', at, 60_000, 2),
          claim(store, 'a', at, 60_000, 2),
          claim(store, 'a', at, 60_000, 2),
        ]);
        const ids = got
          .flat()
          .filter((d) => hooks.some((h) => h.id === d.webhookId))
          .map((d) => d.id);
        expect(new Set(ids).size).toBe(ids.length);
      });

      it('manages endpoints: update, disable and re-enable, delete with their deliveries', async () => {
        const blog = await newBlog();
        const h = await hook(blog.id);
        expect(await store.outbox.listWebhooks(blog.id)).toEqual([h]);
        const patched = await store.outbox.updateWebhook(
          blog.id,
          h.id,
          { events: ['post.created'], description: 'CMS' },
          tick(),
        );
        expect(patched).toMatchObject({ events: ['post.created'], description: 'CMS', enabled: true, url: h.url });
        await store.createPost(postInput(blog.id));
        const d = (await claim(store, 'n')).find((x) => x.webhookId === h.id)!;
        await store.outbox.finishAttempt({
          deliveryId: d.id,
          webhookId: h.id,
          owner: d.lease,
          at: tick(),
          ok: false,
          status: 500,
          error: 'HTTP 500',
          latencyMs: 3,
          nextAttemptAt: null,
          disable: 'failing for a day',
        });
        expect(await store.outbox.getWebhook(blog.id, h.id)).toMatchObject({
          enabled: false,
          disabledReason: 'failing for a day',
        });
        expect((await store.outbox.listDeliveries(blog.id, h.id, 5))[0]?.status).toBe('failed');
        // Disabled endpoints get no new deliveries.
        await store.createPost(postInput(blog.id));
        expect(await store.outbox.listDeliveries(blog.id, h.id, 5)).toHaveLength(1);
        expect(await store.outbox.updateWebhook(blog.id, h.id, { enabled: true }, tick())).toMatchObject({
          enabled: true,
          disabledReason: null,
        });
        await store.outbox.enqueueTest(h.id, blog.id, `test-${newId()}`, '{"type":"webhook.test"}', tick());
        const t = (await claim(store, 'n')).find((x) => x.webhookId === h.id)!;
        expect(t).toMatchObject({ type: 'webhook.test', seq: 0, body: '{"type":"webhook.test"}' });
        expect(await store.outbox.getWebhook('other-blog', h.id)).toBeNull();
        expect(await store.outbox.deleteWebhook(blog.id, h.id)).toBe(true);
        expect(await store.outbox.deleteWebhook(blog.id, h.id)).toBe(false);
        expect(await store.outbox.listDeliveries(blog.id, h.id, 5)).toEqual([]);
      });
    });
  });
}
