import { markerFor } from '../generators/protocol.js';
import { createBlog, type PublishedPost, publishMarked, type WriteTiming } from '../lib/ours-api.js';
import { setStep } from '../lib/progress.js';
import { attempt, emptyResult, row, type WorkloadResult } from '../lib/results.js';
import { startOurs, startPeer } from '../lib/servers.js';
import type { Sizes } from '../lib/sizes.js';
import { wallMs } from '../lib/stats.js';
import { type FanoutFigures, measureFanout } from './fanout-core.js';

/**
 * Fan-out: N readers of one blog, posts at a steady rate. Ours: a real POST through the API
 * (validation, sanitising, store commit, bus, sequencer, room emit). Peer: a bare Socket.IO
 * server emitting the same payload to one room on an HTTP POST. Same generator code for both.
 */
const PEER_ROOM = 'bench-room';

/** A peer broadcaster whose payload has the shape and size of our post.created event. */
export function peerPublisher(url: string, template: PublishedPost | null) {
  let n = 0;
  return async (): Promise<{ seq: number; timing: WriteTiming }> => {
    n += 1;
    const sentAt = wallMs();
    const data = template
      ? { ...template, blocks: [{ type: 'text', html: markerFor(sentAt) }] }
      : { id: `p${n}`, blocks: [{ type: 'text', html: markerFor(sentAt) }] };
    const event = { blogId: PEER_ROOM, type: 'post.created', data, at: new Date().toISOString() };
    const res = await fetch(`${url}/broadcast`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ room: PEER_ROOM, event }),
    });
    if (!res.ok) throw new Error(`peer broadcast → ${res.status}`);
    const body = (await res.json()) as { seq: number };
    return { ...body, timing: { sentAt, answeredAt: wallMs() } };
  };
}
export { PEER_ROOM };

