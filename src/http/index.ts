import { Hono } from 'hono';
import type { Deps } from '../deps.js';

/** The whole HTTP surface (stub: http helper fills in). */
export function createHttpApp(_deps: Deps): Hono {
  return new Hono();
}
