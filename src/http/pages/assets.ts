import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from 'hono';
import { etagOf } from '../etag.js';
import { isFresh } from './html.js';

/** Where scripts/build-client.ts writes the bundles (the same path from src/ and dist/). */
export const ASSETS_DIR = join(import.meta.dirname, '../../../public/assets');

/** One path segment of letters, digits, dots, dashes and underscores, not starting with a dot. */
const SAFE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;

const TYPES: Record<string, string> = {
  js: 'application/javascript; charset=utf-8',
  map: 'application/json; charset=utf-8',
  css: 'text/css; charset=utf-8',
  png: 'image/png',
  svg: 'image/svg+xml',
  json: 'application/json; charset=utf-8',
};

interface Cached {
  mtimeMs: number;
  body: Uint8Array<ArrayBuffer>;
  etag: string;
}

/**
 * Static bundles from memory, re-read when the file changes (a rebuild while the server
 * runs). Names are whitelisted per segment, so no request can leave the directory.
 */
export function createAssetServer(dir: string = ASSETS_DIR) {
  const cache = new Map<string, Cached>();

  async function load(name: string): Promise<Cached | null> {
    if (!SAFE_NAME.test(name) || name.includes('..')) return null;
    const path = join(dir, name);
    let mtimeMs: number;
    try {
      const s = await stat(path);
      if (!s.isFile()) return null;
      mtimeMs = s.mtimeMs;
    } catch {
      return null;
    }
    const hit = cache.get(name);
    if (hit && hit.mtimeMs === mtimeMs) return hit;
    const body = new Uint8Array(await readFile(path));
    const entry = { mtimeMs, body, etag: etagOf(body, { weak: true }) };
    cache.set(name, entry);
    return entry;
  }

  /** Answers with the asset, a 304, or null when there is no such asset. */
  return async function serve(
    c: Context,
    name: string,
    opts: { cacheControl: string; cors?: boolean },
  ): Promise<Response | null> {
    const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
    const type = TYPES[ext];
    if (!type) return null;
    const asset = await load(name);
    if (!asset) return null;
    const headers: Record<string, string> = {
      'content-type': type,
      'cache-control': opts.cacheControl,
      etag: asset.etag,
      'x-content-type-options': 'nosniff',
    };
    if (opts.cors) {
      headers['access-control-allow-origin'] = '*';
      headers['cross-origin-resource-policy'] = 'cross-origin';
    }
    if (isFresh(c, asset.etag)) return new Response(null, { status: 304, headers });
    return new Response(c.req.method === 'HEAD' ? null : asset.body, { status: 200, headers });
  };
}
