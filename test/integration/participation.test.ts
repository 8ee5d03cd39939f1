import { describe, expect, it } from 'vitest';
import type { CountsFrame, Post, Tallies } from '../../src/domain/index.js';
import { setupBlog } from '../helpers/api.js';
import { openReader } from '../helpers/realtime.js';
import { startServer } from '../helpers/server.js';
import { freshPostgresDatabase } from '../helpers/services.js';
import { waitFor } from '../helpers/wait.js';

type Cast = Awaited<ReturnType<typeof setupBlog>>;
const voter = (i: number) => `voter-${String(i).padStart(12, '0')}`;

async function pollFlow({ blog, anon, editor, contributor }: Cast): Promise<void> {
  const post = await editor.createPost(blog.id, {
    blocks: [{ type: 'poll', question: 'Who wins?', options: ['Home', 'Away', { text: 'Draw' }] }],
    status: 'published',
  });
  const poll = post.blocks[0];
  expect(poll).toEqual({
    type: 'poll',
    question: 'Who wins?',
    options: [
      { id: 'o1', text: 'Home' },
      { id: 'o2', text: 'Away' },
      { id: 'o3', text: 'Draw' },
    ],
  });
  const reader = openReader(editor.url, { transports: ['websocket'] });
  const frames: CountsFrame[] = [];
  reader.socket.on('counts', (f) => frames.push(f));
  await reader.subscribe({ blogId: blog.id, sinceSeq: post.seq });

  const votes = `/api/v1/blogs/${blog.id}/posts/${post.id}/votes`;
  for (const [i, option] of ['o1', 'o1', 'o2'].entries()) {
    const res = await anon.raw('POST', votes, { body: { option, voter: voter(i) } });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ option, counted: true });
  }
  // A repeat, even for another option, is dropped silently: the first vote stands.
  const again = await anon.raw('POST', votes, { body: { option: 'o3', voter: voter(0) } });
  expect(again.status).toBe(202);
  expect(again.body).toEqual({ option: 'o1', counted: false });
  // Bad input: unknown option, forged ids, closed-to-readers posts.
  for (const body of [
    { option: 'o9', voter: voter(5) },
    { option: 'x', voter: voter(5) },
    { option: 'o1', voter: 'short' },
    { option: 'o1' },
  ]) {
    expect((await anon.raw('POST', votes, { body })).status, JSON.stringify(body)).toBe(400);
  }
  expect(
    (await anon.raw('POST', `/api/v1/blogs/${blog.id}/posts/nope/votes`, { body: { option: 'o1', voter: voter(6) } }))
      .status,
  ).toBe(404);
  const plain = await editor.createPost(blog.id, {
    blocks: [{ type: 'text', html: '<p>no poll</p>' }],
    status: 'published',
  });
  expect(
    (
      await anon.raw('POST', `/api/v1/blogs/${blog.id}/posts/${plain.id}/votes`, {
        body: { option: 'o1', voter: voter(6) },
      })
    ).status,
  ).toBe(404);

  // Reactions: one of each kind per voter and post.
  const reactions = `/api/v1/blogs/${blog.id}/posts/${plain.id}/reactions`;
  expect((await anon.raw('POST', reactions, { body: { reaction: 'like', voter: voter(1) } })).body).toEqual({
    reaction: 'like',
    counted: true,
  });
  expect((await anon.raw('POST', reactions, { body: { reaction: 'like', voter: voter(1) } })).body).toEqual({
    reaction: 'like',
    counted: false,
  });
  expect((await anon.raw('POST', reactions, { body: { reaction: 'clap', voter: voter(1) } })).status).toBe(202);
  expect((await anon.raw('POST', reactions, { body: { reaction: 'poop', voter: voter(1) } })).status).toBe(400);

  // Live: one batched frame per blog carries exact counts, no seq event for a vote.
  await waitFor(
    () => frames.some((f) => f.posts[post.id]?.votes?.o2 === 1 && f.posts[plain.id]?.reactions.clap === 1),
    { what: 'counts frames' },
  );
  const last = frames.findLast((f) => f.posts[post.id]) as CountsFrame;
  expect(last.posts[post.id]?.votes).toEqual({ o1: 2, o2: 1, o3: 0 });
  expect(reader.events.filter((e) => e.type === 'post.updated')).toEqual([]);
  const tallies = await anon.raw('GET', `/api/v1/blogs/${blog.id}/tallies?posts=${post.id},${plain.id},nope`);
  expect(tallies.status).toBe(200);
  const t = (tallies.body as Tallies).posts;
  expect(t[post.id]?.votes).toEqual({ o1: 2, o2: 1, o3: 0 });
  expect(t[plain.id]).toEqual({ reactions: { like: 1, love: 0, wow: 0, sad: 0, clap: 1 } });
  expect(t.nope).toBeUndefined();
  expect((await anon.raw('GET', `/api/v1/blogs/${blog.id}/tallies?posts=`)).status).toBe(400);

  // Editing the wording keeps ids (and votes); closing is one post.updated with the results.
  await editor.patchPost(blog.id, post.id, {
    blocks: [
      {
        type: 'poll',
        question: 'Who wins tonight?',
        options: [
          { id: 'o1', text: 'Home side' },
          { id: 'o2', text: 'Away' },
          { id: 'o3', text: 'Draw' },
        ],
      },
    ],
  });
  expect((await contributor.raw('POST', `/api/v1/blogs/${blog.id}/posts/${post.id}/poll/close`)).status).toBe(403);
  const closed = await editor.raw('POST', `/api/v1/blogs/${blog.id}/posts/${post.id}/poll/close`);
  expect(closed.status).toBe(200);
  expect((closed.body as Post).blocks[0]).toMatchObject({
    closedAt: expect.any(String),
    results: { o1: 2, o2: 1, o3: 0 },
  });
  await waitFor(() => reader.events.filter((e) => e.type === 'post.updated').length === 2, {
    what: 'the closing update',
  });
  const closing = reader.events.at(-1);
  expect(closing?.type === 'post.updated' && closing.data.blocks[0]).toMatchObject({
    results: { o1: 2, o2: 1, o3: 0 },
  });
  // Closed: votes refused, closing again changes nothing, an edit keeps it closed.
  expect((await anon.raw('POST', votes, { body: { option: 'o1', voter: voter(9) } })).status).toBe(409);
  await editor.raw('POST', `/api/v1/blogs/${blog.id}/posts/${post.id}/poll/close`);
  const edited = await editor.patchPost(blog.id, post.id, {
    blocks: [{ type: 'poll', question: 'Who won?', options: ['Home', 'Away'] }],
  });
  expect(edited.blocks[0]).toMatchObject({ closedAt: expect.any(String), results: { o1: 2, o2: 1 } });
}

