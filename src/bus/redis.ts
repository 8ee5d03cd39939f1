import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../lib/logger.js';
import { type BusMetrics, Fanout } from './fanout.js';
import { type Bus, BusMessage } from './types.js';

export interface RedisBusOptions {
  url: string;
  nodeId: string;
  log: Logger;
  metrics?: BusMetrics;
  /** Namespaces the channel (`<prefix>:bus`), so several deployments can share one Redis. */
  prefix?: string;
  /** Upper bound of the reconnect backoff, in ms. */
  maxRetryDelayMs?: number;
}

export const REDIS_BUS_DEFAULTS = { prefix: 'liveblog', maxRetryDelayMs: 2000 } as const;

/** A Redis bus also tells when it is connected, for tests and for startup logs. */
export interface RedisBus extends Bus {
  readonly kind: 'redis';
  readonly channel: string;
  /**
   * Resolves once the subscriber is subscribed and the publisher can send (now or after the
   * next reconnect); rejects if the bus is closed first.
   */
  ready(): Promise<void>;
  /** Subscribed and able to publish right now. */
  isConnected(): boolean;
}

/**
 * What travels on the channel. `inst` is random per bus instance, so a node drops exactly its
 * own messages even if two processes were misconfigured with the same NODE_ID. A `resync`
 * notice carries no message: it tells the others that this node dropped messages while its
 * publisher was disconnected, so they should re-read the store.
 */
const WireEnvelope = z.object({
  from: z.string().min(1).max(128),
  inst: z.string().min(1).max(64),
  msg: z.unknown().optional(),
  resync: z.literal(true).optional(),
});

/**
 * Redis pub/sub as a doorbell between nodes: one channel, a publisher and a duplicate()
 * subscriber. Delivery is best effort (the store is the log); every gap Redis can cause ends
 * in a resync so consumers re-read the store.
 */
