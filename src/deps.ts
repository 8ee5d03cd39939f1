import type { Auth } from './auth/index.js';
import type { Bus } from './bus/types.js';
import type { Config } from './config.js';
import type { Logger } from './lib/logger.js';
import type { Metrics } from './lib/metrics.js';
import type { MediaService } from './media/service.js';
import type { Store } from './store/types.js';

/**
 * What app.ts hands to each part (http, realtime, collab). The parts never import each
 * other: they talk through the store and the bus only.
 */
export interface Deps {
  store: Store;
  bus: Bus;
  auth: Auth;
  config: Config;
  log: Logger;
  metrics: Metrics;
  /** Photo uploads: encoding (bounded) and the media object storage (disk or S3). */
  media: MediaService;
  /** Set once shutdown begins: /ready turns 503 and new connections are refused. */
  lifecycle: { draining: boolean };
}

/**
 * The reader event stream as Server-Sent Events: served by the reader hub (src/realtime, fed
 * by the same per-blog feeds as Socket.IO), reached by the HTTP route through app.ts.
 */
export interface EventStreams {
  open(req: EventStreamRequest): Promise<EventStreamResult>;
}

export interface EventStreamRequest {
  /** The blog's id (the HTTP side has resolved slugs and checked that the caller may read it). */
  blogId: string;
  /** Last seq the client has (Last-Event-ID or ?since=); undefined starts at the head. */
  since: number | undefined;
  /** The caller may read the blog while it is a draft (member or admin). */
  member: boolean;
  /** The client address, for the per-address connection cap. */
  ip: string;
  /**
   * Drops the connection at once (a slow consumer): ending the stream is not enough, since a
   * client that does not read never lets the server get to the end of what is queued.
   */
  drop(): void;
}

export type EventStreamResult =
  | { ok: true; body: ReadableStream<Uint8Array> }
  | { ok: false; code: 'not_found' | 'rate_limited' | 'unavailable'; message: string };
