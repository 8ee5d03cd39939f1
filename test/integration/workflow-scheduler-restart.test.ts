import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/domain/index.js';
import { createApi, text } from '../helpers/api.js';
import { ADMIN_TOKEN, spawnServer, tempDataDir } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Issue 15 item 1: a post that fell due while the server was down is published when it
 * starts again, once, with the blog's next seq. The real process (SQLite), SIGKILLed before
 * the due time and restarted after it.
 */
describe('scheduled posts across a restart', () => {
  it('publishes at start what fell due while the server was down, exactly once', async () => {
    const dataDir = tempDataDir();
    const first = await spawnServer({ DATA_DIR: dataDir, SCHEDULER_POLL_MS: '60000' });
    const admin = createApi(first.url, ADMIN_TOKEN);
    const blog = await admin.createBlog({ title: 'Down at the due time' });
    await admin.patchBlog(blog.id, { status: 'live' });
    const due = new Date(Date.now() + 2500).toISOString();
    const res = await admin.raw('POST', `/api/v1/blogs/${blog.id}/posts`, {
      body: { blocks: [text('<p>Polls close.</p>')], publishAt: due },
    });
    expect(res.status).toBe(201);
    const postId = (res.body as { id: string }).id;
    const before = (await admin.getBlog(blog.id)).seq;
    await first.kill();

    // Nothing runs while it is down; the due time passes.
    await waitFor(() => Date.now() > Date.parse(due) + 200, { timeoutMs: 10_000, what: 'the due time to pass' });
    const second = await spawnServer({ DATA_DIR: dataDir, SCHEDULER_POLL_MS: '60000' });
    const startedAt = Date.now();
    const again = createApi(second.url, ADMIN_TOKEN);
    const changes = await waitFor(
      async () => {
        const c = await again.changes(blog.id, before);
        return 'events' in c && c.events.length > 0 ? c.events : null;
      },
      { timeoutMs: 5000, what: 'the overdue post to be published at start' },
    );
    const published = changes.filter((e: LiveEvent) => e.type === 'post.created' && e.data.id === postId);
    expect(published).toHaveLength(1);
    expect(published[0]?.seq).toBe(before + 1);
    // At start, not at the next poll (a minute away).
    expect(Date.parse(published[0]?.at ?? '') - startedAt).toBeLessThan(2000);
    expect(await again.getPost(blog.id, postId)).toMatchObject({ status: 'published', publishAt: null });
  });
});
