import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { createAuth } from './auth/index.js';
import { createBus } from './bus/index.js';
import { attachCollab } from './collab/index.js';
import type { Config } from './config.js';
import type { Deps, EventStreams } from './deps.js';
import { createHttpApp } from './http/index.js';
import { isLoopbackHost } from './lib/hosts.js';
import { newId } from './lib/ids.js';
import { createLogger, type Logger } from './lib/logger.js';
import { createMetrics } from './lib/metrics.js';
import { delay } from './lib/wait.js';
import { createMediaStorage } from './media/index.js';
import { MediaService } from './media/service.js';
import { type Dispatcher, startDispatcher } from './outbound/dispatcher.js';
import { outboundLimits, outboundPolicy } from './outbound/index.js';
import type { JobRunner } from './outbound/jobs.js';
import { startOutwardJobs } from './outbound/outward.js';
import { attachReaderHub, type ReaderHub } from './realtime/index.js';
import { createScheduler } from './scheduler/index.js';
import { createStore } from './store/index.js';
import type { Store } from './store/types.js';

export interface App {
  server: Server;
  /** The Hono app itself: `http.request()` answers without a socket (the fast test tier). */
  http: ReturnType<typeof createHttpApp>;
  deps: Deps;
  /** Starts listening; resolves with the bound address (PORT=0 picks a free port). */
  listen(): Promise<AddressInfo>;
  /**
   * Graceful stop: /ready turns 503, new connections are refused, in-flight requests finish,
   * collab updates are flushed, readers and editors are told to reconnect elsewhere, then
   * the bus and store close. Bounded by SHUTDOWN_TIMEOUT_MS.
   */
  shutdown(): Promise<void>;
}

/** The composition root: picks the store and bus from config and wires http, realtime and collab. */
export async function createApp(config: Config, opts: { log?: Logger; store?: Store } = {}): Promise<App> {
  const nodeId = config.NODE_ID ?? newId().slice(-8);
  const log = opts.log ?? createLogger(config.LOG_LEVEL, { node: nodeId });
  const metrics = createMetrics();
  // A store may be handed in (an in-memory SQLite for the fast test tier); else from config.
  const store = opts.store ?? (await createStore(config, log.child({ area: 'store' })));
  await store.migrate();
  const bus = createBus(config, { nodeId, log: log.child({ area: 'bus' }), metrics });
  const auth = await createAuth({ store, config, log: log.child({ area: 'auth' }) });
  const mediaLog = log.child({ area: 'media' });
  const media = new MediaService({
    storage: await createMediaStorage(config, mediaLog),
    log: mediaLog,
    metrics,
    maxPixels: config.MEDIA_MAX_PIXELS,
    concurrency: config.MEDIA_CONCURRENCY,
    queue: config.MEDIA_QUEUE,
  });
  const deps: Deps = { store, bus, auth, config, log, metrics, media, lifecycle: { draining: false } };
  log.info(
    {
      store: store.kind,
      bus: bus.kind,
      media: media.storage.kind,
      dataDir: store.kind === 'sqlite' ? config.DATA_DIR : undefined,
    },
    `using ${store.kind} store, ${bus.kind} bus and ${media.storage.kind} media storage`,
  );

  if (!config.PUBLIC_URL && !isLoopbackHost(config.HOST)) {
    log.warn(
      { host: config.HOST },
      'PUBLIC_URL is not set: public pages, feeds and oEmbed answer 421 to any Host but localhost; set PUBLIC_URL',
    );
  }
  // The SSE route is served by the reader hub, which attaches to the server made below:
  // hand http a forwarder now, bound to the hub once it exists (before any request).
  let hubRef: ReaderHub | null = null;
  const streams: EventStreams = {
    open: (req) =>
      hubRef
        ? hubRef.streams.open(req)
        : Promise.resolve({ ok: false, code: 'unavailable', message: 'starting up, retry' }),
  };
  let dispatcher: Dispatcher | null = null;
  let outwardJobs: JobRunner | null = null;
  const http = createHttpApp(
    { ...deps, log: log.child({ area: 'http' }) },
    { streams, wakeDispatcher: () => dispatcher?.wake(), wakeOutward: () => outwardJobs?.wake() },
  );
  const server = createServer(getRequestListener(http.fetch));
  // Long-polling readers and slow mobile clients: keep-alive longer than typical LB idle timeouts.
  server.keepAliveTimeout = 65_000;
  const hub = attachReaderHub(server, { ...deps, log: log.child({ area: 'realtime' }) });
  hubRef = hub;
  // Webhooks: every node sends from the shared outbox (the store hands each delivery to one).
  if (config.WEBHOOKS_DISPATCH) {
    dispatcher = startDispatcher({
      ...deps,
      log: log.child({ area: 'webhooks' }),
      nodeId,
      policy: outboundPolicy(config),
      limits: outboundLimits(config),
    });
  }
  // WebSub and Web Push: the job queue in the store, sent by every node (one holds each job).
  outwardJobs = config.WEBHOOKS_DISPATCH
    ? await startOutwardJobs({
        ...deps,
        log: log.child({ area: 'outward' }),
        nodeId,
        // A topic's body is what a feed reader would fetch: the pages app answers in process.
        fetchTopic: async (topic) => {
          const res = await http.request(topic);
          return {
            status: res.status,
            body: new Uint8Array(await res.arrayBuffer()),
            contentType: res.headers.get('content-type') ?? 'application/octet-stream',
          };
        },
      })
    : null;
  const collab = attachCollab(server, { ...deps, log: log.child({ area: 'collab' }) });
  // Every node runs one; the store's claims make each scheduled post go out exactly once.
  const scheduler = createScheduler({ store, bus, config, log: log.child({ area: 'scheduler' }), metrics });
  // Posts that fell due while the server was down go out now (not awaited: start is not held up).
  void scheduler.start();

  let stopping: Promise<void> | null = null;
  return {
    server,
    http,
    deps,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.PORT, config.HOST, () => {
          server.off('error', reject);
          const addr = server.address() as AddressInfo;
          log.info({ port: addr.port, url: config.publicUrl }, 'listening');
          resolve(addr);
        });
      }),
    shutdown: () => {
      stopping ??= (async () => {
        deps.lifecycle.draining = true;
        // The drain waits on unref'd timers: once the last socket is gone nothing else would
        // keep the process alive, and it would exit (code 0) before the bus and store close.
        const hold = setInterval(() => {}, 60_000);
        try {
          const startedAt = Date.now();
          const deadline = setTimeout(() => {
            log.warn('shutdown bound reached; closing remaining connections');
            server.closeAllConnections();
          }, config.SHUTDOWN_TIMEOUT_MS);
          deadline.unref();
          // /ready already answers 503; keep serving briefly so a load balancer can take us out.
          await delay(Math.min(config.SHUTDOWN_DELAY_MS, config.SHUTDOWN_TIMEOUT_MS / 2));
          log.info({ waitedMs: Date.now() - startedAt }, 'closing listener');
          // Stop accepting; in-flight requests finish, idle keep-alive sockets close.
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          server.closeIdleConnections();
          await scheduler.close();
          await collab.close();
          await hub.close();
          await dispatcher?.close();
          await outwardJobs?.close();
          await closed;
          clearTimeout(deadline);
          await bus.close();
          await auth.close();
          await media.storage.close();
          await store.close();
          log.info('stopped');
        } finally {
          clearInterval(hold);
        }
      })();
      return stopping;
    },
  };
}
