import { performance } from 'node:perf_hooks';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';

/**
 * `node --import tsx bench/identity/login.ts [n]`: the cost of a successful password sign-in
 * through the real HTTP route (argon2id verification, session row, audit row) with the KDF
 * parameters from the environment (defaults: 19456 KiB, t=2, p=1), on a throwaway SQLite
 * store, one request at a time on loopback. Prints median, p90, p99.
 */
const n = Number(process.argv[2] ?? 200);
const dir = (await import('node:fs')).mkdtempSync(`${(await import('node:os')).tmpdir()}/lb-login-`);
const config = loadConfig({
  ...process.env,
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'silent',
  DATA_DIR: dir,
  ADMIN_TOKEN: 'bench-admin-token-0123456789',
});
const app = await createApp(config);
const { port } = await app.listen();
const url = `http://127.0.0.1:${port}`;
const post = (path: string, body: unknown, token?: string) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
await post(
  '/api/v1/users',
  { name: 'Bench', email: 'bench@newsroom.test', password: 'saffron harbour lantern' },
  config.ADMIN_TOKEN,
);
const times: number[] = [];
for (let i = 0; i < n + 10; i++) {
  const t0 = performance.now();
  const res = await post('/api/v1/auth/login', { email: 'bench@newsroom.test', password: 'saffron harbour lantern' });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`login answered ${res.status}`);
  if (i >= 10) times.push(performance.now() - t0);
}
await app.shutdown();
times.sort((a, b) => a - b);
const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]?.toFixed(1);
console.log(
  `login x${n} (argon2id m=${config.ARGON2_MEMORY_KIB} KiB, t=${config.ARGON2_TIME_COST}, p=${config.ARGON2_PARALLELISM}): ` +
    `median ${q(0.5)} ms, p90 ${q(0.9)} ms, p99 ${q(0.99)} ms`,
);
process.exit(0);
