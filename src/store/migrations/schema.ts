import { outboxSchema } from '../outbox.js';
import { outwardSchema } from '../outward.js';
import { workflowMigrations } from './workflow.js';

/**
 * The schema of both databases, as numbered migrations written once. Each step is a function
 * of the dialect's type map, so one text gives the SQLite and the PostgreSQL DDL. Never edit a
 * released step: append a new one. Version 1 renders exactly the DDL the two databases were
 * created with before the body was shared, so their `schema_migrations` rows still hold.
 *
 * Number ranges (so branches merge without clashes): store 10–19, identity 20–29,
 * workflow 30–39, media 40–49, outward 50–59, audience 60–69, speed 70–79, participation 100–109.
 */
export interface TypeMap {
  /** Ids and every column holding one: byte order on both (PostgreSQL: the "C" collation). */
  id: string;
  text: string;
  int: string;
  bigint: string;
  json: string;
  /** ISO 8601 text on SQLite (sorts as text), timestamptz on PostgreSQL. */
  time: string;
  bool: string;
  false: string;
  true: string;
  bytes: string;
  /** An ever-growing integer primary key whose values are never reused. */
  serial: string;
  /** Table option for small-keyed tables read by primary key (SQLite only). */
  withoutRowid: string;
  /**
   * SQL reading `key` of the JSON object in `column` as text. The dialects use this very
   * function, so an index on the expression matches the queries' text exactly.
   */
  jsonText: (column: string, key: string) => string;
}

export interface Migration {
  version: number;
  name: string;
  sql: (t: TypeMap) => string;
}

export const sqliteTypes: TypeMap = {
  id: 'TEXT',
  text: 'TEXT',
  int: 'INTEGER',
  bigint: 'INTEGER',
  json: 'TEXT',
  time: 'TEXT',
  bool: 'INTEGER',
  false: '0',
  true: '1',
  bytes: 'BLOB',
  // AUTOINCREMENT: ids are never reused after compaction deletes the newest rows, so a new
  // row can never hide behind a snapshot's up_to_id.
  serial: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  withoutRowid: ' WITHOUT ROWID',
  jsonText: (column, key) => `json_extract(${column}, '$.${key}')`,
};

