import { z } from 'zod';
import type { Role } from './domain/index.js';

/**
 * Every setting comes from the environment, parsed once here. A bad value stops the start
 * with a message naming the variable (see loadConfig).
 */
const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(def);
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalUrl = (schemes: string[]) =>
  z
    .string()
    .url()
    .refine((u) => schemes.some((s) => u.startsWith(`${s}:`)), `must start with ${schemes.join(': or ')}:`)
    .optional();

/** Asymmetric JWS algorithms a CMS may sign with; `none` and HMAC are never accepted. */
export const JWT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'EdDSA',
] as const;

const list = () =>
  z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((v) => v.trim().toLowerCase())
        .filter(Boolean),
    );

export type GroupRole = { group: string; role: 'admin' } | { group: string; role: Role; blog: string };

function parseGroupRoles(s: string, ctx: z.RefinementCtx): GroupRole[] {
  const out: GroupRole[] = [];
  for (const entry of s
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const m = /^([^=]{1,200})=(admin|(owner|editor|contributor)@([A-Za-z0-9_-]{1,80}))$/.exec(entry);
    if (!m?.[1]) {
      ctx.addIssue({ code: 'custom', message: `"${entry}" is not group=admin or group=role@blog` });
      continue;
    }
    if (m[2] === 'admin') out.push({ group: m[1], role: 'admin' });
    else out.push({ group: m[1], role: m[3] as Role, blog: m[4] as string });
  }
  return out;
}

