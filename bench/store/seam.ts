import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { newId } from '../../src/lib/ids.js';
import { createLogger } from '../../src/lib/logger.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';
import { median } from '../lib/stats.js';

/**
 * Per-operation cost of the SQLite store's hot paths (createPost, listPosts, appendDocUpdates),
 * in microseconds: `node --import tsx bench/store/seam.ts [rounds] [other/src/store/sqlite.ts]`.
 * With a second path (another checkout's SqliteStore, e.g. `git archive main` unpacked in
 * /tmp), rounds of the two bodies alternate in one process, so a busy machine slows both
 * alike. Each round does a fixed number of calls on a fresh file; the median round is printed.
 */
const ROUNDS = Math.min(15, Math.max(1, Number(process.argv[2] ?? 7)));
const AGAINST = process.argv[3];
const CALLS = 2_000;

type StoreClass = new (opts: ConstructorParameters<typeof SqliteStore>[0]) => Store;

async function round(Impl: StoreClass): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'seam-bench-'));
  const store = new Impl({ file: join(dir, 'b.sqlite'), synchronous: 'NORMAL', log: createLogger('silent') });
  try {
    await store.migrate();
    const now = new Date().toISOString();
    const blogId = newId();
    await store.createBlog(
      { id: blogId, slug: `s-${blogId}`, title: 'bench', description: '', status: 'live', allowedOrigins: [] },
      now,
    );
    const out: Record<string, number> = {};
    const time = async (name: string, fn: (i: number) => Promise<unknown>) => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < CALLS; i++) await fn(i);
      out[name] = Number(process.hrtime.bigint() - t0) / 1e3 / CALLS;
    };
    await time('createPost', (i) => {
      const at = new Date(Date.parse(now) + i).toISOString();
      return store.createPost({
        id: newId(),
        blogId,
        createdAt: at,
        updatedAt: at,
        author: { id: 'a', name: 'A' },
        status: 'published',
        pinned: i % 100 === 0,
        keyEvent: false,
        blocks: [{ type: 'text', html: `<p>post ${i} with a little text in it</p>` }],
      });
    });
    await time('listPosts', () => store.listPosts(blogId, { limit: 20 }));
    const update = new Uint8Array(100).fill(7);
    await time('appendDocUpdates', () => store.appendDocUpdates(blogId, [update]));
    await time('listChanges', (i) => store.listChanges(blogId, i % 1900, { limit: 50, replayWindow: 10_000 }));
    return out;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const bodies: { label: string; Impl: StoreClass; rounds: Record<string, number>[] }[] = [
  { label: 'this checkout', Impl: SqliteStore, rounds: [] },
];
if (AGAINST) {
  const mod = (await import(pathToFileURL(AGAINST).href)) as { SqliteStore: StoreClass };
  bodies.unshift({ label: AGAINST, Impl: mod.SqliteStore, rounds: [] });
}
for (let r = 0; r < ROUNDS; r++) for (const b of bodies) b.rounds.push(await round(b.Impl));
for (const b of bodies) {
  process.stdout.write(`${b.label}\n`);
  for (const name of Object.keys(b.rounds[0] ?? {})) {
    const xs = b.rounds.map((r) => r[name] ?? Number.NaN);
    const line = `  ${name.padEnd(18)} ${median(xs).toFixed(1).padStart(7)} µs/op`;
    process.stdout.write(`${line} (median of ${ROUNDS} rounds × ${CALLS})\n`);
  }
}
