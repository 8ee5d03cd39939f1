import type { Bus } from '../bus/types.js';
import type { Config } from '../config.js';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../lib/metrics.js';
import type { ScheduleStore } from './types.js';

export type { ScheduleClaim, ScheduleStore } from './types.js';

export interface SchedulerDeps {
  store: ScheduleStore;
  bus: Bus;
  config: Config;
  log: Logger;
  metrics: Metrics;
}

export interface Scheduler {
  /** Publishes everything already due (what fell due while the server was down), then follows the schedule. */
  start(): Promise<void>;
  /** Stops the timer and waits for a run in progress (its claims are released by publication or lease). */
  close(): Promise<void>;
  /** Resolves after the next full run (tests, and the bus doorbell). */
  runNow(): Promise<void>;
}

/** Posts claimed per store round trip; a run loops until nothing due is left. */
const CLAIM_BATCH = 50;
/** Bounds one run, so a flood of due posts cannot starve the timer. */
const MAX_ROUNDS = 100;

/**
 * Publishes scheduled posts when they fall due, on every node, each exactly once (the
 * store's claim and guarded publish decide). The timer aims at the earliest `publishAt`;
 * it is re-aimed whenever a node says a post was scheduled (the bus `draft` doorbell) and
 * at least every SCHEDULER_POLL_MS, so a lost doorbell or a dead node's lease costs at most
 * that long.
 */
export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { store, bus, config, log, metrics } = deps;
  const nodeId = bus.nodeId;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  let running: Promise<void> | null = null;
  let again = false;

  async function publishDue(): Promise<void> {
    for (let round = 0; round < MAX_ROUNDS && !closed; round++) {
      const now = new Date().toISOString();
      const claims = await store.claimDuePosts(now, {
        nodeId,
        limit: CLAIM_BATCH,
        leaseMs: config.SCHEDULER_LEASE_MS,
      });
      if (claims.length === 0) return;
      for (const claim of claims) {
        if (closed) return;
        const done = await store.publishClaimed(claim, nodeId, new Date().toISOString());
        if (!done) continue;
        bus.publish({ kind: 'event', event: done.event });
        // Editors' lists drop it from the scheduled ones.
        bus.publish({
          kind: 'draft',
          event: { blogId: claim.blogId, type: 'draft.deleted', data: { id: claim.postId }, at: done.event.at },
        });
        metrics.eventsCommitted.inc({ type: done.event.type });
        const lateMs = Date.parse(done.event.at) - Date.parse(claim.publishAt);
        metrics.scheduledLatenessSeconds.observe(Math.max(0, lateMs) / 1000);
        log.info({ blogId: claim.blogId, postId: claim.postId, lateMs }, 'published a scheduled post');
      }
      if (claims.length < CLAIM_BATCH) return;
    }
  }

  async function aim(): Promise<void> {
    if (closed) return;
    let next: string | null = null;
    try {
      next = await store.nextPublishAt(new Date().toISOString());
    } catch (err) {
      log.warn({ err }, 'scheduler could not read the next due time');
    }
    if (closed) return;
    const poll = config.SCHEDULER_POLL_MS;
    const wait = next === null ? poll : Math.max(0, Math.min(poll, Date.parse(next) - Date.now()));
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void run(), wait);
    timer.unref();
  }

  /** One run at a time; a request during a run makes it go round once more. */
  function run(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await publishDue();
        } while (again && !closed);
      } catch (err) {
        log.warn({ err }, 'scheduler run failed; retrying on the next tick');
      } finally {
        running = null;
        await aim();
      }
    })();
    return running;
  }

  const unsubscribe = bus.subscribe(({ msg }) => {
    // A post was scheduled or rescheduled somewhere: re-aim at once (cheap: one MIN query).
    if (msg.kind === 'draft' && msg.event.type === 'draft.saved' && 'status' in msg.event.data) {
      if ((msg.event.data.status as string) === 'scheduled' && !running) void aim();
    }
  });

  return {
    start: () => run(),
    runNow: () => run(),
    close: async () => {
      closed = true;
      unsubscribe();
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
