import type { OutwardSize } from '../workloads/outward.js';

/**
 * Workload sizes. smoke: seconds, a harness check for CI. small: a quick look on a laptop.
 * full: every workload at full size. Every count and duration here bounds a loop.
 */
export type SizeName = 'smoke' | 'small' | 'full';

/** The newsroom shape: many editors typing slowly with carets moving, readers following the summary. */
export interface Newsroom {
  editors: number;
  updatesPerSec: number;
  awarenessHz: number;
  readers: number;
  durationMs: number;
}

export interface Sizes {
  fanout: { readers: number[]; posts: number; postsPerSec: number };
  storm: { readers: number; missed: number; timeoutMs: number };
  collab: { editors: number; updatesPerSec: number; durationMs: number; newsroom: Newsroom };
  reads: { concurrency: number; durationMs: number; seedPosts: number };
  scaleout: { readers: number; posts: number; postsPerSec: number };
  summaryLog: { updates: number };
  outward: OutwardSize;
}

export const SIZES: Record<SizeName, Sizes> = {
  smoke: {
    fanout: { readers: [50], posts: 20, postsPerSec: 20 },
    storm: { readers: 50, missed: 100, timeoutMs: 20_000 },
    collab: {
      editors: 2,
      updatesPerSec: 5,
      durationMs: 2_000,
      newsroom: { editors: 4, updatesPerSec: 2, awarenessHz: 1, readers: 20, durationMs: 2_000 },
    },
    reads: { concurrency: 8, durationMs: 1_000, seedPosts: 20 },
    scaleout: { readers: 50, posts: 10, postsPerSec: 10 },
    summaryLog: { updates: 5_000 },
    outward: {
      endpoints: 5,
      posts: 10,
      sseClients: 50,
      ssePosts: 5,
      backlogPosts: 20,
      websubSubscribers: 5,
      websubPosts: 5,
    },
  },
  small: {
    fanout: { readers: [1_000], posts: 40, postsPerSec: 10 },
    storm: { readers: 1_000, missed: 100, timeoutMs: 60_000 },
    collab: {
      editors: 5,
      updatesPerSec: 10,
      durationMs: 8_000,
      newsroom: { editors: 20, updatesPerSec: 2, awarenessHz: 1, readers: 500, durationMs: 8_000 },
    },
    reads: { concurrency: 16, durationMs: 4_000, seedPosts: 30 },
    scaleout: { readers: 1_000, posts: 30, postsPerSec: 10 },
    summaryLog: { updates: 20_000 },
    outward: {
      endpoints: 20,
      posts: 30,
      sseClients: 200,
      ssePosts: 20,
      backlogPosts: 100,
      websubSubscribers: 20,
      websubPosts: 10,
    },
  },
  full: {
    fanout: { readers: [1_000, 5_000, 10_000], posts: 40, postsPerSec: 5 },
    storm: { readers: 5_000, missed: 100, timeoutMs: 120_000 },
    // The shapes: 20 editors × 10/s × 10 s; 50 editors at 2/s with carets at 1 Hz and 5,000 readers.
    collab: {
      editors: 20,
      updatesPerSec: 10,
      durationMs: 10_000,
      newsroom: { editors: 50, updatesPerSec: 2, awarenessHz: 1, readers: 5_000, durationMs: 10_000 },
    },
    reads: { concurrency: 32, durationMs: 8_000, seedPosts: 60 },
    scaleout: { readers: 5_000, posts: 30, postsPerSec: 5 },
    summaryLog: { updates: 100_000 },
    // The figures: 20 webhook endpoints, 1,000 EventSource clients.
    outward: {
      endpoints: 20,
      posts: 200,
      sseClients: 1000,
      ssePosts: 100,
      backlogPosts: 500,
      websubSubscribers: 20,
      websubPosts: 50,
    },
  },
};

/** One generator process per this many readers (at most 2: the machine has 2 cores). */
export const generatorsFor = (readers: number): number => (readers > 2_000 ? 2 : 1);
