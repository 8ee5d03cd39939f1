import { beforeAll, describe, expect, it } from 'vitest';
import type { Post } from '../../src/domain/index.js';
import { createPagesApp } from '../../src/http/pages/index.js';
import { ensureClientBuilt } from '../e2e/support.js';
import { createApi, text } from '../helpers/api.js';
import { checkAnswer } from '../helpers/response-check.js';
import { startServer, type TestServer } from '../helpers/server.js';

/**
 * The server-rendered faces without a browser: public page, Atom feed, embed page, oEmbed,
 * editor shell and static bundles, through the pages sub-app's own request() over a real
 * server's store filled through the real API.
 */
let server: TestServer;
let pages: ReturnType<typeof createPagesApp>;
let slug: string;
let posts: Record<'old' | 'pinned' | 'key' | 'draft' | 'nasty' | 'latest', Post>;

const BASE = 'http://localhost';
/** A page answer, held against /openapi.json like every fetched one (test/helpers/response-check.ts). */
const get = async (path: string, headers: Record<string, string> = {}) => {
  const res = await pages.request(`${BASE}${path}`, { headers });
  await checkAnswer(server.url, 'GET', path, res);
  return res;
};

function jsonLdOf(html: string): Record<string, unknown> {
  const m = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html);
  expect(m, 'a JSON-LD block').not.toBeNull();
  return JSON.parse(m?.[1] ?? 'null');
}

beforeAll(async () => {
  ensureClientBuilt();
  server = await startServer();
  pages = createPagesApp(server.app.deps);
  const admin = createApi(server.url, server.adminToken);
  const blog = await admin.createBlog({ title: 'Storm <Live> & "updates"', description: 'Wind & rain <b>now</b>' });
  slug = blog.slug;
  const create = (input: Parameters<typeof admin.createPost>[1]) => admin.createPost(blog.id, input);
  const old = await create({ blocks: [text('<p>First calm report.</p>')] });
  const pinned = await create({ blocks: [text('<p>Pinned: <strong>shelters</strong> open.</p>')], pinned: true });
  const key = await create({
    blocks: [
      text('<p>The river burst its banks.</p>'),
      { type: 'image', url: 'https://img.example.org/a.jpg', alt: 'Flood "street" <view>', caption: 'Main St' },
      { type: 'embed', url: 'https://youtu.be/dQw4w9WgXcQ' },
    ],
    keyEvent: true,
  });
  const draft = await create({ blocks: [text('<p>SECRET DRAFT TEXT</p>')], status: 'draft' });
  const nasty = await create({
    blocks: [{ type: 'quote', text: '</script><script>alert(1)</script> & more', attribution: 'A <b>witness</b>' }],
  });
  const latest = await create({ blocks: [text('<p>Latest: roads reopening.</p>')] });
  posts = { old, pinned, key, draft, nasty, latest };
  await server.app.deps.store.publishSummary(
    blog.id,
    [
      { html: '<strong>Shelters</strong> are open', text: 'Shelters are open' },
      { html: 'Roads reopening', text: 'Roads reopening' },
    ],
    new Date().toISOString(),
  );
});

