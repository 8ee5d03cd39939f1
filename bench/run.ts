import { fork } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { endProgress, note } from './lib/progress.js';
import { machineInfo, type RunReport, renderTable, writeReport } from './lib/report.js';
import type { WorkloadResult } from './lib/results.js';
import { ROOT, stopAllServers } from './lib/servers.js';
import { SIZES, type SizeName } from './lib/sizes.js';
import { runAudience } from './workloads/audience.js';
import { runCollab } from './workloads/collab.js';
import { runFanout } from './workloads/fanout.js';
import { runReads } from './workloads/reads.js';
import { runScaleout } from './workloads/scaleout.js';
import { runStorm } from './workloads/storm.js';
import { runSummaryLog } from './workloads/summary-log.js';
import { runSurge } from './workloads/surge.js';

/**
 * `npm run bench -- [--size=smoke|small|full] [--only=fanout,storm,collab,reads,surge,scaleout]`
 * Each workload runs ours and its peer in the same run, on this machine, in separate
 * processes; prints a table, writes bench/results/<timestamp>.json, latest.json, latest.svg.
 */
const WORKLOADS = ['fanout', 'storm', 'collab', 'reads', 'surge', 'scaleout', 'summary-log', 'audience'] as const;
type Workload = (typeof WORKLOADS)[number];

const Args = z.object({
  size: z.enum(['smoke', 'small', 'full']).default('full'),
  'disk-contention': z.enum(['on', 'off']).default('off'),
  only: z
    .string()
    .default(WORKLOADS.join(','))
    .transform((s) =>
      s
        .split(',')
        .map((w) => w.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(WORKLOADS)).min(1)),
});

const USAGE = `usage: npm run bench -- [--size=smoke|small|full] [--only=${WORKLOADS.join(',')}] [--disk-contention]
  smoke  seconds; a harness check (CI)
  small  a minute or two; 1,000 readers
  full   every workload at full size: 1,000 / 5,000 / 10,000 readers (default)
  --disk-contention  another process fsyncs 64 KB writes in a loop during the run (issue 17 item 5)`;

function parseArgs(argv: string[]): { size: SizeName; only: Workload[]; diskContention: boolean } {
  const raw: Record<string, string> = {};
  for (const a of argv) {
    if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    const flag = a === '--disk-contention' ? 'disk-contention=on' : a.slice(2);
    const m = /^(size|only|disk-contention)=(.*)$/.exec(flag);
    if (!m) {
      process.stderr.write(`unknown argument ${a}\n${USAGE}\n`);
      process.exit(2);
    }
    raw[m[1]!] = m[2]!;
  }
  const parsed = Args.safeParse(raw);
  if (!parsed.success) {
    process.stderr.write(
      `${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n')}\n${USAGE}\n`,
    );
    process.exit(2);
  }
  return { size: parsed.data.size, only: parsed.data.only, diskContention: parsed.data['disk-contention'] === 'on' };
}

async function main(): Promise<void> {
  const { size, only, diskContention } = parseArgs(process.argv.slice(2));
  const hog = diskContention ? startDiskHog() : null;
  const sizes = SIZES[size];
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  note(`bench: size ${size}, workloads ${only.join(', ')}; ours and each peer run as separate processes on 127.0.0.1`);
  const runners: Record<Workload, () => Promise<WorkloadResult>> = {
    fanout: () => runFanout(sizes.fanout),
    storm: () => runStorm(sizes.storm),
    collab: () => runCollab(sizes.collab),
    reads: () => runReads(sizes.reads),
    surge: () => runSurge(sizes.surge),
    scaleout: () => runScaleout(sizes.scaleout),
    'summary-log': () => runSummaryLog(sizes.summaryLog),
    audience: () => runAudience(sizes.audience),
  };
  const workloads: WorkloadResult[] = [];
  for (const w of WORKLOADS) {
    if (!only.includes(w)) continue;
    const t0 = Date.now();
    const loadBefore = loadavg()[0] ?? 0;
    const result = await runners[w]();
    const loadAfter = loadavg()[0] ?? 0;
    result.details.loadavg1m = { before: round2(loadBefore), after: round2(loadAfter) };
    // Other processes competing for the cores starve server and generators alike: say so.
    if (Math.max(loadBefore, loadAfter) > cpus().length) {
      result.limits.unshift(
        `MACHINE BUSY: 1-min load ${round2(loadBefore)} → ${round2(loadAfter)} on ${cpus().length} cores; figures include CPU starvation by other processes (low CPU% with high latency is the sign). Rerun on a quiet machine.`,
      );
    }
    workloads.push(result);
    note(
      `${w}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s${result.errors.length ? ` (${result.errors.length} errors)` : ''}`,
    );
  }
  const hogSyncs = hog ? await hog.stop() : null;
  if (hogSyncs !== null) {
    for (const w of workloads) {
      w.limits.unshift(
        `DISK CONTENTION: another process made ${hogSyncs} fsync'd 64 KB writes during the run (bench/generators/disk-hog.ts).`,
      );
    }
  }
  endProgress();
  const report: RunReport = { startedAt, finishedAt: new Date().toISOString(), size, only, machine, workloads };
  process.stdout.write(`\n${renderTable(report)}`);
  const files = writeReport(report);
  process.stdout.write(`\nwrote ${files.json}\n      ${files.latest}\n      ${files.svg}\n`);
  // A run where nothing of ours was measured is a failed harness check.
  const oursMeasured = workloads.some((w) => w.rows.some((r) => r.ours !== null));
  process.exitCode = oursMeasured ? 0 : 1;
}

/** The disk hog (generators/disk-hog.ts) as a child process; stop() resolves its fsync count. */
function startDiskHog(): { stop(): Promise<number> } {
  const child = fork(join(ROOT, 'bench/generators/disk-hog.ts'), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let syncs = 0;
  child.on('message', (m: { syncs?: number }) => {
    syncs = m.syncs ?? syncs;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  note('disk contention: a process fsyncs 64 KB writes in a loop until the run ends');
  return {
    stop: async () => {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
      return syncs;
    },
  };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  endProgress();
  process.stderr.write('interrupted: stopping servers\n');
  void stopAllServers().finally(() => process.exit(130));
});

main()
  .catch((err: unknown) => {
    endProgress();
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopAllServers();
    // Exit even if a client library left a timer or socket behind.
    process.exit(process.exitCode ?? 0);
  });
