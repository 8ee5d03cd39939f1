import { beforeAll, describe, expect, test } from 'vitest';
import type { LiveEvent } from '../../src/domain/index.js';
import { createApi, setupBlog, text } from '../helpers/api.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { freshPostgresDatabase } from '../helpers/services.js';

/**
 * The API over the PostgreSQL store: two nodes on one database (no bus between them, so
 * each answers from the store alone), concurrent writers on both, one gap-free seq.
 * Fails, not skips, when PostgreSQL is missing.
 */
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  const url = await freshPostgresDatabase();
  a = await startServer({ DATABASE_URL: url });
  b = await startServer({ DATABASE_URL: url });
});

describe('API on PostgreSQL', () => {
  test('writes through two nodes share one gap-free seq and one post list', async () => {
    const cast = await setupBlog(a.url, a.adminToken, 'Two nodes');
    const viaB = createApi(b.url, cast.users.owner.token);
    expect((await viaB.getBlog(cast.blog.slug)).id).toBe(cast.blog.id);
    const N = 30;
    await Promise.all([
      ...Array.from({ length: N }, (_, i) => cast.editor.createPost(cast.blog.id, { blocks: [text(`a${i}`)] })),
      ...Array.from({ length: N }, (_, i) => viaB.createPost(cast.blog.id, { blocks: [text(`b${i}`)] })),
    ]);
    const blog = await viaB.getBlog(cast.blog.id);
    expect(blog.seq).toBe(2 * N);
    const changes = await cast.anon.changes(cast.blog.id, 0);
    expect((changes as { events: LiveEvent[] }).events.map((e) => e.seq)).toEqual(
      Array.from({ length: 2 * N }, (_, i) => i + 1),
    );
    const page = await viaB.listPosts(cast.blog.id, { limit: 100 });
    expect(new Set(page.posts.map((p) => p.id)).size).toBe(2 * N);
    expect(page.nextCursor).toBeNull();
  });

  test('bad input changes nothing on PostgreSQL either', async () => {
    const cast = await setupBlog(a.url, a.adminToken, 'Bad input');
    await cast.editor.createPost(cast.blog.id, { blocks: [text('ok')] });
    const before = await cast.admin.listPosts(cast.blog.id);
    const res = await cast.editor.raw('POST', `/api/v1/blogs/${cast.blog.id}/posts`, {
      body: { blocks: [text('ok'), { type: 'embed', url: 'https://example.com', provider: 'twitter' }] },
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('blocks.1.provider');
    expect(await cast.admin.listPosts(cast.blog.id)).toEqual(before);
    expect((await cast.admin.getBlog(cast.blog.id)).seq).toBe(1);
  });
});
