import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { newId } from '../../src/lib/ids.js';
import { createLogger } from '../../src/lib/logger.js';
import { createStore } from '../../src/store/index.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { runStoreContract } from '../contract/store.contract.js';
import { tempDataDir } from '../helpers/server.js';
import { registerCleanup } from '../helpers/teardown.js';

const log = createLogger('silent');
const dir = tempDataDir();
const file = join(dir, 'contract.sqlite');

runStoreContract('sqlite', async () => new SqliteStore({ file, synchronous: 'NORMAL', log }));

describe('SQLite store specifics', () => {
  it('createStore picks SQLite under DATA_DIR (creating the directory)', async () => {
    const dataDir = join(tempDataDir(), 'nested', 'data');
    const store = await createStore(loadConfig({ DATA_DIR: dataDir }), log);
    try {
      expect(store.kind).toBe('sqlite');
      await store.migrate();
      await expect(store.ping()).resolves.toBeUndefined();
      const again = await createStore(loadConfig({ DATA_DIR: dataDir }), log);
      await again.migrate();
      await again.close();
    } finally {
      await store.close();
    }
  });

  it('stays gap-free when another process writes to the same file at the same time', async () => {
    const shared = join(tempDataDir(), 'shared.sqlite');
    const store = new SqliteStore({ file: shared, synchronous: 'NORMAL', log });
    await store.migrate();
    const now = () => new Date().toISOString();
    const blogId = newId();
    await store.createBlog(
      { id: blogId, slug: `s-${blogId}`, title: 't', description: '', status: 'live', allowedOrigins: [] },
      now(),
    );
    const post = () => {
      const t = now();
      return store.createPost({
        id: newId(),
        blogId,
        createdAt: t,
        updatedAt: t,
        author: { id: 'a', name: 'A' },
        status: 'published',
        pinned: false,
        keyEvent: false,
        blocks: [{ type: 'text', html: 'x' }],
      });
    };
    // The child writes 100 posts through its own SqliteStore; we write 100 meanwhile.
    const script = join(tempDataDir(), 'writer.mts');
    const storeUrl = pathToFileURL(join(import.meta.dirname, '../../src/store/sqlite.ts')).href;
    const loggerUrl = pathToFileURL(join(import.meta.dirname, '../../src/lib/logger.ts')).href;
    writeFileSync(
      script,
      `import { SqliteStore } from '${storeUrl}';
import { createLogger } from '${loggerUrl}';
const s = new SqliteStore({ file: ${JSON.stringify(shared)}, synchronous: 'NORMAL', log: createLogger('silent') });
process.stdout.write('ready\\n');
for (let i = 0; i < 100; i++) {
  const t = new Date().toISOString();
  await s.createPost({ id: 'c' + i + '-' + Date.now(), blogId: ${JSON.stringify(blogId)}, createdAt: t, updatedAt: t,
    author: { id: 'c', name: 'C' }, status: 'published', pinned: false, keyEvent: false, blocks: [{ type: 'text', html: 'c' }] });
  if (i % 10 === 0) await new Promise((r) => setImmediate(r));
}
await s.close();
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: join(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    registerCleanup(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    // Start writing once the child has opened the file (or fail at once if it died).
    await Promise.race([
      new Promise<void>((resolve) => child.stdout.once('data', () => resolve())),
      exited.then((code) => {
        throw new Error(`writer exited early with ${code}`);
      }),
    ]);
    for (let i = 0; i < 100; i++) {
      await post();
      if (i % 10 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(await exited).toBe(0);
    const changes = await store.listChanges(blogId, 0, { limit: 1000, replayWindow: 1000 });
    expect('events' in changes && changes.events.map((e) => e.seq)).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    expect(changes.seq).toBe(200);
    const authors =
      'events' in changes ? changes.events.map((e) => (e.type === 'post.created' ? e.data.author.id : '')) : [];
    expect(authors.filter((a) => a === 'c')).toHaveLength(100);
    expect(authors.filter((a) => a === 'a')).toHaveLength(100);
    await store.close();
  }, 60_000);
});
