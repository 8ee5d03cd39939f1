import type { EventType, Webhook, WebhookDelivery } from '../domain/index.js';

/**
 * The webhook outbox, written once for SQLite and PostgreSQL: every statement below is one
 * text, run by a small runner each store provides (`$n` parameters; the SQLite runner turns
 * them into named ones). Timestamps are ISO 8601 text and flags 0/1 in both databases, so the
 * same comparisons hold.
 *
 * - A delivery row per matching endpoint is inserted by OUTBOX_ON_EVENT in the transaction
 *   that commits the event (the stores call it from their insertEvent): the event and its
 *   deliveries are committed together or not at all.
 * - Per endpoint only the oldest pending delivery (by seq) may be claimed, so receivers get
 *   events in seq order; a claim is a lease, so a dead node's rows come back when it expires.
 *   On PostgreSQL the claim skips rows another node is claiming (FOR UPDATE SKIP LOCKED).
 */

/** `$n` parameters as better-sqlite3 named ones (`@pn`), with their values by name. */
export function sqliteNamed(sql: string, params: unknown[]): { sql: string; values: Record<string, unknown> } {
  const values: Record<string, unknown> = {};
  params.forEach((v, i) => {
    values[`p${i + 1}`] = v === undefined ? null : v;
  });
  return { sql: sql.replace(/\$(\d+)/g, '@p$1'), values };
}

export interface OutboxRunner {
  readonly kind: 'sqlite' | 'postgres';
  all<R>(sql: string, params: unknown[]): Promise<R[]>;
  /** Runs the statements in order in one transaction; resolves with the last one's rows. */
  batch<R>(steps: { sql: string; params: unknown[] }[]): Promise<R[]>;
}

