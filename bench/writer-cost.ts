import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import * as Y from 'yjs';
import { newId } from '../src/lib/ids.js';
import { createLogger } from '../src/lib/logger.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { threadCpuSeconds } from './lib/proc-sampler.js';
import { ROOT } from './lib/servers.js';
import { median, summarize } from './lib/stats.js';

/**
 * What one co-editing update costs the SQLite doc writer (src/store/sqlite-doc-writer.ts), away
 * from the editors' generator and its noise: the store's checkAndAppendDocUpdates, one
 * keystroke update every `gapMs` (the editors' cadence at 20 × 10/s), thread by thread, in
 * alternating rounds beside three peers that each leave one step out: the same writer with
 * synchronous=NORMAL (no fsync), the same with a check that passes everything (no decode), and
 * a bare worker that echoes the same message (no work at all: what the two hops cost, the
 * floor of any design that checks and writes off the event loop). The differences price each
 * step.
 *   node --import tsx bench/writer-cost.ts [updates=2000] [gapMs=5] [rounds=3]
 * Pin it (taskset -c 1 …) for steadier figures. Linux only (/proc).
 */
const n = Math.max(200, Math.min(20_000, Number(process.argv[2] ?? 2000)));
const gapMs = Math.max(0, Math.min(50, Number(process.argv[3] ?? 5)));
const rounds = Math.max(1, Math.min(10, Number(process.argv[4] ?? 3)));
const WARM = 300;

type Mode = 'FULL' | 'NORMAL' | 'no check' | 'echo';
const PASS_ALL = 'function checkUpdate() { return true; }';
interface Figures {
  mainUs: number;
  writerUs: number;
  p50: number;
  p99: number;
}

// Keystrokes into a text that already has some, one update each (as editors type).
const source = new Y.Doc();
const updates: Uint8Array[] = [];
source.on('update', (u: Uint8Array) => updates.push(u));
for (let i = 0; i < n + WARM; i++) source.getText('t').insert(Math.floor(Math.random() * (i + 1)), 'a');

const ECHO_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (job) => parentPort.postMessage({ id: job.id, ids: [job.id], ok: job.updates.map(() => true) }));
`;

/** One append per call, the way the doc writer is driven: a job out, its answer back. */
async function appender(mode: Mode): Promise<{ append: (u: Uint8Array) => Promise<void>; close: () => Promise<void> }> {
  if (mode === 'echo') {
    const worker = new Worker(ECHO_SOURCE, { eval: true });
    let next = 1;
    return {
      append: (u) =>
        new Promise((resolve) => {
          const copy = u.slice();
          worker.once('message', () => resolve());
          worker.postMessage({ id: next++, blogId: 'b', updates: [copy], check: true }, [copy.buffer]);
        }),
      close: () => worker.terminate().then(() => undefined),
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'writer-cost-'));
  const store = new SqliteStore({
    file: join(dir, 'writer.sqlite'),
    synchronous: mode === 'FULL' ? 'FULL' : 'NORMAL',
    log: createLogger('silent'),
    check: { deadlineMs: 1000, maxHeapMb: 64, ...(mode === 'no check' ? { source: PASS_ALL } : {}) },
  });
  await store.migrate();
  const blogId = newId();
  await store.createBlog(
    { id: blogId, slug: `w-${blogId}`, title: 't', description: '', status: 'live', allowedOrigins: [] },
    new Date().toISOString(),
  );
  const checkAndAppend = store.checkAndAppendDocUpdates;
  if (!checkAndAppend) throw new Error('this store has no doc writer thread');
  return {
    append: async (u) => {
      const [r] = await checkAndAppend.call(store, blogId, [u]);
      if (r?.verdict !== 'ok') throw new Error('a real update was refused');
    },
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function oneRound(mode: Mode): Promise<Figures> {
  const { append, close } = await appender(mode);
  const pause = () => new Promise((r) => setTimeout(r, gapMs));
  try {
    for (let i = 0; i < WARM; i++) {
      await append(updates[i] as Uint8Array);
      await pause();
    }
    const before = threadCpuSeconds(process.pid);
    const latencies: number[] = [];
    for (let i = WARM; i < WARM + n; i++) {
      const started = performance.now();
      await append(updates[i] as Uint8Array);
      latencies.push(performance.now() - started);
      await pause();
    }
    const after = threadCpuSeconds(process.pid);
    const spent = (tid: number) => (after.get(tid) ?? 0) - (before.get(tid) ?? 0);
    const others = [...after.keys()].filter((t) => t !== process.pid).map(spent);
    const lat = summarize(latencies);
    return {
      mainUs: (spent(process.pid) * 1e6) / n,
      writerUs: (Math.max(0, ...others) * 1e6) / n,
      p50: lat.p50,
      p99: lat.p99,
    };
  } finally {
    await close();
  }
}

const modes: Mode[] = ['FULL', 'NORMAL', 'no check', 'echo'];
const results: Record<Mode, Figures[]> = { FULL: [], NORMAL: [], 'no check': [], echo: [] };
for (let r = 0; r < rounds; r++) {
  for (const mode of modes) {
    results[mode].push(await oneRound(mode));
    process.stderr.write(`round ${r + 1}/${rounds}: ${mode} done\n`);
  }
}

const med = (mode: Mode, key: keyof Figures) => median(results[mode].map((x) => x[key]));
const columns: [keyof Figures, string, number][] = [
  ['writerUs', 'worker thread, µs CPU per update', 0],
  ['mainUs', 'main thread, µs CPU per update', 0],
  ['p50', 'round trip p50 (ms)', 2],
  ['p99', 'round trip p99 (ms)', 2],
];
const cell = (v: number, digits: number) => v.toFixed(digits).padStart(10);
const lines = [
  `doc writer, ${n} keystroke updates one every ${gapMs} ms, median of ${rounds} alternating rounds`,
  `${'metric'.padEnd(36)}${modes.map((m) => m.padStart(10)).join('')}  FULL/echo`,
];
for (const [key, label, digits] of columns) {
  const values = modes.map((m) => med(m, key));
  lines.push(
    `${label.padEnd(36)}${values.map((v) => cell(v, digits)).join('')}  ${`${(med('FULL', key) / med('echo', key)).toFixed(2)}×`.padStart(9)}`,
  );
}
// Each peer leaves one step out of the one before it: the differences are what the steps cost.
const steps: [string, number][] = [
  ['the fsync of a commit (FULL - NORMAL)', med('FULL', 'writerUs') - med('NORMAL', 'writerUs')],
  ['the check (NORMAL - no check)', med('NORMAL', 'writerUs') - med('no check', 'writerUs')],
  ['SQLite and the job (no check - echo)', med('no check', 'writerUs') - med('echo', 'writerUs')],
  ['the two hops (echo)', med('echo', 'writerUs')],
];
lines.push('', 'worker thread CPU per update, step by step (µs)');
for (const [label, us] of steps) lines.push(`${label.padEnd(46)}${us.toFixed(0).padStart(6)}`);
process.stdout.write(`${lines.join('\n')}\n`);
const dir = join(ROOT, 'bench/results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `writer-cost-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ updates: n, gapMs, rounds, results }, null, 2));
process.stdout.write(`wrote ${file}\n`);
