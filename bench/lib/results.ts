import type { LatencySummary } from './stats.js';
import { ratio } from './stats.js';

/** What every workload hands back: table rows, charts, raw figures, and what limits them. */
export interface Row {
  workload: string;
  metric: string;
  unit: string;
  ours: number | null;
  peer: number | null;
  /** ours / peer; for "lower is better" metrics a ratio below 1 means ours is ahead. */
  ratio: number | null;
  better: 'lower' | 'higher';
}

export interface Chart {
  title: string;
  oursLabel: string;
  peerLabel: string;
  ours: LatencySummary | null;
  peer: LatencySummary | null;
}

export interface WorkloadResult {
  name: string;
  /** Who the peer is, in a few words. */
  peer: string;
  rows: Row[];
  charts: Chart[];
  /** What bounds the figures on this machine, and what would move them. */
  limits: string[];
  errors: string[];
  details: Record<string, unknown>;
}

export function row(
  workload: string,
  metric: string,
  unit: string,
  ours: number | null | undefined,
  peer: number | null | undefined,
  better: 'lower' | 'higher' = 'lower',
): Row {
  const o = ours ?? null;
  const p = peer ?? null;
  return {
    workload,
    metric,
    unit,
    ours: o !== null && Number.isFinite(o) ? o : null,
    peer: p !== null && Number.isFinite(p) ? p : null,
    ratio: ratio(o, p),
    better,
  };
}

export function emptyResult(name: string, peer: string): WorkloadResult {
  return { name, peer, rows: [], charts: [], limits: [], errors: [], details: {} };
}

/** Runs `fn`, turning a failure into a recorded error so one broken side does not sink the run. */
export async function attempt<T>(result: WorkloadResult, what: string, fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    result.errors.push(`${what}: ${(err as Error).message.split('\n')[0]}`);
    return null;
  }
}
