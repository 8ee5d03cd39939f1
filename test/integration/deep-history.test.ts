import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeepBlog, seedDeepBlog } from '../../bench/store/deep-seed.js';
import { MAX_PINNED } from '../../src/domain/index.js';
import { createLogger } from '../../src/lib/logger.js';
import { CHANGES_SQL } from '../../src/store/changes.js';
import { PgDb } from '../../src/store/postgres-db.js';
import { FIRST_PAGE_HALF_SQL, FIRST_PAGE_PG_SQL, OLDER_PAGE_SQL, takedownSql } from '../../src/store/posts.js';
import type { SqlDb, SqlParam } from '../../src/store/sql.js';
import { SqliteDb } from '../../src/store/sqlite-db.js';
import { freshPostgresDatabase } from '../helpers/services.js';

/**
 * Issue 17 item 3: a blog 20,000 posts deep. The plans of the statements the store runs (the
 * very SQL text, imported from the store) walk an index from the page's start and stop after
 * the page: no full scan of the blog, no sort of it. This is what keeps page one, a cursor
 * 19,000 posts deep, /changes and a takedown O(page); bench/store/deep-history.ts times them.
 */
const POSTS = 20_000;
const PAGE = 20;
const log = createLogger('silent');

interface Case {
  name: string;
  sql: string;
  params: (b: DeepBlog) => SqlParam[];
  /** The index each plan must use, by name (SQLite). */
  index: RegExp;
}

const deep = (b: DeepBlog) => b.order[19_000] ?? { id: '', createdAt: '' };
const cases: Case[] = [
  {
    name: 'first page, pinned half',
    sql: FIRST_PAGE_HALF_SQL,
    params: (b) => [b.blogId, 'published', true, MAX_PINNED],
    index: /USING INDEX posts_newest \(blog_id=\? AND status=\? AND pinned=\?\)/,
  },
  {
    name: 'first page, unpinned half',
    sql: FIRST_PAGE_HALF_SQL,
    params: (b) => [b.blogId, 'published', false, PAGE + 1],
    index: /USING INDEX posts_newest \(blog_id=\? AND status=\? AND pinned=\?\)/,
  },
  {
    name: 'a cursor 19,000 posts deep',
    sql: OLDER_PAGE_SQL,
    params: (b) => [b.blogId, 'published', false, deep(b).createdAt, deep(b).id, PAGE + 1],
    index: /USING INDEX posts_newest \(blog_id=\? AND status=\? AND pinned=\? AND \(created_at,id\)<\(\?,\?\)\)/,
  },
  {
    name: '/changes near the head',
    sql: CHANGES_SQL,
    params: (b) => [b.blogId, b.posts - 100, b.posts, 100],
    index: /USING PRIMARY KEY \(blog_id=\? AND seq>\? AND seq<\?\)/,
  },
  {
    name: '/changes deep in the replay window',
    sql: CHANGES_SQL,
    params: (b) => [b.blogId, 1_000, b.posts, 100],
    index: /USING PRIMARY KEY \(blog_id=\? AND seq>\? AND seq<\?\)/,
  },
];

async function sqlitePlan(db: SqlDb, sql: string, params: SqlParam[]): Promise<string[]> {
  const rows = await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params);
  return rows.map((r) => r.detail);
}

describe('deep history on SQLite: EXPLAIN QUERY PLAN', () => {
  let dir: string;
  let db: SqliteDb;
  let blog: DeepBlog;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'deep-history-'));
    db = new SqliteDb({ file: join(dir, 'deep.sqlite'), synchronous: 'NORMAL', log });
    await db.migrate();
    blog = await seedDeepBlog(db, POSTS);
  });
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const c of cases) {
    it(`${c.name}: searches the index, never scans or sorts the blog`, async () => {
      const plan = await sqlitePlan(db, c.sql, c.params(blog));
      expect(plan.join('\n')).toMatch(c.index);
      expect(plan.filter((d) => /^SCAN |TEMP B-TREE/.test(d))).toEqual([]);
    });
  }

  it("a takedown finds the post's events through events_post", async () => {
    const plan = await sqlitePlan(db, takedownSql(db.dialect), ['{"id":"p000100"}', blog.blogId, 'p000100']);
    expect(plan.join('\n')).toMatch(/USING INDEX events_post \(blog_id=\? AND <expr>=\?\)/);
    expect(plan.filter((d) => /^SCAN /.test(d))).toEqual([]);
  });

  it('the pages the plans promise: the deep cursor continues exactly where it points', async () => {
    const d = deep(blog);
    const rows = await db.all<{ id: string }>(OLDER_PAGE_SQL, [
      blog.blogId,
      'published',
      false,
      d.createdAt,
      d.id,
      PAGE,
    ]);
    expect(rows.map((r) => r.id)).toEqual(blog.order.slice(19_001, 19_001 + PAGE).map((p) => p.id));
  });
});

interface PgNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: PgNode[];
}

const nodes = (n: PgNode): PgNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

describe('deep history on PostgreSQL: EXPLAIN', () => {
  let db: PgDb;
  let blog: DeepBlog;
  beforeAll(async () => {
    db = new PgDb({ connectionString: await freshPostgresDatabase(), log });
    await db.migrate();
    blog = await seedDeepBlog(db, POSTS);
    // What autovacuum does in production after a load like this: the planner's statistics.
    await db.run('ANALYZE');
  });
  afterAll(async () => {
    await db?.close();
  });

  async function pgPlan(sql: string, params: SqlParam[]): Promise<PgNode> {
    const rows = await db.all<{ 'QUERY PLAN': Array<{ Plan: PgNode }> }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
    const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
    if (!plan) throw new Error('no plan');
    return plan;
  }

  /** No sequential scan; every Sort sorts what a LIMIT already cut down, never the blog. */
  function assertIndexed(plan: PgNode, index: string): void {
    const all = nodes(plan);
    expect(all.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name'])).toEqual([]);
    expect(all.some((n) => n['Index Name'] === index)).toBe(true);
    for (const sort of all.filter((n) => n['Node Type'] === 'Sort')) {
      expect(nodes(sort).some((n) => n['Node Type'] === 'Limit')).toBe(true);
    }
  }

  it('first page (both halves in one statement): posts_newest, the sort only over the two LIMITs', async () => {
    const b = blog;
    assertIndexed(
      await pgPlan(FIRST_PAGE_PG_SQL, [
        b.blogId,
        'published',
        true,
        MAX_PINNED,
        b.blogId,
        'published',
        false,
        PAGE + 1,
      ]),
      'posts_newest',
    );
  });

  for (const c of cases) {
    it(`${c.name}: an index scan, no seq scan, no sort of the blog`, async () => {
      assertIndexed(await pgPlan(c.sql, c.params(blog)), c.sql === CHANGES_SQL ? 'events_pkey' : 'posts_newest');
    });
  }

  it("a takedown finds the post's events through events_post", async () => {
    assertIndexed(await pgPlan(takedownSql(db.dialect), ['{"id":"p000100"}', blog.blogId, 'p000100']), 'events_post');
  });
});
