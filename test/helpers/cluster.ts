import { connect, createServer, type Server, type Socket } from 'node:net';
import { type Api, createApi } from './api.js';
import { ADMIN_TOKEN, type ServerProcess, spawnServer, tempDataDir } from './server.js';
import { freshPostgresDatabase, REDIS_TEST_URL } from './services.js';
import { registerCleanup } from './teardown.js';
import { waitFor } from './wait.js';

/**
 * The scaled-out topology from real processes: N server processes (src/main.ts) sharing one
 * PostgreSQL database and one Redis, each on its own loopback port. Every process is killed
 * after the test file (spawnServer registers that).
 */
export interface ClusterNode {
  /** NODE_ID of the process, also the name used in its logs and bus messages. */
  id: string;
  url: string;
  port: number;
  /** An admin API client bound to this node. */
  api: Api;
  proc: ServerProcess;
  /** Alive means: not killed by the test and the process has not exited. */
  alive(): boolean;
}

export interface Cluster {
  nodes: ClusterNode[];
  DATABASE_URL: string;
  REDIS_URL: string;
  adminToken: string;
  /** Starts one more node with the cluster's settings (e.g. to replace a killed one). */
  addNode(extraEnv?: Record<string, string>): Promise<ClusterNode>;
}

export interface ClusterOptions {
  nodes: number;
  /** Defaults to a fresh database on the shared PostgreSQL. */
  DATABASE_URL?: string;
  /** Defaults to the shared Redis (REDIS_TEST_URL). */
  REDIS_URL?: string;
  /** Extra environment for every node (tuning such as HEARTBEAT_MS). */
  env?: Record<string, string>;
  /** Prefix of the NODE_IDs (node-a, node-b, ...). */
  namePrefix?: string;
}

/** Quiet, fast-reacting defaults for tests; any of them can be overridden by `env`. */
const CLUSTER_TEST_ENV: Record<string, string> = {
  HEARTBEAT_MS: '500',
  RATE_WRITES_PER_MIN: '100000',
  RATE_CONNECTS_PER_MIN: '100000',
  MAX_CONNECTIONS_PER_IP: '1000',
};

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const DATABASE_URL = opts.DATABASE_URL ?? (await freshPostgresDatabase());
  const REDIS_URL = opts.REDIS_URL ?? REDIS_TEST_URL;
  const prefix = opts.namePrefix ?? 'node';
  let count = 0;

  const addNode = async (extraEnv: Record<string, string> = {}): Promise<ClusterNode> => {
    const id = `${prefix}-${String.fromCharCode(97 + count++)}`;
    const proc = await spawnServer({
      ...CLUSTER_TEST_ENV,
      ...opts.env,
      ...extraEnv,
      DATABASE_URL,
      REDIS_URL,
      NODE_ID: id,
      DATA_DIR: tempDataDir(),
    });
    return {
      id,
      url: proc.url,
      port: proc.port,
      api: createApi(proc.url, ADMIN_TOKEN),
      proc,
      alive: () => proc.proc.exitCode === null && proc.proc.signalCode === null,
    };
  };

  // Started together: the migration lock makes one node migrate while the others wait.
  const nodes = await Promise.all(Array.from({ length: opts.nodes }, () => addNode()));
  const cluster: Cluster = { nodes, DATABASE_URL, REDIS_URL, adminToken: ADMIN_TOKEN, addNode };
  // Wait until every node's Redis subscription is live, so no first event is only in the store.
  await Promise.all(
    nodes.map((n) =>
      waitFor(() => /redis bus subscribed/.test(n.proc.output()), {
        timeoutMs: 30_000,
        what: `${n.id} to subscribe to the bus`,
      }),
    ),
  );
  return cluster;
}

/**
 * A tiny TCP load balancer of our own: each new connection goes to the next backend in
 * round-robin order; a backend that refuses is skipped. Whole TCP connections are forwarded,
 * so WebSocket upgrades pass through (readers behind it use the websocket transport: this
 * balancer has no sticky sessions for long-polling).
 */
export interface RoundRobinProxy {
  url: string;
  port: number;
  /** How many client connections are currently forwarded to each backend port. */
  openConnections(): Map<number, number>;
  /** The backend port an open client connection (by the client's local port) is forwarded to. */
  backendOf(clientPort: number): number | undefined;
  close(): Promise<void>;
}

export async function startRoundRobinProxy(backends: () => { port: number }[]): Promise<RoundRobinProxy> {
  let next = 0;
  const open = new Map<number, number>();
  const byClientPort = new Map<number, number>();
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };

  /** Tries each backend once, starting at the round-robin position. */
  const dial = (tried: number, onSocket: (up: Socket, port: number) => void, onFail: () => void): void => {
    const list = backends();
    const target = tried < list.length ? list[next++ % list.length] : undefined;
    if (!target) {
      onFail();
      return;
    }
    const up = connect({ host: '127.0.0.1', port: target.port });
    const onError = () => {
      up.destroy();
      dial(tried + 1, onSocket, onFail);
    };
    up.once('error', onError);
    up.once('connect', () => {
      up.off('error', onError);
      onSocket(up, target.port);
    });
  };

  const server: Server = createServer((down) => {
    track(down);
    down.pause();
    down.on('error', () => down.destroy());
    dial(
      0,
      (up, port) => {
        track(up);
        open.set(port, (open.get(port) ?? 0) + 1);
        const clientPort = down.remotePort;
        if (clientPort !== undefined) byClientPort.set(clientPort, port);
        let counted = true;
        const uncount = () => {
          if (!counted) return;
          counted = false;
          open.set(port, (open.get(port) ?? 1) - 1);
          if (clientPort !== undefined && byClientPort.get(clientPort) === port) byClientPort.delete(clientPort);
        };
        up.on('error', () => down.destroy());
        up.on('close', () => {
          uncount();
          down.destroy();
        });
        down.on('close', () => {
          uncount();
          up.destroy();
        });
        down.pipe(up);
        up.pipe(down);
        down.resume();
      },
      () => down.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  registerCleanup(close);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    openConnections: () => new Map(open),
    backendOf: (clientPort) => byClientPort.get(clientPort),
    close,
  };
}
