import { retryDelayMs } from '../domain/index.js';
import type { JobKind, OutboundJob } from '../store/outward.js';
import { type OutboundNode, startClaimLoop } from './claim-loop.js';

/**
 * Runs the outbound job queue (WebSub verifications, distributions and hub pings, Web Push).
 * Every node runs one; the store's claim is a lease, so each job is held by one node at a time
 * and a node that dies mid-send loses its jobs to another when the lease ends (at-least-once).
 * New events wake it through the bus; due retries are found by polling. Each job is one
 * bounded outbound request, run beside the others up to OUTBOUND_JOB_CONCURRENCY: a hanging
 * receiver holds one slot, never the loop.
 */
export type JobResult = { outcome: 'done' } | { outcome: 'retry'; error: string } | { outcome: 'drop'; error: string };

export type JobHandler = (job: OutboundJob) => Promise<JobResult>;

export interface JobRunnerDeps extends OutboundNode {
  handlers: Partial<Record<JobKind, JobHandler>>;
  /** Longer than any one job can take (a live node must never lose a lease it is using). */
  leaseMs: number;
}

export interface JobRunner {
  wake(): void;
  close(): Promise<void>;
}

/** How often expired WebSub leases are swept from the store. */
const EXPIRY_SWEEP_MS = 60_000;

export function startJobRunner(deps: JobRunnerDeps): JobRunner {
  const { store, bus, config, log, metrics, nodeId, handlers, leaseMs } = deps;
  let lastSweep = 0;

  async function run(job: OutboundJob): Promise<void> {
    const handler = handlers[job.kind];
    let result: JobResult;
    if (!handler) {
      // Another node's kind (e.g. pings while this node has no external hub): leave it be,
      // but not forever.
      result = { outcome: 'drop', error: `no handler for ${job.kind}` };
    } else {
      try {
        result = await handler(job);
      } catch (err) {
        result = { outcome: 'retry', error: (err as Error).message };
      }
    }
    const now = Date.now();
    if (result.outcome === 'retry' && job.attempts + 1 >= config.OUTBOUND_JOB_MAX_ATTEMPTS) {
      result = { outcome: 'drop', error: `gave up after ${job.attempts + 1} attempts: ${result.error}` };
    }
    metrics.outboundJobs.inc({ kind: job.kind, outcome: result.outcome });
    if (result.outcome === 'drop')
      log.info({ jobId: job.id, kind: job.kind, reason: result.error }, 'outbound job dropped');
    await store.outward.finishJob(
      job,
      result.outcome === 'retry'
        ? {
            outcome: 'retry',
            error: result.error,
            nextAttemptAt: new Date(
              now + retryDelayMs(job.attempts + 1, Math.random, config.WEBHOOK_RETRY_BASE_MS),
            ).toISOString(),
          }
        : result,
      new Date(now).toISOString(),
    );
  }

  return startClaimLoop({
    bus,
    log,
    name: 'outbound jobs',
    concurrency: config.OUTBOUND_JOB_CONCURRENCY,
    pollMs: config.WEBHOOK_POLL_MS,
    claim: async (limit) => {
      const now = Date.now();
      if (now - lastSweep > EXPIRY_SWEEP_MS) {
        lastSweep = now;
        await store.outward.expireWebSubs(new Date(now).toISOString());
      }
      return store.outward.claimJobs({
        owner: nodeId,
        now: new Date(now).toISOString(),
        leaseUntil: new Date(now + leaseMs).toISOString(),
        limit,
      });
    },
    run,
    describe: (job) => ({ jobId: job.id }),
    // A full batch: there may be more due right away (a key event fanned out to many).
    drainFullBatches: true,
  });
}
