import { type LoopLag, LoopLagWindow } from '../lib/loop-lag.js';
import type { WriteTiming } from '../lib/ours-api.js';
import { ProcWindow, rssMb, type WindowUsage } from '../lib/proc-sampler.js';
import { progress } from '../lib/progress.js';
import { ReaderPool } from '../lib/reader-pool.js';
import { generatorsFor } from '../lib/sizes.js';
import { type LatencySummary, summarize } from '../lib/stats.js';

/**
 * The measuring core shared by fan-out and scale-out: connect N readers to `readUrl`, publish
 * posts at a steady rate through `publish`, and time each post from just before its write to
 * its arrival at every reader (send time travels in the post text; one machine, one clock).
 */
export interface FanoutRun {
  readUrl: string;
  room: string;
  /** Publishes one post carrying its send stamp; resolves when the write returns (with its timing when known). */
  publish: () => Promise<{ timing?: WriteTiming } | undefined>;
  /** The process whose CPU and RSS are reported (the node the readers are on). */
  serverPid: number;
  /** Ours: its /metrics base URL, for the event-loop delay over the publishing window. */
  metricsUrl?: string;
  readers: number;
  posts: number;
  postsPerSec: number;
}

export interface FanoutFigures {
  readers: number;
  connectFailures: number;
  firstConnectError?: string;
  connectMs: number;
  expected: number;
  delivered: number;
  duplicates: number;
  gaps: number;
  latency: LatencySummary;
  /** From the writer receiving the HTTP answer to arrival at each reader (null without timings). */
  afterAnswer: LatencySummary | null;
  achievedPostsPerSec: number;
  writeMsMax: number;
  writeErrors: number;
  firstWriteError?: string;
  server: WindowUsage & { rssIdleMb: number; rssConnectedMb: number; rssPerReaderKb: number };
  generatorCpuPct: number[];
  loopLag: LoopLag | null;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Arrival minus the write's answer, per delivery (arrival = stamp + latency; one clock). */
function afterAnswer(latencies: number[], stamps: number[], answeredAt: Map<number, number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < latencies.length; i++) {
    const stamp = stamps[i];
    const answer = stamp === undefined ? undefined : answeredAt.get(stamp);
    if (stamp === undefined || answer === undefined) continue;
    out.push(Math.max(0, stamp + (latencies[i] ?? 0) - answer));
  }
  return out;
}
const MAX_IN_FLIGHT = 16;

export async function measureFanout(run: FanoutRun): Promise<FanoutFigures> {
  const rssIdleMb = rssMb(run.serverPid);
  const pool = ReaderPool.start(generatorsFor(run.readers));
  try {
    const connectTimeout = 60_000 + run.readers * 10;
    const ticker = setInterval(() => progress(`connecting readers ${pool.progress.connected}/${run.readers}`), 500);
    const conn = await pool
      .connect(run.readUrl, run.room, run.readers, connectTimeout)
      .finally(() => clearInterval(ticker));
    if (conn.connected === 0) throw new Error(`no reader could subscribe: ${conn.firstError ?? 'unknown'}`);
    const rssConnectedMb = rssMb(run.serverPid);
    await pool.collect(); // start from zero: nothing before this point counts

    const window = new ProcWindow(run.serverPid);
    const lag = run.metricsUrl ? new LoopLagWindow(run.metricsUrl) : null;
    await lag?.start();
    window.start();
    const started = performance.now();
    // Open loop: each write starts at its due time whether or not the previous one has
    // returned (bounded in flight), so a slow write cannot hide latency by delaying the next.
    let writeMsMax = 0;
    let writeErrors = 0;
    let firstWriteError: string | undefined;
    const inFlight = new Set<Promise<void>>();
    const answeredAt = new Map<number, number>();
    for (let i = 0; i < run.posts; i++) {
      const due = started + (i * 1000) / run.postsPerSec;
      const wait = due - performance.now();
      if (wait > 0) await pause(wait);
      while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
      const t = performance.now();
      const write: Promise<void> = run
        .publish()
        .then(
          (res) => {
            writeMsMax = Math.max(writeMsMax, performance.now() - t);
            if (res?.timing) answeredAt.set(res.timing.sentAt, res.timing.answeredAt);
          },
          (err: unknown) => {
            writeErrors += 1;
            firstWriteError ??= (err as Error).message;
          },
        )
        .finally(() => inFlight.delete(write));
      inFlight.add(write);
      progress(`post ${i + 1}/${run.posts}, delivered ${pool.progress.received}/${run.posts * conn.connected}`);
    }
    await Promise.all(inFlight);
    const publishedMs = performance.now() - started;
    const expected = (run.posts - writeErrors) * conn.connected;
    // Bounded wait for the tail of deliveries.
    const deadline = performance.now() + 10_000 + run.readers * 2;
    while (pool.progress.received < expected && performance.now() < deadline) {
      progress(`waiting for deliveries ${pool.progress.received}/${expected}`);
      await pause(100);
    }
    const usage = window.stop();
    const loopLag = lag ? await lag.stop() : null;
    const got = await pool.collect();
    return {
      readers: conn.connected,
      connectFailures: conn.failed,
      firstConnectError: conn.firstError,
      connectMs: conn.ms,
      expected,
      delivered: got.received,
      duplicates: got.duplicates,
      gaps: got.gaps,
      latency: summarize(got.latencies),
      afterAnswer: answeredAt.size > 0 ? summarize(afterAnswer(got.latencies, got.stamps, answeredAt)) : null,
      achievedPostsPerSec: Math.round((run.posts / (publishedMs / 1000)) * 10) / 10,
      writeMsMax: Math.round(writeMsMax * 10) / 10,
      writeErrors,
      firstWriteError,
      server: {
        ...usage,
        rssIdleMb,
        rssConnectedMb,
        rssPerReaderKb: Math.round((((rssConnectedMb - rssIdleMb) * 1024) / conn.connected) * 10) / 10,
      },
      generatorCpuPct: got.generatorCpuPct,
      loopLag,
    };
  } finally {
    await pool.close();
  }
}
