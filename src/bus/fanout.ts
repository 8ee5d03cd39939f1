import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../lib/metrics.js';
import type { BusEnvelope } from './types.js';

/** The two bus metrics; optional so in-process twins can run without a registry. */
export type BusMetrics = Pick<Metrics, 'busMessages' | 'busReconnects'>;

/**
 * The handler lists every Bus implementation keeps: message subscribers and resync listeners.
 * One throwing handler must neither stop the others nor surface in `publish`, so each call is
 * isolated and logged.
 */
export class Fanout {
  private readonly subscribers = new Set<(env: BusEnvelope) => void>();
  private readonly resyncHandlers = new Set<() => void>();

  constructor(private readonly log?: Logger) {}

  subscribe(handler: (env: BusEnvelope) => void): () => void {
    // Wrap so the same function subscribed twice gets two independent subscriptions.
    const entry = (env: BusEnvelope) => handler(env);
    this.subscribers.add(entry);
    return () => {
      this.subscribers.delete(entry);
    };
  }

  onResync(handler: () => void): () => void {
    const entry = () => handler();
    this.resyncHandlers.add(entry);
    return () => {
      this.resyncHandlers.delete(entry);
    };
  }

  deliver(env: BusEnvelope): void {
    // Iterate over a copy: a handler may unsubscribe (itself or others) while we deliver.
    for (const handler of [...this.subscribers]) {
      try {
        handler(env);
      } catch (err) {
        this.log?.error({ err, kind: env.msg.kind, from: env.from }, 'bus subscriber threw');
      }
    }
  }

  resync(): void {
    for (const handler of [...this.resyncHandlers]) {
      try {
        handler();
      } catch (err) {
        this.log?.error({ err }, 'bus resync handler threw');
      }
    }
  }

  clear(): void {
    this.subscribers.clear();
    this.resyncHandlers.clear();
  }
}
