import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { HttpLoadReport } from '../generators/http-load.js';
import { createBlog, publishRich } from '../lib/ours-api.js';
import { ProcWindow, type WindowUsage } from '../lib/proc-sampler.js';
import { progress, setStep } from '../lib/progress.js';
import { attempt, emptyResult, row, type WorkloadResult } from '../lib/results.js';
import { seedSummary } from '../lib/seed-summary.js';
import { ROOT, type ServerProc, startOurs, startPeer } from '../lib/servers.js';
import type { Sizes } from '../lib/sizes.js';
import { type LatencySummary, summarize } from '../lib/stats.js';

/**
 * Reads: requests per second and latency, warm, for the first page of posts and for the
 * summary, each plain and with If-None-Match (304). Peer: a bare Hono route returning a JSON
 * body of the same byte size, plain and behind Hono's etag middleware.
 */
interface LoadFigures {
  rps: number;
  latency: LatencySummary;
  statuses: Record<string, number>;
  errors: number;
  bodyBytes: number;
  generatorCpuPct: number;
  server: WindowUsage;
}

function load(
  server: ServerProc,
  url: string,
  headers: Record<string, string>,
  size: Sizes['reads'],
): Promise<LoadFigures> {
  const job = {
    url,
    headers,
    concurrency: size.concurrency,
    warmupMs: Math.min(1000, size.durationMs / 3),
    durationMs: size.durationMs,
  };
  return new Promise((resolve, reject) => {
    const child = fork(join(ROOT, 'bench/generators/http-load.ts'), [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, BENCH_HTTP_JOB: JSON.stringify(job) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const window = new ProcWindow(server.pid);
    window.start(); // includes the warm-up: CPU is an average over warm-up and window
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('load generator did not finish in time'));
    }, size.durationMs + 30_000);
    child.on('message', (m: { report?: HttpLoadReport; error?: string }) => {
      clearTimeout(timer);
      const usage = window.stop();
      if (m.error || !m.report) return reject(new Error(m.error ?? 'no report'));
      const r = m.report;
      resolve({
        rps: r.rps,
        latency: summarize(r.latencies),
        statuses: r.statuses,
        errors: r.errors,
        bodyBytes: r.requests ? Math.round(r.bytes / r.requests) : 0,
        generatorCpuPct: r.generatorCpuPct,
        server: usage,
      });
    });
  });
}

async function probe(url: string): Promise<{ bytes: number; etag: string | null }> {
  const res = await fetch(url);
  const body = await res.arrayBuffer();
  if (!res.ok) throw new Error(`GET ${new URL(url).pathname} → ${res.status}`);
  return { bytes: body.byteLength, etag: res.headers.get('etag') };
}

const SUMMARY_BULLETS = [
  'The road between the bridge and the station is closed in both directions.',
  'Two people were taken to hospital; their injuries are not life-threatening.',
  'Trains are running with delays of up to 30 minutes.',
  'Officials will give an update at 6 pm.',
];

export async function runReads(size: Sizes['reads']): Promise<WorkloadResult> {
  const result = emptyResult('reads', 'bare Hono route on @hono/node-server, same body size (no store)');
  const cases = ['posts page', 'posts page 304', 'summary', 'summary 304'] as const;
  type Case = (typeof cases)[number];
  const ours: Partial<Record<Case, LoadFigures>> = {};
  const peer: Partial<Record<Case, LoadFigures>> = {};
  const sizes: Partial<Record<'posts' | 'summary', number>> = {};

  setStep('reads, ours');
  await attempt(result, 'ours', async () => {
    const server = await startOurs();
    try {
      const blogId = await createBlog(server.url, 'Reads bench');
      for (let i = 0; i < size.seedPosts; i++) {
        await publishRich(server.url, blogId, i);
        progress(`seeding post ${i + 1}/${size.seedPosts}`);
      }
      progress('seeding summary bullets');
      const seeded = await seedSummary(server.url, blogId, SUMMARY_BULLETS);
      if (seeded === 0)
        result.errors.push('ours: summary bullets could not be seeded; the summary read is of an empty summary');
      const targets = {
        posts: `${server.url}/api/v1/blogs/${blogId}/posts`,
        summary: `${server.url}/api/v1/blogs/${blogId}/summary`,
      };
      for (const [key, url] of Object.entries(targets) as Array<['posts' | 'summary', string]>) {
        const p = await probe(url);
        sizes[key] = p.bytes;
        const plain: Case = key === 'posts' ? 'posts page' : 'summary';
        const cond: Case = key === 'posts' ? 'posts page 304' : 'summary 304';
        progress(`${plain}`);
        ours[plain] = await load(server, url, {}, size);
        if (p.etag) {
          progress(`${cond}`);
          ours[cond] = await load(server, url, { 'if-none-match': p.etag }, size);
        } else result.errors.push(`ours: no ETag on GET ${new URL(url).pathname}: conditional case not measured`);
      }
    } finally {
      await server.stop();
    }
  });

  setStep('reads, peer');
  await attempt(result, 'peer', async () => {
    const server = await startPeer('bare-hono');
    try {
      for (const key of ['posts', 'summary'] as const) {
        const bytes = sizes[key] ?? (key === 'posts' ? 12_000 : 300);
        const plain: Case = key === 'posts' ? 'posts page' : 'summary';
        const cond: Case = key === 'posts' ? 'posts page 304' : 'summary 304';
        progress(plain);
        peer[plain] = await load(server, `${server.url}/plain/${bytes}`, {}, size);
        const p = await probe(`${server.url}/etag/${bytes}`);
        progress(cond);
        peer[cond] = await load(server, `${server.url}/etag/${bytes}`, p.etag ? { 'if-none-match': p.etag } : {}, size);
      }
    } finally {
      await server.stop();
    }
  });

  for (const c of cases) {
    const o = ours[c];
    const p = peer[c];
    if (!o && !p) continue;
    const w = `reads ${c}`;
    result.rows.push(
      row(w, 'req/s', 'req/s', o?.rps, p?.rps, 'higher'),
      row(w, 'latency p50', 'ms', o?.latency.p50, p?.latency.p50),
      row(w, 'latency p99', 'ms', o?.latency.p99, p?.latency.p99),
      row(w, 'server CPU', '% core', o?.server.cpuPct, p?.server.cpuPct),
    );
    result.charts.push({
      title: `Reads, ${c}: request latency`,
      oursLabel: 'ours',
      peerLabel: 'bare Hono',
      ours: o?.latency ?? null,
      peer: p?.latency ?? null,
    });
    for (const [side, f] of [
      ['ours', o],
      ['peer', p],
    ] as const) {
      if (!f) continue;
      const wanted = c.endsWith('304') ? '304' : '200';
      const other = Object.entries(f.statuses).filter(([s]) => s !== wanted);
      if (other.length || f.errors)
        result.errors.push(`${w} ${side}: statuses ${JSON.stringify(f.statuses)}, ${f.errors} errors`);
    }
  }
  result.details = { concurrency: size.concurrency, durationMs: size.durationMs, bodyBytes: sizes, ours, peer };
  result.limits.push(
    `Closed loop, ${size.concurrency} keep-alive connections from one generator process: at saturation the generator competes with the server for the 2 cores (see generatorCpuPct in the JSON), so req/s is a floor for both sides.`,
    'Peer bodies are padding of the same byte size: no store read, no serialisation; the ratio is the cost of our route (auth-free read, store, JSON, ETag) over raw Hono.',
  );
  return result;
}
