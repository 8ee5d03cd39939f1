import { describe, expect, it } from 'vitest';
import { createApi, setupBlog, text } from '../helpers/api.js';
import { startServer } from '../helpers/server.js';

describe('concurrent edits of one post', () => {
  it('a stale guarded write is refused by the store and changes nothing', async () => {
    const server = await startServer();
    const admin = createApi(server.url, server.adminToken);
    const blog = await admin.createBlog({ title: 'Guard' });
    const draft = await admin.createPost(blog.id, { blocks: [text('<p>draft</p>')], status: 'draft' });
    const published = await admin.patchPost(blog.id, draft.id, { status: 'published' });
    const { store } = server.app.deps;
    const stale = { expectedUpdatedAt: draft.updatedAt };
    const next = { ...draft, updatedAt: new Date().toISOString() };
    await expect(store.updatePost(blog.id, draft.id, next, stale)).rejects.toMatchObject({ code: 'conflict' });
    await expect(store.deletePost(blog.id, draft.id, next.updatedAt, stale)).rejects.toMatchObject({
      code: 'conflict',
    });
    expect(await admin.getPost(blog.id, draft.id)).toEqual(published);
  });

  it('an edit racing a publication never unpublishes the post nor loses the edit', async () => {
    const server = await startServer({ RATE_WRITES_PER_MIN: '100000' });
    const cast = await setupBlog(server.url, server.adminToken, 'Race');
    const drafts = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        cast.editor.createPost(cast.blog.id, { blocks: [text(`<p>draft ${i}</p>`)], status: 'draft' }),
      ),
    );
    // For each draft, one editor publishes while another fixes a typo, at the same time.
    await Promise.all(
      drafts.flatMap((d, i) => [
        cast.editor.patchPost(cast.blog.id, d.id, { status: 'published' }),
        cast.owner.patchPost(cast.blog.id, d.id, { blocks: [text(`<p>fixed ${i}</p>`)] }),
      ]),
    );
    for (const [i, d] of drafts.entries()) {
      const post = await cast.anon.getPost(cast.blog.id, d.id);
      expect(post.status).toBe('published');
      expect(post.blocks).toEqual([{ type: 'text', html: `<p>fixed ${i}</p>` }]);
    }
    // Readers saw each post created exactly once and never deleted.
    const changes = await cast.anon.changes(cast.blog.id, 0);
    const events = 'events' in changes ? changes.events : [];
    expect(events.filter((e) => e.type === 'post.deleted')).toEqual([]);
    expect(events.filter((e) => e.type === 'post.created')).toHaveLength(30);
  });
});
