import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DiskMediaStorage } from '../../src/media/disk.js';
import { contentKey } from '../../src/media/keys.js';
import { parseRange, type ServeRequest, serveMedia } from '../../src/media/serve.js';
import { mediaBaseUrl } from '../../src/media/urls.js';
import { tempDataDir } from '../helpers/server.js';

const storage = new DiskMediaStorage(tempDataDir());
const bytes = randomBytes(1000);
const key = contentKey(bytes, 'webp');
await storage.put(key, bytes, 'image/webp');

const get = (headers: ServeRequest['headers'] = {}, method: ServeRequest['method'] = 'GET') =>
  serveMedia(storage, key, { method, headers });

describe('serving media objects', () => {
  it('answers the bytes with immutable caching, the type from the key, nosniff and a strong ETag', async () => {
    const res = (await get())!;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/webp');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('etag')).toBe(`"${key.slice(0, 64)}"`);
    expect(res.headers.get('content-length')).toBe('1000');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-security-policy')).toMatch(/sandbox/);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('If-None-Match with the ETag (or a list holding it) answers 304 with no body', async () => {
    const etag = `"${key.slice(0, 64)}"`;
    for (const inm of [etag, `"other", ${etag}`, `W/${etag}`, '*']) {
      const res = (await get({ ifNoneMatch: inm }))!;
      expect(res.status).toBe(304);
      expect(res.body).toBeNull();
    }
    expect((await get({ ifNoneMatch: '"other"' }))!.status).toBe(200);
  });

  it('ranges: first-last, open-ended and suffix answer 206 with Content-Range', async () => {
    const cases: [string, number, number][] = [
      ['bytes=0-99', 0, 99],
      ['bytes=990-', 990, 999],
      ['bytes=-10', 990, 999],
      ['bytes=500-5000', 500, 999],
      ['bytes=-5000', 0, 999],
    ];
    for (const [range, start, end] of cases) {
      const res = (await get({ range }))!;
      expect(res.status, range).toBe(206);
      expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/1000`);
      expect(res.headers.get('content-length')).toBe(String(end - start + 1));
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes.subarray(start, end + 1))).toBe(true);
    }
  });

  it('a range past the end answers 416 with the size; malformed or multiple ranges get the whole object', async () => {
    for (const range of ['bytes=1000-', 'bytes=5000-6000', 'bytes=-0']) {
      const res = (await get({ range }))!;
      expect(res.status, range).toBe(416);
      expect(res.headers.get('content-range')).toBe('bytes */1000');
    }
    for (const range of ['bytes=0-1,5-6', 'items=0-1', 'bytes=9-2', 'bytes=-', 'bytes=abc']) {
      const res = (await get({ range }))!;
      expect(res.status, range).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBe(1000);
    }
  });

  it('If-Range with another validator sends the whole object', async () => {
    expect((await get({ range: 'bytes=0-9', ifRange: '"stale"' }))!.status).toBe(200);
    expect((await get({ range: 'bytes=0-9', ifRange: `"${key.slice(0, 64)}"` }))!.status).toBe(206);
  });

  it('HEAD answers the headers only', async () => {
    const res = (await get({}, 'HEAD'))!;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('1000');
    expect(res.body).toBeNull();
  });

  it('malformed and absent keys answer null (the route answers 404)', async () => {
    for (const k of ['../x', `${key}.html`, key.toUpperCase(), contentKey(Buffer.from('absent'), 'png')]) {
      expect(await serveMedia(storage, k, { method: 'GET', headers: {} })).toBeNull();
    }
  });

  it('parseRange is exact at the edges', () => {
    expect(parseRange(undefined, 10)).toEqual({ kind: 'none' });
    expect(parseRange('bytes=9-9', 10)).toEqual({ kind: 'range', range: { start: 9, end: 9 } });
    expect(parseRange('bytes=10-10', 10)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-1', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it('URLs: MEDIA_PUBLIC_URL wins, else the server base URL under /media', () => {
    expect(mediaBaseUrl(undefined, 'https://live.example.com/')).toBe('https://live.example.com/media');
    expect(mediaBaseUrl('https://cdn.example.net/lb/', 'https://live.example.com')).toBe('https://cdn.example.net/lb');
  });
});
