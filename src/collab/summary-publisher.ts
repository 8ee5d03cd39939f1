import type * as Y from 'yjs';
import type { Deps } from '../deps.js';
import { type Bullet, eventDataBytes, maxEventBytes, SUMMARY_FRAGMENT } from '../domain/index.js';
import { Debouncer } from '../lib/async.js';
import { bulletsFromDoc } from './bullets-from-doc.js';

/** Retries of a failed publish back off up to this. */
const MAX_RETRY_MS = 60_000;

/**
 * Debounced rendering of one doc's summary into a reader event. Every node holding the doc
 * renders after the last change it saw, so the last publish is always of the converged doc;
 * the store (not this node's memory, which other nodes' publishes bypass) drops renderings
 * equal to the current bullets, using no seq.
 */
export class SummaryPublisher {
  private readonly debouncer: Debouncer;
  private running: Promise<void> | null = null;
  private again = false;
  /** Set after a failed publish: the next attempt, and how long the one after it waits. */
  private retryTimer: NodeJS.Timeout | null = null;
  private retryMs: number;

  constructor(
    private readonly blogId: string,
    private readonly doc: Y.Doc,
    private readonly deps: Deps,
    /** Runs its callback when the doc holds nothing uncommitted (the room's whenSettled); false: never will. */
    private readonly settled: (fn: (ok: boolean) => void) => void = (fn) => fn(true),
  ) {
    const { SUMMARY_DEBOUNCE_MS, SUMMARY_MAX_WAIT_MS } = deps.config;
    this.debouncer = new Debouncer(() => this.start(), SUMMARY_DEBOUNCE_MS, SUMMARY_MAX_WAIT_MS);
    this.retryMs = deps.config.SUMMARY_RETRY_MS;
  }

  /**
   * True while a render is scheduled, being published or waiting for its retry: the doc stays
   * loaded until readers have its current bullets.
   */
  get busy(): boolean {
    return this.debouncer.pending || this.running !== null || this.retryTimer !== null;
  }

  schedule(): void {
    this.debouncer.trigger();
  }

  /** Publishes a pending render now and waits for every render in flight. */
  async flush(): Promise<void> {
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
      this.start();
    }
    this.debouncer.flush();
    while (this.running) await this.running;
  }

  cancel(): void {
    this.debouncer.cancel();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private start(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.publish().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.start();
      }
    });
  }

  private async publish(): Promise<void> {
    const { store, bus, metrics, log } = this.deps;
    try {
      // Inside the try: a throw here would be an unhandled rejection (a process crash).
      // Rendered from committed content only: readers never see what the store could still lose.
      const bullets = await new Promise<Bullet[] | null>((resolve, reject) =>
        this.settled((ok) => {
          try {
            resolve(ok ? bulletsFromDoc(this.doc.getXmlFragment(SUMMARY_FRAGMENT)) : null);
          } catch (err) {
            reject(err);
          }
        }),
      );
      if (!bullets) return;
      // A rendering readers could not be sent would cut every reader at each re-render:
      // readers keep the last summary that fits until the editors shorten it.
      const limit = maxEventBytes(this.deps.config);
      const bytes = eventDataBytes({ seq: 0, bullets });
      if (bytes > limit) {
        metrics.eventsTooLarge.inc({ type: 'summary.updated' });
        log.warn(
          { blogId: this.blogId, bytes, limit },
          'summary too large for readers (MAX_EVENT_BYTES); not published',
        );
        return;
      }
      const res = await store.publishSummary(this.blogId, bullets, new Date().toISOString());
      if (res) {
        metrics.eventsCommitted.inc({ type: 'summary.updated' });
        bus.publish({ kind: 'event', event: res.event });
      }
      this.retryMs = this.deps.config.SUMMARY_RETRY_MS;
    } catch (err) {
      // The doc is safe in the store, but readers keep the old bullets until a publish
      // succeeds: try again (rendering the doc as it is then), backing off while the store is down.
      metrics.bulletsPublishFailures.inc();
      log.error({ err, blogId: this.blogId, retryInMs: this.retryMs }, 'summary publish failed; will retry');
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.start();
    }, wait);
    this.retryTimer.unref();
  }
}
