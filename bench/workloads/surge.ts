import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SurgeReport } from '../generators/surge.js';
import { createBlog, publishRich } from '../lib/ours-api.js';
import { ProcWindow, type WindowUsage } from '../lib/proc-sampler.js';
import { progress, setStep } from '../lib/progress.js';
import { attempt, emptyResult, row, type WorkloadResult } from '../lib/results.js';
import { ROOT, type ServerProc, startOurs, startPeer } from '../lib/servers.js';
import type { Sizes } from '../lib/sizes.js';
import { summarize } from '../lib/stats.js';

/**
 * A surge: a push alert sends `readers` new readers to a story within `arrivalMs`; each loads
 * the public page, embed.js and the first page of posts, then subscribes over Socket.IO.
 * Time to first render and to live (p50/p99), errors and server CPU, ours beside a peer of
 * bare Hono + bare Socket.IO answering the very bytes ours answered (peers/bare-surge.ts).
 * Ours starts cold: the first readers find nothing rendered.
 */
interface SurgeFigures {
  report: SurgeReport;
  server: WindowUsage;
}

type Urls = { page: string; script: string; posts: string; socketUrl: string; blogId: string };

function surge(server: ServerProc, urls: Urls, size: Sizes['surge']): Promise<SurgeFigures> {
  const job = { ...urls, readers: size.readers, arrivalMs: size.arrivalMs, timeoutMs: size.timeoutMs };
  return new Promise((resolve, reject) => {
    const child = fork(join(ROOT, 'bench/generators/surge.ts'), [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, BENCH_SURGE_JOB: JSON.stringify(job) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const window = new ProcWindow(server.pid);
    window.start();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('surge generator did not finish in time'));
    }, size.timeoutMs + 30_000);
    child.on('message', (m: { report?: SurgeReport; error?: string }) => {
      clearTimeout(timer);
      const usage = window.stop();
      if (m.error || !m.report) return reject(new Error(m.error ?? 'no report'));
      resolve({ report: m.report, server: usage });
    });
  });
}

/** One GET with no Accept-Encoding: the identity bytes, for the peer to serve. */
function probe(url: string): Promise<{ body: Buffer; contentType: string; etag: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`GET ${new URL(url).pathname} → ${res.statusCode}`));
        resolve({
          body: Buffer.concat(chunks),
          contentType: String(res.headers['content-type'] ?? 'application/octet-stream'),
          etag: String(res.headers.etag ?? '"bench"'),
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export async function runSurge(size: Sizes['surge']): Promise<WorkloadResult> {
  const result = emptyResult(
    'surge',
    'bare Hono + bare Socket.IO on one port answering the same bytes (precompressed)',
  );
  let ours: SurgeFigures | null = null;
  let peer: SurgeFigures | null = null;
  let fixtures: Record<string, { body: string; contentType: string; etag: string }> | null = null;
  let blogSeq = 0;

  setStep('surge, ours');
  await attempt(result, 'ours', async () => {
    const server = await startOurs();
    try {
      const blogId = await createBlog(server.url, 'Surge bench');
      for (let i = 0; i < size.seedPosts; i++) {
        const p = await publishRich(server.url, blogId, i);
        blogSeq = p.seq;
        progress(`seeding post ${i + 1}/${size.seedPosts}`);
      }
      const blog = (await (await fetch(`${server.url}/api/v1/blogs/${blogId}`)).json()) as { slug: string };
      const urls: Urls = {
        page: `${server.url}/live/${encodeURIComponent(blog.slug)}`,
        script: `${server.url}/embed.js`,
        posts: `${server.url}/api/v1/blogs/${blogId}/posts?limit=20`,
        socketUrl: server.url,
        blogId,
      };
      progress(`${size.readers} readers within ${size.arrivalMs} ms`);
      ours = await surge(server, urls, size);
      // Probed after the surge, so ours met it cold.
      const [page, script, posts] = await Promise.all([probe(urls.page), probe(urls.script), probe(urls.posts)]);
      const fx = (p: { body: Buffer; contentType: string; etag: string }) => ({
        ...p,
        body: p.body.toString('base64'),
      });
      fixtures = { page: fx(page), script: fx(script), posts: fx(posts) };
    } finally {
      await server.stop();
    }
  });

  setStep('surge, peer');
  await attempt(result, 'peer', async () => {
    if (!fixtures) throw new Error('ours failed before its bytes were probed: nothing to serve');
    const dir = mkdtempSync(join(tmpdir(), 'surge-fixtures-'));
    const file = join(dir, 'fixtures.json');
    writeFileSync(file, JSON.stringify(fixtures));
    const server = await startPeer('bare-surge', { BENCH_FIXTURES: file, BENCH_SEQ: String(blogSeq) });
    try {
      progress(`${size.readers} readers within ${size.arrivalMs} ms`);
      peer = await surge(
        server,
        {
          page: `${server.url}/f/page`,
          script: `${server.url}/f/script`,
          posts: `${server.url}/f/posts`,
          socketUrl: server.url,
          blogId: 'surge',
        },
        size,
      );
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const o = ours as SurgeFigures | null;
  const p = peer as SurgeFigures | null;
  const render = { o: o ? summarize(o.report.renderMs) : null, p: p ? summarize(p.report.renderMs) : null };
  const live = { o: o ? summarize(o.report.liveMs) : null, p: p ? summarize(p.report.liveMs) : null };
  const w = `surge ${size.readers} readers / ${size.arrivalMs / 1000} s`;
  result.rows.push(
    row(w, 'first render p50', 'ms', render.o?.p50, render.p?.p50),
    row(w, 'first render p99', 'ms', render.o?.p99, render.p?.p99),
    row(w, 'live (subscribed) p50', 'ms', live.o?.p50, live.p?.p50),
    row(w, 'live (subscribed) p99', 'ms', live.o?.p99, live.p?.p99),
    row(w, 'errors', 'count', o?.report.errors, p?.report.errors),
    row(w, 'server CPU', '% core', o?.server.cpuPct, p?.server.cpuPct),
    row(w, 'server RSS peak', 'MB', o?.server.rssPeakMb, p?.server.rssPeakMb),
    row(
      w,
      'bytes per reader',
      'B',
      o?.report.rendered ? o.report.bytes / o.report.rendered : null,
      p?.report.rendered ? p.report.bytes / p.report.rendered : null,
    ),
  );
  result.charts.push({
    title: `Surge: time to first render (${size.readers} readers in ${size.arrivalMs / 1000} s)`,
    oursLabel: 'ours',
    peerLabel: 'bare Hono + Socket.IO',
    ours: render.o,
    peer: render.p,
  });
  for (const [side, f] of [
    ['ours', o],
    ['peer', p],
  ] as const) {
    if (f?.report.errors)
      result.errors.push(`surge ${side}: ${f.report.errors} errors, e.g. ${f.report.errorSamples.join('; ')}`);
  }
  result.details = {
    readers: size.readers,
    arrivalMs: size.arrivalMs,
    ours: o && { ...o.report, renderMs: render.o, liveMs: live.o, server: o.server },
    peer: p && { ...p.report, renderMs: render.p, liveMs: live.p, server: p.server },
  };
  result.limits.push(
    'One generator process opens every reader (its own keep-alive connection for the three GETs, then a WebSocket): on 2 cores it competes with the server (details.*.generatorCpuPct), so latencies are an upper bound for both sides.',
    'Ours starts cold (nothing rendered) and sees no new posts during the surge; the peer serves bytes fixed at its start. Server CPU is averaged over the whole surge window, arrivals included.',
  );
  return result;
}