export const postgresTypes: TypeMap = {
  id: 'text COLLATE "C"',
  text: 'text',
  int: 'integer',
  bigint: 'bigint',
  json: 'jsonb',
  time: 'timestamptz',
  bool: 'boolean',
  false: 'false',
  true: 'true',
  bytes: 'bytea',
  serial: 'bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
  withoutRowid: '',
  jsonText: (column, key) => `${column}->>'${key}'`,
};

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: (t) => `
CREATE TABLE blogs (
  id ${t.id} PRIMARY KEY,
  slug ${t.text} NOT NULL UNIQUE,
  title ${t.text} NOT NULL,
  description ${t.text} NOT NULL DEFAULT '',
  status ${t.text} NOT NULL CHECK (status IN ('draft', 'live', 'ended')),
  seq ${t.int} NOT NULL DEFAULT 0,
  allowed_origins ${t.json} NOT NULL DEFAULT '[]',
  created_at ${t.time} NOT NULL,
  updated_at ${t.time} NOT NULL
);
CREATE INDEX blogs_newest ON blogs (created_at DESC, id DESC);

CREATE TABLE posts (
  id ${t.id} PRIMARY KEY,
  blog_id ${t.id} NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  seq ${t.int} NOT NULL DEFAULT 0,
  created_at ${t.time} NOT NULL,
  updated_at ${t.time} NOT NULL,
  author_id ${t.text} NOT NULL,
  author_name ${t.text} NOT NULL,
  status ${t.text} NOT NULL CHECK (status IN ('draft', 'published', 'deleted')),
  pinned ${t.bool} NOT NULL DEFAULT ${t.false},
  key_event ${t.bool} NOT NULL DEFAULT ${t.false},
  blocks ${t.json} NOT NULL
);
-- Serves both halves of page one (pinned, then unpinned) and every older page.
CREATE INDEX posts_newest ON posts (blog_id, status, pinned, created_at DESC, id DESC);

CREATE TABLE events (
  blog_id ${t.id} NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  seq ${t.int} NOT NULL,
  type ${t.text} NOT NULL,
  data ${t.json} NOT NULL,
  at ${t.time} NOT NULL,
  PRIMARY KEY (blog_id, seq)
)${t.withoutRowid};

CREATE TABLE summary (
  blog_id ${t.id} PRIMARY KEY REFERENCES blogs (id) ON DELETE CASCADE,
  seq ${t.int} NOT NULL,
  bullets ${t.json} NOT NULL,
  updated_at ${t.time} NOT NULL
);

CREATE TABLE summary_history (
  blog_id ${t.id} NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  seq ${t.int} NOT NULL,
  bullets ${t.json} NOT NULL,
  at ${t.time} NOT NULL,
  PRIMARY KEY (blog_id, seq)
)${t.withoutRowid};

CREATE TABLE doc_snapshots (
  blog_id ${t.id} PRIMARY KEY REFERENCES blogs (id) ON DELETE CASCADE,
  data ${t.bytes} NOT NULL,
  up_to_id ${t.bigint} NOT NULL
);

CREATE TABLE doc_updates (
  id ${t.serial},
  blog_id ${t.id} NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  data ${t.bytes} NOT NULL
);
CREATE INDEX doc_updates_blog ON doc_updates (blog_id, id);

CREATE TABLE users (
  id ${t.id} PRIMARY KEY,
  name ${t.text} NOT NULL,
  color ${t.text} NOT NULL,
  token_hash ${t.text} NOT NULL UNIQUE,
  created_at ${t.time} NOT NULL
);

CREATE TABLE members (
  blog_id ${t.id} NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  user_id ${t.id} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role ${t.text} NOT NULL CHECK (role IN ('owner', 'editor', 'contributor')),
  PRIMARY KEY (blog_id, user_id)
);
CREATE INDEX members_user ON members (user_id);

CREATE TABLE settings (
  key ${t.text} PRIMARY KEY,
  value ${t.text} NOT NULL
);
`,
  },
  {
    version: 10,
    name: 'blog creation is a right of its own',
    sql: (t) => `ALTER TABLE users ADD COLUMN can_create_blogs ${t.bool} NOT NULL DEFAULT ${t.false};`,
  },
  {
    version: 20,
    name: 'identity: people, outside identities, credentials, invitations, audit trail',
    sql: (t) => `
-- People who sign in. token_hash stays NOT NULL UNIQUE for legacy user tokens; accounts made
-- without one store 'none:' || id there, which no SHA-256 hex digest can equal.
ALTER TABLE users ADD COLUMN email ${t.text};
ALTER TABLE users ADD COLUMN password_hash ${t.text};
ALTER TABLE users ADD COLUMN active ${t.bool} NOT NULL DEFAULT ${t.true};
ALTER TABLE users ADD COLUMN admin ${t.bool} NOT NULL DEFAULT ${t.false};
CREATE UNIQUE INDEX users_email ON users (email) WHERE email IS NOT NULL;

CREATE TABLE external_identities (
  issuer ${t.text} NOT NULL,
  subject ${t.text} NOT NULL,
  user_id ${t.id} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at ${t.time} NOT NULL,
  PRIMARY KEY (issuer, subject)
);

CREATE TABLE credentials (
  id ${t.id} PRIMARY KEY,
  user_id ${t.id} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind ${t.text} NOT NULL CHECK (kind IN ('password_session', 'oidc_session', 'personal_token')),
  name ${t.text} NOT NULL DEFAULT '',
  token_hash ${t.text} NOT NULL UNIQUE,
  expires_at ${t.time},
  grants ${t.json} NOT NULL DEFAULT '{}',
  admin ${t.bool} NOT NULL DEFAULT ${t.false},
  created_at ${t.time} NOT NULL,
  last_used_at ${t.time},
  revoked_at ${t.time}
);
CREATE INDEX credentials_user ON credentials (user_id, kind, created_at);

CREATE TABLE invitations (
  token_hash ${t.text} PRIMARY KEY,
  user_id ${t.id} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_by ${t.text},
  created_at ${t.time} NOT NULL,
  expires_at ${t.time} NOT NULL,
  used_at ${t.time}
);

-- No foreign keys: the trail outlives what it names.
CREATE TABLE audit (
  id ${t.id} PRIMARY KEY,
  at ${t.time} NOT NULL,
  actor_id ${t.text},
  actor_name ${t.text},
  actor_admin ${t.bool} NOT NULL,
  credential ${t.text} NOT NULL,
  action ${t.text} NOT NULL,
  blog_id ${t.id},
  post_id ${t.text},
  subject_id ${t.text},
  address ${t.text}
);
CREATE INDEX audit_blog ON audit (blog_id, id);
`,
  },
  // 30–39: the newsroom workflow (migrations/workflow.ts).
  ...workflowMigrations,
  {
    version: 40,
    name: 'media library',
    // The record is kept whole as JSON (data); the other columns index and count it.
    // lead_key is the first variant's object key: identical uploads share every key.
    // created_at is ISO text on both, so (created_at, id) pages the same way everywhere.
    sql: (t) => `
CREATE TABLE media (
  id ${t.id} PRIMARY KEY,
  blog_id ${t.id} NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  lead_key ${t.id} NOT NULL,
  bytes ${t.bigint} NOT NULL,
  data ${t.json} NOT NULL,
  created_at ${t.id} NOT NULL
);
CREATE INDEX media_newest ON media (blog_id, created_at DESC, id DESC);
CREATE INDEX media_lead_key ON media (lead_key);
`,
  },
  // 50–59: outward.
  { version: 50, name: 'webhook outbox', sql: (t) => outboxSchema(t) },
  {
    version: 60,
    name: 'audience minute buckets',
    // One row per blog, minute and writer (one running process): each process accumulates
    // its own minute and rewrites its row, so nodes never contend; reads merge the rows.
    sql: (t) => `
CREATE TABLE audience_minutes (
  blog_id ${t.id} NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  minute ${t.time} NOT NULL,
  writer ${t.id} NOT NULL,
  samples ${t.int} NOT NULL,
  peak ${t.int} NOT NULL,
  total_sum ${t.bigint} NOT NULL,
  first_loads ${t.int} NOT NULL,
  by_site ${t.json} NOT NULL,
  by_transport ${t.json} NOT NULL,
  PRIMARY KEY (blog_id, minute, writer)
)${t.withoutRowid};
CREATE INDEX audience_minutes_age ON audience_minutes (minute);
`,
  },
  {
    version: 61,
    name: 'reader questions',
    sql: (t) => `
CREATE TABLE questions (
  id ${t.id} PRIMARY KEY,
  blog_id ${t.id} NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  text ${t.text} NOT NULL,
  name ${t.text},
  status ${t.text} NOT NULL CHECK (status IN ('pending', 'dismissed', 'answered')),
  created_at ${t.time} NOT NULL,
  answer_post_id ${t.id}
);
CREATE INDEX questions_queue ON questions (blog_id, status, created_at);
`,
  },
  {
    version: 70,
    name: "takedowns find a post's events by index",
    // The takedown rewrite (posts.ts, tombstoneEarlierEvents) looks up a blog's events by the
    // post id inside their JSON: without this it reads every event of the blog, which for a
    // liveblog months long is tens of thousands of rows inside the write transaction.
    sql: (t) => `CREATE INDEX events_post ON events (blog_id, (${t.jsonText('data', 'id')}));`,
  },
  // 90–99: outward, second part (WebSub, Web Push, their job queue).
  { version: 90, name: 'websub and push subscriptions, outbound jobs', sql: (t) => outwardSchema(t) },
  {
    version: 100,
    name: 'poll votes and reactions',
    // One row per voter per poll (the poll is its post's) and per voter, post and kind: the
    // primary keys are the dedup. Counts are derived (GROUP BY over the covering index), so
    // they are exact by construction and nothing else has to be kept in step.
    sql: (t) => `
CREATE TABLE poll_votes (
  post_id ${t.id} NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  voter ${t.id} NOT NULL,
  option_id ${t.id} NOT NULL,
  blog_id ${t.id} NOT NULL,
  created_at ${t.time} NOT NULL,
  PRIMARY KEY (post_id, voter)
)${t.withoutRowid};
CREATE INDEX poll_votes_option ON poll_votes (post_id, option_id);
CREATE TABLE post_reactions (
  post_id ${t.id} NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  kind ${t.id} NOT NULL,
  voter ${t.id} NOT NULL,
  blog_id ${t.id} NOT NULL,
  created_at ${t.time} NOT NULL,
  PRIMARY KEY (post_id, kind, voter)
)${t.withoutRowid};
`,
  },
];
