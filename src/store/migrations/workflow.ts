import type { Migration, TypeMap } from './schema.js';

/**
 * The newsroom workflow's schema (numbers 30–39). `posts.status` gains `submitted` and
 * `scheduled`: PostgreSQL swaps the CHECK; SQLite cannot alter one and no table references
 * posts, so it rebuilds the table, rows copied as they are. `archived` is a blog column, not
 * a status value: many tables reference blogs, and SQLite could change that CHECK only by
 * rebuilding (and cascading through) all of them.
 */
const sqlite = (t: TypeMap) => t.withoutRowid !== '';

const POST_COLUMNS = (t: TypeMap) => `
  publish_at ${t.time},
  tags ${t.json} NOT NULL DEFAULT '[]',
  correction ${t.json},
  approved_by ${t.json},
  review ${t.json},
  claimed_by ${t.text},
  claim_until ${t.time}`;

const rebuildPostsOnSqlite = (t: TypeMap) => `
CREATE TABLE posts_v30 (
  id ${t.id} PRIMARY KEY,
  blog_id ${t.id} NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  seq ${t.int} NOT NULL DEFAULT 0,
  created_at ${t.time} NOT NULL,
  updated_at ${t.time} NOT NULL,
  author_id ${t.text} NOT NULL,
  author_name ${t.text} NOT NULL,
  status ${t.text} NOT NULL CHECK (status IN ('draft', 'submitted', 'scheduled', 'published', 'deleted')),
  pinned ${t.bool} NOT NULL DEFAULT ${t.false},
  key_event ${t.bool} NOT NULL DEFAULT ${t.false},
  blocks ${t.json} NOT NULL,${POST_COLUMNS(t)}
);
INSERT INTO posts_v30 (id, blog_id, seq, created_at, updated_at, author_id, author_name, status, pinned, key_event, blocks)
  SELECT id, blog_id, seq, created_at, updated_at, author_id, author_name, status, pinned, key_event, blocks FROM posts;
DROP TABLE posts;
ALTER TABLE posts_v30 RENAME TO posts;
CREATE INDEX posts_newest ON posts (blog_id, status, pinned, created_at DESC, id DESC);`;

const alterPostsOnPostgres = (t: TypeMap) => `
ALTER TABLE posts DROP CONSTRAINT IF EXISTS posts_status_check;
ALTER TABLE posts ADD CONSTRAINT posts_status_check
  CHECK (status IN ('draft', 'submitted', 'scheduled', 'published', 'deleted'));
ALTER TABLE posts ${POST_COLUMNS(t)
  .trim()
  .split(',\n')
  .map((c) => `ADD COLUMN ${c.trim()}`)
  .join(',\n  ')};`;

export const workflowMigrations: Migration[] = [
  {
    version: 30,
    name: 'workflow: post statuses, publishAt, tags, corrections, review, scheduler claims, revisions, blog settings',
    sql: (t) => `
${sqlite(t) ? rebuildPostsOnSqlite(t) : alterPostsOnPostgres(t)}
CREATE INDEX posts_due ON posts (publish_at) WHERE status = 'scheduled';

CREATE TABLE post_tags (
  blog_id ${t.id} NOT NULL,
  tag ${t.text} NOT NULL,
  post_id ${t.id} NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  PRIMARY KEY (blog_id, tag, post_id)
)${t.withoutRowid};
CREATE INDEX post_tags_post ON post_tags (post_id);

CREATE TABLE post_revisions (
  id ${t.id} PRIMARY KEY,
  blog_id ${t.id} NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  post_id ${t.id} NOT NULL,
  at ${t.time} NOT NULL,
  by_id ${t.text} NOT NULL,
  by_name ${t.text} NOT NULL,
  seq ${t.int} NOT NULL,
  changed ${t.json} NOT NULL,
  correction ${t.json},
  before ${t.json} NOT NULL,
  after ${t.json} NOT NULL
);
CREATE INDEX post_revisions_post ON post_revisions (blog_id, post_id, at DESC, id DESC);

ALTER TABLE blogs ADD COLUMN order_mode ${t.text} NOT NULL DEFAULT 'newest' CHECK (order_mode IN ('newest', 'oldest'));
ALTER TABLE blogs ADD COLUMN language ${t.text} NOT NULL DEFAULT 'en';
ALTER TABLE blogs ADD COLUMN ended_at ${t.time};
ALTER TABLE blogs ADD COLUMN archived_at ${t.time};
`,
  },
];
