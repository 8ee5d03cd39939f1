import { type EditorsMessage, forkEditors } from '../lib/editors-process.js';
import { type LoopLag, LoopLagWindow } from '../lib/loop-lag.js';
import { createBlog } from '../lib/ours-api.js';
import { ProcWindow, rssMb, type WindowUsage } from '../lib/proc-sampler.js';
import { progress, setStep } from '../lib/progress.js';
import { ReaderPool } from '../lib/reader-pool.js';
import { attempt, emptyResult, row, type WorkloadResult } from '../lib/results.js';
import { BENCH_ADMIN_TOKEN, type ServerProc, startOurs, startPeer } from '../lib/servers.js';
import { generatorsFor, type Sizes } from '../lib/sizes.js';
import { type LatencySummary, summarize } from '../lib/stats.js';

/**
 * Co-editing: E editors typing into the summary at R keystrokes per second each, through
 * ours (stock y-websocket providers, disableBc) and through @hocuspocus/server 3 with its own
 * provider. Editor-to-editor latency, server CPU and RSS while typing.
 */
interface CollabFigures {
  latency: LatencySummary;
  sent: number;
  expected: number;
  received: number;
  syncMs: number;
  generatorCpuPct: number;
  server: WindowUsage & { rssBeforeMb: number };
  /** Ours only: the server's event-loop delay while the editors typed. */
  loopLag: LoopLag | null;
}

function runEditors(
  server: ServerProc,
  job: Record<string, unknown>,
  budgetMs: number,
  metricsUrl?: string,
): Promise<CollabFigures> {
  return new Promise((resolve, reject) => {
    const child = forkEditors(job);
    const rssBeforeMb = rssMb(server.pid);
    const window = new ProcWindow(server.pid);
    const lag = metricsUrl ? new LoopLagWindow(metricsUrl) : null;
    let lagStarted: Promise<void> = Promise.resolve();
    let reported = false;
    let settled = false;
    const done = (err: Error | null, fig?: CollabFigures) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
      if (err) reject(err);
      else resolve(fig!);
    };
    const timer = setTimeout(() => done(new Error(`editors did not finish within ${budgetMs} ms`)), budgetMs);
    child.on('message', (m: EditorsMessage) => {
      if (m.phase === 'typing') progress('editors typing');
      if (m.phase === 'measuring') {
        progress('editors typing, measured');
        lagStarted = lag?.start() ?? lagStarted;
        window.start();
      }
      if (m.error) done(new Error(m.error));
      if (m.report) {
        const usage = window.stop();
        const r = m.report;
        reported = true;
        void lagStarted
          .then(() => lag?.stop() ?? null)
          .then((loopLag) =>
            done(null, {
              latency: summarize(r.latencies),
              sent: r.sent,
              expected: r.expected,
              received: r.received,
              syncMs: r.syncMs,
              generatorCpuPct: r.generatorCpuPct,
              server: { ...usage, rssBeforeMb },
              loopLag,
            }),
          );
      }
    });
    child.once('exit', (code) => {
      if (!reported) done(new Error(`editor generator exited (${code}) without a report`));
    });
  });
}

interface Shape {
  editors: number;
  updatesPerSec: number;
  durationMs: number;
  warmupMs: number;
  awarenessHz: number;
  /** Readers subscribed to the blog on our side (they receive summary.updated); 0 = none. */
  readers: number;
}

interface ReaderFigures {
  connected: number;
  failed: number;
  summaryEvents: number;
  perReader: number;
  gaps: number;
  duplicates: number;
  generatorCpuPct: number[];
}

