import { expect, test } from 'vitest';
import { createApi } from '../helpers/api.js';
import { bulletList, connectEditor, itemTexts, listItem } from '../helpers/collab.js';
import { ADMIN_TOKEN, spawnServer, tempDataDir } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Persist before broadcast, across a crash: a real server process relays one editor's typing
 * to another and is SIGKILLed while the typing goes on. Everything the other editor received
 * was committed first, so after a restart on the same DATA_DIR a fresh editor gets all of it
 * (SQLite, doc rows written by the worker-thread writer with synchronous=FULL).
 */
const TARGET = 150;

test('every co-editing update an editor received survives SIGKILL', { timeout: 60_000 }, async () => {
  const dataDir = tempDataDir();
  const first = await spawnServer({ DATA_DIR: dataDir, SQLITE_SYNCHRONOUS: 'FULL', COLLAB_FRAMES_PER_SEC: '5000' });
  const blog = await createApi(first.url, ADMIN_TOKEN).createBlog({ title: 'Collab crash test' });
  const port = Number(new URL(first.url).port);
  const writer = connectEditor({ port }, blog.id, ADMIN_TOKEN);
  const watcher = connectEditor({ port }, blog.id, ADMIN_TOKEN);
  await waitFor(() => writer.provider.synced && watcher.provider.synced, { what: 'sync' });

  // The watcher records what it was sent; the kill comes the moment it has TARGET items.
  let seen: string[] = [];
  let killed: Promise<void> | null = null;
  watcher.doc.on('update', () => {
    if (killed) return;
    seen = itemTexts(watcher.doc);
    if (seen.length >= TARGET) {
      killed = first.kill();
      writer.destroy();
      watcher.destroy();
    }
  });
  // Bounded typing: bursts of 5 transactions, each its own update frame, until the kill.
  for (let n = 0; n < TARGET * 4 && !killed; n += 5) {
    for (let k = n; k < n + 5; k++) {
      const list = bulletList(writer.doc);
      list.insert(list.length, [listItem(`item ${k}`)]);
    }
    // Keeps at most ~10 updates in flight (the per-connection bound on unchecked updates is 64).
    await waitFor(() => killed !== null || itemTexts(watcher.doc).length >= n - 5, { what: 'the watcher to follow' });
  }
  await waitFor(() => killed !== null, {
    what: `the kill (watcher has ${seen.length}; writer closes ${JSON.stringify(writer.closes)})`,
    timeoutMs: 20_000,
  });
  await killed;
  expect(seen.length).toBeGreaterThanOrEqual(TARGET);

  const second = await spawnServer({ DATA_DIR: dataDir });
  const fresh = connectEditor({ port: Number(new URL(second.url).port) }, blog.id, ADMIN_TOKEN);
  await waitFor(() => fresh.provider.synced, { what: 'fresh sync' });
  await waitFor(() => itemTexts(fresh.doc).length >= seen.length, { what: 'the restarted doc' });
  const after = itemTexts(fresh.doc);
  // Everything the watcher had, in the same order (the writer appended in order).
  expect(after.slice(0, seen.length)).toEqual(seen);
});
