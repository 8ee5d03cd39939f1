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
  warmupMs: number;
}

export interface Sizes {
  fanout: { readers: number[]; posts: number; postsPerSec: number };
  storm: { readers: number; missed: number; timeoutMs: number };
  /** durationMs is measured; warmupMs of typing before it is not (the JIT settles). */
  collab: { editors: number; updatesPerSec: number; durationMs: number; warmupMs: number; newsroom: Newsroom };
  reads: { concurrency: number; durationMs: number; seedPosts: number };
  /** New readers arriving within arrivalMs, each loading page, embed.js and posts, then subscribing. */
  surge: { readers: number; arrivalMs: number; seedPosts: number; timeoutMs: number };
  scaleout: { readers: number; posts: number; postsPerSec: number };
  summaryLog: { updates: number };
  outward: OutwardSize;
  audience: {
    voteReaders: number;
    voteConcurrency: number;
    voteMs: number;
    fanoutReaders: number;
    fanoutPosts: number;
    fanoutPostsPerSec: number;
    fanoutRounds: number;
  };
}

export const SIZES: Record<SizeName, Sizes> = {
  smoke: {
    fanout: { readers: [50], posts: 20, postsPerSec: 20 },
    storm: { readers: 50, missed: 100, timeoutMs: 20_000 },
    collab: {
      editors: 2,
      updatesPerSec: 5,
      durationMs: 2_000,
      warmupMs: 0,
      newsroom: { editors: 4, updatesPerSec: 2, awarenessHz: 1, readers: 20, durationMs: 2_000, warmupMs: 0 },
    },
    reads: { concurrency: 8, durationMs: 1_000, seedPosts: 20 },
    surge: { readers: 100, arrivalMs: 1_000, seedPosts: 10, timeoutMs: 20_000 },
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
    audience: {
      voteReaders: 50,
      voteConcurrency: 4,
      voteMs: 1_000,
      fanoutReaders: 50,
      fanoutPosts: 10,
      fanoutPostsPerSec: 10,
      fanoutRounds: 1,
    },
  },
  small: {
    fanout: { readers: [1_000], posts: 40, postsPerSec: 10 },
    storm: { readers: 1_000, missed: 100, timeoutMs: 60_000 },
    collab: {
      editors: 5,
      updatesPerSec: 10,
      durationMs: 8_000,
      warmupMs: 4_000,
      newsroom: { editors: 20, updatesPerSec: 2, awarenessHz: 1, readers: 500, durationMs: 8_000, warmupMs: 4_000 },
    },
    reads: { concurrency: 16, durationMs: 4_000, seedPosts: 30 },
    surge: { readers: 500, arrivalMs: 5_000, seedPosts: 30, timeoutMs: 60_000 },
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
    audience: {
      voteReaders: 1_000,
      voteConcurrency: 16,
      voteMs: 5_000,
      fanoutReaders: 1_000,
      fanoutPosts: 30,
      fanoutPostsPerSec: 5,
      fanoutRounds: 1,
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
      warmupMs: 10_000,
      newsroom: { editors: 50, updatesPerSec: 2, awarenessHz: 1, readers: 5_000, durationMs: 10_000, warmupMs: 10_000 },
    },
    reads: { concurrency: 32, durationMs: 8_000, seedPosts: 60 },
    // The surge: 2,000 new readers within 10 s.
    surge: { readers: 2_000, arrivalMs: 10_000, seedPosts: 60, timeoutMs: 120_000 },
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
    // The figures: votes/s with 5,000 readers connected; counting's CPU at 10,000 readers.
    audience: {
      voteReaders: 5_000,
      // Many voters at once, as when a poll is announced: group commit needs company.
      voteConcurrency: 200,
      voteMs: 10_000,
      fanoutReaders: 10_000,
      fanoutPosts: 30,
      fanoutPostsPerSec: 2,
      fanoutRounds: 2,
    },
  },
};

/** One generator process per this many readers (at most 2: the machine has 2 cores). */
export const generatorsFor = (readers: number): number => (readers > 2_000 ? 2 : 1);