/** Ours and Hocuspocus through the same editors; ours with `readers` following the summary too. */
async function runShape(result: WorkloadResult, w: string, shape: Shape) {
  const budget = shape.warmupMs + shape.durationMs + 90_000;
  const common = {
    editors: shape.editors,
    updatesPerSec: shape.updatesPerSec,
    durationMs: shape.durationMs,
    warmupMs: shape.warmupMs,
    awarenessHz: shape.awarenessHz,
  };
  let readers: ReaderFigures | null = null;

  setStep(`${w}, ours`);
  const ours = await attempt(result, 'ours', async () => {
    // BENCH_PROFILE_DIR=/some/dir writes the server's CPU profile there (node --cpu-prof); read
    // it with `node --import tsx bench/profile-top.ts <file.cpuprofile>`.
    const profileDir = process.env.BENCH_PROFILE_DIR;
    const server = await startOurs({}, 'ours', profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
    const pool = shape.readers > 0 ? ReaderPool.start(generatorsFor(shape.readers)) : null;
    try {
      const blogId = await createBlog(server.url, 'Co-editing bench');
      const conn = pool ? await pool.connect(server.url, blogId, shape.readers, 120_000) : null;
      if (pool) await pool.collect(); // start from zero
      const wsUrl = `${server.url.replace('http', 'ws')}/collab`;
      const fig = await runEditors(
        server,
        { ...common, kind: 'ours', wsUrl, docName: blogId, token: BENCH_ADMIN_TOKEN },
        budget,
        server.url,
      );
      if (pool && conn) {
        // The last render lands at most SUMMARY_MAX_WAIT_MS (1.5 s) after the last keystroke.
        await new Promise((r) => setTimeout(r, 2_000));
        const got = await pool.collect();
        readers = {
          connected: conn.connected,
          failed: conn.failed,
          summaryEvents: got.summaries,
          perReader: Math.round((got.summaries / Math.max(1, conn.connected)) * 10) / 10,
          gaps: got.gaps,
          duplicates: got.duplicates,
          generatorCpuPct: got.generatorCpuPct,
        };
      }
      return fig;
    } finally {
      await pool?.close();
      await server.stop();
    }
  });
  setStep(`${w}, hocuspocus`);
  const peer = await attempt(result, 'peer', async () => {
    const server = await startPeer('hocuspocus');
    try {
      return await runEditors(
        server,
        { ...common, kind: 'hocuspocus', wsUrl: server.url.replace('http', 'ws'), docName: 'bench-doc' },
        budget,
      );
    } finally {
      await server.stop();
    }
  });

  const pct = (f: CollabFigures | null) => (f ? Math.round((f.received / Math.max(1, f.expected)) * 1000) / 10 : null);
  result.rows.push(
    row(w, 'editor→editor p50', 'ms', ours?.latency.p50, peer?.latency.p50),
    row(w, 'editor→editor p99', 'ms', ours?.latency.p99, peer?.latency.p99),
    row(w, 'editor→editor max', 'ms', ours?.latency.max, peer?.latency.max),
    row(w, 'delivered', '%', pct(ours), pct(peer), 'higher'),
    row(w, 'server CPU', '% core', ours?.server.cpuPct, peer?.server.cpuPct),
    row(w, 'server event-loop delay p99', 'ms', ours?.loopLag?.p99Ms, null),
    row(w, 'server event-loop delay max', 'ms', ours?.loopLag?.maxMs, null),
    row(w, 'server RSS peak', 'MB', ours?.server.rssPeakMb, peer?.server.rssPeakMb),
  );
  const r = readers as ReaderFigures | null;
  if (r) {
    result.rows.push(
      row(w, `readers connected (of ${shape.readers})`, 'n', r.connected, null, 'higher'),
      row(w, 'summary.updated per reader', 'n', r.perReader, null, 'higher'),
      row(w, 'reader gaps + duplicates', 'n', r.gaps + r.duplicates, null),
    );
  }
  result.charts.push({
    title: `Co-editing, ${w}: editor-to-editor latency`,
    oursLabel: 'ours (y-websocket)',
    peerLabel: 'Hocuspocus 3',
    ours: ours?.latency ?? null,
    peer: peer?.latency ?? null,
  });
  return { ...common, readers: shape.readers, ours, peer, readerFigures: r };
}

export async function runCollab(size: Sizes['collab']): Promise<WorkloadResult> {
  const result = emptyResult('collab', '@hocuspocus/server 3 (in memory, no extensions) with @hocuspocus/provider');
  const plain = await runShape(result, `collab ${size.editors}×${size.updatesPerSec}/s`, {
    editors: size.editors,
    updatesPerSec: size.updatesPerSec,
    durationMs: size.durationMs,
    warmupMs: size.warmupMs,
    awarenessHz: 0,
    readers: 0,
  });
  const n = size.newsroom;
  const newsroom = await runShape(
    result,
    `newsroom ${n.editors}×${n.updatesPerSec}/s, carets ${n.awarenessHz} Hz, ${n.readers} readers`,
    { ...n },
  );
  result.details = { plain, newsroom };
  result.limits.push(
    'Ours persists each batch of updates before relaying it (durable); the Hocuspocus peer keeps the doc in memory only, so the ratio prices durability as well as the protocol.',
    'All editors share one generator process and one clock; the server also renders the summary for readers (debounced) while editors type.',
    'Newsroom: only ours has readers (Hocuspocus has no reader push); its CPU includes rendering the summary and pushing summary.updated to them.',
  );
  if (size.warmupMs > 0) {
    result.limits.push(
      `Both servers get ${size.warmupMs / 1000} s of the same typing before the measured ${size.durationMs / 1000} s: in the first seconds after a start V8's background threads are still compiling, and that is server CPU (compare bench/collab-threads.ts with and without --warm).`,
    );
  }
  return result;
}
