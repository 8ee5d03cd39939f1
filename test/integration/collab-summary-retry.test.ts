import { describe, expect, it } from 'vitest';
import { createApi } from '../helpers/api.js';
import {
  bulletList,
  connectEditor,
  counterValue,
  createBlogWith,
  docFromStore,
  itemTexts,
  listItem,
} from '../helpers/collab.js';
import { startOwnPostgres } from '../helpers/own-postgres.js';
import { startServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

describe('summary publish while the store is briefly down', () => {
  it('retries a failed publish, so readers get the current bullets once the store is back', async () => {
    // A PostgreSQL of the test's own, so stopping it disturbs no other test.
    const pg = await startOwnPostgres();
    // The render runs a while after the edit, so the store can be taken down in between.
    const server = await startServer({
      DATABASE_URL: pg.url,
      SUMMARY_DEBOUNCE_MS: '1500',
      SUMMARY_MAX_WAIT_MS: '1500',
      SUMMARY_RETRY_MS: '100',
    });
    const { blogId, people } = await createBlogWith(server, ['editor']);
    const editor = connectEditor(server, blogId, people[0]!.token);
    await waitFor(() => editor.provider.synced, { what: 'sync' });
    const bullets = () => createApi(server.url).raw('GET', `/api/v1/blogs/${blogId}/summary`);

    bulletList(editor.doc).insert(0, [listItem('first')]);
    await waitFor(async () => JSON.stringify((await bullets()).body).includes('first'), { what: 'first published' });

    bulletList(editor.doc).insert(1, [listItem('second')]);
    // Committed (the editor's update is safe), then the store goes away before the render.
    await waitFor(async () => itemTexts(await docFromStore(server, blogId)).includes('second'), { what: 'stored' });
    await pg.stop();
    const failures = () => counterValue(server.app.deps.metrics.bulletsPublishFailures, {});
    await waitFor(async () => (await failures()) > 0, { what: 'a publish to fail', timeoutMs: 15_000 });
    await pg.start();

    await waitFor(async () => JSON.stringify((await bullets().catch(() => null))?.body ?? '').includes('second'), {
      what: 'the retried publish to reach readers',
      timeoutMs: 15_000,
    });
    const summary = await server.app.deps.store.getSummary(blogId);
    expect(summary.bullets.map((b) => b.text)).toEqual(['first', 'second']);
  }, 60_000);
});
