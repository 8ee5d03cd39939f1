import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { encodeCursor } from '../../src/domain/index.js';
import { createLogger } from '../../src/lib/logger.js';
import { PgDb } from '../../src/store/postgres-db.js';
import type { SqlDb } from '../../src/store/sql.js';
import { SqlStore } from '../../src/store/sql-store.js';
import { SqliteDb } from '../../src/store/sqlite-db.js';
import { seedDeepBlog } from './deep-seed.js';

/**
 * Issue 17 item 3: is a page 19,000 posts deep as cheap as page one?
 * `node --import tsx bench/store/deep-history.ts [posts=20000] [calls=300]`
 * Seeds one blog of `posts` posts on SQLite (temp file) and on PostgreSQL (a fresh database
 * on PG_ADMIN_URL, dropped afterwards), then times the Store calls the routes make — a page
 * of 20 at depth 0, 1,000, 10,000, 19,000, and /changes (100 events) at the same depths —
 * printing the median and p99 ms per call. The plans behind the figures are asserted by
 * test/integration/deep-history.test.ts.
 */
const POSTS = Math.min(50_000, Math.max(20_000, Number(process.argv[2] ?? 20_000)));
const CALLS = Math.min(2_000, Math.max(10, Number(process.argv[3] ?? 300)));
const DEPTHS = [0, 1_000, 10_000, 19_000];
const PG_ADMIN_URL = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const log = createLogger('silent');

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function time(fn: () => Promise<unknown>): Promise<string> {
  for (let i = 0; i < 20; i++) await fn(); // warm the statement cache and the pages
  const ms: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return `${pct(ms, 50).toFixed(3)} / ${pct(ms, 99).toFixed(3)}`;
}

async function measure(name: string, db: SqlDb): Promise<void> {
  const t0 = performance.now();
  const blog = await seedDeepBlog(db, POSTS);
  if (db.dialect.name === 'postgres') await db.run('ANALYZE');
  const seedMs = performance.now() - t0;
  const store = new SqlStore(db);
  process.stdout.write(`\n${name}: ${POSTS} posts seeded in ${(seedMs / 1000).toFixed(1)} s; ms per call, p50 / p99\n`);
  process.stdout.write('| depth | page of 20 | /changes, 100 events |\n|---|---|---|\n');
  for (const depth of DEPTHS) {
    const at = depth === 0 ? null : blog.order[depth - 1];
    const before = at ? encodeCursor(at) : undefined;
    const page = await time(() => store.listPosts(blog.blogId, { limit: 20, ...(before ? { before } : {}) }));
    const since = Math.max(0, POSTS - depth - 100);
    const changes = await time(() => store.listChanges(blog.blogId, since, { limit: 100, replayWindow: POSTS }));
    process.stdout.write(`| ${depth.toLocaleString('en')} | ${page} | ${changes} |\n`);
  }
  // A takedown rewrites the post's earlier events inside its write (events_post index).
  const ms: number[] = [];
  for (let i = 0; i < 50; i++) {
    const post = blog.order[1_000 + i * 300];
    if (!post) break;
    const t = performance.now();
    await store.deletePost(blog.blogId, post.id, new Date().toISOString());
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  process.stdout.write(
    `takedown (deletePost, commit included): p50 ${pct(ms, 50).toFixed(3)} ms, max ${pct(ms, 100).toFixed(3)} ms over ${ms.length}\n`,
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'deep-history-bench-'));
  const sqlite = new SqliteDb({ file: join(dir, 'deep.sqlite'), synchronous: 'FULL', log });
  try {
    await sqlite.migrate();
    await measure('SQLite', sqlite);
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const name = `lb_bench_deep_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const pgdb = new PgDb({ connectionString: url.toString(), log });
  try {
    await pgdb.migrate();
    await measure('PostgreSQL', pgdb);
  } finally {
    await pgdb.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `deep-history bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 1;
});
