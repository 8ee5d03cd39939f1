import type { Bus } from '../bus/types.js';
import type { Config } from '../config.js';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../lib/metrics.js';
import type { Store } from '../store/types.js';

/** What every outbound queue (deliveries, jobs) takes from the node that runs it. */
export interface OutboundNode {
  store: Store;
  bus: Bus;
  config: Config;
  log: Logger;
  metrics: Metrics;
  nodeId: string;
}

/**
 * The loop both outbound queues run (webhook deliveries, and WebSub/Web Push jobs): claim up
 * to the free slots from the store, run each claimed item beside the others, and sleep until
 * something changes. It wakes on a committed event from any node (the bus), on a bus resync,
 * when an item finishes (a slot is free, and the next item of that receiver may be due), and
 * otherwise every `pollMs` (retries that came due). Wakes coalesce to the end of the turn, so
 * items that finish together are claimed in one query.
 */
export interface ClaimLoopOptions<T> {
  bus: Bus;
  log: Logger;
  /** What the log calls the queue ("webhook deliveries", "outbound jobs"). */
  name: string;
  concurrency: number;
  pollMs: number;
  /** Claims at most `limit` due items (a lease in the store). */
  claim(limit: number): Promise<T[]>;
  /** Sends one item and records its outcome; each run is bounded in time. */
  run(item: T): Promise<void>;
  /** What identifies an item in a log line. */
  describe(item: T): Record<string, unknown>;
  /**
   * Claim again at once after a full batch (more may be due right away, as when a key event
   * fans out to many devices). Off for queues where a full batch means every receiver's head
   * is busy, so an immediate second claim would find nothing.
   */
  drainFullBatches?: boolean;
}

export interface ClaimLoop {
  /** Look for work now (a commit on this node). */
  wake(): void;
  /** Stops claiming; waits for the items in flight (each is bounded). */
  close(): Promise<void>;
}

export function startClaimLoop<T>(opts: ClaimLoopOptions<T>): ClaimLoop {
  const { log } = opts;
  const inFlight = new Set<Promise<void>>();
  let closed = false;
  let woken = false;
  let wakePending = false;
  let wakeUp: (() => void) | null = null;

  const wake = () => {
    woken = true;
    if (wakePending) return;
    wakePending = true;
    setImmediate(() => {
      wakePending = false;
      wakeUp?.();
    });
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken || closed) return resolve();
      const t = setTimeout(done, ms);
      t.unref();
      function done() {
        clearTimeout(t);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
    });

  const unsubscribe = opts.bus.subscribe(({ msg }) => {
    if (msg.kind === 'event') wake();
  });
  const unsubscribeResync = opts.bus.onResync(wake);

  async function loop(): Promise<void> {
    while (!closed) {
      woken = false;
      const free = opts.concurrency - inFlight.size;
      if (free <= 0) {
        await Promise.race(inFlight);
        continue;
      }
      let claimed: T[] = [];
      try {
        claimed = await opts.claim(free);
      } catch (err) {
        log.warn({ err }, `claiming ${opts.name} failed; retrying`);
        await sleep(opts.pollMs);
        continue;
      }
      for (const item of claimed) {
        const p: Promise<void> = opts
          .run(item)
          .catch((err: unknown) => log.warn({ err, ...opts.describe(item) }, `recording one of ${opts.name} failed`))
          .finally(() => {
            inFlight.delete(p);
            wake();
          });
        inFlight.add(p);
      }
      if (opts.drainFullBatches && claimed.length === free) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      // Until something finishes or a new event arrives (or a retry may have come due).
      await sleep(opts.pollMs);
    }
  }

  const running = loop().catch((err: unknown) => log.error({ err }, `${opts.name} loop stopped`));

  return {
    wake,
    close: async () => {
      closed = true;
      unsubscribe();
      unsubscribeResync();
      wake();
      await running;
      await Promise.allSettled([...inFlight]);
    },
  };
}