export const ConfigSchema = z.object({
  PORT: int(3000, 0, 65535),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: optionalUrl(['postgres', 'postgresql']),
  REDIS_URL: optionalUrl(['redis', 'rediss']),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /**
   * The first admin account, created at first start when there are no users: signs in with
   * this email and ADMIN_PASSWORD, or (without it) a generated password printed once.
   */
  ADMIN_EMAIL: z.string().trim().max(254).email('must be an email address').optional(),
  ADMIN_PASSWORD: z.string().min(1).max(1024).optional(),
  ADMIN_NAME: z.string().trim().min(1).max(100).default('Admin'),
  PUBLIC_URL: z.string().url().optional(),
  /** When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`; public otherwise. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** A stable name for this node in logs and bus messages; random when absent. */
  NODE_ID: z.string().min(1).max(64).optional(),

  // HTTP
  MAX_BODY_BYTES: int(1024 * 1024, 1024),
  TRUST_PROXY: bool(false),
  /** Bytes the read model (public reads as bytes, gzip and brotli) may hold on a node. */
  READ_MODEL_MAX_BYTES: int(64 * 1024 * 1024, 0),
  /** Cache-Control s-maxage (seconds) of public blog reads, for a CDN in front. */
  READ_S_MAXAGE: int(5, 0),
  /** Cache-Control stale-while-revalidate (seconds) of public blog reads. */
  READ_STALE_WHILE_REVALIDATE: int(30, 0),

  // Reader push
  /** How many events behind a reader may be and still be replayed rather than reset. */
  REPLAY_WINDOW: int(1000, 1),
  /** Events kept in memory per active blog to serve catch-ups without a store query. */
  REPLAY_MEMORY: int(500, 0),
  /** Bytes all those rings together may hold on a node; the least active lose events first. */
  REPLAY_MEMORY_BYTES: int(64 * 1024 * 1024, 0),
  HEARTBEAT_MS: int(5000, 100),
  /**
   * A room with more readers than this gets each frame in slices of this many readers, a few
   * milliseconds of them per event-loop turn, so one big room never holds the loop
   * (src/realtime/room-broadcaster.ts).
   */
  BROADCAST_SLICE: int(25, 1),
  /** How long one event-loop turn may spend on such slices before socket reads get their turn. */
  BROADCAST_TURN_MS: int(4, 1, 1000),
  /** How long the sequencer waits for a missing seq before reading it from the store. */
  SEQUENCER_GAP_MS: int(250, 1),
  /** A reader whose unsent bytes exceed this is disconnected (it catches up on reconnect). */
  READER_BUFFER_BYTES: int(1024 * 1024, 1024),
  /**
   * The largest event a write may produce (a post, a summary rendering); bigger writes are
   * refused with 413. Capped at half of READER_BUFFER_BYTES whatever is set here.
   */
  MAX_EVENT_BYTES: int(512 * 1024, 1024),
  MAX_SUBSCRIPTIONS_PER_SOCKET: int(10, 1),
  /** Subscribes per minute per socket (after a burst of 20): each may cost a store read. */
  RATE_SUBSCRIBES_PER_MIN: int(120, 1),
  /**
   * Open reader sockets per address. High on purpose: behind carrier-grade NAT thousands of
   * phones share an address during a big story. An idle reader costs ~13 KiB of heap, so an
   * address at the cap holds ~65 MiB; unsent bytes per reader are bounded by READER_BUFFER_BYTES.
   */
  MAX_CONNECTIONS_PER_IP: int(5000, 1),
  /**
   * After a blog ends (or is archived), readers' subscriptions to it are released after this
   * long, and their connections with them: an ended story must not hold idle sockets forever.
   */
  ENDED_GRACE_MS: int(60_000, 0),

  // Scheduled posts
  /** The scheduler looks for due posts at least this often (it also wakes at each publishAt). */
  SCHEDULER_POLL_MS: int(5000, 50, 60_000),
  /** A node's claim on a due post; when it dies holding one, another node takes over after this. */
  SCHEDULER_LEASE_MS: int(5000, 100, 300_000),

  // Collab
  COLLAB_MAX_UPDATE_BYTES: int(256 * 1024, 1024),
  COLLAB_MAX_DOC_BYTES: int(2 * 1024 * 1024, 4096),
  /** Compact a doc's update log into one snapshot after this many rows. */
  COLLAB_COMPACT_AFTER: int(500, 2),
  COLLAB_IDLE_UNLOAD_MS: int(60_000, 100),
  /** Periodic re-read of the store while editors are connected (Redis is only a doorbell). */
  COLLAB_RESYNC_MS: int(20_000, 100),
  /**
   * An editor whose unsent bytes pass this is cut (the reader hub's slow-consumer rule). At
   * least two whole documents, so a fresh editor's first full-state answer always fits.
   */
  COLLAB_BUFFER_BYTES: int(4 * 1024 * 1024, 64 * 1024),
  /** Frames one connection may send per second, sustained; bursts up to three seconds' worth. */
  COLLAB_FRAMES_PER_SEC: int(100, 1),
  /** Full-state answers (sync step 2 to a step 1, awareness snapshots) per connection and minute. */
  COLLAB_STATE_ANSWERS_PER_MIN: int(12, 1),
  /** Updates of one connection received but not yet through their check; past it the connection is cut. */
  COLLAB_MAX_PENDING_UPDATES: int(64, 1),
  /** Bytes of such updates per connection (at least one largest update is always let through). */
  COLLAB_MAX_PENDING_BYTES: int(2 * 1024 * 1024, 1024),
  /** Open /collab connections per user (every blog together), and per client address. */
  COLLAB_CONNECTIONS_PER_USER: int(16, 1),
  COLLAB_CONNECTIONS_PER_IP: int(64, 1),
  /** A summary publish that failed (store down) is retried after this, doubling up to a minute. */
  SUMMARY_RETRY_MS: int(1000, 10),
  SUMMARY_DEBOUNCE_MS: int(300, 0),
  SUMMARY_MAX_WAIT_MS: int(1500, 0),

  // Limits
  RATE_WRITES_PER_MIN: int(600, 1),
  RATE_CONNECTS_PER_MIN: int(600, 1),
  RATE_AUTH_FAILURES_PER_MIN: int(30, 1),

  // Audience and participation
  /** Count readers per minute (off only to measure what counting costs). */
  AUDIENCE_ENABLED: bool(true),
  /** Audience minute buckets older than this are deleted. */
  AUDIENCE_RETENTION_DAYS: int(90, 1, 3650),
  /** Embedding sites named in bySite; the rest are summed as "other". */
  AUDIENCE_TOP_SITES: int(10, 1, 100),
  /** How often the running minute is written to the store (a crash loses at most this much). */
  AUDIENCE_FLUSH_MS: int(15_000, 50, 60_000),
  /** Questions one address may send per minute (any blog). */
  RATE_QUESTIONS_PER_MIN: int(5, 1),
  /** Questions one blog accepts per minute from everyone (a flood from many addresses). */
  RATE_QUESTIONS_PER_BLOG_PER_MIN: int(120, 1),
  /** Pending questions a blog may hold; more are refused until editors moderate. */
  QUESTION_QUEUE_MAX: int(500, 1),
  /**
   * Votes and reactions one address may send per minute (together). Generous: a newsroom's
   * office or a mobile carrier puts many readers behind one address; every reader needs only
   * a handful (one vote per poll, one reaction of each kind per post).
   */
  RATE_PARTICIPATION_PER_MIN: int(120, 1),
  /** How often changed vote and reaction counts are sent to a blog's readers (one frame per blog). */
  COUNTS_INTERVAL_MS: int(1000, 50, 60_000),
  // Media (photo uploads: src/media)
  /** Largest accepted upload, in bytes; a bigger one gets 413 and nothing is stored. */
  MEDIA_MAX_FILE_BYTES: int(20 * 1024 * 1024, 1024),
  /** Storage a blog's media may use in total (bytes of the variants kept). */
  MEDIA_QUOTA_BYTES: int(1024 * 1024 * 1024, 1024),
  /** Decompression-bomb guard: images whose header declares more pixels are refused before decoding. */
  MEDIA_MAX_PIXELS: int(80_000_000, 1),
  /** Uploads encoded at once on this node; others wait in a bounded queue (then 503). */
  MEDIA_CONCURRENCY: int(2, 1, 16),
  MEDIA_QUEUE: int(16, 0, 1000),
  /** Base URL that serves media objects (a CDN or the bucket); default: this server's /media/. */
  MEDIA_PUBLIC_URL: z.string().url().optional(),
  /** Setting S3_BUCKET (or S3_ENDPOINT) stores media in an S3-compatible object store instead of DATA_DIR. */
  S3_BUCKET: z.string().min(3).max(63).optional(),
  S3_ENDPOINT: optionalUrl(['http', 'https']),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Path-style URLs (http://host/bucket/key): what MinIO and most self-hosted stores need. */
  S3_FORCE_PATH_STYLE: bool(true),
  /** Key prefix inside the bucket, so one bucket can hold several deployments. */
  S3_PREFIX: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9._/-]*$/, 'letters, digits, . _ - and / only')
    .default(''),
  // Identity (docs/identity.md)
  /** argon2id cost: memory in KiB, passes, lanes. The defaults follow OWASP's first argon2id row. */
  ARGON2_MEMORY_KIB: int(19_456, 1024, 4 * 1024 * 1024),
  ARGON2_TIME_COST: int(2, 1, 20),
  ARGON2_PARALLELISM: int(1, 1, 16),
  PASSWORD_MIN_LENGTH: int(10, 8, 128),
  /** Wrong passwords for one account from one address before that pair waits LOGIN_WINDOW_S. */
  LOGIN_FAILURES_PER_PAIR: int(10, 1),
  /** Wrong passwords for one account from all addresses (addresses it signed in from are exempt). */
  LOGIN_FAILURES_PER_ACCOUNT: int(50, 1),
  /** Wrong passwords from one address at all accounts before it gets one try per account. */
  LOGIN_FAILURES_PER_ADDRESS: int(100, 1),
  LOGIN_WINDOW_S: int(900, 1, 86_400),

  /** The editor page's access token lives this long; the page renews it through its session cookie. */
  SESSION_ACCESS_TTL_S: int(900, 30, 3600),
  /** A sign-in session (its cookie) ends this long after it began, renewals or not. */
  SESSION_TTL_S: int(14 * 86_400, 300, 90 * 86_400),

  /** Tokens from the newsroom's CMS: a JWKS URL or one static public key (PEM, SPKI). */
  AUTH_JWKS_URL: optionalUrl(['https', 'http']),
  AUTH_JWT_PUBLIC_KEY: z.string().min(1).optional(),
  AUTH_JWT_ISSUER: z.string().min(1).optional(),
  AUTH_JWT_AUDIENCE: z.string().min(1).optional(),
  /** Comma-separated; asymmetric algorithms only (a shared secret would let any holder mint tokens). */
  AUTH_JWT_ALGORITHMS: z
    .string()
    .default('RS256,ES256,EdDSA')
    .transform((s) =>
      s
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(JWT_ALGORITHMS)).min(1)),
  AUTH_JWT_CLOCK_SKEW_S: int(30, 0, 300),
  /** A JWT longer than this is refused before it is parsed. */
  AUTH_JWT_MAX_BYTES: int(8192, 256, 65_536),
  /** A token whose `exp` is further away than this is refused (a CMS should mint short-lived tokens). */
  AUTH_JWT_MAX_TTL_S: int(86_400, 60, 30 * 86_400),
  /** The claim holding per-blog roles: `{ "<blog id or slug>": "owner" | "editor" | "contributor" }`. */
  AUTH_JWT_ROLES_CLAIM: z.string().min(1).max(100).default('liveblog_roles'),

  /** Single sign-on with OpenID Connect (authorization code + PKCE). */
  OIDC_ISSUER: optionalUrl(['https', 'http']),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** Defaults to PUBLIC_URL + /auth/oidc/callback. */
  OIDC_REDIRECT_URL: optionalUrl(['https', 'http']),
  OIDC_SCOPES: z.string().min(1).default('openid email profile'),
  /** Comma-separated email domains allowed in; empty allows every verified email. */
  OIDC_ALLOWED_DOMAINS: list(),
  OIDC_GROUPS_CLAIM: z.string().min(1).max(100).default('groups'),
  /**
   * Group → role, comma-separated: `newsroom-admins=admin,politics=editor@election-2026`
   * (`admin`, or `owner|editor|contributor@<blog id or slug>`).
   */
  OIDC_GROUP_ROLES: z
    .string()
    .default('')
    .transform((s, ctx) => parseGroupRoles(s, ctx)),
  /** When true, a provider account that matches no OIDC_GROUP_ROLES entry is refused. */
  OIDC_REQUIRE_GROUP: bool(false),

  // Lifecycle
  SHUTDOWN_TIMEOUT_MS: int(10_000, 100),
  /** After SIGTERM, /ready answers 503 this long before the listener closes (lets a load balancer notice). */
  SHUTDOWN_DELAY_MS: int(1000, 0),
  /** SQLite synchronous pragma: FULL survives power loss; NORMAL survives process crashes. */
  SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),

  // Outward (webhooks, WebSub, Web Push, Server-Sent Events)
  /** production: outbound targets must be https. */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** Let webhooks and WebSub callbacks reach loopback and private addresses (development and tests only). */
  OUTBOUND_ALLOW_PRIVATE: bool(false),
  OUTBOUND_CONNECT_TIMEOUT_MS: int(5_000, 100, 60_000),
  /** Bound on one whole outbound exchange (send, wait, read). */
  OUTBOUND_TIMEOUT_MS: int(10_000, 100, 120_000),
  OUTBOUND_MAX_RESPONSE_BYTES: int(64 * 1024, 1024, 16 * 1024 * 1024),
  /** Whether this node sends webhook deliveries (false: it only writes them to the outbox). */
  WEBHOOKS_DISPATCH: bool(true),
  /** Webhook deliveries one node sends at once (each bounded by OUTBOUND_TIMEOUT_MS). */
  WEBHOOK_CONCURRENCY: int(32, 1, 1000),
  /** How often an idle dispatcher looks for due retries (new events wake it at once). */
  WEBHOOK_POLL_MS: int(1000, 10),
  /** First retry delay; doubles per attempt up to an hour, with jitter. */
  WEBHOOK_RETRY_BASE_MS: int(5000, 1),
  /** Attempts before a delivery is given up and its endpoint disabled (about a day by default). */
  WEBHOOK_MAX_ATTEMPTS: int(30, 1, 100),
  /** Comment lines on idle Server-Sent Events streams, so proxies keep them open. */
  SSE_HEARTBEAT_MS: int(15_000, 100),
  /** What an EventSource waits before reconnecting (the stream's `retry:` field). */
  SSE_RETRY_MS: int(2_000, 100),
  /** Outbound jobs (WebSub verifications and distributions, hub pings, Web Push) one node sends at once. */
  OUTBOUND_JOB_CONCURRENCY: int(16, 1, 1000),
  /** Attempts of one WebSub distribution or push message before it is given up. */
  OUTBOUND_JOB_MAX_ATTEMPTS: int(8, 1, 100),
  /** When set, feeds announce this external WebSub hub and every change pings it (hub.mode=publish). */
  WEBSUB_HUB_URL: optionalUrl(['https', 'http']),
  WEBSUB_LEASE_DEFAULT_SECONDS: int(86_400, 1),
  WEBSUB_LEASE_MIN_SECONDS: int(60, 1),
  WEBSUB_LEASE_MAX_SECONDS: int(864_000, 1),
  /** Subscription requests at POST /websub per client address and minute. */
  RATE_WEBSUB_PER_MIN: int(30, 1),
  /** VAPID `sub` claim (mailto: or https:); default mailto:webpush@<PUBLIC_URL host>. */
  PUSH_SUBJECT: z
    .string()
    .regex(/^(mailto:|https:\/\/)\S+$/, 'must be a mailto: or https: URL')
    .optional(),
  /** How long a push service may hold a key-event notification for an offline device. */
  PUSH_TTL_SECONDS: int(3_600, 0, 2_419_200),
  PUSH_MAX_SUBSCRIPTIONS_PER_BLOG: int(100_000, 1),
  /** Push subscriptions per client address and minute. */
  RATE_PUSH_SUBSCRIBE_PER_MIN: int(10, 1),
});

