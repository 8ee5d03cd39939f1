/** Latency summaries. Values are milliseconds; arrays are sorted once, then read. */
export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
  /** The distribution as (percentile, ms) points, for the chart and the JSON. */
  curve: Array<[number, number]>;
}

const CURVE_POINTS = [0, 1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 97.5, 99, 99.5, 99.9, 100] as const;

function pick(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

const round = (n: number) => Math.round(n * 100) / 100;

export function summarize(values: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    p50: round(pick(sorted, 50)),
    p95: round(pick(sorted, 95)),
    p99: round(pick(sorted, 99)),
    max: round(pick(sorted, 100)),
    mean: round(sorted.length ? sum / sorted.length : Number.NaN),
    curve: CURVE_POINTS.map((p) => [p, round(pick(sorted, p))]),
  };
}

/** The middle value (the upper one of an even count); NaN when there is none. */
export const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** ours / peer, rounded; NaN-safe (returns null when either side is missing). */
export function ratio(ours: number | undefined | null, peer: number | undefined | null): number | null {
  if (ours == null || peer == null || !Number.isFinite(ours) || !Number.isFinite(peer) || peer === 0) return null;
  return Math.round((ours / peer) * 100) / 100;
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes on one machine. */
export const wallMs = (): number => performance.timeOrigin + performance.now();
