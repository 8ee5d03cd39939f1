import type { LiveEvent } from '../domain/index.js';
import type { Sql, SqlDb, SqlParam } from './sql.js';

/**
 * WebSub subscriptions, Web Push subscriptions and the outbound job queue that sends to both,
 * written once over the SQL seam for SQLite and PostgreSQL. Times are ISO 8601 text on both
 * (as in the webhook outbox), so comparisons are the same text.
 *
 * The job queue holds one row per thing to send: a WebSub verification of intent, a WebSub
 * content distribution (one row per subscription, re-marked by every event: changes that come
 * while one is pending or in flight coalesce into one more distribution of the then current
 * feed), a hub ping (external hub), a push message (one per subscription and key event).
 * Rows are written in the event's transaction (markOutwardJobs, from appendEvent), claimed
 * under a lease (one node holds a row at a time; a dead node's rows come back when the lease
 * ends) and deleted when done.
 */

export type JobKind = 'websub.verify' | 'websub.distribute' | 'websub.ping' | 'push';

export interface OutboundJob {
  id: string;
  kind: JobKind;
  blogId: string;
  /** The subscription (WebSub, push) or topic the job is about. */
  ref: string;
  payload: string;
  generation: number;
  attempts: number;
  lease: string;
}

export interface WebSubSubscription {
  id: string;
  blogId: string;
  topic: string;
  callback: string;
  secret: string | null;
  leaseSeconds: number;
  expiresAt: string;
}

export interface PushSubscriptionRow {
  id: string;
  blogId: string;
  endpoint: string;
  p256dh: string;
  auth: string;
}

export type JobFinish =
  | { outcome: 'done' }
  | { outcome: 'retry'; error: string; nextAttemptAt: string }
  | { outcome: 'drop'; error: string };

export interface OutwardStore {
  // WebSub
  /** Active or renewed by a verified subscribe: keyed by (topic, callback), per the spec. */
  upsertWebSub(s: WebSubSubscription, now: string): Promise<void>;
  deleteWebSub(topic: string, callback: string): Promise<boolean>;
  getWebSub(id: string): Promise<WebSubSubscription | null>;
  findWebSub(topic: string, callback: string): Promise<WebSubSubscription | null>;
  /** Drops subscriptions whose lease ended; resolves with how many. */
  expireWebSubs(now: string): Promise<number>;
  /** The external hub every event pings (WEBSUB_HUB_URL), recorded so the event's transaction sees it. */
  setExternalHub(url: string | null): Promise<void>;
  // Web Push
  /** Adds (or re-keys) a subscription; false when the blog already holds `max` of them. */
  addPushSubscription(s: PushSubscriptionRow, max: number, now: string): Promise<'created' | 'updated' | 'full'>;
  deletePushSubscription(blogId: string, endpoint: string): Promise<boolean>;
  deletePushSubscriptionById(id: string): Promise<void>;
  getPushSubscription(id: string): Promise<PushSubscriptionRow | null>;
  countPushSubscriptions(blogId: string): Promise<number>;
  // The job queue
  enqueueJob(
    job: { id: string; kind: JobKind; blogId: string; ref: string; payload: string },
    now: string,
  ): Promise<void>;
  claimJobs(opts: { owner: string; now: string; leaseUntil: string; limit: number }): Promise<OutboundJob[]>;
  finishJob(job: OutboundJob, result: JobFinish, now: string): Promise<void>;
  /** Pending jobs (tests and metrics). */
  countJobs(kind?: JobKind): Promise<number>;
}

const EXTERNAL_HUB_SETTING = 'websub_external_hub';

