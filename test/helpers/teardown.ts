import { afterAll } from 'vitest';

/**
 * Helpers register their cleanup here; test/setup.ts runs it after each test file, in
 * reverse order (clients before servers before databases).
 */
const cleanups: (() => Promise<void> | void)[] = [];

export function registerCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

export async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) {
    const fn = cleanups.pop();
    try {
      await fn?.();
    } catch (err) {
      console.error('cleanup failed', err);
    }
  }
}

export function installTeardown(): void {
  afterAll(runCleanups, 30_000);
}
