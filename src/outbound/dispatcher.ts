import { retryDelayMs } from '../domain/index.js';
import type { ClaimedDelivery } from '../store/outbox.js';
import { type OutboundNode, startClaimLoop } from './claim-loop.js';
import { type OutboundPolicy, type OutboundRequest, sendOutbound } from './request.js';
import { webhookHeaders } from './signing.js';

/**
 * Sends the webhook outbox. Every node runs one; the store's claim makes exactly one node
 * hold each delivery at a time (a lease: a node that dies mid-send loses it to another when
 * the lease ends, hence at-least-once). Per endpoint only the oldest pending delivery is
 * handed out, so receivers see seq order. New events wake it through the bus; due retries
 * are found by polling.
 *
 * Each attempt is one bounded outbound request (time, size, addresses: outbound/request.ts),
 * run beside the others: a hanging receiver holds one slot, never the loop.
 */
export interface DispatcherDeps extends OutboundNode {
  policy: OutboundPolicy;
  limits: Pick<OutboundRequest, 'connectTimeoutMs' | 'timeoutMs' | 'maxResponseBytes'>;
}

export interface Dispatcher {
  /** Look for work now (a commit on this node). */
  wake(): void;
  /** Stops claiming; waits for attempts in flight (each is bounded). */
  close(): Promise<void>;
}

export function startDispatcher(deps: DispatcherDeps): Dispatcher {
  const { store, bus, config, log, metrics, nodeId, policy, limits } = deps;
  const timeoutMs = limits.timeoutMs ?? config.OUTBOUND_TIMEOUT_MS;
  // Longer than any attempt can take, so a live node never loses a lease it is using.
  const leaseMs = 2 * timeoutMs + (limits.connectTimeoutMs ?? config.OUTBOUND_CONNECT_TIMEOUT_MS) + 1_000;

  async function attempt(d: ClaimedDelivery): Promise<void> {
    const started = Date.now();
    const headers = webhookHeaders(d.secret, `msg_${d.id}`, d.body, new Date(started));
    let ok = false;
    let status: number | null = null;
    let error: string | null = null;
    let latencyMs: number | null = null;
    try {
      const res = await sendOutbound(d.url, { method: 'POST', headers, body: d.body, ...limits }, policy);
      status = res.status;
      latencyMs = Math.round(res.durationMs * 10) / 10;
      ok = res.status >= 200 && res.status < 300;
      if (!ok)
        error = `HTTP ${res.status}${res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : ''}`;
    } catch (err) {
      error = (err as Error).message.slice(0, 300);
      latencyMs = Date.now() - started;
    }
    const attempts = d.attempts + 1;
    const now = Date.now();
    // 410 Gone: the receiver says the endpoint is no more (Standard Webhooks): stop at once.
    const gone = status === 410;
    const giveUp = !ok && (gone || attempts >= config.WEBHOOK_MAX_ATTEMPTS);
    const nextAttemptAt =
      ok || giveUp
        ? null
        : new Date(now + retryDelayMs(attempts, Math.random, config.WEBHOOK_RETRY_BASE_MS)).toISOString();
    const disable = giveUp
      ? gone
        ? 'the receiver answered 410 Gone'
        : `disabled after ${attempts} failed attempts (last: ${error ?? 'unknown'})`
      : null;
    metrics.webhookAttempts.inc({ outcome: ok ? 'delivered' : giveUp ? 'gave_up' : 'retry' });
    if (ok && d.attempts === 0 && d.seq > 0) {
      const age = now - Date.parse(JSON.parse(d.body).at ?? '');
      if (Number.isFinite(age)) metrics.webhookCommitToDeliverySeconds.observe(Math.max(0, age) / 1000);
    }
    if (disable) log.warn({ webhookId: d.webhookId, reason: disable }, 'webhook endpoint disabled');
    await store.outbox.finishAttempt({
      deliveryId: d.id,
      webhookId: d.webhookId,
      owner: d.lease,
      at: new Date(now).toISOString(),
      ok,
      status,
      error,
      latencyMs,
      nextAttemptAt,
      disable,
    });
  }

  return startClaimLoop({
    bus,
    log,
    name: 'webhook deliveries',
    concurrency: config.WEBHOOK_CONCURRENCY,
    pollMs: config.WEBHOOK_POLL_MS,
    claim: (limit) => {
      const now = Date.now();
      return store.outbox.claimDeliveries({
        owner: nodeId,
        now: new Date(now).toISOString(),
        leaseUntil: new Date(now + leaseMs).toISOString(),
        limit,
      });
    },
    run: attempt,
    describe: (d) => ({ deliveryId: d.id }),
    // Per endpoint only its oldest delivery is handed out: after a full batch every head is
    // busy, and claiming again at once would cost a query for nothing.
    drainFullBatches: false,
  });
}
