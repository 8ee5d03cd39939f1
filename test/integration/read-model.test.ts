import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, test } from 'vitest';
import { ensureClientBuilt } from '../e2e/support.js';
import { setupBlog, text } from '../helpers/api.js';
import { startServer, type TestServer } from '../helpers/server.js';

/**
 * The read model over a real server and real HTTP: content-coding negotiation, validators per
 * coding, HEAD, the CDN headers on public reads and their absence on authenticated ones.
 * Raw node:http requests, so the bytes are seen as sent (fetch would decompress them).
 */
interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const decode = (r: Raw): Buffer =>
  r.headers['content-encoding'] === 'br'
    ? brotliDecompressSync(r.body)
    : r.headers['content-encoding'] === 'gzip'
      ? gunzipSync(r.body)
      : r.body;

let server: TestServer;
let cast: Awaited<ReturnType<typeof setupBlog>>;
let urls: Record<string, string>;

beforeAll(async () => {
  ensureClientBuilt();
  server = await startServer();
  cast = await setupBlog(server.url, server.adminToken, 'Read model blog');
  for (let i = 0; i < 12; i++) {
    await cast.editor.createPost(cast.blog.id, {
      blocks: [text(`<p>Update ${i}: the river is rising along the embankment, officials said.</p>`)],
    });
  }
  const api = `${server.url}/api/v1/blogs/${cast.blog.id}`;
  const page = `${server.url}/live/${cast.blog.slug}`;
  urls = {
    posts: `${api}/posts`,
    summary: `${api}/summary`,
    blog: api,
    changes: `${api}/changes?since=0`,
    page,
    atom: `${page}/feed.atom`,
    json: `${page}/feed.json`,
    embed: `${server.url}/embed/${cast.blog.slug}`,
    oembed: `${server.url}/oembed?url=${encodeURIComponent(page)}&format=json`,
    script: `${server.url}/embed.js`,
  };
});

describe('content-coding negotiation', () => {
  test('br > gzip > identity, q-values and q=0 honoured, the same bytes decoded', async () => {
    for (const [name, url] of Object.entries(urls)) {
      const plain = await get(url);
      expect(plain.status, name).toBe(200);
      expect(plain.headers['content-encoding'], name).toBeUndefined();
      expect(plain.headers.vary, name).toMatch(/Accept-Encoding/i);
      expect(Number(plain.headers['content-length']), name).toBe(plain.body.length);
      const cases: [string, string | undefined][] = [
        ['gzip, deflate, br', 'br'],
        ['gzip', 'gzip'],
        ['br;q=0.5, gzip', 'gzip'],
        ['br;q=0, gzip;q=0.1', 'gzip'],
        ['*', 'br'],
        ['br;q=0, gzip;q=0', undefined],
        ['identity', undefined],
        ['deflate', undefined],
      ];
      for (const [accept, coding] of cases) {
        const r = await get(url, { 'accept-encoding': accept });
        expect(r.status, `${name} ${accept}`).toBe(200);
        // A body too small to shrink (an empty summary) is sent as it is, whatever was asked.
        if (plain.body.length >= 300 || r.headers['content-encoding'] !== undefined)
          expect(r.headers['content-encoding'], `${name} ${accept}`).toBe(coding);
        expect(Number(r.headers['content-length']), `${name} ${accept}`).toBe(r.body.length);
        expect(r.headers.vary, name).toMatch(/Accept-Encoding/i);
        expect(decode(r).equals(plain.body), `${name} ${accept}: decoded bytes`).toBe(true);
      }
    }
  });

  test('a page of posts is sent compressed: far smaller than its identity bytes', async () => {
    const plain = await get(urls.posts as string);
    const br = await get(urls.posts as string, { 'accept-encoding': 'br' });
    expect(br.body.length * 3).toBeLessThan(plain.body.length);
  });
});

describe('validators', () => {
  test('each coding has its own strong ETag, and a 304 answers it whatever the coding', async () => {
    for (const [name, url] of Object.entries(urls)) {
      const tags = new Set<string>();
      for (const accept of ['identity', 'gzip', 'br']) {
        const r = await get(url, { 'accept-encoding': accept });
        const etag = String(r.headers.etag);
        expect(etag, name).toMatch(/^"[^"]+"$/);
        tags.add(etag);
        const again = await get(url, { 'accept-encoding': accept, 'if-none-match': etag });
        expect(again.status, `${name} ${accept}`).toBe(304);
        expect(again.body.length).toBe(0);
        expect(again.headers.etag).toBe(etag);
        expect(again.headers.vary, name).toMatch(/Accept-Encoding/i);
        expect(again.headers['cache-control']).toBe(r.headers['cache-control']);
        expect(again.headers['cache-tag'], name).toBe(r.headers['cache-tag']);
        expect(again.headers['access-control-allow-origin'], name).toBe(r.headers['access-control-allow-origin']);
        // Another coding's validator names another representation: the full answer.
        const otherCoding = accept === 'br' ? 'identity' : 'br';
        const otherTag = (await get(url, { 'accept-encoding': otherCoding })).headers.etag;
        const other = await get(url, { 'accept-encoding': otherCoding, 'if-none-match': etag });
        expect(other.status, `${name} ${accept} other`).toBe(otherTag === etag ? 304 : 200);
      }
      // Only a body too small to shrink keeps one tag for every coding.
      const plain = await get(url);
      if (plain.body.length >= 300) expect(tags.size, name).toBe(3);
    }
  });

  test('HEAD answers the headers of GET, Content-Length included, and no body', async () => {
    for (const [name, url] of Object.entries(urls)) {
      const g = await get(url, { 'accept-encoding': 'gzip' });
      const h = await get(url, { 'accept-encoding': 'gzip' }, 'HEAD');
      expect(h.status, name).toBe(200);
      expect(h.body.length).toBe(0);
      expect(h.headers['content-length'], name).toBe(g.headers['content-length']);
      expect(h.headers.etag, name).toBe(g.headers.etag);
      expect(h.headers['content-encoding'], name).toBe(g.headers['content-encoding']);
    }
  });
});

