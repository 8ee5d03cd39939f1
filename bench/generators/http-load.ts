import { Agent, request } from 'node:http';
import { z } from 'zod';

/**
 * A small closed-loop HTTP load generator: `concurrency` workers over keep-alive sockets,
 * each sending the next request as soon as the previous answer is fully read. A warm-up
 * precedes the measured window; both are bounded in time and the request count is capped.
 */
const Job = z.object({
  url: z.string().url(),
  headers: z.record(z.string(), z.string()).default({}),
  concurrency: z.number().int().min(1).max(256),
  warmupMs: z.number().int().min(0).max(30_000),
  durationMs: z.number().int().min(100).max(120_000),
  maxRequests: z.number().int().min(1).max(5_000_000).default(2_000_000),
});

export interface HttpLoadReport {
  requests: number;
  rps: number;
  latencies: number[];
  statuses: Record<string, number>;
  bytes: number;
  errors: number;
  generatorCpuPct: number;
}

const MAX_SAMPLES = 200_000;

async function run(job: z.infer<typeof Job>): Promise<HttpLoadReport> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  const url = new URL(job.url);
  const once = () =>
    new Promise<{ status: number; bytes: number }>((resolve, reject) => {
      const req = request(
        { agent, host: url.hostname, port: url.port, path: url.pathname + url.search, headers: job.headers },
        (res) => {
          let bytes = 0;
          res.on('data', (c: Buffer) => (bytes += c.length));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });

  const report: HttpLoadReport = {
    requests: 0,
    rps: 0,
    latencies: [],
    statuses: {},
    bytes: 0,
    errors: 0,
    generatorCpuPct: 0,
  };
  const warmEnd = performance.now() + job.warmupMs;
  let issued = 0;
  const warm = async () => {
    while (performance.now() < warmEnd && issued < job.maxRequests) {
      issued += 1;
      await once().catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, warm));

  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const end = start + job.durationMs;
  const worker = async () => {
    while (performance.now() < end && issued < job.maxRequests) {
      issued += 1;
      const t = performance.now();
      try {
        const r = await once();
        const ms = performance.now() - t;
        report.requests += 1;
        report.bytes += r.bytes;
        report.statuses[r.status] = (report.statuses[r.status] ?? 0) + 1;
        if (report.latencies.length < MAX_SAMPLES) report.latencies.push(Math.round(ms * 1000) / 1000);
      } catch {
        report.errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  report.rps = Math.round((report.requests / elapsed) * 1000);
  report.generatorCpuPct = Math.round(((cpu.user + cpu.system) / 1000 / elapsed) * 1000) / 10;
  agent.destroy();
  return report;
}

const job = Job.parse(JSON.parse(process.env.BENCH_HTTP_JOB ?? '{}'));
run(job).then(
  (report) => process.send?.({ report }, () => process.exit(0)),
  (err: unknown) => process.send?.({ error: (err as Error).message }, () => process.exit(1)),
);
// The harness went away (Ctrl-C, crash): stop at once rather than finish the job.
process.on('disconnect', () => process.exit(0));
