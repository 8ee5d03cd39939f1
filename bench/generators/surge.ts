import { Agent, request } from 'node:http';
import { io, type Socket } from 'socket.io-client';
import { z } from 'zod';

/**
 * The surge generator: `readers` new readers arriving evenly within `arrivalMs`, each as a
 * browser would after a push alert: its own keep-alive connection, the public page, the
 * widget script and the first page of posts (asking for compression), then a Socket.IO
 * subscribe. Records per reader the time to first render (the three answers read in full)
 * and to live (the subscribe ack). Bounded by the reader count and `timeoutMs`.
 */
const Job = z.object({
  page: z.string().url(),
  script: z.string().url(),
  posts: z.string().url(),
  socketUrl: z.string().url(),
  blogId: z.string().min(1).max(80),
  readers: z.number().int().min(1).max(20_000),
  arrivalMs: z.number().int().min(0).max(120_000),
  timeoutMs: z.number().int().min(1_000).max(300_000),
});

export interface SurgeReport {
  readers: number;
  rendered: number;
  live: number;
  renderMs: number[];
  liveMs: number[];
  errors: number;
  errorSamples: string[];
  bytes: number;
  elapsedMs: number;
  generatorCpuPct: number;
}

const BROWSER_ENCODINGS = 'gzip, deflate, br';

function get(agent: Agent, url: string): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        headers: { 'accept-encoding': BROWSER_ENCODINGS },
      },
      (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () =>
          res.statusCode === 200 ? resolve(bytes) : reject(new Error(`GET ${u.pathname} → ${res.statusCode}`)),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`GET ${u.pathname} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

async function run(job: z.infer<typeof Job>): Promise<SurgeReport> {
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const report: SurgeReport = {
    readers: job.readers,
    rendered: 0,
    live: 0,
    renderMs: [],
    liveMs: [],
    errors: 0,
    errorSamples: [],
    bytes: 0,
    elapsedMs: 0,
    generatorCpuPct: 0,
  };
  const sockets: Socket[] = [];
  const fail = (err: unknown) => {
    report.errors += 1;
    if (report.errorSamples.length < 10) report.errorSamples.push(String((err as Error).message ?? err));
  };

  const reader = async (): Promise<void> => {
    const t0 = performance.now();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      // Awaited first, then added: `a += await b` would add to a stale `a` across readers.
      for (const url of [job.page, job.script, job.posts]) {
        const bytes = await get(agent, url);
        report.bytes += bytes;
      }
      report.renderMs.push(performance.now() - t0);
      report.rendered += 1;
    } catch (err) {
      fail(err);
      return;
    } finally {
      agent.destroy();
    }
    const socket = io(job.socketUrl, { transports: ['websocket'], forceNew: true, reconnection: false });
    sockets.push(socket);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        fail(new Error('subscribe timed out'));
        resolve();
      }, 30_000);
      socket.once('connect_error', (err) => {
        clearTimeout(timer);
        fail(err);
        resolve();
      });
      socket.once('connect', () => {
        socket.emit('subscribe', { blogId: job.blogId }, (ack: { ok: boolean; error?: { message?: string } }) => {
          clearTimeout(timer);
          if (ack?.ok) {
            report.liveMs.push(performance.now() - t0);
            report.live += 1;
          } else fail(new Error(`subscribe refused: ${ack?.error?.message ?? 'no reason'}`));
          resolve();
        });
      });
    });
  };

  const all: Promise<void>[] = [];
  const gap = job.readers > 1 ? job.arrivalMs / (job.readers - 1) : 0;
  for (let i = 0; i < job.readers; i++) {
    const due = started + i * gap;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    all.push(reader());
  }
  await Promise.race([Promise.all(all), new Promise((r) => setTimeout(r, job.timeoutMs))]);
  report.elapsedMs = performance.now() - started;
  const used = process.cpuUsage(cpu0);
  report.generatorCpuPct = ((used.user + used.system) / 1000 / report.elapsedMs) * 100;
  // A reader that neither failed nor went live before the deadline counts as an error too.
  report.errors += Math.max(0, job.readers - report.live - report.errors);
  for (const s of sockets) s.disconnect();
  return report;
}

const job = Job.parse(JSON.parse(process.env.BENCH_SURGE_JOB ?? '{}'));
run(job).then(
  (report) => {
    process.send?.({ report }, () => process.exit(0));
  },
  (err: unknown) => {
    process.send?.({ error: String((err as Error).message ?? err) }, () => process.exit(1));
  },
);
