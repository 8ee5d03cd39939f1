import type { Deps } from '../deps.js';

/** Seeds a realistic breaking-news liveblog (stub: filled in later). */
export async function seedDemo(_deps: Deps): Promise<void> {}