/** Migration 90 (both databases). */
export function outwardSchema(t: { id: string }): string {
  const ID = t.id;
  return `
CREATE TABLE websub_subscriptions (
  id ${ID} PRIMARY KEY,
  blog_id ${ID} NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  topic TEXT NOT NULL,
  callback TEXT NOT NULL,
  secret TEXT,
  lease_seconds INTEGER NOT NULL,
  expires_at TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (topic, callback)
);
CREATE INDEX websub_subscriptions_blog ON websub_subscriptions (blog_id, expires_at);

CREATE TABLE push_subscriptions (
  id ${ID} PRIMARY KEY,
  blog_id ${ID} NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  endpoint TEXT NOT NULL,
  p256dh TEXT NOT NULL,
  auth TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (blog_id, endpoint)
);

CREATE TABLE push_key_events (
  blog_id ${ID} NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  post_id ${ID} NOT NULL,
  seq INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (blog_id, post_id)
);

CREATE TABLE outbound_jobs (
  id ${ID} PRIMARY KEY,
  kind TEXT NOT NULL,
  blog_id ${ID} NOT NULL,
  ref TEXT NOT NULL,
  payload TEXT NOT NULL,
  generation INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  lease_owner TEXT,
  lease_until TEXT,
  last_error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX outbound_jobs_due ON outbound_jobs (next_attempt_at, id);
`;
}

/**
 * Inside the event's transaction: mark a distribution for every live WebSub subscription of
 * the blog, a ping when an external hub is configured, and a push per subscription when the
 * event makes a post a key event for the first time.
 */
export async function markOutwardJobs(tx: Sql, e: LiveEvent): Promise<void> {
  const at = e.at;
  // A pending row is re-marked (generation + 1) so a send in flight is followed by one more;
  // a row that is failing keeps its backoff.
  const upsert = `ON CONFLICT (id) DO UPDATE SET generation = outbound_jobs.generation + 1,
  next_attempt_at = CASE WHEN outbound_jobs.attempts = 0 THEN excluded.next_attempt_at ELSE outbound_jobs.next_attempt_at END,
  updated_at = excluded.updated_at`;
  await tx.run(
    `INSERT INTO outbound_jobs (id, kind, blog_id, ref, payload, next_attempt_at, created_at, updated_at)
     SELECT 'wsd.' || s.id, 'websub.distribute', s.blog_id, s.id, '{}', CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT)
     FROM websub_subscriptions s WHERE s.blog_id = ? AND s.expires_at > ?
     ${upsert}`,
    [at, at, at, e.blogId, at],
  );
  await tx.run(
    `INSERT INTO outbound_jobs (id, kind, blog_id, ref, payload, next_attempt_at, created_at, updated_at)
     SELECT 'wsp.' || CAST(? AS TEXT), 'websub.ping', CAST(? AS TEXT), value, '{}', CAST(? AS TEXT), CAST(? AS TEXT),
       CAST(? AS TEXT)
     FROM settings WHERE key = '${EXTERNAL_HUB_SETTING}'
     ${upsert}`,
    [e.blogId, e.blogId, at, at, at],
  );
  if ((e.type === 'post.created' || e.type === 'post.updated') && e.data.keyEvent) {
    const first = await tx.run(
      'INSERT INTO push_key_events (blog_id, post_id, seq, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      [e.blogId, e.data.id, e.seq, at],
    );
    if (first > 0) {
      await tx.run(
        `INSERT INTO outbound_jobs (id, kind, blog_id, ref, payload, next_attempt_at, created_at, updated_at)
         SELECT 'push.' || p.id || '.' || CAST(? AS TEXT), 'push', p.blog_id, p.id, CAST(? AS TEXT), CAST(? AS TEXT),
           CAST(? AS TEXT), CAST(? AS TEXT)
         FROM push_subscriptions p WHERE p.blog_id = ?
         ON CONFLICT (id) DO NOTHING`,
        [e.data.id, JSON.stringify({ postId: e.data.id, seq: e.seq }), at, at, at, e.blogId],
      );
    }
  }
}