/** Migration 50 for both databases (`{{C}}` is the byte-order collation on PostgreSQL). */
export function outboxSchema(kind: 'sqlite' | 'postgres'): string {
  const C = kind === 'postgres' ? ' COLLATE "C"' : '';
  return `
CREATE TABLE webhooks (
  id TEXT${C} PRIMARY KEY,
  blog_id TEXT${C} NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
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
  id TEXT${C} PRIMARY KEY,
  webhook_id TEXT${C} NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  blog_id TEXT${C} NOT NULL,
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
  delivery_id TEXT${C} NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
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
SELECT w.id || CAST($6 AS TEXT), w.id, CAST($1 AS TEXT), CAST($2 AS INTEGER), CAST($3 AS TEXT), 'pending', 0,
  CAST($4 AS TEXT), CAST($4 AS TEXT) FROM webhooks w
WHERE w.blog_id = $1 AND w.enabled = 1 AND (w.events LIKE '%"*"%' OR w.events LIKE $5)`;

export function outboxOnEventParams(e: { blogId: string; seq: number; type: EventType; at: string }): unknown[] {
  return [e.blogId, e.seq, e.type, e.at, `%"${e.type}"%`, `.${e.seq}`];
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

export function createOutbox(run: OutboxRunner): OutboxStore {
  const lock = run.kind === 'postgres' ? 'FOR UPDATE OF d SKIP LOCKED' : '';
  // Each endpoint's head (its oldest pending delivery) found through the queue index, so a
  // claim costs a seek per endpoint however long the backlog is.
  const CLAIM = `UPDATE webhook_deliveries SET lease_owner = $1, lease_until = $3
WHERE id IN (
  SELECT d.id FROM webhooks w
  JOIN webhook_deliveries d ON d.id = (
    SELECT o.id FROM webhook_deliveries o
    WHERE o.webhook_id = w.id AND o.status = 'pending'
    ORDER BY o.seq, o.id LIMIT 1)
  WHERE w.enabled = 1 AND d.next_attempt_at <= $2 AND (d.lease_until IS NULL OR d.lease_until < $2)
  ORDER BY d.next_attempt_at, d.id
  LIMIT $4 ${lock}
)
AND status = 'pending' AND (lease_until IS NULL OR lease_until < $2)
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
WHERE d.lease_owner = $1 AND d.status = 'pending' AND d.id IN (${Array.from({ length: n }, (_, i) => `$${i + 2}`).join(', ')})
ORDER BY d.webhook_id, d.seq`;
  let claims = 0;

  return {
    async createWebhook(w) {
      const rows = await run.all<WebhookRow>(
        `INSERT INTO webhooks (id, blog_id, url, secret, events, description, enabled, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7) RETURNING ${WEBHOOK_COLUMNS}`,
        [w.id, w.blogId, w.url, w.secret, JSON.stringify(w.events), w.description, w.now],
      );
      return toWebhook(rows[0] as WebhookRow);
    },
    async listWebhooks(blogId) {
      const rows = await run.all<WebhookRow>(
        `SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE blog_id = $1 ORDER BY created_at, id`,
        [blogId],
      );
      return rows.map(toWebhook);
    },
    async getWebhook(blogId, webhookId) {
      const rows = await run.all<WebhookRow>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE blog_id = $1 AND id = $2`, [
        blogId,
        webhookId,
      ]);
      return rows[0] ? toWebhook(rows[0]) : null;
    },
    async updateWebhook(blogId, webhookId, change, now) {
      const enabled = change.enabled === undefined ? null : change.enabled ? 1 : 0;
      const rows = await run.all<WebhookRow>(
        `UPDATE webhooks SET
           url = COALESCE($3, url),
           events = COALESCE($4, events),
           description = COALESCE($5, description),
           enabled = COALESCE($6, enabled),
           disabled_reason = CASE WHEN $7 = 1 THEN NULL ELSE disabled_reason END,
           consecutive_failures = CASE WHEN $7 = 1 THEN 0 ELSE consecutive_failures END,
           updated_at = $8
         WHERE blog_id = $1 AND id = $2 RETURNING ${WEBHOOK_COLUMNS}`,
        [
          blogId,
          webhookId,
          change.url ?? null,
          change.events ? JSON.stringify(change.events) : null,
          change.description ?? null,
          enabled,
          enabled === 1 ? 1 : 0,
          now,
        ],
      );
      return rows[0] ? toWebhook(rows[0]) : null;
    },
    async deleteWebhook(blogId, webhookId) {
      const rows = await run.batch<{ id: string }>([
        {
          sql: 'DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE webhook_id = $1)',
          params: [webhookId],
        },
        { sql: 'DELETE FROM webhook_deliveries WHERE webhook_id = $1', params: [webhookId] },
        { sql: 'DELETE FROM webhooks WHERE blog_id = $1 AND id = $2 RETURNING id', params: [blogId, webhookId] },
      ]);
      return rows.length > 0;
    },
    async listDeliveries(blogId, webhookId, limit) {
      const rows = await run.all<DeliveryRow>(
        `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE blog_id = $1 AND webhook_id = $2
         ORDER BY created_at DESC, seq DESC, id DESC LIMIT $3`,
        [blogId, webhookId, limit],
      );
      return rows.map(toDelivery);
    },
    async enqueueTest(webhookId, blogId, deliveryId, body, now) {
      await run.all(
        `INSERT INTO webhook_deliveries (id, webhook_id, blog_id, seq, type, body, status, attempts, next_attempt_at, created_at)
         VALUES ($1, $2, $3, 0, 'webhook.test', $4, 'pending', 0, $5, $5)`,
        [deliveryId, webhookId, blogId, body, now],
      );
    },
    async claimDeliveries({ owner, now, leaseUntil, limit }) {
      claims += 1;
      const token = `${owner}#${Date.now().toString(36)}.${claims}`;
      const ids = (await run.all<{ id: string }>(CLAIM, [token, now, leaseUntil, limit])).map((r) => r.id);
      if (ids.length === 0) return [];
      const rows = await run.all<ClaimRow>(claimed(ids.length), [token, ...ids]);
      return rows.map((r) => {
        const data = typeof r.data === 'string' ? (JSON.parse(r.data) as unknown) : r.data;
        const body =
          r.body ??
          JSON.stringify({ blogId: r.blog_id, seq: Number(r.seq), type: r.type, data, at: r.at ?? undefined });
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
      await run.batch([
        {
          sql: `INSERT INTO webhook_attempts (delivery_id, attempt, at, node, status, error, latency_ms)
                SELECT id, attempts + 1, CAST($2 AS TEXT), CAST($3 AS TEXT), CAST($4 AS INTEGER), CAST($5 AS TEXT),
                  CAST($6 AS REAL)
                FROM webhook_deliveries WHERE id = $1 AND lease_owner = $3 AND status = 'pending'`,
          params: [r.deliveryId, r.at, r.owner, r.status, r.error, r.latencyMs],
        },
        {
          // Only the lease holder moves it on: a node whose lease ran out lost it to another.
          sql: `UPDATE webhook_deliveries SET status = $2, attempts = attempts + 1, last_status = $3, last_error = $4,
                  latency_ms = $5, next_attempt_at = COALESCE($6, next_attempt_at), lease_owner = NULL,
                  lease_until = NULL, delivered_at = $7
                WHERE id = $1 AND lease_owner = $8`,
          params: [r.deliveryId, status, r.status, r.error, r.latencyMs, r.nextAttemptAt, r.ok ? r.at : null, r.owner],
        },
        {
          sql: `UPDATE webhooks SET
                  consecutive_failures = CASE WHEN $2 = 1 THEN 0 ELSE consecutive_failures + 1 END,
                  enabled = CASE WHEN $3 = 1 THEN 0 ELSE enabled END,
                  disabled_reason = CASE WHEN $3 = 1 THEN $4 ELSE disabled_reason END
                WHERE id = $1`,
          params: [r.webhookId, r.ok ? 1 : 0, r.disable ? 1 : 0, r.disable],
        },
      ]);
    },
  };
}
