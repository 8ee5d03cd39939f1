import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Servers under test, each in its own child process so that its CPU and memory are its own.
 * Ours is src/main.ts through tsx; peers are the small scripts in bench/peers/.
 */
export const ROOT = join(import.meta.dirname, '../..');
export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

export interface ServerProc {
  name: string;
  url: string;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

const live = new Set<ServerProc>();

/** Stops every server still running (called on exit and on SIGINT). */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...live].map((s) => s.stop()));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitHealthy(url: string, proc: ChildProcess, out: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null)
      throw new Error(`exited with ${proc.exitCode} before answering:\n${out().slice(-2000)}`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`no healthy answer from ${url}/health within ${timeoutMs} ms:\n${out().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function spawnNode(
  name: string,
  script: string,
  env: Record<string, string>,
  cleanup?: () => void,
  nodeArgs: string[] = [],
): Promise<ServerProc> {
  const port = await freePort();
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const server: ServerProc = {
    name,
    url,
    pid: proc.pid ?? -1,
    output: () => out,
    stop: async () => {
      live.delete(server);
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(t);
      }
      cleanup?.();
    },
  };
  live.add(server);
  try {
    await waitHealthy(url, proc, () => out, 30_000);
  } catch (err) {
    await server.stop();
    throw new Error(`${name}: ${(err as Error).message}`);
  }
  return server;
}

/**
 * BENCH_OURS_ENV='{"BROADCAST_SLICE":"1000000"}': configuration for our server in every
 * workload, to compare a setting against the default in back-to-back runs.
 */
function oursEnvOverride(): Record<string, string> {
  const raw = process.env.BENCH_OURS_ENV;
  if (!raw) return {};
  const parsed: unknown = JSON.parse(raw);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('BENCH_OURS_ENV must be a JSON object of strings');
  }
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
}

/** Our server with limits lifted so that the bench measures throughput, not the rate limiter. */
export async function startOurs(
  extraEnv: Record<string, string> = {},
  name = 'ours',
  nodeArgs: string[] = [],
): Promise<ServerProc> {
  const dataDir = mkdtempSync(join(tmpdir(), 'liveblog-bench-'));
  return spawnNode(
    name,
    'src/main.ts',
    {
      DATA_DIR: dataDir,
      ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
      LOG_LEVEL: 'warn',
      RATE_WRITES_PER_MIN: '1000000',
      RATE_CONNECTS_PER_MIN: '10000000',
      MAX_CONNECTIONS_PER_IP: '1000000',
      COLLAB_CONNECTIONS_PER_USER: '100000',
      COLLAB_CONNECTIONS_PER_IP: '100000',
      SHUTDOWN_TIMEOUT_MS: '2000',
      ...oursEnvOverride(),
      ...extraEnv,
    },
    () => rmSync(dataDir, { recursive: true, force: true }),
    nodeArgs,
  );
}

export type PeerName = 'bare-socketio' | 'hocuspocus' | 'bare-hono' | 'bare-surge';

export function startPeer(
  peer: PeerName,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<ServerProc> {
  return spawnNode(peer, `bench/peers/${peer}.ts`, env, undefined, nodeArgs);
}
