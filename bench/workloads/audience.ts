import { createApiClient, ok } from '../../client/api/index.js';
import { createBlog, publishMarked } from '../lib/ours-api.js';
import { ProcWindow } from '../lib/proc-sampler.js';
import { progress, setStep } from '../lib/progress.js';
import { ReaderPool } from '../lib/reader-pool.js';
import { attempt, emptyResult, row, type WorkloadResult } from '../lib/results.js';
import { BENCH_ADMIN_TOKEN, startOurs } from '../lib/servers.js';
import { generatorsFor, type Sizes } from '../lib/sizes.js';
import { summarize } from '../lib/stats.js';
import { measureFanout } from './fanout-core.js';

/**
 * Audience and participation (issue 19), two figures:
 * 1. votes per second one node absorbs while N readers are connected to the blog: closed-loop
 *    voters (each vote a fresh voter id) for a fixed time, then the store's count is checked
 *    against the votes answered 202 (exact), and the readers' `counts` frames are counted;
 * 2. the server CPU audience counting costs during an N-reader fan-out: the same fan-out run
 *    twice in this run, AUDIENCE_ENABLED=true and =false (the "peer" column is counting off).
 */
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface VoteFigures {
  readers: number;
  votes: number;
  errors: number;
  firstError?: string;
  votesPerSec: number;
  latency: ReturnType<typeof summarize>;
  storeCount: number;
  serverCpuPct: number;
}

async function measureVotes(size: Sizes['audience']): Promise<VoteFigures> {
  const server = await startOurs({ RATE_PARTICIPATION_PER_MIN: '100000000' });
  const pool = ReaderPool.start(generatorsFor(size.voteReaders));
  try {
    const blogId = await createBlog(server.url, 'Votes bench');
    const v1 = createApiClient(server.url, { token: BENCH_ADMIN_TOKEN }).api.v1;
    const post = await ok(
      v1.blogs[':blogId'].posts.$post({
        param: { blogId },
        json: { blocks: [{ type: 'poll', question: 'Bench?', options: ['a', 'b', 'c', 'd'] }] },
      }),
    );
    const ticker = setInterval(
      () => progress(`connecting readers ${pool.progress.connected}/${size.voteReaders}`),
      500,
    );
    const conn = await pool
      .connect(server.url, blogId, size.voteReaders, 60_000 + size.voteReaders * 10)
      .finally(() => clearInterval(ticker));
    if (conn.connected === 0) throw new Error(`no reader could subscribe: ${conn.firstError ?? 'unknown'}`);
    const url = `${server.url}/api/v1/blogs/${blogId}/posts/${post.id}/votes`;
    const window = new ProcWindow(server.pid);
    window.start();
    const latencies: number[] = [];
    let votes = 0;
    let errors = 0;
    let firstError: string | undefined;
    let n = 0;
    const started = performance.now();
    const endAt = started + size.voteMs;
    const worker = async (w: number) => {
      while (performance.now() < endAt) {
        const i = n++;
        const t = performance.now();
        try {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              option: `o${(i % 4) + 1}`,
              voter: `bench-voter-${w}-${String(i).padStart(10, '0')}`,
            }),
          });
          await res.arrayBuffer();
          if (res.status === 202) {
            votes += 1;
            latencies.push(performance.now() - t);
          } else {
            errors += 1;
            firstError ??= `HTTP ${res.status}`;
          }
        } catch (err) {
          errors += 1;
          firstError ??= (err as Error).message;
        }
        if (i % 200 === 0) progress(`votes ${votes}, readers ${conn.connected}`);
      }
    };
    await Promise.all(Array.from({ length: size.voteConcurrency }, (_, w) => worker(w)));
    const seconds = (performance.now() - started) / 1000;
    const usage = window.stop();
    await pause(1500); // the last counts frame
    const tallies = await ok(v1.blogs[':blogId'].tallies.$get({ param: { blogId }, query: { posts: post.id } }));
    const storeCount = Object.values(tallies.posts[post.id]?.votes ?? {}).reduce((a, b) => a + b, 0);
    return {
      readers: conn.connected,
      votes,
      errors,
      firstError,
      votesPerSec: Math.round(votes / seconds),
      latency: summarize(latencies),
      storeCount,
      serverCpuPct: usage.cpuPct,
    };
  } finally {
    await pool.close();
    await server.stop();
  }
}

async function fanoutCpu(size: Sizes['audience'], enabled: boolean) {
  const server = await startOurs({ AUDIENCE_ENABLED: String(enabled) });
  try {
    const blogId = await createBlog(server.url, `Fan-out, audience ${enabled ? 'on' : 'off'}`);
    return await measureFanout({
      readUrl: server.url,
      room: blogId,
      publish: () => publishMarked(server.url, blogId),
      serverPid: server.pid,
      readers: size.fanoutReaders,
      posts: size.fanoutPosts,
      postsPerSec: size.fanoutPostsPerSec,
    });
  } finally {
    await server.stop();
  }
}

export async function runAudience(size: Sizes['audience']): Promise<WorkloadResult> {
  const result = emptyResult('audience', 'the same server with AUDIENCE_ENABLED=false (fan-out CPU rows only)');
  setStep(`audience: votes with ${size.voteReaders} readers`);
  const v = await attempt(result, 'votes', () => measureVotes(size));
  const w = `votes, ${size.voteReaders} readers`;
  result.rows.push(
    row(w, 'votes/s absorbed', 'votes/s', v?.votesPerSec, null, 'higher'),
    row(w, 'vote p50', 'ms', v?.latency.p50, null),
    row(w, 'vote p99', 'ms', v?.latency.p99, null),
    row(w, 'server CPU', '% core', v?.serverCpuPct, null),
  );
  if (v && v.storeCount !== v.votes) {
    result.errors.push(`votes: ${v.votes} answered 202 but the store counts ${v.storeCount}`);
  }
  if (v?.errors) result.errors.push(`votes: ${v.errors} failed (${v.firstError})`);

  // Alternating on/off so neither side always runs on a warmer or quieter machine.
  const on: number[] = [];
  const off: number[] = [];
  for (let r = 0; r < size.fanoutRounds; r++) {
    for (const enabled of r % 2 === 0 ? [true, false] : [false, true]) {
      setStep(`audience: fan-out ${size.fanoutReaders} readers, counting ${enabled ? 'on' : 'off'} (round ${r + 1})`);
      const f = await attempt(result, `fan-out counting ${enabled ? 'on' : 'off'}`, () => fanoutCpu(size, enabled));
      if (f) (enabled ? on : off).push(f.server.cpuPct);
      if (f && f.delivered < f.expected) {
        result.errors.push(`fan-out ${enabled ? 'on' : 'off'}: delivered ${f.delivered}/${f.expected}`);
      }
    }
  }
  const mean = (xs: number[]) => (xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : null);
  const f = `fan-out ${size.fanoutReaders}, counting on vs off`;
  result.rows.push(row(f, 'server CPU (peer = counting off)', '% core', mean(on), mean(off)));
  result.details = { votes: v, fanoutCpuOn: on, fanoutCpuOff: off };
  result.limits.push(
    `Votes: ${size.voteConcurrency} closed-loop voters in the bench process for ${size.voteMs / 1000} s, each vote a new voter (every one is a store write); the voters, reader generators and server share the 2 cores with other helpers' work, so votes/s is a floor.`,
    'Fan-out CPU: the server process CPU over the publishing window (ProcWindow), the same fan-out with counting on and off, alternated; the ratio is what counts, single figures are noisy on a shared machine.',
  );
  return result;
}
