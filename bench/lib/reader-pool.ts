import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type {
  CollectReply,
  ConnectReply,
  DropReply,
  ReaderCommandInput,
  ReaderReply,
  ResubscribeReply,
} from '../generators/protocol.js';
import { ROOT } from './servers.js';

type Payload<C> = C extends { cmd: infer K } ? Omit<C, 'id'> & { cmd: K } : never;

/** One reader-generator child process, spoken to over IPC. */
class ReaderGenerator {
  private nextId = 1;
  private waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  progress = { received: 0, connected: 0 };
  private exited: Promise<void>;

  constructor(readonly proc: ChildProcess) {
    proc.on('message', (m: ReaderReply) => {
      if (m.progress) this.progress = m.progress;
      if (m.id === undefined) return;
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.ok) w.resolve(m.data);
      else w.reject(new Error(m.error ?? 'generator error'));
    });
    this.exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    proc.once('exit', (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`generator exited (${code})`));
      this.waiting.clear();
    });
  }

  request<T>(cmd: Payload<ReaderCommandInput>, timeoutMs: number): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`generator did not answer '${cmd.cmd}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (v) => {
          clearTimeout(t);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
      this.proc.send({ ...cmd, id });
    });
  }

  async close(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    await this.request({ cmd: 'exit' }, 5000).catch(() => this.proc.kill('SIGKILL'));
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(t);
  }
}

/** A few generator children sharing N readers between them; figures are merged. */
export class ReaderPool {
  private constructor(readonly gens: ReaderGenerator[]) {}

  static start(processes: number): ReaderPool {
    const gens = Array.from({ length: processes }, () => {
      const proc = fork(join(ROOT, 'bench/generators/readers.ts'), [], {
        cwd: ROOT,
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      return new ReaderGenerator(proc);
    });
    return new ReaderPool(gens);
  }

  get pids(): number[] {
    return this.gens.map((g) => g.proc.pid ?? -1);
  }

  /** Readers connected and events received so far, summed over the children (from their progress notes). */
  get progress(): { received: number; connected: number } {
    return this.gens.reduce(
      (a, g) => ({ received: a.received + g.progress.received, connected: a.connected + g.progress.connected }),
      { received: 0, connected: 0 },
    );
  }

  async connect(url: string, blogId: string, count: number, timeoutMs: number): Promise<ConnectReply> {
    const per = this.split(count);
    const replies = await Promise.all(
      this.gens.map((g, i) => g.request<ConnectReply>({ cmd: 'connect', url, blogId, count: per[i] ?? 0 }, timeoutMs)),
    );
    return {
      connected: replies.reduce((a, r) => a + r.connected, 0),
      failed: replies.reduce((a, r) => a + r.failed, 0),
      ms: Math.max(...replies.map((r) => r.ms)),
      firstError: replies.find((r) => r.firstError)?.firstError,
    };
  }

  async collect(): Promise<CollectReply & { generatorCpuPct: number[] }> {
    const replies = await Promise.all(this.gens.map((g) => g.request<CollectReply>({ cmd: 'collect' }, 30_000)));
    return {
      latencies: replies.flatMap((r) => r.latencies),
      stamps: replies.flatMap((r) => r.stamps),
      received: replies.reduce((a, r) => a + r.received, 0),
      summaries: replies.reduce((a, r) => a + r.summaries, 0),
      duplicates: replies.reduce((a, r) => a + r.duplicates, 0),
      gaps: replies.reduce((a, r) => a + r.gaps, 0),
      cpuPct: Math.max(...replies.map((r) => r.cpuPct)),
      generatorCpuPct: replies.map((r) => r.cpuPct),
    };
  }

  async drop(): Promise<DropReply> {
    const replies = await Promise.all(this.gens.map((g) => g.request<DropReply>({ cmd: 'drop' }, 30_000)));
    return { minSeq: Math.min(...replies.map((r) => r.minSeq)), maxSeq: Math.max(...replies.map((r) => r.maxSeq)) };
  }

  async resubscribe(targetSeq: number, timeoutMs: number): Promise<ResubscribeReply> {
    const replies = await Promise.all(
      this.gens.map((g) =>
        g.request<ResubscribeReply>({ cmd: 'resubscribe', targetSeq, timeoutMs }, timeoutMs + 10_000),
      ),
    );
    const sum = (k: 'caughtUp' | 'failed' | 'resets' | 'replayed' | 'live' | 'duplicates' | 'gaps') =>
      replies.reduce((a, r) => a + r[k], 0);
    return {
      caughtUp: sum('caughtUp'),
      failed: sum('failed'),
      resets: sum('resets'),
      replayed: sum('replayed'),
      live: sum('live'),
      duplicates: sum('duplicates'),
      gaps: sum('gaps'),
      times: replies.flatMap((r) => r.times),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.gens.map((g) => g.close()));
  }

  private split(count: number): number[] {
    const k = this.gens.length;
    return this.gens.map((_, i) => Math.floor(count / k) + (i < count % k ? 1 : 0));
  }
}
