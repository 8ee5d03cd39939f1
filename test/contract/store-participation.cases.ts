import { describe, expect, it } from 'vitest';
import { type Block, type Blog, DomainError, type PollBlock, type Post } from '../../src/domain/index.js';
import type { Store } from '../../src/store/types.js';

/**
 * The participation part of the store contract (poll votes, reactions, counts, closing),
 * run on both databases by store.contract.ts.
 */
export function participationStoreCases(ctx: {
  store: () => Store;
  tick: () => string;
  newBlog: () => Promise<Blog>;
  postInput: (blogId: string, over?: Partial<Post>) => Omit<Post, 'seq'>;
}): void {
  const poll: Block = {
    type: 'poll',
    question: 'Which?',
    options: [
      { id: 'o1', text: 'a' },
      { id: 'o2', text: 'b' },
    ],
  };
  const voter = (i: number) => `contract-voter-${String(i).padStart(6, '0')}`;
  const codeOf = (o: unknown) => (o && typeof o === 'object' && 'error' in o ? (o.error as DomainError).code : null);

  describe('participation', () => {
    it('one vote per voter (the first stands), refusals per vote in a batch, exact derived counts', async () => {
      const store = ctx.store();
      const blog = await ctx.newBlog();
      const { post } = await store.createPost(ctx.postInput(blog.id, { blocks: [poll] }));
      const plain = (await store.createPost(ctx.postInput(blog.id))).post;
      const at = ctx.tick();
      const v = (i: number, option: string, postId = post.id) => ({
        blogId: blog.id,
        postId,
        voter: voter(i),
        option,
        at,
      });
      const out = await store.castVotes([
        v(1, 'o1'),
        v(2, 'o2'),
        v(1, 'o2'),
        v(3, 'o9'),
        v(4, 'o1', plain.id),
        v(5, 'o1', 'nope'),
        v(6, 'o1'),
      ]);
      expect(out.slice(0, 3)).toEqual([
        { option: 'o1', counted: true },
        { option: 'o2', counted: true },
        { option: 'o1', counted: false },
      ]);
      expect(out.slice(3).map(codeOf)).toEqual(['validation_failed', 'not_found', 'not_found', null]);
      expect(out[3]).toHaveProperty('error');
      expect((out[3] as { error: unknown }).error).toBeInstanceOf(DomainError);
      expect(await store.castVote(v(2, 'o1'))).toEqual({ option: 'o2', counted: false });
      expect(
        await store.addReaction({ blogId: blog.id, postId: plain.id, voter: voter(1), reaction: 'wow', at }),
      ).toEqual({ counted: true });
      expect(
        await store.addReaction({ blogId: blog.id, postId: plain.id, voter: voter(1), reaction: 'wow', at }),
      ).toEqual({ counted: false });
      await expect(
        store.addReaction({ blogId: blog.id, postId: 'nope', voter: voter(1), reaction: 'wow', at }),
      ).rejects.toThrow();
      const { posts, due } = await store.tallies(blog.id, [post.id, plain.id, 'nope'], Date.parse(at));
      expect(posts[post.id]).toEqual({
        votes: { o1: 2, o2: 1 },
        reactions: { like: 0, love: 0, wow: 0, sad: 0, clap: 0 },
      });
      expect(posts[plain.id]).toEqual({ reactions: { like: 0, love: 0, wow: 1, sad: 0, clap: 0 } });
      expect(posts.nope).toBeUndefined();
      expect(due).toEqual([]);
    });

    it('closing is one post.updated with the final results; idempotent; votes refused after it', async () => {
      const store = ctx.store();
      const blog = await ctx.newBlog();
      const closesAt = new Date(Date.parse(ctx.tick()) + 60_000).toISOString();
      const { post } = await store.createPost(ctx.postInput(blog.id, { blocks: [{ ...poll, closesAt } as Block] }));
      const at = ctx.tick();
      await store.castVote({ blogId: blog.id, postId: post.id, voter: voter(1), option: 'o2', at });
      // Not due yet: onlyIfDue leaves it open.
      expect((await store.closePoll(blog.id, post.id, at, { onlyIfDue: true })).event).toBeNull();
      const after = new Date(Date.parse(closesAt) + 1000).toISOString();
      expect((await store.tallies(blog.id, [post.id], Date.parse(after))).due).toEqual([post.id]);
      await expect(
        store.castVote({ blogId: blog.id, postId: post.id, voter: voter(2), option: 'o1', at: after }),
      ).rejects.toMatchObject({ code: 'conflict' });
      const { event } = await store.closePoll(blog.id, post.id, after, { onlyIfDue: true });
      expect(event?.type).toBe('post.updated');
      expect(event?.seq).toBe(post.seq + 1);
      if (event?.type !== 'post.updated') throw new Error('expected a post update');
      const closed = event.data.blocks[0] as PollBlock;
      expect(closed).toMatchObject({ closedAt: after, results: { o1: 0, o2: 1 } });
      expect((await store.closePoll(blog.id, post.id, ctx.tick())).event).toBeNull();
      expect((await store.getBlog(blog.id))?.seq).toBe(post.seq + 1);
    });
  });
}