describe('/live/:slug', () => {
  it('renders a readable, escaped page with pinned posts first and key events marked', async () => {
    const res = await get(`/live/${slug}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<h1>Storm &lt;Live&gt; &amp; &quot;updates&quot;</h1>');
    expect(html).toContain('Wind &amp; rain &lt;b&gt;now&lt;/b&gt;');
    expect(html).toContain('<li><strong>Shelters</strong> are open</li>');
    // Pinned first, then newest first.
    const order = [posts.pinned, posts.latest, posts.nasty, posts.key, posts.old].map((p) =>
      html.indexOf(`id="post-${p.id}"`),
    );
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toMatch(new RegExp(`id="post-${posts.key.id}"[^>]*>[\\s\\S]*?Key event`));
    expect(html).toMatch(/class="lb-post lb-key"/);
    expect(html).not.toContain('SECRET DRAFT TEXT');
    // Plain-text fields are escaped; nothing a post says can open a script.
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
    expect(html).toContain('alt="Flood &quot;street&quot; &lt;view&gt;"');
    expect(html).toContain('https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ');
    expect(html.match(/<script/g)?.length).toBe(3); // JSON-LD, the widget and the push button's script
    expect(html).toContain('<script defer src="/push.js"></script>');
    expect(html).toContain('<script async src="/embed.js"></script>');
    expect(html).toContain(`data-liveblog="${slug}"`);
  });

  it('links its Atom feed and oEmbed endpoint and carries LiveBlogPosting JSON-LD', async () => {
    const html = await (await get(`/live/${slug}`)).text();
    const pageUrl = `${BASE}/live/${slug}`;
    expect(html).toContain(
      `<link rel="alternate" type="application/atom+xml" title="Storm &lt;Live&gt; &amp; &quot;updates&quot;" href="${pageUrl}/feed.atom">`,
    );
    expect(html).toContain(
      `<link rel="alternate" type="application/json+oembed" title="Storm &lt;Live&gt; &amp; &quot;updates&quot;" href="${BASE}/oembed?url=${encodeURIComponent(pageUrl).replace(/&/g, '&amp;')}&amp;format=json">`,
    );
    const ld = jsonLdOf(html);
    expect(ld['@context']).toBe('https://schema.org');
    expect(ld['@type']).toBe('LiveBlogPosting');
    expect(ld.headline).toBe('Storm <Live> & "updates"');
    expect(ld.coverageStartTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(ld.coverageEndTime).toBeUndefined();
    const updates = ld.liveBlogUpdate as Record<string, unknown>[];
    expect(updates).toHaveLength(5);
    for (const u of updates) {
      expect(u['@type']).toBe('BlogPosting');
      expect(typeof u.headline).toBe('string');
      expect(u.datePublished).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(u.url).toMatch(new RegExp(`^${pageUrl}#post-`));
    }
    expect(updates.find((u) => u.url === `${pageUrl}#post-${posts.nasty.id}`)?.articleBody).toContain(
      '</script><script>alert(1)',
    );
  });

  it('says when coverage ended', async () => {
    const admin = createApi(server.url, server.adminToken);
    const blog = await admin.createBlog({ title: 'Finished story' });
    await admin.createPost(blog.id, { blocks: [text('<p>Done.</p>')] });
    const ended = await admin.patchBlog(blog.id, { status: 'ended' });
    const ld = jsonLdOf(await (await get(`/live/${blog.slug}`)).text());
    expect(ld.coverageEndTime).toBe(ended.updatedAt);
  });

  it('sends ETag, Cache-Control and CSP, and 304 for a matching If-None-Match', async () => {
    const res = await get(`/live/${slug}`);
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^W\/".+"$/);
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    // Sockets to our own origin only, never to any host (ws: wss:).
    expect(csp).toContain("connect-src 'self' ws://localhost;");
    expect(csp).not.toMatch(/connect-src[^;]*\bws: /);
    expect(csp).toContain('https://www.youtube-nocookie.com');
    const again = await get(`/live/${slug}`, { 'if-none-match': etag ?? '' });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    // A new post changes the page, so the old validator no longer matches.
    const admin = createApi(server.url, server.adminToken);
    const blog = await admin.getBlog(slug);
    await admin.createPost(blog.id, { blocks: [text('<p>Another update.</p>')] });
    const changed = await get(`/live/${slug}`, { 'if-none-match': etag ?? '' });
    expect(changed.status).toBe(200);
    expect(await changed.text()).toContain('Another update.');
  });

  it('answers 404 pages for unknown or draft blogs and bad slugs', async () => {
    const unknown = await get('/live/no-such-blog');
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('Liveblog not found');
    const admin = createApi(server.url, server.adminToken);
    const draftBlog = await admin.createBlog({ title: 'Not yet', status: 'draft' });
    expect((await get(`/live/${draftBlog.slug}`)).status).toBe(404);
    expect((await get('/live/%3Cscript%3E')).status).toBe(404);
  });

  it('pages through older posts with the cursor and refuses a forged one', async () => {
    const admin = createApi(server.url, server.adminToken);
    const blog = await admin.createBlog({ title: 'Long story' });
    for (let i = 1; i <= 52; i++) await admin.createPost(blog.id, { blocks: [text(`<p>Item ${i} here.</p>`)] });
    const first = await (await get(`/live/${blog.slug}`)).text();
    expect(first).toContain('Item 52 here.');
    expect(first).not.toContain('Item 2 here.');
    const next = /<a rel="next" href="([^"]+)">/.exec(first)?.[1]?.replace(/&amp;/g, '&');
    expect(next).toBeTruthy();
    const second = await (await get(next ?? '')).text();
    expect(second).toContain('Item 2 here.');
    expect(second).not.toContain('Item 52 here.');
    expect(second).not.toContain('rel="next"');
    const forged = await get(`/live/${blog.slug}?before=not-a-cursor`);
    expect(forged.status).toBe(400);
  });
});

