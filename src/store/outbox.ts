import type { EventType, Webhook, WebhookDelivery } from '../domain/index.js';
import { type EventRow, toEvent } from './rows.js';
import type { SqlDb, SqlParam } from './sql.js';

/**
 * The webhook outbox, written once for SQLite and PostgreSQL over the store's SQL seam
 * (sql.ts). Timestamps are ISO 8601 text and flags 0/1 in both databases, so the
 * same comparisons hold.
 *
 * - A delivery row per matching endpoint is inserted by OUTBOX_ON_EVENT in the transaction
 *   that commits the event (the stores call it from their insertEvent): the event and its
 *   deliveries are committed together or not at all.
 * - Per endpoint only the oldest pending delivery (by seq) may be claimed, so receivers get
 *   events in seq order; a claim is a lease, so a dead node's rows come back when it expires.
 *   On PostgreSQL the claim skips rows another node is claiming (FOR UPDATE SKIP LOCKED).
 */

/** The seam's statements in one transaction, in order; resolves with the last one's rows. */
function batch<R>(db: SqlDb, steps: { sql: string; params: SqlParam[] }[]): Promise<R[]> {
  return db.write(async (tx) => {
    let last: unknown[] = [];
    for (const step of steps) {
      if (/\bRETURNING\b/.test(step.sql)) last = await tx.all(step.sql, step.params);
      else await tx.run(step.sql, step.params);
    }
    return last as R[];
  });
}

/**
 * Migration 50 (both databases, from the type map's id type). Times are ISO text and flags
 * 0/1 here on both, so the claim's comparisons are the same text on both.
 */
export function outboxSchema(t: { id: string }): string {
  const ID = t.id;
  return `
CREATE TABLE webhooks (
  id ${ID} PRIMARY KEY,
  blog_id ${ID} NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  events TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  enabled INTEGER NOT NULL DEFAULT 1,
  disabled_reason TEXT,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX webhooks_blog ON webhooks (blog_id, enabled);

CREATE TABLE webhook_deliveries (
  id ${ID} PRIMARY KEY,
  webhook_id ${ID} NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  blog_id ${ID} NOT NULL,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  body TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  lease_owner TEXT,
  lease_until TEXT,
  last_status INTEGER,
  last_error TEXT,
  latency_ms REAL,
  created_at TEXT NOT NULL,
  delivered_at TEXT
);
CREATE INDEX webhook_deliveries_queue ON webhook_deliveries (webhook_id, status, seq, id);

CREATE TABLE webhook_attempts (
  delivery_id ${ID} NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  attempt INTEGER NOT NULL,
  at TEXT NOT NULL,
  node TEXT NOT NULL,
  status INTEGER,
  error TEXT,
  latency_ms REAL,
  PRIMARY KEY (delivery_id, attempt)
);
`;
}

/**
 * Run inside the event's transaction: one pending delivery per enabled endpoint of the blog
 * whose filter wants the type. Params: blogId, seq, type, at, `%"type"%`, `.seq` id suffix.
 */
export const OUTBOX_ON_EVENT = `INSERT INTO webhook_deliveries
  (id, webhook_id, blog_id, seq, type, status, attempts, next_attempt_at, created_at)
SELECT w.id || CAST(? AS TEXT), w.id, CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS TEXT), 'pending', 0,
  CAST(? AS TEXT), CAST(? AS TEXT) FROM webhooks w
WHERE w.blog_id = ? AND w.enabled = 1 AND (w.events LIKE '%"*"%' OR w.events LIKE ?)`;

export function outboxOnEventParams(e: { blogId: string; seq: number; type: EventType; at: string }): SqlParam[] {
  return [`.${e.seq}`, e.blogId, e.seq, e.type, e.at, e.at, e.blogId, `%"${e.type}"%`];
}

interface WebhookRow {
  id: string;
  blog_id: string;
  url: string;
  events: string;
  description: string;
  enabled: number;
  disabled_reason: string | null;
  created_at: string;
  updated_at: string;
}

