import { readFileSync, writeFileSync } from 'node:fs';
import { type RunReport, renderTable } from './lib/report.js';
import { renderSvg } from './lib/svg.js';

/**
 * Re-renders the table and the SVG of a stored run without running anything:
 * `node --import tsx bench/render.ts [bench/results/<file>.json]` (default: latest.json).
 * The SVG is written next to the JSON with an .svg extension.
 */
const file = process.argv[2] ?? new URL('./results/latest.json', import.meta.url).pathname;
const report = JSON.parse(readFileSync(file, 'utf8')) as RunReport;
process.stdout.write(renderTable(report));
const svgPath = file.replace(/\.json$/, '.svg');
writeFileSync(
  svgPath,
  renderSvg(
    report.workloads.flatMap((w) => w.charts),
    `liveblog bench (${report.size}, ${report.startedAt}): latency distributions, ours vs peer`,
  ),
);
process.stdout.write(`\nwrote ${svgPath}\n`);
