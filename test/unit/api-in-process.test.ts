import { beforeAll, describe, expect, test } from 'vitest';
import { ApiError, setupBlog, text } from '../helpers/api.js';
import { type InProcessApp, inProcessApp } from '../helpers/in-process.js';

/**
 * The API's rules through `app.http.request()` on an in-memory store: no port, no socket, no
 * service, so they run in the fast tier. Every answer is held to the app's /openapi.json.
 * The same routes over a real server, with Redis and PostgreSQL, are in test/integration.
 */
let lb: InProcessApp;
let cast: Awaited<ReturnType<typeof setupBlog>>;

const statusOf = (p: Promise<unknown>) =>
  p.then(
    () => 200,
    (err: unknown) => {
      if (err instanceof ApiError) return err.status;
      throw err;
    },
  );

beforeAll(async () => {
  lb = await inProcessApp();
  cast = await setupBlog('http://in-process', lb.adminToken, 'In-process blog', { fetch: lb.fetch });
});

describe('posts through the in-process app', () => {
  test('a published post is read back publicly, newest first, with a seq per change', async () => {
    const a = await cast.editor.createPost(cast.blog.id, { blocks: [text('<p>first</p>')] });
    const b = await cast.editor.createPost(cast.blog.id, { blocks: [text('<p>second <em>now</em></p>')] });
    expect(b.seq).toBe(a.seq + 1);
    const page = await cast.anon.listPosts(cast.blog.id, { limit: 10 });
    expect(page.posts.map((p) => p.id).slice(0, 2)).toEqual([b.id, a.id]);
    const changes = await cast.anon.changes(cast.blog.id, a.seq - 1);
    expect('events' in changes && changes.events.map((e) => e.seq)).toEqual([a.seq, b.seq]);
  });

  test('roles: a contributor cannot publish, an outsider cannot write, anonymous needs a token', async () => {
    const before = (await cast.anon.listPosts(cast.blog.id, { limit: 100 })).posts.length;
    expect(await statusOf(cast.contributor.createPost(cast.blog.id, { blocks: [text('<p>x</p>')] }))).toBe(403);
    expect(await statusOf(cast.outsider.createPost(cast.blog.id, { blocks: [text('<p>x</p>')] }))).toBe(403);
    expect(await statusOf(cast.anon.createPost(cast.blog.id, { blocks: [text('<p>x</p>')] }))).toBe(401);
    // A contributor's draft is fine, and stays out of the public list.
    const draft = await cast.contributor.createPost(cast.blog.id, { blocks: [text('<p>d</p>')], status: 'draft' });
    expect(draft.status).toBe('draft');
    expect((await cast.anon.listPosts(cast.blog.id, { limit: 100 })).posts.length).toBe(before);
  });

  test('a bad body is a 400 naming the field, and changes nothing', async () => {
    const before = await cast.anon.getBlog(cast.blog.id);
    const res = await cast.editor.raw('POST', `/api/v1/blogs/${cast.blog.id}/posts`, {
      body: { blocks: [{ type: 'text', html: 42 }] },
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('blocks.0.html');
    expect((await cast.anon.getBlog(cast.blog.id)).seq).toBe(before.seq);
  });

  test('the first page carries an ETag; If-None-Match answers 304 with no body', async () => {
    const path = `/api/v1/blogs/${cast.blog.id}/posts?limit=5`;
    const first = await lb.fetch(`http://in-process${path}`);
    const etag = first.headers.get('etag');
    expect(first.status).toBe(200);
    expect(etag).toBeTruthy();
    const again = await lb.fetch(`http://in-process${path}`, { headers: { 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  test('an unknown route under /api answers the JSON error body', async () => {
    const res = await lb.fetch('http://in-process/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});
