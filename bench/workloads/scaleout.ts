import pg from 'pg';
import { createBlog, publishMarked } from '../lib/ours-api.js';
import { setStep } from '../lib/progress.js';
import { attempt, emptyResult, row, type WorkloadResult } from '../lib/results.js';
import { type ServerProc, startOurs } from '../lib/servers.js';
import type { Sizes } from '../lib/sizes.js';
import { type FanoutFigures, measureFanout } from './fanout-core.js';

/**
 * Scale-out: two nodes of ours sharing a fresh PostgreSQL database and Redis. The writer
 * posts to node A; readers sit on node B (cross-node) and then on node A (single node, same
 * cluster), so the "peer" column is the same cluster without the Redis hop.
 */
const PG_ADMIN_URL = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function withFreshDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const name = `lb_bench_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  try {
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    return await fn(url.toString());
  } finally {
    const c = new pg.Client({ connectionString: PG_ADMIN_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => c.end());
  }
}

export async function runScaleout(size: Sizes['scaleout']): Promise<WorkloadResult> {
  const result = emptyResult('scaleout', 'single node of the same two-node cluster (readers on the writer node)');
  let cross: FanoutFigures | null = null;
  let single: FanoutFigures | null = null;
  setStep(`scale-out ${size.readers} readers`);
  await attempt(result, 'cluster', () =>
    withFreshDatabase(async (databaseUrl) => {
      const env = { DATABASE_URL: databaseUrl, REDIS_URL };
      const nodes: ServerProc[] = [];
      try {
        // Start A first so that migrations run once before B connects.
        nodes.push(await startOurs({ ...env, NODE_ID: 'bench-a' }, 'ours-a'));
        nodes.push(await startOurs({ ...env, NODE_ID: 'bench-b' }, 'ours-b'));
        const [a, b] = nodes as [ServerProc, ServerProc];
        const blogId = await createBlog(a.url, 'Scale-out bench');
        const common = {
          room: blogId,
          publish: () => publishMarked(a.url, blogId),
          readers: size.readers,
          posts: size.posts,
          postsPerSec: size.postsPerSec,
        };
        setStep(`scale-out ${size.readers} readers on node B, writer on A`);
        cross = await attempt(result, 'cross-node', () =>
          measureFanout({ ...common, readUrl: b.url, serverPid: b.pid }),
        );
        setStep(`scale-out ${size.readers} readers on node A, writer on A`);
        single = await attempt(result, 'single-node', () =>
          measureFanout({ ...common, readUrl: a.url, serverPid: a.pid }),
        );
      } finally {
        await Promise.all(nodes.map((n) => n.stop()));
      }
    }),
  );
  const c = cross as FanoutFigures | null;
  const s = single as FanoutFigures | null;
  const w = `scaleout ${size.readers}`;
  result.rows.push(
    row(w, 'delivery p50', 'ms', c?.latency.p50, s?.latency.p50),
    row(w, 'delivery p95', 'ms', c?.latency.p95, s?.latency.p95),
    row(w, 'delivery p99', 'ms', c?.latency.p99, s?.latency.p99),
    row(w, 'delivery max', 'ms', c?.latency.max, s?.latency.max),
    row(w, 'reader node CPU', '% core', c?.server.cpuPct, s?.server.cpuPct),
  );
  result.charts.push({
    title: `Scale-out, ${size.readers} readers (PostgreSQL + Redis): delivery latency`,
    oursLabel: 'cross-node (write A, read B)',
    peerLabel: 'single node (write A, read A)',
    ours: c?.latency ?? null,
    peer: s?.latency ?? null,
  });
  result.details = { cross: c, single: s };
  result.limits.push(
    'In the scale-out rows "ours" is cross-node and "peer" is single-node in the same PostgreSQL+Redis cluster; both nodes, Redis, PostgreSQL and the generator share the 2 cores.',
  );
  return result;
}
