import { describe, expect, it } from 'vitest';
import type { Question } from '../../src/domain/index.js';
import { setupBlog } from '../helpers/api.js';
import { openReader } from '../helpers/realtime.js';
import { startServer } from '../helpers/server.js';
import { freshPostgresDatabase } from '../helpers/services.js';
import { waitFor } from '../helpers/wait.js';

type Cast = Awaited<ReturnType<typeof setupBlog>>;

async function moderationFlow(cast: Cast): Promise<void> {
  const { blog, anon, editor, contributor, outsider } = cast;
  const reader = openReader(editor.url, { transports: ['websocket'] });
  await reader.subscribe({ blogId: blog.id, sinceSeq: 0 });

  const asked = await anon.raw('POST', `/api/v1/blogs/${blog.slug}/questions`, {
    body: { text: '<script>alert(1)</script>Is the <b>bridge</b> open &amp; safe?', name: '<i>Ana</i>' },
  });
  expect(asked.status).toBe(202);
  expect(asked.body).toEqual({ id: expect.any(String), status: 'pending' });

  // Readers see nothing of it: no event, no post.
  expect(reader.events).toEqual([]);
  expect((await anon.listPosts(blog.id)).posts).toEqual([]);
  // The queue is for editors only.
  expect((await anon.raw('GET', `/api/v1/blogs/${blog.id}/questions`)).status).toBe(401);
  expect((await contributor.raw('GET', `/api/v1/blogs/${blog.id}/questions`)).status).toBe(403);
  expect((await outsider.raw('GET', `/api/v1/blogs/${blog.id}/questions`)).status).toBe(403);
  const queue = await editor.raw('GET', `/api/v1/blogs/${blog.id}/questions`);
  expect(queue.status).toBe(200);
  const [q] = (queue.body as { questions: Question[] }).questions;
  expect(q).toMatchObject({ text: 'Is the bridge open & safe?', name: 'Ana', status: 'pending', answerPostId: null });
  // Polling an unchanged queue answers 304.
  const etag = queue.headers.get('etag') ?? '';
  const again = await editor.raw('GET', `/api/v1/blogs/${blog.id}/questions`, { headers: { 'if-none-match': etag } });
  expect(again.status).toBe(304);

  // Answer: a normal post quoting the question reaches readers as post.created.
  const answered = await editor.raw('POST', `/api/v1/blogs/${blog.id}/questions/${q?.id}/answer`, {
    body: { html: '<p>Yes, since <strong>noon</strong>.</p>' },
  });
  expect(answered.status).toBe(201);
  const { post, question } = answered.body as { post: { id: string; blocks: unknown[] }; question: Question };
  expect(question).toMatchObject({ status: 'answered', answerPostId: post.id });
  expect(post.blocks[0]).toEqual({ type: 'quote', text: 'Is the bridge open & safe?', attribution: 'Ana' });
  await waitFor(() => reader.events.some((e) => e.type === 'post.created'), { what: 'the answer post' });
  // A second answer or a dismissal of an answered question is a conflict; nothing new published.
  const twice = await editor.raw('POST', `/api/v1/blogs/${blog.id}/questions/${q?.id}/answer`, {
    body: { html: '<p>again</p>' },
  });
  expect(twice.status).toBe(409);
  expect(
    (await editor.raw('PATCH', `/api/v1/blogs/${blog.id}/questions/${q?.id}`, { body: { status: 'dismissed' } }))
      .status,
  ).toBe(409);
  expect((await anon.listPosts(blog.id)).posts).toHaveLength(1);

  // Dismiss.
  const other = await anon.raw('POST', `/api/v1/blogs/${blog.id}/questions`, { body: { text: 'spam spam' } });
  const id = (other.body as { id: string }).id;
  const dismissed = await editor.raw('PATCH', `/api/v1/blogs/${blog.id}/questions/${id}`, {
    body: { status: 'dismissed' },
  });
  expect(dismissed.status).toBe(200);
  expect((dismissed.body as Question).status).toBe('dismissed');
  const pending = await editor.raw('GET', `/api/v1/blogs/${blog.id}/questions`);
  expect((pending.body as { questions: Question[] }).questions).toEqual([]);
  expect(
    (await editor.raw('PATCH', `/api/v1/blogs/${blog.id}/questions/nope`, { body: { status: 'dismissed' } })).status,
  ).toBe(404);
}

describe('reader questions', () => {
  it('SQLite: queued unseen, sanitised to text, answered as a post quoting it, or dismissed', async () => {
    const s = await startServer({ RATE_QUESTIONS_PER_MIN: '50' });
    await moderationFlow(await setupBlog(s.url, s.adminToken));
  });

  it('PostgreSQL: the same flow', async () => {
    const s = await startServer({ RATE_QUESTIONS_PER_MIN: '50', DATABASE_URL: await freshPostgresDatabase() });
    await moderationFlow(await setupBlog(s.url, s.adminToken));
  });

  it('refuses bad input with 400 and floods with 429, and bounds the queue', async () => {
    const s = await startServer({
      RATE_QUESTIONS_PER_MIN: '3',
      RATE_QUESTIONS_PER_BLOG_PER_MIN: '100',
      QUESTION_QUEUE_MAX: '5',
    });
    const { blog, anon, editor } = await setupBlog(s.url, s.adminToken);
    const path = `/api/v1/blogs/${blog.id}/questions`;
    for (const body of [
      {},
      { text: '' },
      { text: '<b></b>   ' },
      { text: 'x'.repeat(501) },
      { text: 'ok', name: 'n'.repeat(61) },
      { text: 'ok', extra: 1 },
      { text: 42 },
    ]) {
      const res = await anon.raw('POST', path, { body });
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
    }
    expect((await anon.raw('POST', '/api/v1/blogs/no-such-blog/questions', { body: { text: 'hi' } })).status).toBe(404);
    // Bad input spent no budget: three good ones pass, the fourth from this address is 429.
    for (let i = 0; i < 3; i++) expect((await anon.raw('POST', path, { body: { text: `q${i}` } })).status).toBe(202);
    const flood = await anon.raw('POST', path, { body: { text: 'one more' } });
    expect(flood.status).toBe(429);
    expect(flood.headers.get('retry-after')).toMatch(/^\d+$/);
    const queue = await editor.raw('GET', path);
    expect((queue.body as { questions: Question[] }).questions).toHaveLength(3);
  });

  it('a full queue refuses more with 429 (many addresses: the per-blog budget and the queue bound)', async () => {
    const s = await startServer({ TRUST_PROXY: 'true', RATE_QUESTIONS_PER_BLOG_PER_MIN: '8', QUESTION_QUEUE_MAX: '5' });
    const { blog, anon, editor } = await setupBlog(s.url, s.adminToken);
    const path = `/api/v1/blogs/${blog.id}/questions`;
    const from = (i: number) => ({ 'x-forwarded-for': `10.0.0.${i}` });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++)
      statuses.push((await anon.raw('POST', path, { body: { text: `q${i}` }, headers: from(i) })).status);
    expect(statuses.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
    expect(statuses.slice(5).every((x) => x === 429)).toBe(true);
    expect(((await editor.raw('GET', path)).body as { questions: Question[] }).questions).toHaveLength(5);
  });
});
