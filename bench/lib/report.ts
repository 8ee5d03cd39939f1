import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Row, WorkloadResult } from './results.js';
import { ROOT } from './servers.js';
import type { SizeName } from './sizes.js';
import { renderSvg } from './svg.js';

/** The terminal table, the JSON files and the SVG chart of one run. */
export interface RunReport {
  startedAt: string;
  finishedAt: string;
  size: SizeName;
  only: string[];
  machine: { cpus: number; cpuModel: string; memGb: number; node: string; loadavgAtStart: number[] };
  workloads: WorkloadResult[];
}

export function machineInfo(): RunReport['machine'] {
  const c = cpus();
  return {
    cpus: c.length,
    cpuModel: c[0]?.model ?? 'unknown',
    memGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    loadavgAtStart: loadavg().map((n) => Math.round(n * 100) / 100),
  };
}

const fmt = (n: number | null) => (n === null ? '—' : Math.abs(n) >= 100 ? String(Math.round(n)) : String(n));

function verdict(r: Row): string {
  if (r.ratio === null) return '';
  if (r.ratio === 1) return 'even';
  const oursAhead = r.better === 'lower' ? r.ratio < 1 : r.ratio > 1;
  return oursAhead ? 'ours ahead' : 'peer ahead';
}

export function renderTable(report: RunReport): string {
  const header = ['workload', 'metric', 'ours', 'peer', 'ours/peer', ''];
  const lines: string[][] = [header];
  for (const w of report.workloads)
    for (const r of w.rows)
      lines.push([
        r.workload,
        `${r.metric} (${r.unit})`,
        fmt(r.ours),
        fmt(r.peer),
        r.ratio === null ? '—' : `${r.ratio}×`,
        verdict(r),
      ]);
  const widths = header.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  const render = (l: string[]) =>
    l
      .map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [render(header), widths.map((n) => '-'.repeat(n)).join('  ')];
  let prev = '';
  for (const l of lines.slice(1)) {
    const name = l[0] ?? '';
    if (prev && name !== prev) out.push('');
    out.push(render(l));
    prev = name;
  }
  const peers = report.workloads.map((w) => `  ${w.name}: peer = ${w.peer}`);
  const limits = report.workloads.flatMap((w) => w.limits.map((l) => `  ${w.name}: ${l}`));
  const errors = report.workloads.flatMap((w) => w.errors.map((e) => `  ${w.name}: ${e}`));
  const m = report.machine;
  return [
    `liveblog bench — size ${report.size}, ${m.cpus} × ${m.cpuModel}, ${m.memGb} GB, Node ${m.node}, load at start ${m.loadavgAtStart.join(' ')}`,
    '',
    ...out,
    '',
    'Peers:',
    ...peers,
    '',
    'What limits these figures:',
    ...limits,
    ...(errors.length ? ['', 'Errors and anomalies:', ...errors] : []),
    '',
  ].join('\n');
}

/** Writes results/<timestamp>.json, latest.json and latest.svg; returns their paths. */
export function writeReport(report: RunReport): { json: string; latest: string; svg: string } {
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  const json = join(dir, `${stamp}.json`);
  const latest = join(dir, 'latest.json');
  const svg = join(dir, 'latest.svg');
  const text = `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(json, text);
  writeFileSync(latest, text);
  const charts = report.workloads.flatMap((w) => w.charts);
  writeFileSync(
    svg,
    renderSvg(charts, `liveblog bench (${report.size}, ${report.startedAt}): latency distributions, ours vs peer`),
  );
  return { json, latest, svg };
}
