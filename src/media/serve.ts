import { Readable } from 'node:stream';
import { parseKey } from './keys.js';
import type { ByteRange, MediaStorage } from './types.js';

/** A year, and never revalidated: the key is the hash of the bytes, so they cannot change. */
export const MEDIA_CACHE_CONTROL = 'public, max-age=31536000, immutable';

export type RangeAsk = { kind: 'none' } | { kind: 'range'; range: ByteRange } | { kind: 'unsatisfiable' };

/**
 * Reads a `Range` header against an object of `size` bytes. One range only (`bytes=a-b`,
 * `bytes=a-`, `bytes=-n`); several ranges or a malformed header are ignored and the whole
 * object is sent, as RFC 9110 allows. A range that starts past the end is unsatisfiable (416).
 */
export function parseRange(header: string | undefined, size: number): RangeAsk {
  if (!header) return { kind: 'none' };
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'none' };
  const first = m[1] === '' ? null : Number(m[1]);
  const last = m[2] === '' ? null : Number(m[2]);
  if (first === null) {
    // Suffix: the last n bytes.
    if (last === 0) return { kind: 'unsatisfiable' };
    if (size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', range: { start: Math.max(0, size - last!), end: size - 1 } };
  }
  if (last !== null && last < first) return { kind: 'none' };
  if (first >= size) return { kind: 'unsatisfiable' };
  return { kind: 'range', range: { start: first, end: Math.min(last ?? size - 1, size - 1) } };
}

/** Whether an If-None-Match list names this ETag (weak comparison, as for GET). */
function matches(ifNoneMatch: string, etag: string): boolean {
  const strip = (t: string) => t.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || strip(t) === etag);
}

export interface ServeRequest {
  method: 'GET' | 'HEAD';
  headers: { range?: string; ifNoneMatch?: string; ifRange?: string };
}

/**
 * The HTTP answer for one media object, or null when the key is malformed or absent (the
 * caller answers 404 in the API's error shape). Headers: the type from the key (never
 * sniffed: `nosniff`, and a sandboxing CSP should the bytes ever be opened as a document),
 * an immutable Cache-Control, the hash as a strong ETag, byte ranges (206/416).
 */
export async function serveMedia(storage: MediaStorage, key: string, req: ServeRequest): Promise<Response | null> {
  const parsed = parseKey(key);
  if (!parsed) return null;
  const info = await storage.stat(key);
  if (!info) return null;
  const etag = `"${parsed.hash}"`;
  const headers = new Headers({
    'Content-Type': parsed.contentType,
    'Cache-Control': MEDIA_CACHE_CONTROL,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
    ETag: etag,
    'Accept-Ranges': 'bytes',
  });
  if (req.headers.ifNoneMatch && matches(req.headers.ifNoneMatch, etag)) {
    return new Response(null, { status: 304, headers });
  }
  // If-Range with another validator: the client's partial copy is stale, send it all.
  const rangeHeader = req.headers.ifRange && req.headers.ifRange.trim() !== etag ? undefined : req.headers.range;
  const ask = parseRange(rangeHeader, info.size);
  if (ask.kind === 'unsatisfiable') {
    headers.set('Content-Range', `bytes */${info.size}`);
    headers.delete('Content-Type');
    return new Response(null, { status: 416, headers });
  }
  const range = ask.kind === 'range' ? ask.range : undefined;
  const length = range ? range.end - range.start + 1 : info.size;
  headers.set('Content-Length', String(length));
  if (range) headers.set('Content-Range', `bytes ${range.start}-${range.end}/${info.size}`);
  const status = range ? 206 : 200;
  if (req.method === 'HEAD') return new Response(null, { status, headers });
  const object = await storage.get(key, range);
  // Deleted between stat and get: as absent.
  if (!object) return null;
  return new Response(Readable.toWeb(object.body) as ReadableStream, { status, headers });
}
