import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { registerApiOrigin } from './response-check.js';
import { registerCleanup } from './teardown.js';
import { waitFor } from './wait.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export interface TestServer {
  url: string;
  port: number;
  adminToken: string;
  dataDir: string;
  app: App;
  stop(): Promise<void>;
}

export function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'liveblog-test-'));
  registerCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A real server (HTTP + Socket.IO + collab) in this process on a loopback ephemeral port,
 * closed automatically after the test file. `env` overrides any config variable.
 */
export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = env.DATA_DIR ?? tempDataDir();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ADMIN_TOKEN,
    SHUTDOWN_TIMEOUT_MS: '2000',
    SHUTDOWN_DELAY_MS: '0',
    DATA_DIR: dataDir,
    ...env,
  });
  const app = await createApp(config);
  const addr = await app.listen();
  const url = `http://127.0.0.1:${addr.port}`;
  registerApiOrigin(url);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.shutdown();
  };
  registerCleanup(stop);
  return { url, port: addr.port, adminToken: config.ADMIN_TOKEN ?? ADMIN_TOKEN, dataDir, app, stop };
}

export interface ServerProcess {
  url: string;
  port: number;
  proc: ChildProcess;
  output: () => string;
  /** SIGKILL: no cleanup, no flush. */
  kill(): Promise<void>;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  terminate(): Promise<number | null>;
}

/**
 * The server as a separate Node process (src/main.ts through tsx), for crash and restart
 * tests. Pass PORT to reuse a port across restarts.
 */
export async function spawnServer(env: Record<string, string>): Promise<ServerProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: join(import.meta.dirname, '../..'),
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      ADMIN_TOKEN,
      SHUTDOWN_TIMEOUT_MS: '3000',
      SHUTDOWN_DELAY_MS: '0',
      // Its own data folder unless the test names one: never the checkout's ./data, and
      // never shared with another server the same test starts.
      DATA_DIR: env.DATA_DIR ?? tempDataDir(),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  // -1: the process ended before listening (waitFor retries a throw, so it is returned).
  const port = await waitFor(
    () => {
      if (proc.exitCode !== null) return -1;
      const m = /"port":(\d+)[^\n]*"msg":"listening"/.exec(out);
      return m ? Number(m[1]) : null;
    },
    { timeoutMs: 30_000, what: 'server process to listen' },
  );
  if (port < 0) throw new Error(`server exited early (code ${proc.exitCode}):\n${out}`);
  const kill = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
  };
  registerCleanup(kill);
  registerApiOrigin(`http://127.0.0.1:${port}`);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    proc,
    output: () => out,
    kill,
    terminate: async () => {
      proc.kill('SIGTERM');
      return exited;
    },
  };
}
