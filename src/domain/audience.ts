import { z } from 'zod';
import { Timestamp } from './common.js';

/**
 * Audience figures, privacy first: readers are counted, never identified. No cookie, no
 * address, no user agent is kept; the only thing a reader tells us is the origin of the page
 * the widget runs on (a partner site), and only its scheme and host survive.
 */

/** The bySite key for readers on our own pages, or with no usable origin. */
export const DIRECT_SITE = 'direct';
/** The bySite key that gathers every site past the top N. */
export const OTHER_SITE = 'other';

/**
 * The embedding site as a bounded, non-personal key: `https://host[:port]` in lower case, or
 * DIRECT_SITE when the value is absent or not an http(s) origin. Paths, queries and
 * credentials never survive (they can carry personal data).
 */
export function siteOf(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 300) return DIRECT_SITE;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return DIRECT_SITE;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return DIRECT_SITE;
  return url.origin.toLowerCase();
}

/** One node's accumulation of one blog's minute: what the store keeps per (blog, minute, writer). */
export interface AudienceSample {
  blogId: string;
  /** The minute's start, ISO 8601 with seconds and milliseconds zero. */
  minute: string;
  /** Heartbeat samples taken in this minute on that node. */
  samples: number;
  /** Highest reader total across all nodes seen at one sample. */
  peak: number;
  /** Sum over samples of the reader total across all nodes (average = sum / samples). */
  totalSum: number;
  /** Sum over samples of this node's readers per site and per transport. */
  bySite: Record<string, number>;
  byTransport: Record<string, number>;
  /** Subscribes without a sinceSeq (a page or widget loaded) on this node. */
  firstLoads: number;
}

export const AudienceBucket = z.object({
  at: Timestamp.describe('start of the minute'),
  readers: z.number().int().min(0).describe('concurrent readers: the peak of the minute across all nodes'),
  bySite: z
    .record(z.string(), z.number().min(0))
    .describe('average concurrent readers per embedding site (origin), top N then "other"; "direct" = own pages'),
  peak: z.number().int().min(0).describe('same as readers'),
  average: z.number().min(0).describe('average concurrent readers over the minute, across all nodes'),
  byTransport: z.record(z.string(), z.number().min(0)).describe('average concurrent readers per transport'),
  firstLoads: z.number().int().min(0).describe('page or widget loads (subscribes without sinceSeq)'),
});
export type AudienceBucket = z.infer<typeof AudienceBucket>;

export const AudienceSeries = z.object({
  from: Timestamp,
  to: Timestamp,
  buckets: z.array(AudienceBucket).describe('minutes with readers, oldest first; quiet minutes are absent'),
});
export type AudienceSeries = z.infer<typeof AudienceSeries>;

/** The longest span one audience query may cover. */
export const AUDIENCE_MAX_SPAN_MS = 7 * 24 * 3600_000;
const DEFAULT_SPAN_MS = 3600_000;

export const AudienceQuery = z
  .object({
    from: Timestamp.optional().describe('start (ISO 8601, default: an hour before `to`)'),
    to: Timestamp.optional().describe('end, exclusive (ISO 8601, default: now)'),
  })
  .strict();
export type AudienceQuery = z.infer<typeof AudienceQuery>;

/** The [from, to) window of a query: defaults filled in, order and span checked (message or window). */
export function audienceWindow(q: AudienceQuery, now: number): { from: string; to: string } | string {
  const to = q.to ? Date.parse(q.to) : now;
  const from = q.from ? Date.parse(q.from) : to - DEFAULT_SPAN_MS;
  if (from >= to) return '`from` must be before `to`';
  if (to - from > AUDIENCE_MAX_SPAN_MS) return `the window may span at most ${AUDIENCE_MAX_SPAN_MS / 86_400_000} days`;
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/** The start of the minute holding `ms`, as ISO 8601. */
export const minuteOf = (ms: number): string => new Date(ms - (ms % 60_000)).toISOString();

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Keeps the `top` largest keys and folds the rest into OTHER_SITE. */
export function topN(counts: Record<string, number>, top: number): Record<string, number> {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const out: Record<string, number> = {};
  let other = 0;
  for (const [i, [k, v]] of entries.entries()) {
    if (i < top && k !== OTHER_SITE) out[k] = round1(v);
    else other += v;
  }
  if (other > 0) out[OTHER_SITE] = round1(other);
  return out;
}

/**
 * Merges the rows of several nodes into one bucket per minute. Every node sees the same
 * cross-node total at its samples (the hub exchanges counts on the bus), so peak and average
 * are the largest any node saw (not their sum, which would count readers twice); per-site and
 * per-transport figures are each node's own readers, so their averages add up.
 */
export function mergeAudience(rows: readonly AudienceSample[], topSites: number): AudienceBucket[] {
  const byMinute = new Map<string, AudienceSample[]>();
  for (const r of rows) {
    const list = byMinute.get(r.minute) ?? [];
    list.push(r);
    byMinute.set(r.minute, list);
  }
  const buckets: AudienceBucket[] = [];
  for (const [minute, list] of [...byMinute].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    let peak = 0;
    let average = 0;
    let firstLoads = 0;
    const sites: Record<string, number> = {};
    const transports: Record<string, number> = {};
    for (const r of list) {
      if (r.samples <= 0) continue;
      peak = Math.max(peak, r.peak);
      average = Math.max(average, r.totalSum / r.samples);
      firstLoads += r.firstLoads;
      for (const [k, v] of Object.entries(r.bySite)) sites[k] = (sites[k] ?? 0) + v / r.samples;
      for (const [k, v] of Object.entries(r.byTransport)) transports[k] = (transports[k] ?? 0) + v / r.samples;
    }
    const bySite = topN(sites, topSites);
    const byTransport = topN(transports, 10);
    buckets.push({ at: minute, readers: peak, bySite, peak, average: round1(average), byTransport, firstLoads });
  }
  return buckets;
}
