import { z } from 'zod';

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

export const ConfigSchema = z.object({
  PORT: int(3000, 0, 65535),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: optionalUrl(['postgres', 'postgresql']),
  REDIS_URL: optionalUrl(['redis', 'rediss']),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  PUBLIC_URL: z.string().url().optional(),
  /** When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`; public otherwise. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** A stable name for this node in logs and bus messages; random when absent. */
  NODE_ID: z.string().min(1).max(64).optional(),

  // HTTP
  MAX_BODY_BYTES: int(1024 * 1024, 1024),
  TRUST_PROXY: bool(false),

  // Reader push
  /** How many events behind a reader may be and still be replayed rather than reset. */
  REPLAY_WINDOW: int(1000, 1),
  /** Events kept in memory per active blog to serve catch-ups without a store query. */
  REPLAY_MEMORY: int(500, 0),
  /** Bytes all those rings together may hold on a node; the least active lose events first. */
  REPLAY_MEMORY_BYTES: int(64 * 1024 * 1024, 0),
  HEARTBEAT_MS: int(5000, 100),
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

  // Lifecycle
  SHUTDOWN_TIMEOUT_MS: int(10_000, 100),
  /** After SIGTERM, /ready answers 503 this long before the listener closes (lets a load balancer notice). */
  SHUTDOWN_DELAY_MS: int(1000, 0),
  /** SQLite synchronous pragma: FULL survives power loss; NORMAL survives process crashes. */
  SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
});

export type Config = z.infer<typeof ConfigSchema> & { publicUrl: string };

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
  return { ...c, publicUrl };
}