describe('cache headers', () => {
  test('public blog reads: shared-cache lifetime and a per-blog Cache-Tag and Surrogate-Key', async () => {
    for (const [name, url] of Object.entries(urls)) {
      if (name === 'script') continue;
      const r = await get(url);
      expect(r.headers['cache-control'], name).toMatch(/^public, max-age=0, s-maxage=\d+, stale-while-revalidate=\d+$/);
      expect(r.headers['cache-tag'], name).toBe(`blog-${cast.blog.id}`);
      expect(r.headers['surrogate-key'], name).toBe(`blog-${cast.blog.id}`);
    }
  });

  test('authenticated and draft reads are private and carry no Cache-Tag', async () => {
    const auth = { authorization: `Bearer ${server.adminToken}` };
    for (const url of [urls.posts, urls.summary, urls.blog]) {
      const r = await get(url as string, auth);
      expect(r.status).toBe(200);
      expect(r.headers['cache-control']).toBe('private, no-store');
      expect(r.headers['cache-tag']).toBeUndefined();
    }
    await cast.editor.createPost(cast.blog.id, { blocks: [text('<p>draft</p>')], status: 'draft' });
    const drafts = await get(`${urls.posts}?status=draft`, auth);
    expect(drafts.status).toBe(200);
    expect(drafts.headers['cache-control']).toBe('private, no-store');
    expect(drafts.headers['cache-tag']).toBeUndefined();
    // Without the token the same URL is refused, and nothing of it was kept for anyone.
    expect((await get(`${urls.posts}?status=draft`)).status).toBe(401);
    // A draft blog does not exist for the public: a 404 with no shared-cache lifetime.
    const hidden = await cast.admin.createBlog({ title: 'Hidden draft blog', status: 'draft' });
    const r = await get(`${server.url}/api/v1/blogs/${hidden.id}/posts`);
    expect(r.status).toBe(404);
    expect(r.headers['cache-tag']).toBeUndefined();
    expect(String(r.headers['cache-control'] ?? '')).not.toMatch(/s-maxage/);
  });
});

describe('what is kept', () => {
  test('only the query parameters a route takes make a stored read; assets ignore their query', async () => {
    expect((await get(`${urls.posts}?limit=5`)).headers['cache-tag']).toBe(`blog-${cast.blog.id}`);
    // An unknown parameter is answered by the route as before (the blog route ignores it; the
    // posts route refuses it), and not kept.
    expect((await get(`${urls.posts}?junk=1`)).status).toBe(400);
    const junk = await get(`${urls.blog}?junk=${Math.random()}`);
    expect(junk.status).toBe(200);
    expect(junk.headers['cache-tag']).toBeUndefined();
    const script = await get(`${urls.script}?v=2`, { 'accept-encoding': 'br' });
    expect(script.headers['content-encoding']).toBe('br');
    expect(script.headers.etag).toBe((await get(urls.script as string, { 'accept-encoding': 'br' })).headers.etag);
  });

  test('a sane client-chosen X-Request-Id is echoed by a stored read; none is made up', async () => {
    const traced = await get(urls.posts as string, { 'x-request-id': 'trace-abc-1' });
    expect(traced.headers['x-request-id']).toBe('trace-abc-1');
    expect((await get(urls.posts as string, { 'x-request-id': 'bad id!' })).headers['x-request-id']).toBeUndefined();
    expect((await get(urls.posts as string)).headers['x-request-id']).toBeUndefined();
  });
});

describe('freshness', () => {
  test('a blog taken back to draft is gone from every public read at once', async () => {
    const other = await cast.admin.createBlog({ title: 'Soon hidden' });
    await cast.admin.createPost(other.id, { blocks: [text('<p>visible for now</p>')] });
    const reads = [`${server.url}/api/v1/blogs/${other.id}/posts`, `${server.url}/live/${other.slug}`];
    for (const u of reads) expect((await get(u)).status).toBe(200);
    for (const u of reads) expect((await get(u)).status).toBe(200);
    await cast.admin.patchBlog(other.id, { status: 'draft' });
    for (const u of reads) expect((await get(u)).status, u).toBe(404);
  });

  test('a publish is seen at once by every public representation', async () => {
    const before = await Promise.all(Object.values(urls).map((u) => get(u)));
    const post = await cast.editor.createPost(cast.blog.id, { blocks: [text('<p>Breaking: bridge closed</p>')] });
    const after = await Promise.all(Object.values(urls).map((u) => get(u)));
    const names = Object.keys(urls);
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      // These do not show posts: their bytes (and so their tags) stay the same.
      if (['script', 'oembed', 'embed', 'summary'].includes(name)) continue;
      expect(after[i]?.headers.etag, name).not.toBe(before[i]?.headers.etag);
    }
    expect(String(after[0]?.body)).toContain(post.id);
    expect(String(after[4]?.body)).toContain('bridge closed');
  });
});
