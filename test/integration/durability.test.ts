import { expect, test } from 'vitest';
import type { LiveEvent, Post } from '../../src/domain/index.js';
import { type Api, createApi, text } from '../helpers/api.js';
import { ADMIN_TOKEN, spawnServer, tempDataDir } from '../helpers/server.js';

/**
 * A real server process takes concurrent writes and is SIGKILLed the moment the target
 * number of posts has been acknowledged, with other writes still in flight. After a
 * restart on the same DATA_DIR every acknowledged post is there and the seq has no hole.
 */
const WRITERS = 4;
const TARGET_ACKS = 120;

test('acknowledged posts survive SIGKILL; seq stays gap-free', { timeout: 60_000 }, async () => {
  const dataDir = tempDataDir();
  const first = await spawnServer({ DATA_DIR: dataDir, RATE_WRITES_PER_MIN: '100000' });
  const admin = createApi(first.url, ADMIN_TOKEN);
  const blog = await admin.createBlog({ title: 'Crash test' });
  const writers: Api[] = [];
  for (let i = 0; i < WRITERS; i++) {
    const u = await admin.createUser({ name: `writer ${i}` });
    await admin.addMember(blog.id, u.id, 'editor');
    writers.push(createApi(first.url, u.token));
  }

  const acked: Post[] = [];
  let killed: Promise<void> | null = null;
  await Promise.all(
    writers.map(async (w, i) => {
      // Bounded: each writer stops at the kill or after TARGET_ACKS of its own attempts.
      for (let n = 0; n < TARGET_ACKS && !killed; n++) {
        let post: Post;
        try {
          post = await w.createPost(blog.id, { blocks: [text(`<p>writer ${i} post ${n}</p>`)] });
        } catch {
          return; // the process is gone: this write was never acknowledged
        }
        acked.push(post);
        if (acked.length === TARGET_ACKS && !killed) killed = first.kill();
      }
    }),
  );
  expect(killed).not.toBeNull();
  await killed;
  expect(acked.length).toBeGreaterThanOrEqual(TARGET_ACKS);

  const second = await spawnServer({ DATA_DIR: dataDir });
  const reader = createApi(second.url);
  const after = await reader.getBlog(blog.id);
  expect(after.seq).toBeGreaterThanOrEqual(acked.length);

  // Every acknowledged post is readable, unchanged.
  const stored = new Map<string, Post>();
  let before: string | null = null;
  for (let page = 0; page < 50; page++) {
    const res = await reader.listPosts(blog.id, { limit: 100, before });
    for (const p of res.posts) stored.set(p.id, p);
    before = res.nextCursor;
    if (!before) break;
  }
  for (const p of acked) expect(stored.get(p.id), `post ${p.id} (seq ${p.seq})`).toEqual(p);
  expect(stored.size).toBe(after.seq);

  // The change log is 1..seq with no hole and no repeat, and holds each acknowledged creation.
  const changes = await reader.changes(blog.id, 0);
  expect('events' in changes).toBe(true);
  const events = (changes as { events: LiveEvent[] }).events;
  expect(events.map((e) => e.seq)).toEqual(Array.from({ length: after.seq }, (_, i) => i + 1));
  const createdIds = new Set(events.filter((e) => e.type === 'post.created').map((e) => (e.data as Post).id));
  for (const p of acked) expect(createdIds.has(p.id)).toBe(true);

  // The restarted node keeps counting from there.
  const again = await createApi(second.url, ADMIN_TOKEN).createPost(blog.id, { blocks: [text('after restart')] });
  expect(again.seq).toBe(after.seq + 1);
  await second.terminate();
});
