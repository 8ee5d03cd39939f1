/**
 * SQLite schema, as numbered migrations. Never edit a released step: append a new one.
 * Timestamps are ISO 8601 text (they sort as strings), JSON is text, booleans are 0/1.
 */
export const sqliteMigrations: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE blogs (
  id TEXT PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('draft', 'live', 'ended')),
  seq INTEGER NOT NULL DEFAULT 0,
  allowed_origins TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX blogs_newest ON blogs (created_at DESC, id DESC);

CREATE TABLE posts (
  id TEXT PRIMARY KEY,
  blog_id TEXT NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  author_id TEXT NOT NULL,
  author_name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'deleted')),
  pinned INTEGER NOT NULL DEFAULT 0,
  key_event INTEGER NOT NULL DEFAULT 0,
  blocks TEXT NOT NULL
);
-- Serves both halves of page one (pinned, then unpinned) and every older page.
CREATE INDEX posts_newest ON posts (blog_id, status, pinned, created_at DESC, id DESC);

CREATE TABLE events (
  blog_id TEXT NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (blog_id, seq)
) WITHOUT ROWID;

CREATE TABLE summary (
  blog_id TEXT PRIMARY KEY REFERENCES blogs (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  bullets TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE summary_history (
  blog_id TEXT NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  bullets TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (blog_id, seq)
) WITHOUT ROWID;

CREATE TABLE doc_snapshots (
  blog_id TEXT PRIMARY KEY REFERENCES blogs (id) ON DELETE CASCADE,
  data BLOB NOT NULL,
  up_to_id INTEGER NOT NULL
);

-- AUTOINCREMENT: ids are never reused after compaction deletes the newest rows, so a new
-- row can never hide behind a snapshot's up_to_id.
CREATE TABLE doc_updates (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  blog_id TEXT NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  data BLOB NOT NULL
);
CREATE INDEX doc_updates_blog ON doc_updates (blog_id, id);

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  color TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);

CREATE TABLE members (
  blog_id TEXT NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'contributor')),
  PRIMARY KEY (blog_id, user_id)
);
CREATE INDEX members_user ON members (user_id);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`,
  },
  {
    version: 20,
    name: 'identity: people, outside identities, credentials, invitations, audit trail',
    sql: `
-- People who sign in. token_hash stays NOT NULL UNIQUE for legacy user tokens; accounts made
-- without one store 'none:' || id there, which no SHA-256 hex digest can equal.
ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN password_hash TEXT;
ALTER TABLE users ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN admin INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX users_email ON users (email) WHERE email IS NOT NULL;

CREATE TABLE external_identities (
  issuer TEXT NOT NULL,
  subject TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  PRIMARY KEY (issuer, subject)
) WITHOUT ROWID;

CREATE TABLE credentials (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('password_session', 'oidc_session', 'personal_token')),
  name TEXT NOT NULL DEFAULT '',
  token_hash TEXT NOT NULL UNIQUE,
  expires_at TEXT,
  grants TEXT NOT NULL DEFAULT '{}',
  admin INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at TEXT
);
CREATE INDEX credentials_user ON credentials (user_id, kind, created_at);

CREATE TABLE invitations (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_by TEXT,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT
) WITHOUT ROWID;

-- No foreign keys: the trail outlives what it names.
CREATE TABLE audit (
  id TEXT PRIMARY KEY,
  at TEXT NOT NULL,
  actor_id TEXT,
  actor_name TEXT,
  actor_admin INTEGER NOT NULL,
  credential TEXT NOT NULL,
  action TEXT NOT NULL,
  blog_id TEXT,
  post_id TEXT,
  subject_id TEXT,
  address TEXT
);
CREATE INDEX audit_blog ON audit (blog_id, id);
`,
  },
];
