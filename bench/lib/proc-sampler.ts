import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU and memory of one process, read from /proc so the figures are the server's alone
 * (no cooperation from the server needed). Linux only, which is what the bench runs on.
 */
const CLOCK_TICKS_PER_S = 100; // getconf CLK_TCK on Linux x86-64/arm64

export interface ProcSample {
  at: number;
  cpuMs: number;
  rssBytes: number;
}

export function sampleProc(pid: number): ProcSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces; fields after the closing paren are fixed.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 'NaN');
    return { at: performance.now(), cpuMs: ((utime + stime) * 1000) / CLOCK_TICKS_PER_S, rssBytes: rssKb * 1024 };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) of each thread of `pid`, by thread id. */
export function threadCpuSeconds(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), (Number(rest[11]) + Number(rest[12])) / CLOCK_TICKS_PER_S);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

export interface WindowUsage {
  /** Average CPU over the window, in percent of one core. */
  cpuPct: number;
  rssPeakMb: number;
  rssEndMb: number;
}

/** Samples a process every `everyMs` between start() and stop(); bounded by the window length. */
export class ProcWindow {
  private first: ProcSample | null = null;
  private last: ProcSample | null = null;
  private peakRss = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly pid: number,
    private readonly everyMs = 250,
  ) {}

  start(): void {
    this.first = sampleProc(this.pid);
    this.last = this.first;
    this.peakRss = this.first?.rssBytes ?? 0;
    this.timer = setInterval(() => this.tick(), this.everyMs);
    this.timer.unref();
  }

  private tick(): void {
    const s = sampleProc(this.pid);
    if (!s) return;
    this.last = s;
    this.peakRss = Math.max(this.peakRss, s.rssBytes);
  }

  stop(): WindowUsage {
    if (this.timer) clearInterval(this.timer);
    this.tick();
    const a = this.first;
    const b = this.last;
    const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
    if (!a || !b || b.at <= a.at) return { cpuPct: Number.NaN, rssPeakMb: mb(this.peakRss), rssEndMb: Number.NaN };
    return {
      cpuPct: Math.round(((b.cpuMs - a.cpuMs) / (b.at - a.at)) * 1000) / 10,
      rssPeakMb: mb(this.peakRss),
      rssEndMb: mb(b.rssBytes),
    };
  }
}

export const rssMb = (pid: number): number => {
  const s = sampleProc(pid);
  return s ? Math.round((s.rssBytes / 1024 / 1024) * 10) / 10 : Number.NaN;
};
