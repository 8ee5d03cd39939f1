import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
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
 * Reads: requests per second and latency, warm, for the first page of posts, the public page
 * `/live/:slug` and the summary, each plain, asked for compression as a browser does (gzip)
 * and with If-None-Match (304). Peer: a bare Hono route answering the very bytes ours
 * answered (peers/bare-hono.ts), precompressed, with an ETag. Each case runs on ours and then
 * at once on the peer, so both sides of a ratio see the same machine.
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
    warmupMs: Math.round(Math.min(1000, size.durationMs / 3)),
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

interface Probe {
  status: number;
  body: Buffer;
  etag: string | null;
  contentType: string;
  contentEncoding: string | null;
}

/** One GET with exactly these headers, the body as sent (not decompressed). */
function probe(url: string, headers: Record<string, string> = {}): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status !== 200) return reject(new Error(`GET ${new URL(url).pathname} → ${status}`));
        resolve({
          status,
          body: Buffer.concat(chunks),
          etag: (res.headers.etag as string | undefined) ?? null,
          contentType: String(res.headers['content-type'] ?? 'application/octet-stream'),
          contentEncoding: (res.headers['content-encoding'] as string | undefined) ?? null,
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** What a browser sends: the gzip case asks for compression the way a reader's browser does. */
const BROWSER_ENCODINGS = 'gzip, deflate, br';

const SUMMARY_BULLETS = [
  'The road between the bridge and the station is closed in both directions.',
  'Two people were taken to hospital; their injuries are not life-threatening.',
  'Trains are running with delays of up to 30 minutes.',
  'Officials will give an update at 6 pm.',
];

type Target = 'posts' | 'page' | 'summary';
type Variant = 'plain' | 'gzip' | '304';
const TARGETS: Record<Target, string> = { posts: 'posts page', page: 'public page', summary: 'summary' };
const VARIANTS: Variant[] = ['plain', 'gzip', '304'];
const caseName = (t: Target, v: Variant) => `${TARGETS[t]}${v === 'plain' ? '' : ` ${v}`}`;

export async function runReads(size: Sizes['reads']): Promise<WorkloadResult> {
  const result = emptyResult(
    'reads',
    'bare Hono route on @hono/node-server answering the same bytes (precompressed, ETag)',
  );
  const ours: Record<string, LoadFigures> = {};
  const peer: Record<string, LoadFigures> = {};
  const bodies: Record<string, { identity: number; gzipAsked: number; encoding: string | null }> = {};
  const fixtures: Record<string, { body: string; contentType: string; etag: string }> = {};
  const headersFor = (v: Variant, etag: string | null): Record<string, string> | null =>
    v === 'plain'
      ? {}
      : v === 'gzip'
        ? { 'accept-encoding': BROWSER_ENCODINGS }
        : etag
          ? { 'if-none-match': etag }
          : null;

  setStep('reads, ours');
  const targets: Partial<Record<Target, string>> = {};
  let oursServer: ServerProc | null = null;
  await attempt(result, 'ours', async () => {
    const server = await startOurs();
    oursServer = server;
    const blogId = await createBlog(server.url, 'Reads bench');
    for (let i = 0; i < size.seedPosts; i++) {
      await publishRich(server.url, blogId, i);
      progress(`seeding post ${i + 1}/${size.seedPosts}`);
    }
    progress('seeding summary bullets');
    const seeded = await seedSummary(server.url, blogId, SUMMARY_BULLETS);
    if (seeded === 0)
      result.errors.push('ours: summary bullets could not be seeded; the summary read is of an empty summary');
    const blog = (await (await fetch(`${server.url}/api/v1/blogs/${blogId}`)).json()) as { slug: string };
    targets.posts = `${server.url}/api/v1/blogs/${blogId}/posts`;
    targets.page = `${server.url}/live/${encodeURIComponent(blog.slug)}`;
    targets.summary = `${server.url}/api/v1/blogs/${blogId}/summary`;
    for (const t of Object.keys(TARGETS) as Target[]) {
      const url = targets[t] as string;
      const plain = await probe(url);
      const zipped = await probe(url, { 'accept-encoding': BROWSER_ENCODINGS });
      bodies[t] = { identity: plain.body.length, gzipAsked: zipped.body.length, encoding: zipped.contentEncoding };
      fixtures[t] = {
        body: plain.body.toString('base64'),
        contentType: plain.contentType,
        etag: plain.etag ?? `"bench-${t}"`,
      };
      // The validator a client holds is the one of the coding it was sent: the 304 case
      // asks with the same Accept-Encoding as the plain case (none), so the plain ETag.
      if (!plain.etag) result.errors.push(`ours: no ETag on GET ${new URL(url).pathname}: its 304 is not measured`);
    }
  });

  setStep('reads, peer');
  let peerServer: ServerProc | null = null;
  const dir = mkdtempSync(join(tmpdir(), 'reads-fixtures-'));
  await attempt(result, 'peer', async () => {
    // The peer answers ours' bytes; if ours failed before probing, padding of a typical size.
    for (const t of Object.keys(TARGETS) as Target[]) {
      fixtures[t] ??= {
        body: Buffer.from(`{"pad":"${'x'.repeat(t === 'page' ? 60_000 : t === 'posts' ? 10_000 : 300)}"}`).toString(
          'base64',
        ),
        contentType: 'application/json',
        etag: `"bench-${t}"`,
      };
    }
    const file = join(dir, 'fixtures.json');
    writeFileSync(file, JSON.stringify(fixtures));
    peerServer = await startPeer('bare-hono', { BENCH_FIXTURES: file });
  });

  // Case by case, ours then the peer right after it: both servers are up (the idle one costs
  // nothing), so a change in the machine's load between cases moves both sides of a ratio.
  setStep('reads, side by side');
  const o = oursServer as ServerProc | null;
  const pr = peerServer as ServerProc | null;
  try {
    for (const t of Object.keys(TARGETS) as Target[]) {
      for (const v of VARIANTS) {
        const c = caseName(t, v);
        progress(c);
        const url = targets[t];
        const oursHeaders = headersFor(v, fixtures[t]?.etag ?? null);
        if (o && url && oursHeaders && (v !== '304' || bodies[t])) {
          await attempt(result, `ours ${c}`, async () => {
            ours[c] = await load(o, url, oursHeaders, size);
          });
        }
        if (pr) {
          await attempt(result, `peer ${c}`, async () => {
            peer[c] = await load(pr, `${pr.url}/f/${t}`, headersFor(v, fixtures[t]?.etag ?? null) ?? {}, size);
          });
        }
      }
    }
  } finally {
    await o?.stop();
    await pr?.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  for (const t of Object.keys(TARGETS) as Target[]) {
    for (const v of VARIANTS) {
      const c = caseName(t, v);
      const o = ours[c];
      const p = peer[c];
      if (!o && !p) continue;
      const w = `reads ${c}`;
      result.rows.push(
        row(w, 'req/s', 'req/s', o?.rps, p?.rps, 'higher'),
        row(w, 'latency p50', 'ms', o?.latency.p50, p?.latency.p50),
        row(w, 'latency p99', 'ms', o?.latency.p99, p?.latency.p99),
        row(w, 'bytes per answer', 'B', o?.bodyBytes, p?.bodyBytes),
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
        const wanted = v === '304' ? '304' : '200';
        const other = Object.entries(f.statuses).filter(([s]) => s !== wanted);
        if (other.length || f.errors)
          result.errors.push(`${w} ${side}: statuses ${JSON.stringify(f.statuses)}, ${f.errors} errors`);
      }
    }
  }
  result.details = { concurrency: size.concurrency, durationMs: size.durationMs, bodies, ours, peer };
  result.limits.push(
    `Closed loop, ${size.concurrency} keep-alive connections from one generator process: at saturation the generator competes with the server for the 2 cores (see generatorCpuPct in the JSON), so req/s is a floor for both sides.`,
    'The peer serves the bytes ours answered, compressed once at its start (what a static file server or CDN does); the ratio is the cost of our read path (routing, store or cache, rendering, ETag, compression) over a Map lookup.',
    `The gzip case sends "Accept-Encoding: ${BROWSER_ENCODINGS}" as browsers do; "bytes per answer" shows whether ours compressed (details.bodies: identity size, size answered, encoding).`,
  );
  return result;
}
