import { describe, expect, it } from 'vitest';
import type { Blog, Post } from '../../src/domain/index.js';
import { newId } from '../../src/lib/ids.js';
import type { OutboundJob } from '../../src/store/outward.js';
import type { Store } from '../../src/store/types.js';

/** What the outward cases borrow from the Store contract suite (its store, clock and helpers). */
export interface OutwardCaseKit {
  store: () => Store;
  open: () => Promise<Store>;
  tick: () => string;
  newBlog: () => Promise<Blog>;
  postInput: (blogId: string, over?: Partial<Post>) => Omit<Post, 'seq'>;
}

const FAR = Date.parse('2030-01-01T00:00:00.000Z');

/**
 * WebSub and Web Push subscriptions and the outbound job queue, run inside runStoreContract on
 * both databases (test/contract/store.contract.ts calls it). Jobs of other cases may sit in the
 * same queue: every check looks at its own blog's jobs only.
 */
export function outwardStoreCases(kit: OutwardCaseKit): void {
  describe('outward: WebSub, Web Push and the job queue', () => {
    const claim = (s: Store, owner: string, at = FAR, leaseMs = 60_000) =>
      s.outward.claimJobs({
        owner,
        now: new Date(at).toISOString(),
        leaseUntil: new Date(at + leaseMs).toISOString(),
        limit: 1000,
      });
    const mine = (jobs: OutboundJob[], blogId: string) => jobs.filter((j) => j.blogId === blogId);
    const finish = (s: Store, jobs: OutboundJob[]) =>
      Promise.all(jobs.map((j) => s.outward.finishJob(j, { outcome: 'done' }, new Date(FAR).toISOString())));
    const webSub = (blogId: string, expiresAt: string) => ({
      id: newId(),
      blogId,
      topic: `https://news.example.org/live/${blogId}/feed.atom`,
      callback: `https://sub.example.com/${newId()}`,
      secret: null,
      leaseSeconds: 60,
      expiresAt,
    });
    const push = (blogId: string) => ({
      id: newId(),
      blogId,
      endpoint: `https://push.example.net/${newId()}`,
      p256dh: 'k',
      auth: 'a',
    });

    it('marks one distribution per live WebSub subscription with each event; changes while pending or in flight coalesce, none is lost', async () => {
      const store = kit.store();
      const blog = await kit.newBlog();
      const live = webSub(blog.id, '2029-01-01T00:00:00.000Z');
      await store.outward.upsertWebSub(live, kit.tick());
      await store.outward.upsertWebSub(webSub(blog.id, '2000-01-01T00:00:00.000Z'), kit.tick()); // expired
      await store.createPost(kit.postInput(blog.id));
      await store.createPost(kit.postInput(blog.id));
      let jobs = mine(await claim(store, 'n1'), blog.id);
      expect(jobs.map((j) => [j.kind, j.ref])).toEqual([['websub.distribute', live.id]]);
      // A change while the distribution is in flight: finishing it leaves it due again.
      await store.createPost(kit.postInput(blog.id));
      await finish(store, jobs);
      jobs = mine(await claim(store, 'n1'), blog.id);
      expect(jobs).toHaveLength(1);
      await finish(store, jobs);
      expect(mine(await claim(store, 'n1'), blog.id)).toEqual([]);
      // Re-subscribing renews the lease in place: still one subscription per (topic, callback).
      await store.outward.upsertWebSub({ ...live, id: newId(), leaseSeconds: 120 }, kit.tick());
      expect(await store.outward.findWebSub(live.topic, live.callback)).toMatchObject({
        id: live.id,
        leaseSeconds: 120,
      });
      expect(await store.outward.expireWebSubs('2028-01-01T00:00:00.000Z')).toBeGreaterThanOrEqual(1);
      expect(await store.outward.deleteWebSub(live.topic, live.callback)).toBe(true);
      expect(await store.outward.findWebSub(live.topic, live.callback)).toBeNull();
    });

    it('queues a push per subscription when a post first becomes a key event, and never again for it', async () => {
      const store = kit.store();
      const blog = await kit.newBlog();
      const subs = [push(blog.id), push(blog.id)];
      for (const s of subs) expect(await store.outward.addPushSubscription(s, 10, kit.tick())).toBe('created');
      const { post: plain } = await store.createPost(kit.postInput(blog.id));
      const { post: key } = await store.createPost(kit.postInput(blog.id, { keyEvent: true }));
      const edit = (p: Post, over: Partial<Post>) => ({
        blocks: p.blocks,
        status: p.status,
        pinned: p.pinned,
        keyEvent: p.keyEvent,
        createdAt: p.createdAt,
        updatedAt: kit.tick(),
        ...over,
      });
      await store.updatePost(blog.id, key.id, edit(key, { pinned: true }));
      await store.updatePost(blog.id, key.id, edit(key, { keyEvent: false }));
      await store.updatePost(blog.id, key.id, edit(key, { keyEvent: true }));
      await store.updatePost(blog.id, plain.id, edit(plain, { keyEvent: true }));
      const jobs = mine(await claim(store, 'n1'), blog.id).filter((j) => j.kind === 'push');
      const pairs = jobs.map((j) => `${j.ref}:${(JSON.parse(j.payload) as { postId: string }).postId}`).sort();
      expect(pairs).toEqual(subs.flatMap((s) => [`${s.id}:${key.id}`, `${s.id}:${plain.id}`]).sort());
      await finish(store, jobs);
      // Unsubscribing removes the subscription and what was queued for it.
      expect(await store.outward.deletePushSubscription(blog.id, subs[0]!.endpoint)).toBe(true);
      expect(await store.outward.deletePushSubscription(blog.id, subs[0]!.endpoint)).toBe(false);
      expect(await store.outward.countPushSubscriptions(blog.id)).toBe(1);
    });

    it('bounds push subscriptions per blog and updates the keys of a known endpoint', async () => {
      const store = kit.store();
      const blog = await kit.newBlog();
      const a = push(blog.id);
      expect(await store.outward.addPushSubscription(a, 2, kit.tick())).toBe('created');
      expect(await store.outward.addPushSubscription({ ...a, id: newId(), auth: 'b' }, 2, kit.tick())).toBe('updated');
      expect((await store.outward.getPushSubscription(a.id))?.auth).toBe('b');
      expect(await store.outward.addPushSubscription(push(blog.id), 2, kit.tick())).toBe('created');
      expect(await store.outward.addPushSubscription(push(blog.id), 2, kit.tick())).toBe('full');
      expect(await store.outward.countPushSubscriptions(blog.id)).toBe(2);
    });

    it('hands each job to one claimer at a time; a lease that ran out passes the job on, and the old holder cannot finish it', async () => {
      const store = kit.store();
      const other = await kit.open();
      const blog = await kit.newBlog();
      for (let i = 0; i < 20; i++) {
        await store.outward.enqueueJob(
          { id: `t.${blog.id}.${i}`, kind: 'websub.verify', blogId: blog.id, ref: 'x', payload: '{}' },
          kit.tick(),
        );
      }
      const [x, y] = await Promise.all([claim(store, 'n1', FAR, 1000), claim(other, 'n2', FAR, 1000)]);
      const ids = [...mine(x, blog.id), ...mine(y, blog.id)].map((j) => j.id);
      expect(ids).toHaveLength(20);
      expect(new Set(ids).size).toBe(20);
      expect(mine(await claim(other, 'n2', FAR + 500), blog.id)).toEqual([]); // still leased
      const later = mine(await claim(other, 'n3', FAR + 2000), blog.id);
      expect(later).toHaveLength(20);
      // The first holders' leases are gone: their finishing changes nothing.
      await finish(store, [...mine(x, blog.id), ...mine(y, blog.id)]);
      await store.outward.finishJob(
        later[0]!,
        { outcome: 'retry', error: 'HTTP 503', nextAttemptAt: new Date(FAR + 60_000).toISOString() },
        new Date(FAR).toISOString(),
      );
      await finish(other, later.slice(1));
      const again = mine(await claim(store, 'n1', FAR + 120_000), blog.id);
      expect(again.map((j) => [j.id, j.attempts])).toEqual([[later[0]!.id, 1]]);
      await finish(store, again);
      expect(mine(await claim(store, 'n1', FAR + 240_000), blog.id)).toEqual([]);
    });
  });
}