interface WebSubRow {
  id: string;
  blog_id: string;
  topic: string;
  callback: string;
  secret: string | null;
  lease_seconds: number;
  expires_at: string;
}
const WEBSUB_COLUMNS = 'id, blog_id, topic, callback, secret, lease_seconds, expires_at';
const toWebSub = (r: WebSubRow): WebSubSubscription => ({
  id: r.id,
  blogId: r.blog_id,
  topic: r.topic,
  callback: r.callback,
  secret: r.secret,
  leaseSeconds: Number(r.lease_seconds),
  expiresAt: r.expires_at,
});

interface PushRow {
  id: string;
  blog_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
}
const toPush = (r: PushRow): PushSubscriptionRow => ({
  id: r.id,
  blogId: r.blog_id,
  endpoint: r.endpoint,
  p256dh: r.p256dh,
  auth: r.auth,
});

interface JobRow {
  id: string;
  kind: JobKind;
  blog_id: string;
  ref: string;
  payload: string;
  generation: number;
  attempts: number;
  lease_owner: string;
}

export function createOutwardStore(db: SqlDb): OutwardStore {
  const lock = db.dialect.name === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
  let claims = 0;
  return {
    async upsertWebSub(s, now) {
      await db.run(
        `INSERT INTO websub_subscriptions (id, blog_id, topic, callback, secret, lease_seconds, expires_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (topic, callback) DO UPDATE SET secret = excluded.secret, lease_seconds = excluded.lease_seconds,
           expires_at = excluded.expires_at, updated_at = excluded.updated_at`,
        [s.id, s.blogId, s.topic, s.callback, s.secret, s.leaseSeconds, s.expiresAt, now, now],
      );
    },
    async deleteWebSub(topic, callback) {
      return (await db.run('DELETE FROM websub_subscriptions WHERE topic = ? AND callback = ?', [topic, callback])) > 0;
    },
    async getWebSub(id) {
      const r = await db.one<WebSubRow>(`SELECT ${WEBSUB_COLUMNS} FROM websub_subscriptions WHERE id = ?`, [id]);
      return r ? toWebSub(r) : null;
    },
    async findWebSub(topic, callback) {
      const r = await db.one<WebSubRow>(
        `SELECT ${WEBSUB_COLUMNS} FROM websub_subscriptions WHERE topic = ? AND callback = ?`,
        [topic, callback],
      );
      return r ? toWebSub(r) : null;
    },
    expireWebSubs(now) {
      return db.run('DELETE FROM websub_subscriptions WHERE expires_at <= ?', [now]);
    },
    async setExternalHub(url) {
      if (url === null) await db.run('DELETE FROM settings WHERE key = ?', [EXTERNAL_HUB_SETTING]);
      else
        await db.run(
          'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
          [EXTERNAL_HUB_SETTING, url],
        );
    },
    addPushSubscription(s, max, now) {
      return db.write(async (tx) => {
        const existing = await tx.one<{ id: string }>(
          'SELECT id FROM push_subscriptions WHERE blog_id = ? AND endpoint = ?',
          [s.blogId, s.endpoint],
        );
        if (existing) {
          await tx.run('UPDATE push_subscriptions SET p256dh = ?, auth = ? WHERE id = ?', [
            s.p256dh,
            s.auth,
            existing.id,
          ]);
          return 'updated' as const;
        }
        // The blog row serialises concurrent adds on PostgreSQL, so the bound holds.
        await tx.one(`SELECT id FROM blogs WHERE id = ?${db.dialect.forUpdate}`, [s.blogId]);
        const n = await tx.one<{ n: number }>('SELECT COUNT(*) AS n FROM push_subscriptions WHERE blog_id = ?', [
          s.blogId,
        ]);
        if (Number(n?.n ?? 0) >= max) return 'full' as const;
        await tx.run(
          'INSERT INTO push_subscriptions (id, blog_id, endpoint, p256dh, auth, created_at) VALUES (?, ?, ?, ?, ?, ?)',
          [s.id, s.blogId, s.endpoint, s.p256dh, s.auth, now],
        );
        return 'created' as const;
      });
    },
    async deletePushSubscription(blogId, endpoint) {
      return db.write(async (tx) => {
        const row = await tx.one<{ id: string }>(
          'SELECT id FROM push_subscriptions WHERE blog_id = ? AND endpoint = ?',
          [blogId, endpoint],
        );
        if (!row) return false;
        await tx.run("DELETE FROM outbound_jobs WHERE kind = 'push' AND ref = ?", [row.id]);
        await tx.run('DELETE FROM push_subscriptions WHERE id = ?', [row.id]);
        return true;
      });
    },
    async deletePushSubscriptionById(id) {
      await db.write(async (tx) => {
        await tx.run("DELETE FROM outbound_jobs WHERE kind = 'push' AND ref = ?", [id]);
        await tx.run('DELETE FROM push_subscriptions WHERE id = ?', [id]);
      });
    },
    async getPushSubscription(id) {
      const r = await db.one<PushRow>(
        'SELECT id, blog_id, endpoint, p256dh, auth FROM push_subscriptions WHERE id = ?',
        [id],
      );
      return r ? toPush(r) : null;
    },
    async countPushSubscriptions(blogId) {
      const r = await db.one<{ n: number }>('SELECT COUNT(*) AS n FROM push_subscriptions WHERE blog_id = ?', [blogId]);
      return Number(r?.n ?? 0);
    },
    async enqueueJob(job, now) {
      await db.run(
        `INSERT INTO outbound_jobs (id, kind, blog_id, ref, payload, next_attempt_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        [job.id, job.kind, job.blogId, job.ref, job.payload, now, now, now],
      );
    },
    async claimJobs({ owner, now, leaseUntil, limit }) {
      claims += 1;
      // A token per claim (as in the webhook outbox): two claims never read each other's rows.
      const token = `${owner}#${Date.now().toString(36)}.${claims}`;
      const params: SqlParam[] = [token, leaseUntil, now, now, limit, now];
      return (
        await db.all<JobRow>(
          `UPDATE outbound_jobs SET lease_owner = ?, lease_until = ?
           WHERE id IN (
             SELECT id FROM outbound_jobs WHERE next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)
             ORDER BY next_attempt_at, id LIMIT ? ${lock}
           ) AND (lease_until IS NULL OR lease_until < ?)
           RETURNING id, kind, blog_id, ref, payload, generation, attempts, lease_owner`,
          params,
        )
      ).map((r) => ({
        id: r.id,
        kind: r.kind,
        blogId: r.blog_id,
        ref: r.ref,
        payload: r.payload,
        generation: Number(r.generation),
        attempts: Number(r.attempts),
        lease: r.lease_owner,
      }));
    },
    async finishJob(job, result, now) {
      if (result.outcome === 'retry') {
        await db.run(
          `UPDATE outbound_jobs SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, lease_owner = NULL,
             lease_until = NULL, updated_at = ? WHERE id = ? AND lease_owner = ?`,
          [result.nextAttemptAt, result.error.slice(0, 300), now, job.id, job.lease],
        );
        return;
      }
      // Done (or given up): gone, unless an event re-marked it meanwhile; then it goes again,
      // fresh (the new content is worth a new series of attempts).
      await db.write(async (tx) => {
        const left = await tx.run('DELETE FROM outbound_jobs WHERE id = ? AND lease_owner = ? AND generation = ?', [
          job.id,
          job.lease,
          job.generation,
        ]);
        if (left === 0) {
          await tx.run(
            `UPDATE outbound_jobs SET attempts = 0, next_attempt_at = ?, lease_owner = NULL, lease_until = NULL,
               updated_at = ? WHERE id = ? AND lease_owner = ?`,
            [now, now, job.id, job.lease],
          );
        }
      });
    },
    async countJobs(kind) {
      const r = kind
        ? await db.one<{ n: number }>('SELECT COUNT(*) AS n FROM outbound_jobs WHERE kind = ?', [kind])
        : await db.one<{ n: number }>('SELECT COUNT(*) AS n FROM outbound_jobs');
      return Number(r?.n ?? 0);
    },
  };
}
