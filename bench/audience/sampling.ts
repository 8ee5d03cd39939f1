import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../src/config.js';
import type { Deps } from '../../src/deps.js';
import { createLogger } from '../../src/lib/logger.js';
import { createMetrics } from '../../src/lib/metrics.js';
import { type AudienceReader, AudienceRecorder } from '../../src/realtime/audience.js';

/**
 * What audience counting adds to one heartbeat of the reader hub, in isolation:
 * `node --import tsx bench/audience/sampling.ts [readers] [ticks]`. The hub's tick already
 * walks every room; counting adds one pass over each room's sockets (site, transport). This
 * times that pass for N readers spread over 30 sites, with counting on and off, and prints the
 * per-tick cost and the share of one core it takes at the default 5 s heartbeat. It is not
 * the whole fan-out ratio (see the report): the store write once per AUDIENCE_FLUSH_MS is a
 * handful of rows and is not timed here.
 */
const READERS = Math.min(100_000, Math.max(1, Number(process.argv[2] ?? 10_000)));
const TICKS = Math.min(2_000, Math.max(1, Number(process.argv[3] ?? 200)));

const readers: AudienceReader[] = Array.from({ length: READERS }, (_, i) => ({
  site: i % 3 === 0 ? 'direct' : `https://partner-${i % 30}.example`,
  transport: i % 5 === 0 ? 'polling' : 'websocket',
}));
const generator = function* () {
  for (const r of readers) yield r;
};

function run(enabled: boolean): number {
  const config = loadConfig({ AUDIENCE_ENABLED: String(enabled), AUDIENCE_FLUSH_MS: '60000' });
  const deps = {
    config,
    log: createLogger('silent'),
    metrics: createMetrics(),
    bus: { nodeId: 'bench' },
    store: { recordAudience: async () => {}, pruneAudience: async () => 0 },
  } as unknown as Pick<Deps, 'store' | 'bus' | 'config' | 'log' | 'metrics'>;
  const rec = new AudienceRecorder(deps);
  const start = performance.now();
  for (let t = 0; t < TICKS; t++) {
    // The hub guards the call with `audience.enabled`, as here.
    if (rec.enabled) rec.sample('blog', generator(), READERS, Date.now());
    rec.endTick();
  }
  const ms = (performance.now() - start) / TICKS;
  void rec.close();
  return ms;
}

run(true); // warm-up
const on: number[] = [];
const off: number[] = [];
for (let i = 0; i < 5; i++) {
  on.push(run(true));
  off.push(run(false));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const perTick = median(on);
console.log(
  JSON.stringify({
    readers: READERS,
    ticks: TICKS,
    msPerTickOn: Number(perTick.toFixed(3)),
    msPerTickOff: Number(median(off).toFixed(4)),
    coreShareAt5sHeartbeat: `${((perTick / 5000) * 100).toFixed(4)}%`,
  }),
);
