import type { Deps } from '../deps.js';
import { type AudienceSample, DIRECT_SITE, minuteOf, OTHER_SITE } from '../domain/index.js';
import { newId } from '../lib/ids.js';

/** Distinct sites remembered per blog and minute on one node; the rest count as "other". */
const MAX_SITES_PER_MINUTE = 200;
/** Minutes kept in memory when the store cannot be written (then the oldest are dropped). */
const MAX_PENDING_MINUTES = 5;

/** A reader as the recorder sees it: the site and transport of one subscribed socket. */
export interface AudienceReader {
  site: string;
  transport: string;
}

/**
 * Audience counting for one node. The hub calls `sample` at every heartbeat with each blog's
 * local readers and the cross-node total it already computes; the recorder folds samples
 * into per-minute accumulations and writes them to the store every AUDIENCE_FLUSH_MS, as its
 * own rows (one writer id per process, so nodes never contend). Memory is bounded: a few
 * numbers per blog with readers, at most MAX_SITES_PER_MINUTE sites each.
 */
export class AudienceRecorder {
  private readonly writer: string;
  private readonly open = new Map<string, AudienceSample>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private lastPrune = 0;
  private sampledEmbedded = 0;
  private sampledDirect = 0;

  constructor(private readonly deps: Pick<Deps, 'store' | 'bus' | 'config' | 'log' | 'metrics'>) {
    this.writer = `${deps.bus.nodeId}-${newId().slice(-6)}`;
    if (deps.config.AUDIENCE_ENABLED) {
      this.timer = setInterval(() => void this.flush(), deps.config.AUDIENCE_FLUSH_MS);
      this.timer.unref();
    }
  }

  get enabled(): boolean {
    return this.deps.config.AUDIENCE_ENABLED;
  }

  private entry(blogId: string, now: number): AudienceSample {
    const minute = minuteOf(now);
    const key = `${blogId}|${minute}`;
    let e = this.open.get(key);
    if (!e) {
      e = { blogId, minute, samples: 0, peak: 0, totalSum: 0, bySite: {}, byTransport: {}, firstLoads: 0 };
      this.open.set(key, e);
    }
    return e;
  }

  /** A page or widget load: a subscribe without sinceSeq. */
  firstLoad(blogId: string, now = Date.now()): void {
    if (!this.enabled) return;
    this.entry(blogId, now).firstLoads += 1;
    this.deps.metrics.audienceFirstLoads.inc();
  }

  /** One heartbeat's view of a blog: its readers on this node and the total across nodes. */
  sample(blogId: string, readers: Iterable<AudienceReader>, total: number, now = Date.now()): void {
    if (!this.enabled) return;
    const e = this.entry(blogId, now);
    e.samples += 1;
    e.peak = Math.max(e.peak, total);
    e.totalSum += total;
    let embedded = 0;
    let direct = 0;
    for (const r of readers) {
      const site = r.site in e.bySite || Object.keys(e.bySite).length < MAX_SITES_PER_MINUTE ? r.site : OTHER_SITE;
      e.bySite[site] = (e.bySite[site] ?? 0) + 1;
      e.byTransport[r.transport] = (e.byTransport[r.transport] ?? 0) + 1;
      if (r.site === DIRECT_SITE) direct += 1;
      else embedded += 1;
    }
    this.sampledEmbedded += embedded;
    this.sampledDirect += direct;
  }

  /** Called once per heartbeat after every blog was sampled: publishes this node's totals. */
  endTick(): void {
    if (!this.enabled) return;
    this.deps.metrics.audienceReaders.set({ site: 'embedded' }, this.sampledEmbedded);
    this.deps.metrics.audienceReaders.set({ site: 'direct' }, this.sampledDirect);
    this.sampledEmbedded = 0;
    this.sampledDirect = 0;
  }

  /**
   * Writes every open minute; finished minutes are forgotten once written. A failed write
   * keeps them for the next flush (bounded: the oldest go first).
   */
  flush(now = Date.now()): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushNow(now));
    return this.flushing;
  }

  private async flushNow(now: number): Promise<void> {
    const current = minuteOf(now);
    const rows = [...this.open.values()];
    if (rows.length > 0) {
      try {
        await this.deps.store.recordAudience(this.writer, rows);
        for (const [key, e] of this.open) if (e.minute < current) this.open.delete(key);
      } catch (err) {
        this.deps.log.warn({ err }, 'audience flush failed; retrying at the next flush');
        const minutes = [...new Set(rows.map((r) => r.minute))].sort();
        const keep = new Set(minutes.slice(-MAX_PENDING_MINUTES));
        for (const [key, e] of this.open) if (!keep.has(e.minute)) this.open.delete(key);
      }
    }
    if (now - this.lastPrune > 3600_000) {
      this.lastPrune = now;
      const before = new Date(now - this.deps.config.AUDIENCE_RETENTION_DAYS * 86_400_000).toISOString();
      await this.deps.store.pruneAudience(before).catch((err: unknown) => {
        this.deps.log.warn({ err }, 'audience prune failed');
      });
    }
  }

  /** Stops the timer and writes what is open. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.enabled) await this.flush();
  }
}