interface DeliveryRow {
  id: string;
  webhook_id: string;
  seq: number;
  type: string;
  status: WebhookDelivery['status'];
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  latency_ms: number | null;
  created_at: string;
  next_attempt_at: string;
  delivered_at: string | null;
}

interface ClaimRow {
  id: string;
  webhook_id: string;
  blog_id: string;
  seq: number;
  type: string;
  attempts: number;
  body: string | null;
  lease_owner: string;
  url: string;
  secret: string;
  data: unknown;
  at: string | null;
}

const WEBHOOK_COLUMNS = 'id, blog_id, url, events, description, enabled, disabled_reason, created_at, updated_at';
const DELIVERY_COLUMNS =
  'id, webhook_id, seq, type, status, attempts, last_status, last_error, latency_ms, created_at, next_attempt_at, delivered_at';

function toWebhook(r: WebhookRow): Webhook {
  return {
    id: r.id,
    blogId: r.blog_id,
    url: r.url,
    events: JSON.parse(r.events) as string[],
    description: r.description,
    enabled: Number(r.enabled) === 1,
    disabledReason: r.disabled_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toDelivery(r: DeliveryRow): WebhookDelivery {
  return {
    id: r.id,
    webhookId: r.webhook_id,
    seq: Number(r.seq),
    type: r.type,
    status: r.status,
    attempts: Number(r.attempts),
    lastStatus: r.last_status === null ? null : Number(r.last_status),
    lastError: r.last_error,
    latencyMs: r.latency_ms === null ? null : Number(r.latency_ms),
    createdAt: r.created_at,
    nextAttemptAt: r.status === 'pending' ? r.next_attempt_at : null,
    deliveredAt: r.delivered_at,
  };
}

/** A delivery handed to a dispatcher, with what it needs to send it. */
export interface ClaimedDelivery {
  id: string;
  webhookId: string;
  blogId: string;
  seq: number;
  type: string;
  /** Attempts made before this one. */
  attempts: number;
  url: string;
  secret: string;
  /** The JSON body: the event as readers get it, or a test event. */
  body: string;
  /** The claim's token: finishAttempt must name it (as `owner`) to count. */
  lease: string;
}

export interface AttemptResult {
  deliveryId: string;
  webhookId: string;
  /** The lease token the delivery was claimed with (ClaimedDelivery.lease). */
  owner: string;
  at: string;
  ok: boolean;
  status: number | null;
  error: string | null;
  latencyMs: number | null;
  /** When to try again; null with ok=false gives the delivery up. */
  nextAttemptAt: string | null;
  /** Disable the endpoint, with this reason (it kept failing). */
  disable: string | null;
}

export interface NewWebhook {
  id: string;
  blogId: string;
  url: string;
  secret: string;
  events: string[];
  description: string;
  now: string;
}

export interface WebhookChange {
  url?: string;
  events?: string[];
  description?: string;
  enabled?: boolean;
}

/** The outbox operations, the same for both stores (see Store.outbox). */
export interface OutboxStore {
  createWebhook(w: NewWebhook): Promise<Webhook>;
  listWebhooks(blogId: string): Promise<Webhook[]>;
  getWebhook(blogId: string, webhookId: string): Promise<Webhook | null>;
  updateWebhook(blogId: string, webhookId: string, change: WebhookChange, now: string): Promise<Webhook | null>;
  deleteWebhook(blogId: string, webhookId: string): Promise<boolean>;
  /** Newest first. */
  listDeliveries(blogId: string, webhookId: string, limit: number): Promise<WebhookDelivery[]>;
  /** Queues a test event for one endpoint (seq 0: it does not wait behind the endpoint's queue). */
  enqueueTest(webhookId: string, blogId: string, deliveryId: string, body: string, now: string): Promise<void>;
  /** Leases up to `limit` due deliveries, at most one per endpoint (its oldest pending). */
  claimDeliveries(opts: { owner: string; now: string; leaseUntil: string; limit: number }): Promise<ClaimedDelivery[]>;
  /** Records one attempt, moves the delivery on, and keeps the endpoint's failure count. */
  finishAttempt(r: AttemptResult): Promise<void>;
}

export function createOutbox(db: SqlDb): OutboxStore {
  const lock = db.dialect.name === 'postgres' ? 'FOR UPDATE OF d SKIP LOCKED' : '';
  // Each endpoint's head (its oldest pending delivery) found through the queue index, so a
  // claim costs a seek per endpoint however long the backlog is.
  const CLAIM = `UPDATE webhook_deliveries SET lease_owner = ?, lease_until = ?
WHERE id IN (
  SELECT d.id FROM webhooks w
  JOIN webhook_deliveries d ON d.id = (
    SELECT o.id FROM webhook_deliveries o
    WHERE o.webhook_id = w.id AND o.status = 'pending'
    ORDER BY o.seq, o.id LIMIT 1)
  WHERE w.enabled = 1 AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until < ?)
  ORDER BY d.next_attempt_at, d.id
  LIMIT ? ${lock}
)
AND status = 'pending' AND (lease_until IS NULL OR lease_until < ?)
RETURNING id`;
  // lease_owner is a token per claim: two claims of one node in the same millisecond must not
  // read each other's rows (that sent deliveries twice).
  // By primary key (the ids the claim returned), never by scanning for the token.
  const claimed = (
    n: number,
  ) => `SELECT d.id, d.webhook_id, d.blog_id, d.seq, d.type, d.attempts, d.body, d.lease_owner,
  w.url, w.secret, e.data, e.at
FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
LEFT JOIN events e ON e.blog_id = d.blog_id AND e.seq = d.seq AND d.body IS NULL
WHERE d.lease_owner = ? AND d.status = 'pending' AND d.id IN (${Array.from({ length: n }, () => '?').join(', ')})
ORDER BY d.webhook_id, d.seq`;
  let claims = 0;

  return {
    async createWebhook(w) {
      const rows = await db.all<WebhookRow>(
        `INSERT INTO webhooks (id, blog_id, url, secret, events, description, enabled, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING ${WEBHOOK_COLUMNS}`,
        [w.id, w.blogId, w.url, w.secret, JSON.stringify(w.events), w.description, w.now, w.now],
      );
      return toWebhook(rows[0] as WebhookRow);
    },
    async listWebhooks(blogId) {
      const rows = await db.all<WebhookRow>(
        `SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE blog_id = ? ORDER BY created_at, id`,
        [blogId],
      );
      return rows.map(toWebhook);
    },
    async getWebhook(blogId, webhookId) {
      const rows = await db.all<WebhookRow>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE blog_id = ? AND id = ?`, [
        blogId,
        webhookId,
      ]);
      return rows[0] ? toWebhook(rows[0]) : null;
    },
    async updateWebhook(blogId, webhookId, change, now) {
      const enabled = change.enabled === undefined ? null : change.enabled ? 1 : 0;
      const rows = await db.all<WebhookRow>(
        `UPDATE webhooks SET
           url = COALESCE(CAST(? AS TEXT), url),
           events = COALESCE(CAST(? AS TEXT), events),
           description = COALESCE(CAST(? AS TEXT), description),
           enabled = COALESCE(CAST(? AS INTEGER), enabled),
           disabled_reason = CASE WHEN CAST(? AS INTEGER) = 1 THEN NULL ELSE disabled_reason END,
           consecutive_failures = CASE WHEN CAST(? AS INTEGER) = 1 THEN 0 ELSE consecutive_failures END,
           updated_at = ?
         WHERE blog_id = ? AND id = ? RETURNING ${WEBHOOK_COLUMNS}`,
        [
          change.url ?? null,
          change.events ? JSON.stringify(change.events) : null,
          change.description ?? null,
          enabled,
          enabled === 1 ? 1 : 0,
          enabled === 1 ? 1 : 0,
          now,
          blogId,
          webhookId,
        ],
      );
      return rows[0] ? toWebhook(rows[0]) : null;
    },
    async deleteWebhook(blogId, webhookId) {
      const rows = await batch<{ id: string }>(db, [
        {
          sql: 'DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE webhook_id = ?)',
          params: [webhookId],
        },
        { sql: 'DELETE FROM webhook_deliveries WHERE webhook_id = ?', params: [webhookId] },
        { sql: 'DELETE FROM webhooks WHERE blog_id = ? AND id = ? RETURNING id', params: [blogId, webhookId] },
      ]);
      return rows.length > 0;
    },
    async listDeliveries(blogId, webhookId, limit) {
      const rows = await db.all<DeliveryRow>(
        `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE blog_id = ? AND webhook_id = ?
         ORDER BY created_at DESC, seq DESC, id DESC LIMIT ?`,
        [blogId, webhookId, limit],
      );
      return rows.map(toDelivery);
    },
    async enqueueTest(webhookId, blogId, deliveryId, body, now) {
      await db.run(
        `INSERT INTO webhook_deliveries (id, webhook_id, blog_id, seq, type, body, status, attempts, next_attempt_at, created_at)
         VALUES (?, ?, ?, 0, 'webhook.test', ?, 'pending', 0, ?, ?)`,
        [deliveryId, webhookId, blogId, body, now, now],
      );
    },
    async claimDeliveries({ owner, now, leaseUntil, limit }) {
      claims += 1;
      const token = `${owner}#${Date.now().toString(36)}.${claims}`;
      const ids = (await db.all<{ id: string }>(CLAIM, [token, leaseUntil, now, now, limit, now])).map((r) => r.id);
      if (ids.length === 0) return [];
      const rows = await db.all<ClaimRow>(claimed(ids.length), [token, ...ids]);
      return rows.map((r) => {
        // The event exactly as readers get it (the store's own row mapping).
        const body =
          r.body ??
          JSON.stringify(toEvent({ blog_id: r.blog_id, seq: r.seq, type: r.type, data: r.data, at: r.at } as EventRow));
        return {
          id: r.id,
          webhookId: r.webhook_id,
          blogId: r.blog_id,
          seq: Number(r.seq),
          type: r.type,
          attempts: Number(r.attempts),
          url: r.url,
          secret: r.secret,
          body,
          lease: r.lease_owner,
        };
      });
    },
    async finishAttempt(r) {
      const status = r.ok ? 'delivered' : r.nextAttemptAt === null ? 'failed' : 'pending';
      await batch(db, [
        {
          sql: `INSERT INTO webhook_attempts (delivery_id, attempt, at, node, status, error, latency_ms)
                SELECT id, attempts + 1, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS TEXT),
                  CAST(? AS REAL)
                FROM webhook_deliveries WHERE id = ? AND lease_owner = ? AND status = 'pending'`,
          params: [r.at, r.owner, r.status, r.error, r.latencyMs, r.deliveryId, r.owner],
        },
        {
          // Only the lease holder moves it on: a node whose lease ran out lost it to another.
          sql: `UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, last_status = CAST(? AS INTEGER),
                  last_error = CAST(? AS TEXT), latency_ms = CAST(? AS REAL),
                  next_attempt_at = COALESCE(CAST(? AS TEXT), next_attempt_at), lease_owner = NULL,
                  lease_until = NULL, delivered_at = CAST(? AS TEXT)
                WHERE id = ? AND lease_owner = ?`,
          params: [status, r.status, r.error, r.latencyMs, r.nextAttemptAt, r.ok ? r.at : null, r.deliveryId, r.owner],
        },
        {
          sql: `UPDATE webhooks SET
                  consecutive_failures = CASE WHEN CAST(? AS INTEGER) = 1 THEN 0 ELSE consecutive_failures + 1 END,
                  enabled = CASE WHEN CAST(? AS INTEGER) = 1 THEN 0 ELSE enabled END,
                  disabled_reason = CASE WHEN CAST(? AS INTEGER) = 1 THEN CAST(? AS TEXT) ELSE disabled_reason END
                WHERE id = ?`,
          params: [r.ok ? 1 : 0, r.disable ? 1 : 0, r.disable ? 1 : 0, r.disable, r.webhookId],
        },
      ]);
    },
  };
}
