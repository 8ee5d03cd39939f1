/**
 * The newsroom workflow's schema steps (numbers 30–39 are this feature's), for both
 * dialects. Appended to each dialect's list in sqlite.ts / postgres.ts.
 *
 * - posts: `status` gains `submitted` and `scheduled`. SQLite cannot alter a CHECK, and no
 *   table references posts, so the table is rebuilt (rows copied as they are); PostgreSQL
 *   swaps the constraint. New columns: publish_at, tags, correction, approved_by, review,
 *   and the scheduler's claim (claimed_by, claim_until).
 * - post_tags: one row per (post, tag), so `?tag=` is a plain indexed join on both databases.
 * - post_revisions: every change to a published post (who, when, blocks before and after).
 * - blogs: order_mode, language, ended_at (when it last ended), archived_at. `archived` is
 *   kept as a column rather than a status value: many tables reference blogs, and SQLite
 *   could only change its CHECK by rebuilding (and cascading through) all of them.
 */
type Step = { version: number; name: string; sql: string };

export const workflowSqliteMigrations: Step[] = [
  {
    version: 30,
    name: 'workflow: post statuses, publishAt, tags, corrections, review, scheduler claims',
    sql: `
CREATE TABLE posts_v30 (
  id TEXT PRIMARY KEY,
  blog_id TEXT NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  author_id TEXT NOT NULL,
  author_name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'scheduled', 'published', 'deleted')),
  pinned INTEGER NOT NULL DEFAULT 0,
  key_event INTEGER NOT NULL DEFAULT 0,
  blocks TEXT NOT NULL,
  publish_at TEXT,
  tags TEXT NOT NULL DEFAULT '[]',
  correction TEXT,
  approved_by TEXT,
  review TEXT,
  claimed_by TEXT,
  claim_until TEXT
);
INSERT INTO posts_v30 (id, blog_id, seq, created_at, updated_at, author_id, author_name, status, pinned, key_event, blocks)
  SELECT id, blog_id, seq, created_at, updated_at, author_id, author_name, status, pinned, key_event, blocks FROM posts;
DROP TABLE posts;
ALTER TABLE posts_v30 RENAME TO posts;
CREATE INDEX posts_newest ON posts (blog_id, status, pinned, created_at DESC, id DESC);
CREATE INDEX posts_due ON posts (publish_at) WHERE status = 'scheduled';

CREATE TABLE post_tags (
  blog_id TEXT NOT NULL,
  tag TEXT NOT NULL,
  post_id TEXT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  PRIMARY KEY (blog_id, tag, post_id)
) WITHOUT ROWID;
CREATE INDEX post_tags_post ON post_tags (post_id);

CREATE TABLE post_revisions (
  id TEXT PRIMARY KEY,
  blog_id TEXT NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  post_id TEXT NOT NULL,
  at TEXT NOT NULL,
  by_id TEXT NOT NULL,
  by_name TEXT NOT NULL,
  seq INTEGER NOT NULL,
  changed TEXT NOT NULL,
  correction TEXT,
  before TEXT NOT NULL,
  after TEXT NOT NULL
);
CREATE INDEX post_revisions_post ON post_revisions (blog_id, post_id, at DESC, id DESC);

ALTER TABLE blogs ADD COLUMN order_mode TEXT NOT NULL DEFAULT 'newest' CHECK (order_mode IN ('newest', 'oldest'));
ALTER TABLE blogs ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE blogs ADD COLUMN ended_at TEXT;
ALTER TABLE blogs ADD COLUMN archived_at TEXT;
`,
  },
];

export const workflowPostgresMigrations: Step[] = [
  {
    version: 30,
    name: 'workflow: post statuses, publishAt, tags, corrections, review, scheduler claims',
    sql: `
ALTER TABLE posts DROP CONSTRAINT IF EXISTS posts_status_check;
ALTER TABLE posts ADD CONSTRAINT posts_status_check
  CHECK (status IN ('draft', 'submitted', 'scheduled', 'published', 'deleted'));
ALTER TABLE posts
  ADD COLUMN publish_at timestamptz,
  ADD COLUMN tags jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN correction jsonb,
  ADD COLUMN approved_by jsonb,
  ADD COLUMN review jsonb,
  ADD COLUMN claimed_by text,
  ADD COLUMN claim_until timestamptz;
CREATE INDEX posts_due ON posts (publish_at) WHERE status = 'scheduled';

CREATE TABLE post_tags (
  blog_id text COLLATE "C" NOT NULL,
  tag text NOT NULL,
  post_id text COLLATE "C" NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  PRIMARY KEY (blog_id, tag, post_id)
);
CREATE INDEX post_tags_post ON post_tags (post_id);

CREATE TABLE post_revisions (
  id text COLLATE "C" PRIMARY KEY,
  blog_id text COLLATE "C" NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  post_id text COLLATE "C" NOT NULL,
  at timestamptz NOT NULL,
  by_id text NOT NULL,
  by_name text NOT NULL,
  seq integer NOT NULL,
  changed jsonb NOT NULL,
  correction jsonb,
  before jsonb NOT NULL,
  after jsonb NOT NULL
);
CREATE INDEX post_revisions_post ON post_revisions (blog_id, post_id, at DESC, id DESC);

ALTER TABLE blogs
  ADD COLUMN order_mode text NOT NULL DEFAULT 'newest' CHECK (order_mode IN ('newest', 'oldest')),
  ADD COLUMN language text NOT NULL DEFAULT 'en',
  ADD COLUMN ended_at timestamptz,
  ADD COLUMN archived_at timestamptz;
`,
  },
];
