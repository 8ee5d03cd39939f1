/**
 * Photo uploads, measured against our real server (a separate process on loopback):
 *
 *   node --import tsx bench/media.ts [--uploads=5] [--readers=1000]
 *
 * 1. Upload + encode time of a 12-megapixel JPEG (4000 × 3000, about 4 MB at quality 90), one
 *    upload at a time: median and worst of the client-side request times.
 * 2. Bytes the variants take against the original, and what a reader downloads (1280 px).
 * 3. The server's longest event-loop stall (prom-client's monitorEventLoopDelay maximum, read
 *    from /metrics: each scrape resets it) while 4 uploads encode at once during a fan-out to
 *    N readers, beside the same fan-out without uploads. Every loop is bounded.
 */
import sharp from 'sharp';
import type { Media } from '../src/domain/index.js';
import { scene } from '../test/helpers/images.js';
import { createBlog, metricsText, promSum, publishMarked } from './lib/ours-api.js';
import { BENCH_ADMIN_TOKEN, startOurs, stopAllServers } from './lib/servers.js';
import { measureFanout } from './workloads/fanout-core.js';

const arg = (name: string, def: number) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : def;
};
const UPLOADS = Math.min(arg('uploads', 5), 20);
const READERS = Math.min(arg('readers', 1000), 5000);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Distinct 12 MP photos (one base scene, a different mark on each: no shared variants). */
async function photos(n: number): Promise<Buffer[]> {
  const base = await (await scene(4000, 3000)).raw().toBuffer({ resolveWithObject: true });
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const mark = await sharp({
      create: { width: 200, height: 200, channels: 3, background: { r: (i * 53) % 256, g: 40, b: 200 - i * 7 } },
    })
      .png()
      .toBuffer();
    out.push(
      await sharp(base.data, { raw: base.info })
        .composite([{ input: mark, left: 100 + i * 150, top: 100 }])
        .jpeg({ quality: 90 })
        .toBuffer(),
    );
  }
  return out;
}

async function upload(url: string, blogId: string, bytes: Buffer): Promise<{ ms: number; media: Media }> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'image/jpeg' }), 'photo.jpg');
  const t = performance.now();
  const res = await fetch(`${url}/api/v1/blogs/${blogId}/media`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` },
    body: form,
  });
  const body = await res.json();
  if (res.status !== 201) throw new Error(`upload → ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
  return { ms: performance.now() - t, media: body as Media };
}

const lagMaxMs = async (url: string) =>
  (promSum(await metricsText(url), 'liveblog_nodejs_eventloop_lag_max_seconds') ?? Number.NaN) * 1000;

async function main(): Promise<void> {
  const server = await startOurs({ MEDIA_MAX_FILE_BYTES: String(40 * 1024 * 1024), MEDIA_QUEUE: '16' });
  try {
    const blogId = await createBlog(server.url, 'Media bench');
    process.stderr.write(`making ${UPLOADS + 4} 12-megapixel photos…\n`);
    const inputs = await photos(UPLOADS + 4);

    // 1 and 2: one upload at a time.
    const times: number[] = [];
    let sizes: { original: number; variants: number; at1280: Record<string, number> } | null = null;
    for (let i = 0; i < UPLOADS; i++) {
      const { ms, media } = await upload(server.url, blogId, inputs[i]!);
      times.push(ms);
      process.stderr.write(`upload ${i + 1}/${UPLOADS}: ${ms.toFixed(0)} ms\n`);
      if (!sizes) {
        const lengths = await Promise.all(
          media.variants.map(async (v) => ({ v, n: (await (await fetch(v.url)).arrayBuffer()).byteLength })),
        );
        sizes = {
          original: inputs[i]!.length,
          variants: lengths.reduce((a, x) => a + x.n, 0),
          at1280: Object.fromEntries(lengths.filter((x) => x.v.width === 1280).map((x) => [x.v.type, x.n])),
        };
      }
    }

    // 3: fan-out to READERS readers, without and then with 4 uploads encoding at once.
    const fanout = async (withUploads: boolean) => {
      let uploads: Promise<unknown> | null = null;
      let first = true;
      const figures = await measureFanout({
        readUrl: server.url,
        room: blogId,
        serverPid: server.pid,
        readers: READERS,
        posts: 100,
        postsPerSec: 10,
        publish: async () => {
          if (first) {
            first = false;
            await lagMaxMs(server.url); // resets the maximum: the window starts now
            if (withUploads)
              uploads = Promise.all(inputs.slice(UPLOADS, UPLOADS + 4).map((b) => upload(server.url, blogId, b)));
          }
          return publishMarked(server.url, blogId);
        },
      });
      if (uploads) await uploads;
      return { lag: await lagMaxMs(server.url), figures };
    };
    const quiet = await fanout(false);
    const busy = await fanout(true);

    const line = (k: string, v: string) => console.log(`${k.padEnd(58)} ${v}`);
    line(
      '12 MP JPEG upload + encode, median / worst (ms)',
      `${median(times).toFixed(0)} / ${Math.max(...times).toFixed(0)}  (n=${times.length})`,
    );
    if (sizes) {
      line('original bytes', String(sizes.original));
      line(
        'all variants (12 objects) bytes',
        `${sizes.variants} (${((1 - sizes.variants / sizes.original) * 100).toFixed(1)}% fewer)`,
      );
      for (const [type, n] of Object.entries(sizes.at1280))
        line(
          `  ${type} at 1280 px (what a reader downloads)`,
          `${n} (${((1 - n / sizes.original) * 100).toFixed(1)}% fewer)`,
        );
    }
    for (const [name, r] of [
      ['fan-out alone', quiet],
      ['fan-out + 4 uploads encoding', busy],
    ] as const) {
      line(
        `${name}: longest event-loop stall (ms)`,
        `${r.lag.toFixed(1)}; delivery p50/p99/max ${r.figures.latency.p50.toFixed(0)}/${r.figures.latency.p99.toFixed(0)}/${r.figures.latency.max.toFixed(0)} ms, ${r.figures.delivered}/${r.figures.expected} delivered, ${r.figures.readers} readers`,
      );
    }
  } finally {
    await server.stop();
    await stopAllServers();
  }
}

await main();
