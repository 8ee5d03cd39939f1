import { z } from 'zod';

/** IPC between the harness and a reader-generator child. Parsed with zod on the child side. */
export const ReaderCommand = z.discriminatedUnion('cmd', [
  z.object({
    id: z.number(),
    cmd: z.literal('connect'),
    url: z.string().url(),
    blogId: z.string().min(1),
    count: z.number().int().min(0).max(20_000),
    /** Concurrent connection attempts while ramping up. */
    batch: z.number().int().min(1).max(2000).default(100),
  }),
  z.object({ id: z.number(), cmd: z.literal('collect') }),
  z.object({ id: z.number(), cmd: z.literal('drop') }),
  z.object({
    id: z.number(),
    cmd: z.literal('resubscribe'),
    targetSeq: z.number().int().min(0),
    timeoutMs: z.number().int().min(100).max(300_000),
  }),
  z.object({ id: z.number(), cmd: z.literal('exit') }),
]);
export type ReaderCommand = z.infer<typeof ReaderCommand>;
export type ReaderCommandInput = z.input<typeof ReaderCommand>;

export interface ConnectReply {
  connected: number;
  failed: number;
  ms: number;
  firstError?: string;
}
export interface CollectReply {
  latencies: number[];
  /** The send stamp of each latency (same order), so a run can also time from the write's answer. */
  stamps: number[];
  received: number;
  /** Live summary.updated events received (the co-editing newsroom shape counts these). */
  summaries: number;
  duplicates: number;
  gaps: number;
  /** Generator CPU since the previous collect, percent of one core: was the generator the limit? */
  cpuPct: number;
}
export interface DropReply {
  minSeq: number;
  maxSeq: number;
}
export interface ResubscribeReply {
  caughtUp: number;
  failed: number;
  resets: number;
  /** Per reader: ms from the resubscribe command to holding targetSeq. */
  times: number[];
  /** Events delivered through subscribe acks (replayed) vs live pushes during the catch-up. */
  replayed: number;
  live: number;
  duplicates: number;
  gaps: number;
}

/** Child → parent: a reply to command `id`, or a progress note (id absent). */
export interface ReaderReply {
  id?: number;
  ok: boolean;
  error?: string;
  data?: unknown;
  progress?: { received: number; connected: number };
}

/** The marker carried in each benchmark post's text: send time in wall-clock ms. */
export const markerFor = (sentAt: number): string => `bench:${sentAt.toFixed(3)}`;
export const MARKER_RE = /bench:(\d+(?:\.\d+)?)/;
