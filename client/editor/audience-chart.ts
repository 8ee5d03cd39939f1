import uPlot from 'uplot';
import uPlotCss from 'uplot/dist/uPlot.min.css';
import type { EditorApi } from './api.js';
import { h } from './dom.js';

/** The window shown, and how often it is refreshed (the server writes the running minute every AUDIENCE_FLUSH_MS). */
const WINDOW_MS = 3 * 3600_000;
const REFRESH_MS = 10_000;

/**
 * Live audience chart (uPlot): concurrent readers per minute (peak and average across all
 * nodes) over the last hours, and the top embedding sites of the latest minute. Refreshed
 * in place every REFRESH_MS, no reload.
 */
export function audienceChart(blogId: string, api: EditorApi) {
  const box = h('div', { class: 'audience-chart', 'data-testid': 'audience-chart' });
  const sites = h('p', { class: 'hint', 'data-testid': 'audience-sites' });
  const el = h('section', { class: 'panel' }, h('h2', {}, 'Audience'), box, sites);
  let plot: uPlot | null = null;
  let stopped = false;
  let range: [number, number] = [0, 1];
  if (!document.getElementById('uplot-css')) document.head.append(h('style', { id: 'uplot-css' }, uPlotCss));

  const draw = (data: uPlot.AlignedData) => {
    if (plot) {
      plot.setData(data);
      return;
    }
    plot = new uPlot(
      {
        width: Math.max(280, box.clientWidth || 480),
        height: 180,
        series: [
          {},
          { label: 'Readers (peak)', stroke: '#c8102e', width: 2 },
          { label: 'Average', stroke: '#0b5cad', width: 1 },
        ],
        axes: [{}, { size: 40 }],
        // The whole window, however few minutes have readers yet.
        scales: { x: { time: true, range: () => range }, y: { range: (_u, _min, max) => [0, Math.max(5, max * 1.1)] } },
      },
      data,
      box,
    );
  };

  async function refresh(): Promise<void> {
    const now = Date.now();
    range = [(now - WINDOW_MS) / 1000, now / 1000];
    const { buckets } = await api.audience(blogId, new Date(now - WINDOW_MS).toISOString());
    const xs = buckets.map((b) => Date.parse(b.at) / 1000);
    draw([xs, buckets.map((b) => b.peak), buckets.map((b) => b.average)]);
    box.dataset.minutes = String(buckets.length);
    const latest = buckets.at(-1);
    sites.textContent = latest
      ? `Latest minute: ${latest.readers} readers · ${Object.entries(latest.bySite)
          .sort((a, b) => b[1] - a[1])
          .map(([site, n]) => `${site} ${n}`)
          .join(', ')}`
      : 'No readers counted yet.';
  }

  const loop = async () => {
    while (!stopped) {
      await refresh().catch(() => undefined);
      await new Promise((r) => setTimeout(r, REFRESH_MS));
    }
  };
  void loop();
  return {
    el,
    destroy: () => {
      stopped = true;
      plot?.destroy();
    },
  };
}
