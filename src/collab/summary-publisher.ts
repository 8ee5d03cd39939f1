import type * as Y from 'yjs';
import type { Deps } from '../deps.js';
import { eventDataBytes, maxEventBytes, SUMMARY_FRAGMENT } from '../domain/index.js';
import { Debouncer } from './async-tools.js';
import { renderSummary } from './summary-renderer.js';

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

  constructor(
    private readonly blogId: string,
    private readonly doc: Y.Doc,
    private readonly deps: Deps,
  ) {
    const { SUMMARY_DEBOUNCE_MS, SUMMARY_MAX_WAIT_MS } = deps.config;
    this.debouncer = new Debouncer(() => this.start(), SUMMARY_DEBOUNCE_MS, SUMMARY_MAX_WAIT_MS);
  }

  /** True while a render is scheduled or being published. */
  get busy(): boolean {
    return this.debouncer.pending || this.running !== null;
  }

  schedule(): void {
    this.debouncer.trigger();
  }

  /** Publishes a pending render now and waits for every render in flight. */
  async flush(): Promise<void> {
    this.debouncer.flush();
    while (this.running) await this.running;
  }

  cancel(): void {
    this.debouncer.cancel();
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
      const bullets = renderSummary(this.doc.getXmlFragment(SUMMARY_FRAGMENT));
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
    } catch (err) {
      // The doc is safe in the store; the next change (or load) renders again.
      log.error({ err, blogId: this.blogId }, 'summary publish failed');
    }
  }
}
