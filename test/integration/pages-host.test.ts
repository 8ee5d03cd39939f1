import { describe, expect, it } from 'vitest';
import { createApi } from '../helpers/api.js';
import { rawGet } from '../helpers/raw-http.js';
import { startServer } from '../helpers/server.js';

/**
 * The Host header and absolute-form request targets never reach canonical links, og:url or
 * oEmbed (issue 13 item 8): without PUBLIC_URL only loopback hosts are believed (any other
 * answers 421); with PUBLIC_URL the request's host is ignored altogether.
 */

describe('Host header', () => {
  it('without PUBLIC_URL, refuses pages for a foreign Host or absolute-form target (421) and never echoes it', async () => {
    const srv = await startServer();
    const blog = await createApi(srv.url, srv.adminToken).createBlog({ title: 'Hosts' });
    const pageUrl = encodeURIComponent(`http://127.0.0.1:${srv.port}/live/${blog.slug}`);
    const targets = [`/live/${blog.slug}`, `/live/${blog.slug}/feed.atom`, `/oembed?url=${pageUrl}&format=json`];
    for (const t of targets) {
      const spoofed = await rawGet(srv.port, t, 'evil.example');
      expect(spoofed.status, t).toBe(421);
      expect(spoofed.text, t).not.toMatch(/https?:\/\/evil\.example/);
      const absolute = await rawGet(srv.port, `http://evil.example${t}`, `127.0.0.1:${srv.port}`);
      expect(absolute.status, t).toBe(421);
      expect(absolute.text, t).not.toMatch(/https?:\/\/evil\.example/);
    }
    // A Host that does not even parse as a URL authority: a 4xx (421, or 400 from the
    // HTTP layer), never a 500.
    for (const host of ['.0', 'a b', '[zz]']) {
      const res = await rawGet(srv.port, `/live/${blog.slug}`, host);
      expect(res.status, host).toBeGreaterThanOrEqual(400);
      expect(res.status, host).toBeLessThan(500);
    }
    // Loopback names still work (development, tests).
    const ok = await rawGet(srv.port, `/live/${blog.slug}`, `localhost:${srv.port}`);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain(`href="http://localhost:${srv.port}/live/${blog.slug}"`);
    // The embed iframe page carries no absolute link: served, with sockets limited to 'self'.
    const embed = await rawGet(srv.port, `/embed/${blog.slug}`, 'evil.example');
    expect(embed.status).toBe(200);
    expect(embed.text).not.toContain('evil.example');
    // The API is not affected.
    expect((await rawGet(srv.port, `/api/v1/blogs/${blog.id}`, 'evil.example')).status).toBe(200);
  });

  it('with PUBLIC_URL, links use it whatever Host or target the request names', async () => {
    const srv = await startServer({ PUBLIC_URL: 'https://news.example' });
    const blog = await createApi(srv.url, srv.adminToken).createBlog({ title: 'Hosts' });
    for (const [target, host] of [
      [`/live/${blog.slug}`, 'evil.example'],
      [`http://evil.example/live/${blog.slug}`, 'evil.example'],
    ] as const) {
      const res = await rawGet(srv.port, target, host);
      expect(res.status).toBe(200);
      expect(res.text).toContain(`<link rel="canonical" href="https://news.example/live/${blog.slug}">`);
      expect(res.text).toContain(`<meta property="og:url" content="https://news.example/live/${blog.slug}">`);
      expect(res.text).toContain("connect-src 'self' wss://news.example;");
      expect(res.text).not.toContain('evil.example');
    }
    const pageUrl = encodeURIComponent(`https://news.example/live/${blog.slug}`);
    const oembed = await rawGet(srv.port, `/oembed?url=${pageUrl}&format=json`, 'evil.example');
    expect(oembed.status).toBe(200);
    expect(oembed.text).toContain('https://news.example/embed/');
    expect(oembed.text).not.toContain('evil.example');
  });
});
