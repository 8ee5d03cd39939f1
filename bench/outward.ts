import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stopAllServers } from './lib/servers.js';
import { runOutward } from './workloads/outward.js';

/**
 * `node --import tsx bench/outward.ts [--quick]` — the outward figures alone (also part of
 * `npm run bench`, workload `outward`): webhooks, SSE, webhook throughput, WebSub. Writes
 * results/outward-latest.json.
 */
const quick = process.argv.includes('--quick');
const size = quick
  ? {
      endpoints: 20,
      posts: 30,
      sseClients: 200,
      ssePosts: 20,
      backlogPosts: 100,
      websubSubscribers: 20,
      websubPosts: 10,
    }
  : {
      endpoints: 20,
      posts: 200,
      sseClients: 1000,
      ssePosts: 100,
      backlogPosts: 500,
      websubSubscribers: 20,
      websubPosts: 50,
    };

try {
  const result = await runOutward(size);
  for (const r of result.rows) process.stdout.write(`${r.workload}: ${r.metric} ${r.ours ?? 'n/a'} ${r.unit}\n`);
  for (const e of result.errors) process.stderr.write(`error: ${e}\n`);
  writeFileSync(
    join(import.meta.dirname, 'results', 'outward-latest.json'),
    `${JSON.stringify({ at: new Date().toISOString(), quick, ...result.details, errors: result.errors }, null, 2)}\n`,
  );
  process.exitCode = result.errors.length ? 1 : 0;
} finally {
  await stopAllServers();
}
