/**
 * PostgreSQL schema, as numbered migrations (applied under an advisory lock, see
 * PostgresStore.migrate). Never edit a released step: append a new one. Ids use the "C"
 * collation so their order is byte order, the same as in SQLite and in JavaScript.
 */
export const postgresMigrations: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE blogs (
  id text COLLATE "C" PRIMARY KEY,
  slug text NOT NULL UNIQUE,
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  status text NOT NULL CHECK (status IN ('draft', 'live', 'ended')),
  seq integer NOT NULL DEFAULT 0,
  allowed_origins jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX blogs_newest ON blogs (created_at DESC, id DESC);

CREATE TABLE posts (
  id text COLLATE "C" PRIMARY KEY,
  blog_id text COLLATE "C" NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  seq integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  author_id text NOT NULL,
  author_name text NOT NULL,
  status text NOT NULL CHECK (status IN ('draft', 'published', 'deleted')),
  pinned boolean NOT NULL DEFAULT false,
  key_event boolean NOT NULL DEFAULT false,
  blocks jsonb NOT NULL
);
-- Serves both halves of page one (pinned, then unpinned) and every older page.
CREATE INDEX posts_newest ON posts (blog_id, status, pinned, created_at DESC, id DESC);

CREATE TABLE events (
  blog_id text COLLATE "C" NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  seq integer NOT NULL,
  type text NOT NULL,
  data jsonb NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (blog_id, seq)
);

CREATE TABLE summary (
  blog_id text COLLATE "C" PRIMARY KEY REFERENCES blogs (id) ON DELETE CASCADE,
  seq integer NOT NULL,
  bullets jsonb NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE summary_history (
  blog_id text COLLATE "C" NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  seq integer NOT NULL,
  bullets jsonb NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (blog_id, seq)
);

CREATE TABLE doc_snapshots (
  blog_id text COLLATE "C" PRIMARY KEY REFERENCES blogs (id) ON DELETE CASCADE,
  data bytea NOT NULL,
  up_to_id bigint NOT NULL
);

CREATE TABLE doc_updates (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  blog_id text COLLATE "C" NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  data bytea NOT NULL
);
CREATE INDEX doc_updates_blog ON doc_updates (blog_id, id);

CREATE TABLE users (
  id text COLLATE "C" PRIMARY KEY,
  name text NOT NULL,
  color text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL
);

CREATE TABLE members (
  blog_id text COLLATE "C" NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  user_id text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('owner', 'editor', 'contributor')),
  PRIMARY KEY (blog_id, user_id)
);
CREATE INDEX members_user ON members (user_id);

CREATE TABLE settings (
  key text PRIMARY KEY,
  value text NOT NULL
);
`,
  },
  {
    version: 20,
    name: 'identity: people, outside identities, credentials, invitations, audit trail',
    sql: `
-- People who sign in. token_hash stays NOT NULL UNIQUE for legacy user tokens; accounts made
-- without one store 'none:' || id there, which no SHA-256 hex digest can equal.
ALTER TABLE users ADD COLUMN email text;
ALTER TABLE users ADD COLUMN password_hash text;
ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;
ALTER TABLE users ADD COLUMN admin boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX users_email ON users (email) WHERE email IS NOT NULL;

CREATE TABLE external_identities (
  issuer text NOT NULL,
  subject text NOT NULL,
  user_id text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (issuer, subject)
);

CREATE TABLE credentials (
  id text COLLATE "C" PRIMARY KEY,
  user_id text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('password_session', 'oidc_session', 'personal_token')),
  name text NOT NULL DEFAULT '',
  token_hash text NOT NULL UNIQUE,
  expires_at timestamptz,
  grants jsonb NOT NULL DEFAULT '{}',
  admin boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX credentials_user ON credentials (user_id, kind, created_at);

CREATE TABLE invitations (
  token_hash text PRIMARY KEY,
  user_id text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_by text,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);

-- No foreign keys: the trail outlives what it names.
CREATE TABLE audit (
  id text COLLATE "C" PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_id text,
  actor_name text,
  actor_admin boolean NOT NULL,
  credential text NOT NULL,
  action text NOT NULL,
  blog_id text COLLATE "C",
  post_id text,
  subject_id text,
  address text
);
CREATE INDEX audit_blog ON audit (blog_id, id);
`,
  },
];
