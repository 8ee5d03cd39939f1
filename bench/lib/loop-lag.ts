import { metricsText, promSum } from './ours-api.js';

export interface LoopLag {
  p99Ms: number | null;
  maxMs: number | null;
}

/**
 * The server's event-loop delay over a window, from its own /metrics (prom-client's
 * monitorEventLoopDelay, which resets at every scrape): scrape at the window's start to reset
 * it, read p99 and max at its end. Ours only: the peers expose no metrics.
 */
export class LoopLagWindow {
  constructor(private readonly baseUrl: string) {}

  async start(): Promise<void> {
    await metricsText(this.baseUrl).catch(() => '');
  }

  async stop(): Promise<LoopLag> {
    const text = await metricsText(this.baseUrl).catch(() => '');
    const ms = (name: string) => {
      const v = promSum(text, name);
      return v === null ? null : Math.round(v * 1000 * 100) / 100;
    };
    return {
      p99Ms: ms('liveblog_nodejs_eventloop_lag_p99_seconds'),
      maxMs: ms('liveblog_nodejs_eventloop_lag_max_seconds'),
    };
  }
}