describe('polls and reactions', () => {
  it('SQLite: one vote per voter, exact counts live in batched frames, closing is one event', async () => {
    const s = await startServer({ COUNTS_INTERVAL_MS: '200' });
    await pollFlow(await setupBlog(s.url, s.adminToken));
  });

  it('PostgreSQL: the same flow', async () => {
    const s = await startServer({ COUNTS_INTERVAL_MS: '200', DATABASE_URL: await freshPostgresDatabase() });
    await pollFlow(await setupBlog(s.url, s.adminToken));
  });

  it('a poll closes by itself at closesAt with its final result as one event', async () => {
    const s = await startServer({ COUNTS_INTERVAL_MS: '100' });
    const { blog, anon, editor } = await setupBlog(s.url, s.adminToken);
    const reader = openReader(s.url, { transports: ['websocket'] });
    await reader.subscribe({ blogId: blog.id, sinceSeq: 0 });
    const closesAt = new Date(Date.now() + 1500).toISOString();
    const post = await editor.createPost(blog.id, {
      blocks: [{ type: 'poll', question: 'Quick?', options: ['Yes', 'No'], closesAt }],
      status: 'published',
    });
    const votes = `/api/v1/blogs/${blog.id}/posts/${post.id}/votes`;
    expect((await anon.raw('POST', votes, { body: { option: 'o2', voter: voter(1) } })).status).toBe(202);
    await waitFor(() => reader.events.some((e) => e.type === 'post.updated'), {
      what: 'the closing update',
      timeoutMs: 10_000,
    });
    const updates = reader.events.filter((e) => e.type === 'post.updated');
    expect(updates).toHaveLength(1);
    expect(updates[0]?.type === 'post.updated' && updates[0].data.blocks[0]).toMatchObject({
      results: { o1: 0, o2: 1 },
    });
    expect((await anon.raw('POST', votes, { body: { option: 'o1', voter: voter(2) } })).status).toBe(409);
  });

  it('limits votes and reactions per address', async () => {
    const s = await startServer({ RATE_PARTICIPATION_PER_MIN: '3' });
    const { blog, anon, editor } = await setupBlog(s.url, s.adminToken);
    const post = await editor.createPost(blog.id, {
      blocks: [{ type: 'poll', question: 'Q?', options: ['a', 'b'] }],
      status: 'published',
    });
    const votes = `/api/v1/blogs/${blog.id}/posts/${post.id}/votes`;
    for (let i = 0; i < 3; i++)
      expect((await anon.raw('POST', votes, { body: { option: 'o1', voter: voter(i) } })).status).toBe(202);
    const flood = await anon.raw('POST', votes, { body: { option: 'o1', voter: voter(3) } });
    expect(flood.status).toBe(429);
    expect(flood.headers.get('retry-after')).toMatch(/^\d+$/);
    const t = await anon.raw('GET', `/api/v1/blogs/${blog.id}/tallies?posts=${post.id}`);
    expect((t.body as Tallies).posts[post.id]?.votes).toEqual({ o1: 3, o2: 0 });
  });
});