export type Config = z.infer<typeof ConfigSchema> & { publicUrl: string };

export function isLoopbackUrl(u: string): boolean {
  const host = new URL(u).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(ConfigSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  if (c.S3_ENDPOINT && !c.S3_BUCKET)
    throw new ConfigError('invalid configuration:\n  S3_BUCKET: required when S3_ENDPOINT is set');
  const publicUrl = (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, '');
  const problems: string[] = [];
  if (c.AUTH_JWKS_URL && c.AUTH_JWT_PUBLIC_KEY)
    problems.push('  AUTH_JWT_PUBLIC_KEY: set either it or AUTH_JWKS_URL, not both');
  if ((c.AUTH_JWKS_URL || c.AUTH_JWT_PUBLIC_KEY) && (!c.AUTH_JWT_ISSUER || !c.AUTH_JWT_AUDIENCE)) {
    problems.push('  AUTH_JWT_ISSUER, AUTH_JWT_AUDIENCE: both are required when CMS tokens are enabled');
  }
  for (const key of ['AUTH_JWKS_URL', 'OIDC_ISSUER'] as const) {
    const v = c[key];
    // Plain http would let anyone on the path swap the keys: only a loopback address may use it.
    if (v?.startsWith('http:') && !isLoopbackUrl(v)) problems.push(`  ${key}: must be https (http only on loopback)`);
  }
  if (c.OIDC_ISSUER && !c.OIDC_CLIENT_ID) problems.push('  OIDC_CLIENT_ID: required when OIDC_ISSUER is set');
  if (problems.length) throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  return { ...c, publicUrl };
}
