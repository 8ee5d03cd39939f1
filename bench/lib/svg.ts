import type { Chart } from './results.js';

/**
 * A hand-written SVG of latency distributions, one panel per chart, ours vs peer. The x axis
 * is the percentile on a tail-stretching scale (50, 90, 99, 99.9 equally spaced); the y axis
 * is milliseconds on a log scale. No dependencies: open the file in any browser.
 */
const PANEL_W = 560;
const PANEL_H = 310;
const PAD = { left: 56, right: 16, top: 40, bottom: 62 };
const COLORS = { ours: '#1f6feb', peer: '#d97706' };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const tailX = (p: number) => Math.log10(1 / (1 - p / 100 + 0.001));
const X_MAX = tailX(100);

function yTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) ticks.push(v);
    }
  }
  return ticks;
}

function panel(chart: Chart, ox: number, oy: number): string {
  const w = PANEL_W - PAD.left - PAD.right;
  const h = PANEL_H - PAD.top - PAD.bottom;
  const series = [
    { label: chart.oursLabel, color: COLORS.ours, s: chart.ours },
    { label: chart.peerLabel, color: COLORS.peer, s: chart.peer },
  ];
  const values = series.flatMap((x) => x.s?.curve.map(([, v]) => v) ?? []).filter((v) => Number.isFinite(v));
  const positives = values.filter((v) => v > 0);
  const lo = positives.length ? Math.max(0.01, Math.min(...positives) / 1.5) : 1;
  const hi = Math.max(lo * 10, ...values) * 1.15;
  const ly = (v: number) => Math.log10(Math.max(v, lo));
  const y = (v: number) => oy + PAD.top + h - ((ly(v) - ly(lo)) / (ly(hi) - ly(lo))) * h;
  const x = (p: number) => ox + PAD.left + (tailX(p) / X_MAX) * w;
  const out: string[] = [];
  out.push(
    `<text x="${ox + PAD.left}" y="${oy + 22}" font-size="12" font-weight="bold">${esc(clip(chart.title, 78))}</text>`,
  );
  out.push(`<rect x="${ox + PAD.left}" y="${oy + PAD.top}" width="${w}" height="${h}" fill="none" stroke="#999"/>`);
  for (const t of yTicks(lo, hi)) {
    const ty = y(t).toFixed(1);
    out.push(`<line x1="${ox + PAD.left}" x2="${ox + PAD.left + w}" y1="${ty}" y2="${ty}" stroke="#eee"/>`);
    out.push(
      `<text x="${ox + PAD.left - 6}" y="${ty}" font-size="10" text-anchor="end" dominant-baseline="middle">${t} ms</text>`,
    );
  }
  for (const p of [0, 50, 90, 99, 99.9, 100]) {
    const tx = x(p).toFixed(1);
    out.push(`<line x1="${tx}" x2="${tx}" y1="${oy + PAD.top}" y2="${oy + PAD.top + h}" stroke="#eee"/>`);
    out.push(`<text x="${tx}" y="${oy + PAD.top + h + 14}" font-size="10" text-anchor="middle">p${p}</text>`);
  }
  series.forEach((ser, i) => {
    const lx = ox + PAD.left + 8;
    const lyy = oy + PAD.top + h + 32 + i * 14;
    out.push(`<rect x="${lx}" y="${lyy - 8}" width="12" height="4" fill="${ser.color}"/>`);
    const n = ser.s ? ` (n=${ser.s.count}, p50 ${ser.s.p50} ms, p99 ${ser.s.p99} ms)` : ' (no data)';
    out.push(`<text x="${lx + 16}" y="${lyy - 3}" font-size="10">${esc(ser.label + n)}</text>`);
    if (!ser.s || ser.s.count === 0) return;
    const pts = ser.s.curve.map(([p, v]) => `${x(p).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    out.push(`<polyline points="${pts}" fill="none" stroke="${ser.color}" stroke-width="2"/>`);
  });
  return out.join('\n');
}

export function renderSvg(charts: Chart[], heading: string): string {
  const cols = charts.length > 1 ? 2 : 1;
  const rows = Math.max(1, Math.ceil(charts.length / cols));
  const W = cols * PANEL_W;
  const H = rows * PANEL_H + 40;
  const body = charts.map((c, i) => panel(c, (i % cols) * PANEL_W, 40 + Math.floor(i / cols) * PANEL_H)).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="16" y="26" font-size="15" font-weight="bold">${esc(heading)}</text>`,
    body,
    '</svg>',
    '',
  ].join('\n');
}
