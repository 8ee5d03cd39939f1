import { describe, expect, test } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/lib/logger.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';
import { createApi, text } from '../helpers/api.js';
import { inProcessFetch } from '../helpers/response-check.js';
import { ADMIN_TOKEN, tempDataDir } from '../helpers/server.js';
import { registerCleanup } from '../helpers/teardown.js';

/**
 * Single-flight on a cold blog: a burst of first readers costs one read of the blog and one
 * of its posts, however many arrive at once; warm reads cost none. Counted through a store
 * wrapped around the real in-memory SQLite one, handed to createApp.
 */
function counting(store: Store): { store: Store; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const wrapped = new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        calls.set(String(prop), (calls.get(String(prop)) ?? 0) + 1);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: wrapped, calls };
}

async function setup() {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    ADMIN_TOKEN,
    SHUTDOWN_TIMEOUT_MS: '1000',
    SHUTDOWN_DELAY_MS: '0',
    DATA_DIR: tempDataDir(),
  });
  const inner = new SqliteStore({ file: ':memory:', synchronous: 'NORMAL', log: createLogger('silent') });
  const { store, calls } = counting(inner);
  const app = await createApp(config, { store });
  registerCleanup(() => app.shutdown());
  const admin = createApi('http://in-process', ADMIN_TOKEN, { fetch: inProcessFetch((r) => app.http.request(r)) });
  return { app, admin, calls };
}

const burst = (n: number, send: () => Promise<Response>) => Promise.all(Array.from({ length: n }, send));

describe('read model single-flight', () => {
  test('1,000 simultaneous first requests for a page of posts: one getBlog, one listPosts', async () => {
    const { app, admin, calls } = await setup();
    const blog = await admin.createBlog({ title: 'Cold burst' });
    for (let i = 0; i < 5; i++) await admin.createPost(blog.id, { blocks: [text(`<p>post ${i}</p>`)] });
    const url = `http://in-process/api/v1/blogs/${blog.id}/posts`;
    calls.clear();
    const answers = await burst(1000, () =>
      Promise.resolve(app.http.request(url, { headers: { 'accept-encoding': 'br' } })),
    );
    expect(answers.every((r) => r.status === 200)).toBe(true);
    expect(new Set(answers.map((r) => r.headers.get('etag'))).size).toBe(1);
    expect(calls.get('getBlog')).toBe(1);
    expect(calls.get('listPosts')).toBe(1);

    // Warm: no store call at all, whatever the coding or validator.
    calls.clear();
    const etag = answers[0]?.headers.get('etag') ?? '';
    const warm = await burst(200, () =>
      Promise.resolve(app.http.request(url, { headers: { 'accept-encoding': 'br', 'if-none-match': etag } })),
    );
    expect(warm.every((r) => r.status === 304)).toBe(true);
    expect([...calls.values()].reduce((a, b) => a + b, 0)).toBe(0);

    // A publish moves the seq: the next burst renders once more, and shows the new post.
    const post = await admin.createPost(blog.id, { blocks: [text('<p>breaking</p>')] });
    calls.clear();
    const after = await burst(500, () => Promise.resolve(app.http.request(url)));
    expect(calls.get('listPosts')).toBe(1);
    expect(calls.get('getBlog') ?? 0).toBeLessThanOrEqual(1);
    expect(await after[0]?.text()).toContain(post.id);
  });

  test('made-up Host headers do not multiply renders of a host-independent read', async () => {
    const { app, admin, calls } = await setup();
    const blog = await admin.createBlog({ title: 'Hosts' });
    await admin.createPost(blog.id, { blocks: [text('<p>one</p>')] });
    calls.clear();
    const tags = new Set<string | null>();
    for (let i = 0; i < 50; i++) {
      const res = await app.http.request(`http://host-${i}.example/api/v1/blogs/${blog.id}/posts`);
      expect(res.status).toBe(200);
      tags.add(res.headers.get('etag'));
    }
    expect(tags.size).toBe(1);
    expect(calls.get('listPosts')).toBe(1);
  });

  test('1,000 simultaneous first loads of the public page: one getBlog, one listPosts', async () => {
    const { app, admin, calls } = await setup();
    const blog = await admin.createBlog({ title: 'Cold page' });
    await admin.createPost(blog.id, { blocks: [text('<p>first</p>')] });
    calls.clear();
    const answers = await burst(1000, () =>
      Promise.resolve(
        app.http.request(`http://localhost/live/${blog.slug}`, { headers: { 'accept-encoding': 'gzip' } }),
      ),
    );
    expect(answers.every((r) => r.status === 200 && r.headers.get('content-encoding') === 'gzip')).toBe(true);
    expect(calls.get('getBlog')).toBe(1);
    expect(calls.get('listPosts')).toBe(1);
  });
});
