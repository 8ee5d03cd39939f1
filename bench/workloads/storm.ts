import { createBlog, metricsText, promByLabel, promSum, publishMarked } from '../lib/ours-api.js';
import { ProcWindow } from '../lib/proc-sampler.js';
import { progress, setStep } from '../lib/progress.js';
import { ReaderPool } from '../lib/reader-pool.js';
import { attempt, emptyResult, row, type WorkloadResult } from '../lib/results.js';
import { type ServerProc, startOurs, startPeer } from '../lib/servers.js';
import { generatorsFor, type Sizes } from '../lib/sizes.js';
import { summarize } from '../lib/stats.js';
import { PEER_ROOM, peerPublisher } from './fanout.js';

/**
 * Reconnect storm: N subscribed readers drop at once, `missed` events are published while
 * they are away, then all reconnect together and resubscribe with their last seq. Measures
 * the time until every reader holds the last seq, and (ours) the store reads it caused.
 * Peer: the bare Socket.IO server replaying from an in-memory array, the cheapest catch-up.
 */
interface StormFigures {
  readers: number;
  caughtUp: number;
  failed: number;
  resets: number;
  replayed: number;
  live: number;
  duplicates: number;
  gaps: number;
  allCaughtUpMs: number;
  perReader: ReturnType<typeof summarize>;
  cpuPct: number;
  storeReads: number | null;
  catchups: Record<string, number>;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function storm(
  server: ServerProc,
  room: string,
  publish: () => Promise<{ seq: number }>,
  size: Sizes['storm'],
  isOurs: boolean,
): Promise<StormFigures> {
  const pool = ReaderPool.start(generatorsFor(size.readers));
  try {
    await publish(); // readers start from a non-zero seq, as real ones do
    const ticker = setInterval(() => progress(`connecting ${pool.progress.connected}/${size.readers}`), 500);
    const conn = await pool
      .connect(server.url, room, size.readers, 60_000 + size.readers * 10)
      .finally(() => clearInterval(ticker));
    if (conn.connected === 0) throw new Error(`no reader could subscribe: ${conn.firstError ?? 'unknown'}`);
    await pool.drop();
    if (isOurs) {
      // Wait (bounded) until the server has seen the disconnects, so the events are truly missed.
      const until = Date.now() + 10_000;
      while (Date.now() < until) {
        const connected = promSum(await metricsText(server.url), 'liveblog_readers_connected');
        if (connected === null || connected === 0) break;
        await pause(50);
      }
    }
    let last = 0;
    for (let i = 0; i < size.missed; i++) {
      last = (await publish()).seq;
      progress(`published ${i + 1}/${size.missed} while readers are away`);
    }
    const before = isOurs ? await metricsText(server.url) : '';
    const window = new ProcWindow(server.pid);
    window.start();
    progress(`${conn.connected} readers reconnecting at once`);
    const t0 = performance.now();
    const res = await pool.resubscribe(last, size.timeoutMs);
    const allMs = performance.now() - t0;
    const usage = window.stop();
    const after = isOurs ? await metricsText(server.url) : '';
    const reads = (t: string) => promSum(t, 'liveblog_sequencer_store_reads_total');
    const rb = reads(before);
    const ra = reads(after);
    const cb = promByLabel(before, 'liveblog_catchups_total');
    const ca = promByLabel(after, 'liveblog_catchups_total');
    const catchups: Record<string, number> = {};
    for (const [k, v] of Object.entries(ca)) catchups[k] = v - (cb[k] ?? 0);
    return {
      readers: conn.connected,
      caughtUp: res.caughtUp,
      failed: res.failed,
      resets: res.resets,
      replayed: res.replayed,
      live: res.live,
      duplicates: res.duplicates,
      gaps: res.gaps,
      allCaughtUpMs: Math.round(allMs),
      perReader: summarize(res.times),
      cpuPct: usage.cpuPct,
      storeReads: ra !== null ? ra - (rb ?? 0) : null,
      catchups,
    };
  } finally {
    await pool.close();
  }
}

export async function runStorm(size: Sizes['storm']): Promise<WorkloadResult> {
  const result = emptyResult('storm', 'bare Socket.IO server replaying from an in-memory array (no store)');
  const oursRun = (env: Record<string, string>) => async () => {
    const server = await startOurs(env);
    try {
      const blogId = await createBlog(server.url, 'Storm bench');
      return await storm(server, blogId, () => publishMarked(server.url, blogId), size, true);
    } finally {
      await server.stop();
    }
  };
  setStep(`storm ${size.readers} readers, ours`);
  const ours = await attempt(result, 'ours', oursRun({}));
  // The same storm with the in-memory replay window off: every catch-up goes to the store.
  setStep(`storm ${size.readers} readers, ours without replay memory`);
  const oursStore = await attempt(result, 'ours (REPLAY_MEMORY=0)', oursRun({ REPLAY_MEMORY: '0' }));
  setStep(`storm ${size.readers} readers, peer`);
  const peer = await attempt(result, 'peer', async () => {
    const server = await startPeer('bare-socketio');
    try {
      return await storm(server, PEER_ROOM, peerPublisher(server.url, null), size, false);
    } finally {
      await server.stop();
    }
  });
  const w = `storm ${size.readers}`;
  result.rows.push(
    row(w, 'all caught up', 'ms', ours?.allCaughtUpMs, peer?.allCaughtUpMs),
    row(w, 'per-reader p50', 'ms', ours?.perReader.p50, peer?.perReader.p50),
    row(w, 'per-reader p99', 'ms', ours?.perReader.p99, peer?.perReader.p99),
    row(w, 'caught up', 'readers', ours?.caughtUp, peer?.caughtUp, 'higher'),
    row(w, 'server CPU', '% core', ours?.cpuPct, peer?.cpuPct),
    row(w, 'store reads', 'queries', ours?.storeReads, null),
  );
  const ws = `storm ${size.readers} store path`;
  result.rows.push(
    row(ws, 'all caught up', 'ms', oursStore?.allCaughtUpMs, peer?.allCaughtUpMs),
    row(ws, 'per-reader p99', 'ms', oursStore?.perReader.p99, peer?.perReader.p99),
    row(ws, 'caught up', 'readers', oursStore?.caughtUp, peer?.caughtUp, 'higher'),
    row(ws, 'server CPU', '% core', oursStore?.cpuPct, peer?.cpuPct),
    row(ws, 'store reads', 'queries', oursStore?.storeReads, null),
  );
  result.charts.push({
    title: `Reconnect storm, ${size.readers} readers, ${size.missed} missed: time to caught up`,
    oursLabel: 'ours',
    peerLabel: 'bare Socket.IO + memory replay',
    ours: ours?.perReader ?? null,
    peer: peer?.perReader ?? null,
  });
  for (const [side, f] of [
    ['ours', ours],
    ['ours (store path)', oursStore],
    ['peer', peer],
  ] as const) {
    if (f && (f.gaps || f.duplicates)) result.errors.push(`${side}: ${f.gaps} gaps, ${f.duplicates} duplicates`);
    if (f?.failed) result.errors.push(`${side}: ${f.failed} readers did not catch up within ${size.timeoutMs} ms`);
  }
  if (ours && ours.storeReads === null)
    result.limits.push('ours exported no liveblog_sequencer_store_reads_total: store reads unknown');
  result.details = { missed: size.missed, ours, oursStorePath: oursStore, peer };
  result.limits.push(
    'All readers reconnect in the same instant from 1-2 processes: the accept queue and TLS-free websocket handshakes on one core bound the time as much as the catch-up itself.',
    'store reads = increase of liveblog_sequencer_store_reads_total across the storm (0 means catch-ups were served from the in-memory replay window). The "store path" rows rerun ours with REPLAY_MEMORY=0 so every catch-up reads the store.',
  );
  return result;
}