export async function runFanout(size: Sizes['fanout']): Promise<WorkloadResult> {
  const result = emptyResult('fanout', 'bare Socket.IO server, emit to one room on HTTP POST (no store)');
  const runs: Array<{ readers: number; ours: FanoutFigures | null; peer: FanoutFigures | null }> = [];
  let template: PublishedPost | null = null;

  for (const readers of size.readers) {
    setStep(`fanout ${readers} readers, ours`);
    const ours = await attempt(result, `ours (${readers} readers)`, async () => {
      // BENCH_PROFILE_DIR=/some/dir writes the server's CPU profile there (node --cpu-prof); read
      // it with `node --import tsx bench/profile-top.ts <file.cpuprofile>`.
      const profileDir = process.env.BENCH_PROFILE_DIR;
      const server = await startOurs(
        {},
        'ours',
        profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}/${readers}`] : [],
      );
      try {
        const blogId = await createBlog(server.url, 'Fan-out bench');
        return await measureFanout({
          readUrl: server.url,
          room: blogId,
          publish: async () => {
            const post = await publishMarked(server.url, blogId);
            // The peer sends the same payload: the post as readers get it, without our timing.
            const { timing: _timing, ...readersCopy } = post;
            template = readersCopy;
            return post;
          },
          serverPid: server.pid,
          metricsUrl: server.url,
          readers,
          posts: size.posts,
          postsPerSec: size.postsPerSec,
        });
      } finally {
        await server.stop();
      }
    });
    setStep(`fanout ${readers} readers, peer`);
    const peer = await attempt(result, `peer (${readers} readers)`, async () => {
      const profileDir = process.env.BENCH_PROFILE_DIR;
      const server = await startPeer(
        'bare-socketio',
        {},
        profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}/peer-${readers}`] : [],
      );
      try {
        return await measureFanout({
          readUrl: server.url,
          room: PEER_ROOM,
          publish: peerPublisher(server.url, template),
          serverPid: server.pid,
          readers,
          posts: size.posts,
          postsPerSec: size.postsPerSec,
        });
      } finally {
        await server.stop();
      }
    });
    runs.push({ readers, ours, peer });
    const w = `fanout ${readers}`;
    result.rows.push(
      row(w, 'delivery p50', 'ms', ours?.latency.p50, peer?.latency.p50),
      row(w, 'delivery p95', 'ms', ours?.latency.p95, peer?.latency.p95),
      row(w, 'delivery p99', 'ms', ours?.latency.p99, peer?.latency.p99),
      row(w, 'delivery max', 'ms', ours?.latency.max, peer?.latency.max),
      row(w, 'after the answer p50', 'ms', ours?.afterAnswer?.p50, peer?.afterAnswer?.p50),
      row(w, 'after the answer p99', 'ms', ours?.afterAnswer?.p99, peer?.afterAnswer?.p99),
      row(w, 'after the answer max', 'ms', ours?.afterAnswer?.max, peer?.afterAnswer?.max),
      row(w, 'delivered', '%', pct(ours), pct(peer), 'higher'),
      row(w, 'posts/s achieved', 'posts/s', ours?.achievedPostsPerSec, peer?.achievedPostsPerSec, 'higher'),
      row(w, 'slowest write', 'ms', ours?.writeMsMax, peer?.writeMsMax),
      row(w, 'server CPU', '% core', ours?.server.cpuPct, peer?.server.cpuPct),
      row(w, 'server event-loop delay p99', 'ms', ours?.loopLag?.p99Ms, null),
      row(w, 'server event-loop delay max', 'ms', ours?.loopLag?.maxMs, null),
      row(w, 'server RSS peak', 'MB', ours?.server.rssPeakMb, peer?.server.rssPeakMb),
      row(w, 'RSS per reader', 'KB', ours?.server.rssPerReaderKb, peer?.server.rssPerReaderKb),
    );
    result.charts.push({
      title: `Fan-out, ${readers} readers: delivery latency`,
      oursLabel: 'ours',
      peerLabel: 'bare Socket.IO',
      ours: ours?.latency ?? null,
      peer: peer?.latency ?? null,
    });
    for (const [side, f] of [
      ['ours', ours],
      ['peer', peer],
    ] as const) {
      if (!f) continue;
      const g = Math.max(...f.generatorCpuPct);
      if (g > 85)
        result.limits.push(
          `${w} ${side}: a generator process ran at ${g}% of a core: latency includes client-side queueing`,
        );
      if (f.connectFailures) {
        result.errors.push(`${w} ${side}: ${f.connectFailures} readers failed to subscribe (${f.firstConnectError})`);
      }
      if (f.writeErrors) result.errors.push(`${w} ${side}: ${f.writeErrors} writes failed (${f.firstWriteError})`);
      if (f.gaps || f.duplicates)
        result.errors.push(`${w} ${side}: ${f.gaps} gaps and ${f.duplicates} duplicates seen by readers`);
    }
  }
  result.details.runs = runs;
  result.limits.push(
    'Latency = arrival at a reader minus the wall-clock stamp taken just before the HTTP write (same machine clock); it includes the write itself (store commit on ours) and the generator event loop.',
    '"After the answer" = arrival at a reader minus the moment the writer received the HTTP answer; negative values (a reader served before the writer read its answer) count as 0.',
    `Readers run ${'≤'}2,000 per generator process (socket.io-client, websocket only, no per-message work but a JSON parse and one regex); server, generators and the other helpers share 2 cores, so server CPU near 100% or generator CPU near 100% caps throughput.`,
    'RSS per reader = (RSS after subscribing − RSS before) / readers: includes V8 heap growth not yet collected.',
    'Ours also sends readers a heartbeat (head seq, reader count), which the peer does not have: every HEARTBEAT_MS (5 s) in a quiet room, at least every fourth interval in a busy one (its events carry the seq), so a steady burst like this one meets at most one. Frames to a room above BROADCAST_SLICE readers go out in slices, a few ms per event-loop turn.',
  );
  return result;
}

const pct = (f: FanoutFigures | null) => (f ? Math.round((f.delivered / Math.max(1, f.expected)) * 1000) / 10 : null);