export function createRedisBus(opts: RedisBusOptions): RedisBus {
  const { nodeId, log, metrics } = opts;
  const channel = `${opts.prefix ?? REDIS_BUS_DEFAULTS.prefix}:bus`;
  const maxDelay = opts.maxRetryDelayMs ?? REDIS_BUS_DEFAULTS.maxRetryDelayMs;
  const inst = randomBytes(6).toString('hex');
  const fanout = new Fanout(log);

  const pub = new Redis(opts.url, {
    // A publish while Redis is away fails at once instead of piling up in memory: the store
    // already has the change and the resync notice covers the gap.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), maxDelay),
    connectionName: `liveblog-bus-pub-${nodeId}`,
  });
  const sub = pub.duplicate({
    enableOfflineQueue: true,
    // We subscribe ourselves on every 'ready' so we know when the channel is live again.
    autoResubscribe: false,
    maxRetriesPerRequest: null,
    connectionName: `liveblog-bus-sub-${nodeId}`,
  });

  let closed = false;
  let subscribed = false;
  let everSubscribed = false;
  let droppedWhileDown = false;
  let invalidCount = 0;
  let warnedSameNodeId = false;
  const down = { pub: false, sub: false };
  let waiters: { resolve: () => void; reject: (err: Error) => void }[] = [];

  const isReady = () => subscribed && pub.status === 'ready';
  const settleWaiters = () => {
    if (!isReady()) return;
    const ws = waiters;
    waiters = [];
    for (const w of ws) w.resolve();
  };

  const onError = (which: 'pub' | 'sub') => (err: Error) => {
    // ioredis emits one error per failed reconnect attempt; log the first of each outage.
    if (closed || down[which]) return;
    down[which] = true;
    log.warn({ err: err.message, client: which }, 'redis bus connection error; retrying');
  };
  pub.on('error', onError('pub'));
  sub.on('error', onError('sub'));

  sub.on('close', () => {
    subscribed = false;
  });
  sub.on('ready', () => {
    void subscribeChannel();
  });
  pub.on('ready', () => {
    down.pub = false;
    if (droppedWhileDown) sendResyncNotice();
    settleWaiters();
  });

  async function subscribeChannel(): Promise<void> {
    try {
      await sub.subscribe(channel);
    } catch (err) {
      // The connection dropped again before the reply; the next 'ready' retries.
      if (!closed) log.debug({ err }, 'redis bus subscribe failed; waiting for reconnect');
      return;
    }
    if (closed) return;
    subscribed = true;
    down.sub = false;
    if (everSubscribed) {
      // Whatever was published while we were away is lost: consumers must re-read the store.
      metrics?.busReconnects.inc();
      log.info({ channel }, 'redis bus resubscribed; resyncing');
      fanout.resync();
    } else {
      // Also a resync: whatever other nodes published before this moment never reached us,
      // and consumers may already hold state read from the store (the node serves before
      // Redis answers, and keeps serving when Redis is down at startup). Cheap when nothing
      // is loaded yet.
      everSubscribed = true;
      log.info({ channel }, 'redis bus subscribed');
      fanout.resync();
    }
    settleWaiters();
  }

  function noteDropped(kind: string, err?: unknown): void {
    // One warning per outage; the resync notice sent on reconnect repairs the gap.
    if (!droppedWhileDown && !closed) {
      log.warn({ kind, err: err instanceof Error ? err.message : undefined }, 'redis bus down; dropping messages');
    }
    droppedWhileDown = true;
  }

  /** Fire and forget; false when the publisher is not connected (nothing was sent). */
  function send(wire: string, kind: string): boolean {
    if (pub.status !== 'ready') return false;
    pub.publish(channel, wire).catch((err: unknown) => noteDropped(kind, err));
    return true;
  }

  function sendResyncNotice(): void {
    if (send(JSON.stringify({ from: nodeId, inst, resync: true }), 'resync')) {
      droppedWhileDown = false;
      log.info('redis bus publisher back; asked other nodes to resync');
    }
  }

  function onInvalid(reason: string, detail?: unknown): void {
    invalidCount += 1;
    metrics?.busMessages.inc({ direction: 'in', kind: 'invalid' });
    // Log the first and then a sample, so a misbehaving peer cannot flood the log.
    if (invalidCount === 1 || invalidCount % 1000 === 0) {
      log.warn({ reason, detail, invalidCount }, 'dropped invalid bus message');
    }
  }

  sub.on('message', (ch: string, raw: string) => {
    if (closed || ch !== channel) return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      onInvalid('not JSON');
      return;
    }
    const env = WireEnvelope.safeParse(json);
    if (!env.success) {
      onInvalid('bad envelope', env.error.issues.slice(0, 3));
      return;
    }
    const { from, resync } = env.data;
    // Our own message: local subscribers already got it synchronously in publish().
    if (env.data.inst === inst) return;
    if (from === nodeId && !warnedSameNodeId) {
      warnedSameNodeId = true;
      log.warn({ nodeId }, 'another process uses the same NODE_ID; give each node its own');
    }
    if (resync) {
      log.info({ from }, 'node asked for a resync');
      fanout.resync();
      return;
    }
    const msg = BusMessage.safeParse(env.data.msg);
    if (!msg.success) {
      onInvalid('bad message', msg.error.issues.slice(0, 3));
      return;
    }
    metrics?.busMessages.inc({ direction: 'in', kind: msg.data.kind });
    fanout.deliver({ from, msg: msg.data });
  });

  async function closeClient(client: Redis, graceful: boolean): Promise<void> {
    if (graceful && client.status === 'ready') {
      // QUIT is answered after every earlier command, so sent publishes are not cut off.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 1000);
        timer.unref();
      });
      await Promise.race([
        client.quit().then(
          () => undefined,
          () => undefined,
        ),
        timeout,
      ]);
      clearTimeout(timer);
    }
    client.disconnect();
  }

  return {
    kind: 'redis',
    nodeId,
    channel,
    publish(msg) {
      if (closed) return;
      metrics?.busMessages.inc({ direction: 'out', kind: msg.kind });
      // Out to Redis first: a local handler that publishes in turn must not overtake this one.
      let wire: string | null = null;
      try {
        wire = JSON.stringify({ from: nodeId, inst, msg });
      } catch (err) {
        log.error({ err, kind: msg.kind }, 'bus message is not serialisable; not sent to other nodes');
      }
      if (wire !== null && !send(wire, msg.kind)) noteDropped(msg.kind);
      fanout.deliver({ from: nodeId, msg });
    },
    subscribe: (handler) => fanout.subscribe(handler),
    onResync: (handler) => fanout.onResync(handler),
    isConnected: () => isReady(),
    ready() {
      if (closed) return Promise.reject(new Error('bus closed'));
      if (isReady()) return Promise.resolve();
      return new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
    },
    async close() {
      if (closed) return;
      closed = true;
      fanout.clear();
      const ws = waiters;
      waiters = [];
      for (const w of ws) w.reject(new Error('bus closed'));
      await Promise.all([closeClient(pub, true), closeClient(sub, false)]);
    },
  };
}