describe('/live/:slug/feed.atom', () => {
  it('is an escaped Atom feed, newest first, updated at the latest change', async () => {
    const res = await get(`/live/${slug}/feed.atom`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/atom\+xml/);
    expect(res.headers.get('etag')).toBeTruthy();
    const xml = await res.text();
    expect(
      xml.startsWith(
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">',
      ),
    ).toBe(true);
    expect(xml).toContain('<title>Storm &lt;Live&gt; &amp; &quot;updates&quot;</title>');
    expect(xml).not.toContain('SECRET DRAFT TEXT');
    expect(xml).not.toMatch(/<script/i);
    const published = [...xml.matchAll(/<published>([^<]+)<\/published>/g)].map((m) => m[1] ?? '');
    expect(published.length).toBeGreaterThanOrEqual(5);
    expect([...published].sort().reverse()).toEqual(published);
    const entryUpdated = [...xml.matchAll(/<entry>[\s\S]*?<updated>([^<]+)<\/updated>/g)].map((m) => m[1] ?? '');
    const feedUpdated = /<\/subtitle>\s*<updated>([^<]+)<\/updated>/.exec(xml)?.[1] ?? '';
    expect(feedUpdated >= [...entryUpdated].sort().at(-1)!).toBe(true);
    // Every tag opened is closed (a cheap well-formedness check; the browser test parses it).
    const opens = xml.match(/<(entry|content|title|author)[ >]/g)?.length ?? 0;
    const closes = xml.match(/<\/(entry|content|title|author)>/g)?.length ?? 0;
    expect(opens).toBe(closes);
  });

  it('is 404 for an unknown blog', async () => {
    expect((await get('/live/nope/feed.atom')).status).toBe(404);
  });
});

describe('/embed/:slug', () => {
  it('allows any framing site when allowedOrigins is empty, and only the listed ones otherwise', async () => {
    const open = await get(`/embed/${slug}`);
    expect(open.status).toBe(200);
    const html = await open.text();
    expect(html).toContain(`<div data-liveblog="${slug}" data-liveblog-frame></div>`);
    expect(html).toContain('src="/embed.js"');
    expect(open.headers.get('content-security-policy')).toContain('frame-ancestors *');

    const admin = createApi(server.url, server.adminToken);
    const blog = await admin.getBlog(slug);
    await admin.patchBlog(blog.id, { allowedOrigins: ['https://partner.example', 'http://127.0.0.1:8123'] });
    const limited = await get(`/embed/${slug}`);
    expect(limited.headers.get('content-security-policy')).toContain(
      'frame-ancestors https://partner.example http://127.0.0.1:8123',
    );
    await admin.patchBlog(blog.id, { allowedOrigins: [] });
    expect((await get('/embed/unknown-blog')).status).toBe(404);
  });
});

describe('/oembed', () => {
  const oembed = (q: Record<string, string>) => get(`/oembed?${new URLSearchParams(q)}`);

  it('answers a rich iframe of /embed/:slug for the page URL, honouring maxwidth/maxheight', async () => {
    const res = await oembed({ url: `${BASE}/live/${slug}`, format: 'json' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      version: '1.0',
      type: 'rich',
      title: 'Storm <Live> & "updates"',
      width: 600,
      height: 800,
    });
    expect(body.html).toContain(`<iframe src="${BASE}/embed/${slug}" width="600" height="800"`);
    expect(body.html).toContain('title="Storm &lt;Live&gt; &amp; &quot;updates&quot;"');

    const small = (await (
      await oembed({ url: `${BASE}/embed/${slug}`, maxwidth: '320', maxheight: '240' })
    ).json()) as Record<string, unknown>;
    expect(small).toMatchObject({ width: 320, height: 240 });
    expect(small.html).toContain('width="320" height="240"');
  });

  it('refuses what it cannot answer: 404 unknown, 501 xml, 400 bad input', async () => {
    expect((await oembed({ url: `${BASE}/live/no-such-blog` })).status).toBe(404);
    expect((await oembed({ url: `https://elsewhere.example/live/${slug}` })).status).toBe(404);
    expect((await oembed({ url: `${BASE}/about` })).status).toBe(404);
    expect((await oembed({ url: `${BASE}/live/${slug}`, format: 'xml' })).status).toBe(501);
    const bad = await oembed({ url: 'not a url' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('validation_failed');
    expect((await oembed({ url: 'javascript:alert(1)' })).status).toBe(400);
    expect((await get('/oembed')).status).toBe(400);
    expect((await oembed({ url: `${BASE}/live/${slug}`, maxwidth: '-5' })).status).toBe(400);
  });
});

describe('assets and the editor shell', () => {
  it('serves /embed.js cacheably with CORS, and 304 on revalidation', async () => {
    const res = await get('/embed.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/javascript/);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cache-control')).toMatch(/public, max-age=\d+/);
    expect((await res.text()).length).toBeGreaterThan(1000);
    const again = await get('/embed.js', { 'if-none-match': res.headers.get('etag') ?? '' });
    expect(again.status).toBe(304);
    expect((await get('/assets/editor.js')).status).toBe(200);
  });

  it('never serves a file outside public/assets', async () => {
    for (const path of [
      '/assets/..%2Fpackage.json',
      '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      '/assets/.hidden.js',
      '/assets/..',
      '/assets/missing.js',
      '/assets/embed.ts',
    ]) {
      expect((await get(path)).status, path).toBe(404);
    }
  });

  it('serves the editor shell with a strict CSP', async () => {
    const res = await get('/editor');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<script defer src="/assets/editor.js"></script>');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
  });
});
