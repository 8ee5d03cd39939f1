import { describe, expect, it } from 'vitest';
import { createApi, text } from '../helpers/api.js';
import { startServer } from '../helpers/server.js';

describe('malformed text in JSON bodies', () => {
  it('refuses lone surrogates and NUL anywhere in a body, naming the field, and changes nothing', async () => {
    const server = await startServer();
    const admin = createApi(server.url, server.adminToken);
    const blog = await admin.createBlog({ title: 'Unicode' });
    const cases: [string, string, string][] = [
      ['/api/v1/blogs', '{"title":"\\ud800"}', 'title'],
      ['/api/v1/blogs', '{"title":"ok\\u0000"}', 'title'],
      [`/api/v1/blogs/${blog.id}/posts`, '{"blocks":[{"type":"text","html":"<p>\\udfff</p>"}]}', 'blocks.0.html'],
      [`/api/v1/blogs/${blog.id}/posts`, '{"blocks":[{"type":"quote","text":"a","\\ud83d":1}]}', 'blocks.0.\ud83d'],
    ];
    for (const [path, body, field] of cases) {
      const res = await admin.raw('POST', path, { body });
      expect(res.status, body).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'validation_failed', details: [{ path: field }] } });
    }
    // Well-formed text outside the BMP (surrogate pairs) is fine.
    const post = await admin.createPost(blog.id, { blocks: [text('<p>🏳️‍🌈 𝄞 ок 中文</p>')] });
    expect(post.blocks[0]).toMatchObject({ html: '<p>🏳️‍🌈 𝄞 ок 中文</p>' });
    expect((await admin.listBlogs()).blogs).toHaveLength(1);
    expect((await admin.changes(blog.id, 0)).seq).toBe(1);
  });
});

describe('deeply nested bodies', () => {
  it('refuses a body nested ten thousand levels deep with a 400, not a crash', async () => {
    const server = await startServer();
    const admin = createApi(server.url, server.adminToken);
    for (const body of ['['.repeat(10_000) + ']'.repeat(10_000), `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`]) {
      const res = await admin.raw('POST', '/api/v1/blogs', { body });
      expect(res.status).toBe(400);
    }
    expect((await admin.listBlogs()).blogs).toHaveLength(0);
  });
});
