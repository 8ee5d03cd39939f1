import { readFileSync } from 'node:fs';

/**
 * Prints the top frames of a V8 CPU profile (node --cpu-prof): by self time and by total
 * (inclusive) time, as a share of the samples taken while not idle.
 *   node --import tsx bench/profile-top.ts file.cpuprofile [rows=25] [lastMs]
 * With lastMs, only the samples of the profile's last lastMs milliseconds count (the typing
 * window of a bench run, without the server's start).
 */
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const [file, rowsArg, lastArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: profile-top.ts file.cpuprofile [rows]\n');
  process.exit(2);
}
const rows = Number(rowsArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const selfUs = new Map<number, number>();
const totalUs = profile.timeDeltas.reduce((a, b) => a + b, 0);
const fromUs = lastArg ? totalUs - Number(lastArg) * 1000 : 0;
let at = 0;
profile.samples.forEach((id, i) => {
  const d = profile.timeDeltas[i] ?? 0;
  at += d;
  if (at >= fromUs) selfUs.set(id, (selfUs.get(id) ?? 0) + d);
});

const label = (n: Node) => {
  const url = n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/wt-[^/]+\//, '');
  return `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
};
const IDLE = new Set(['(idle)', '(program)', '(garbage collector)']);
let busy = 0;
const self = new Map<string, number>();
const total = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id);
  if (!n) continue;
  const name = n.callFrame.functionName;
  if (name !== '(garbage collector)' && IDLE.has(name)) continue;
  busy += us;
  self.set(label(n), (self.get(label(n)) ?? 0) + us);
  // Inclusive: every distinct frame on the stack gets the sample once.
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur)!);
    if (seen.has(l)) continue;
    seen.add(l);
    total.set(l, (total.get(l) ?? 0) + us);
  }
}
const print = (title: string, m: Map<string, number>) => {
  process.stdout.write(`\n${title} (busy ${(busy / 1000).toFixed(0)} ms)\n`);
  for (const [l, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    process.stdout.write(
      `${((us / busy) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${l}\n`,
    );
  }
};
print('self time', self);
print('total time', total);
