import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type EditorsMessage, forkEditors } from './lib/editors-process.js';
import { createBlog } from './lib/ours-api.js';
import { threadCpuSeconds } from './lib/proc-sampler.js';
import { BENCH_ADMIN_TOKEN, ROOT, type ServerProc, startOurs, startPeer } from './lib/servers.js';
import { median, summarize } from './lib/stats.js';

/**
 * Where the co-editing CPU goes, thread by thread: 20 editors × 10 updates/s for 10 s (the
 * collab bench's plain shape) against ours and against Hocuspocus, in alternating rounds, with
 * each server thread's CPU read from /proc before and after the typing.
 *   node --import tsx bench/collab-threads.ts [rounds=3] [ours env as JSON] [--pin] [--warm=15]
 * e.g. '{"SQLITE_SYNCHRONOUS":"NORMAL"}' to price the fsync of every commit. With --pin the
 * server runs on CPU 1 and the editors on CPU 0 (taskset), which steadies the figures on a
 * 2-core machine where the two otherwise compete for both cores. With --warm=S both servers
 * get S seconds of typing before the measured 10 s: in a short run V8's background threads
 * are still compiling (TurboFan), and that counts as server CPU. The busiest thread
 * besides the main one is, on ours, the SQLite doc writer (its CPU profile says so); the rest
 * are V8's platform threads (its background compiler, then GC) and libuv's pool. Linux only.
 */
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const pin = process.argv.includes('--pin');
/** --warm=S: type S seconds more first and measure only the last 10 s (the JIT has settled). */
const warmMs =
  Math.min(120, Math.max(0, Number(process.argv.find((a) => a.startsWith('--warm='))?.slice(7) ?? 0))) * 1000;
const MEASURED_MS = 10_000;
const rounds = Math.max(1, Math.min(10, Number(args[0] ?? 3)));
const oursEnv = JSON.parse(args[1] ?? '{}') as Record<string, string>;
// The editors' generator is forked from here, so it inherits this CPU.
if (pin) execFileSync('taskset', ['-pc', '0', String(process.pid)], { stdio: 'ignore' });

interface Round {
  main: number;
  busiestOther: number;
  rest: number;
  total: number;
  p50: number;
  p99: number;
}

function typeInto(server: ServerProc, job: Record<string, unknown>): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child = forkEditors(job);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('editors did not finish in time'));
    }, warmMs + 90_000);
    let before = new Map<number, number>();
    let startedAt = 0;
    child.on('message', (m: EditorsMessage) => {
      if (m.phase === 'measuring') {
        before = threadCpuSeconds(server.pid);
        startedAt = performance.now();
      }
      if (m.error) reject(new Error(m.error));
      if (!m.report) return;
      const after = threadCpuSeconds(server.pid);
      const secs = (performance.now() - startedAt) / 1000;
      const pct = (tid: number) => (((after.get(tid) ?? 0) - (before.get(tid) ?? 0)) / secs) * 100;
      const others = [...after.keys()].filter((t) => t !== server.pid).map(pct);
      const busiestOther = Math.max(0, ...others);
      const main = pct(server.pid);
      const rest = others.reduce((a, b) => a + b, 0) - busiestOther;
      const lat = summarize(m.report.latencies);
      clearTimeout(timer);
      child.kill();
      resolve({ main, busiestOther, rest, total: main + busiestOther + rest, p50: lat.p50, p99: lat.p99 });
    });
  });
}

async function oneRound(kind: 'ours' | 'hocuspocus'): Promise<Round> {
  // BENCH_PROFILE_DIR=/some/dir: our server's CPU profile (node --cpu-prof), as in bench/workloads/collab.ts.
  const profileDir = process.env.BENCH_PROFILE_DIR;
  const server =
    kind === 'ours'
      ? await startOurs(oursEnv, 'ours', profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])
      : await startPeer('hocuspocus');
  try {
    if (pin) execFileSync('taskset', ['-a', '-pc', '1', String(server.pid)], { stdio: 'ignore' });
    const common = { editors: 20, updatesPerSec: 10, durationMs: MEASURED_MS, warmupMs: warmMs, awarenessHz: 0, kind };
    if (kind === 'ours') {
      const blogId = await createBlog(server.url, 'Threads bench');
      const wsUrl = `${server.url.replace('http', 'ws')}/collab`;
      return await typeInto(server, { ...common, wsUrl, docName: blogId, token: BENCH_ADMIN_TOKEN });
    }
    return await typeInto(server, { ...common, wsUrl: server.url.replace('http', 'ws'), docName: 'bench-doc' });
  } finally {
    await server.stop();
  }
}

const results: Record<'ours' | 'hocuspocus', Round[]> = { ours: [], hocuspocus: [] };
for (let r = 0; r < rounds; r++) {
  for (const kind of ['ours', 'hocuspocus'] as const) {
    results[kind].push(await oneRound(kind));
    process.stderr.write(`round ${r + 1}/${rounds}: ${kind} done\n`);
  }
}

const columns: [keyof Round, string][] = [
  ['main', 'main thread (% core)'],
  ['busiestOther', 'busiest other thread (% core)'],
  ['rest', 'all other threads (% core)'],
  ['total', 'server total (% core)'],
  ['p50', 'editor→editor p50 (ms)'],
  ['p99', 'editor→editor p99 (ms)'],
];
const lines = [
  `co-editing 20×10/s, median of ${rounds} alternating rounds${pin ? ', server pinned to CPU 1' : ''}${warmMs ? `, after ${warmMs / 1000} s of warm-up` : ''}; ours env ${JSON.stringify(oursEnv)}`,
  `${'metric'.padEnd(32)}${'ours'.padStart(8)}${'peer'.padStart(8)}  ours/peer   (each round: ours | peer)`,
];
for (const [key, label] of columns) {
  const o = median(results.ours.map((x) => x[key]));
  const p = median(results.hocuspocus.map((x) => x[key]));
  const each = (k: 'ours' | 'hocuspocus') => results[k].map((x) => x[key].toFixed(1)).join(' ');
  const ratio = p > 0 ? `${(o / p).toFixed(2)}×` : '—';
  lines.push(
    `${label.padEnd(32)}${o.toFixed(1).padStart(8)}${p.toFixed(1).padStart(8)}  ${ratio.padStart(8)}   (${each('ours')} | ${each('hocuspocus')})`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
const dir = join(ROOT, 'bench/results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `collab-threads-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ rounds, pin, warmMs, oursEnv, results }, null, 2));
process.stdout.write(`wrote ${file}\n`);
process.exit(0);
