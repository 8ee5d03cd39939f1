import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as Y from 'yjs';
import { appliesToEmptyDoc, updateCheck } from '../test/helpers/update-check.js';
import { ROOT } from './lib/servers.js';

/**
 * What the update check costs per keystroke, at the editors' cadence (one update every
 * `gapMs`, so each check runs on cold caches as in the server), beside its reference: applying
 * every update to an empty doc, which is what the check stands for (src/lib/yjs-update-check.ts).
 *   node --import tsx bench/check-cost.ts [updates=1500] [gapMs=5]
 */
const n = Math.max(100, Math.min(10_000, Number(process.argv[2] ?? 1500)));
const gapMs = Math.max(0, Math.min(50, Number(process.argv[3] ?? 5)));

// Keystrokes into a text that already has some, one update each (as editors type).
const source = new Y.Doc();
const updates: Uint8Array[] = [];
source.on('update', (u: Uint8Array) => updates.push(u));
for (let i = 0; i < n + 500; i++) source.getText('t').insert(Math.floor(Math.random() * (i + 1)), 'a');
const sample = updates.slice(500);

async function perCheckUs(fn: (u: Uint8Array) => boolean): Promise<number> {
  let total = 0;
  for (const u of sample) {
    const started = performance.now();
    if (!fn(u)) throw new Error('a real update was refused');
    total += performance.now() - started;
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
  }
  return (total * 1000) / sample.length;
}

// Alternating, twice each, so that neither gets the warmer machine.
const ours: number[] = [];
const reference: number[] = [];
for (let round = 0; round < 2; round++) {
  ours.push(await perCheckUs(updateCheck));
  reference.push(await perCheckUs(appliesToEmptyDoc));
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const o = mean(ours);
const r = mean(reference);
process.stdout.write(
  [
    `update check, ${sample.length} keystroke updates, one every ${gapMs} ms, mean of 2 alternating rounds`,
    `${'metric'.padEnd(26)}${'check'.padStart(10)}${'apply'.padStart(10)}  check/apply`,
    `${'µs per update'.padEnd(26)}${o.toFixed(1).padStart(10)}${r.toFixed(1).padStart(10)}  ${(o / r).toFixed(2)}×`,
    '',
  ].join('\n'),
);
const dir = join(ROOT, 'bench/results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `check-cost-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ updates: sample.length, gapMs, checkUs: ours, applyUs: reference }, null, 2));
process.stdout.write(`wrote ${file}\n`);
