import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { messagesFor } from '../../domain/i18n/index.js';
import type { Blog } from '../../domain/index.js';
import { esc, jsonForScript, layout, pageCsp, sendCached } from './html.js';
import { PAGE_STYLE, type PageBlog, renderBlogBody, renderPost } from './render.js';
import { atomFeed, liveBlogJsonLd } from './structured.js';

const PAGE_SIZE = 50;
const FEED_SIZE = 50;
/** Short: the page is live. Shared caches may serve it stale briefly while they revalidate. */
const LIVE_CACHE = 'public, max-age=5, stale-while-revalidate=30';

const PageQuery = z.object({ before: z.string().min(1).max(200).optional() });

/** Public blogs only: a draft blog does not exist for readers. */
async function publicBlog(deps: Deps, slug: string): Promise<Blog | null> {
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(slug)) return null;
  const blog = await deps.store.getBlog(slug);
  return blog && blog.status !== 'draft' ? blog : null;
}

function notFoundPage(c: Context): Response {
  const body = layout({
    title: 'Not found',
    head: PAGE_STYLE,
    body: '<main class="lb-page"><h1>Liveblog not found</h1><p>There is no live coverage at this address.</p></main>',
  });
  return sendCached(c, body, {
    type: 'text/html; charset=utf-8',
    cacheControl: 'public, max-age=5',
    status: 404,
    headers: { 'content-security-policy': pageCsp("'self'") },
  });
}

/** The iframe variant passes the widget's view attributes through its query (?tag=&keyEvents=&order=). */
const FrameQuery = z.object({
  tag: z.string().max(160).optional(),
  keyEvents: z.enum(['true', 'false']).optional(),
  order: z.enum(['newest', 'oldest']).optional(),
});

function frameView(query: Record<string, string>): string {
  const q = FrameQuery.safeParse(query);
  if (!q.success) return '';
  const attrs: string[] = [];
  if (q.data.tag) attrs.push(` data-liveblog-tag="${esc(q.data.tag)}"`);
  if (q.data.keyEvents === 'true') attrs.push(' data-liveblog-key-events="true"');
  if (q.data.order) attrs.push(` data-liveblog-order="${q.data.order}"`);
  return attrs.join('');
}

/** /live/:slug (crawlable page), its Atom feed, and /embed/:slug (the iframe variant). */
export function registerLiveRoutes(app: Hono, deps: Deps, base: (c: Context) => string): void {
  app.get('/live/:slug', async (c) => {
    const blog = await publicBlog(deps, c.req.param('slug'));
    if (!blog) return notFoundPage(c);
    const q = PageQuery.safeParse(c.req.query());
    if (!q.success) return c.text('invalid page cursor', 400);
    const page = await deps.store.listPosts(blog.id, {
      limit: PAGE_SIZE,
      ...(q.data.before ? { before: q.data.before } : {}),
    });
    const root = base(c);
    const pageUrl = `${root}/live/${encodeURIComponent(blog.slug)}`;
    const feedUrl = `${pageUrl}/feed.atom`;
    const oembedUrl = `${root}/oembed?url=${encodeURIComponent(pageUrl)}&format=json`;
    const olderHref = page.nextCursor
      ? `/live/${encodeURIComponent(blog.slug)}?before=${encodeURIComponent(page.nextCursor)}`
      : null;
    const description = blog.description || blog.summary.bullets.map((b) => b.text).join(' ');
    const head = [
      `<meta name="description" content="${esc(description.slice(0, 300))}">`,
      `<link rel="canonical" href="${esc(pageUrl)}">`,
      `<link rel="alternate" type="application/atom+xml" title="${esc(blog.title)}" href="${esc(feedUrl)}">`,
      `<link rel="alternate" type="application/json+oembed" title="${esc(blog.title)}" href="${esc(oembedUrl)}">`,
      `<meta property="og:type" content="article"><meta property="og:title" content="${esc(blog.title)}">`,
      `<meta property="og:url" content="${esc(pageUrl)}">`,
      `<script type="application/ld+json">${jsonForScript(liveBlogJsonLd(blog, page.posts, pageUrl))}</script>`,
      PAGE_STYLE,
      // The widget upgrades the server-rendered element to a live one; without JS the page still reads.
      '<script async src="/embed.js"></script>',
    ].join('\n');
    const messages = messagesFor((blog as PageBlog).language);
    const body = layout({
      title: blog.title,
      lang: messages.lang,
      dir: messages.dir,
      head,
      body: renderBlogBody(blog, page.posts, { olderHref, keyEvents: page.posts, messages }),
    });
    return sendCached(c, body, {
      type: 'text/html; charset=utf-8',
      cacheControl: LIVE_CACHE,
      headers: { 'content-security-policy': pageCsp("'self'"), 'referrer-policy': 'strict-origin-when-cross-origin' },
    });
  });

  app.get('/live/:slug/feed.atom', async (c) => {
    const blog = await publicBlog(deps, c.req.param('slug'));
    if (!blog) return c.text('no such liveblog', 404);
    const page = await deps.store.listPosts(blog.id, { limit: FEED_SIZE });
    const pageUrl = `${base(c)}/live/${encodeURIComponent(blog.slug)}`;
    const messages = messagesFor((blog as PageBlog).language);
    const xml = atomFeed(blog, page.posts, { page: pageUrl, feed: `${pageUrl}/feed.atom` }, (p) =>
      renderPost(p, messages),
    );
    return sendCached(c, xml, {
      type: 'application/atom+xml; charset=utf-8',
      cacheControl: 'public, max-age=30',
      headers: { 'access-control-allow-origin': '*' },
    });
  });

  app.get('/embed/:slug', async (c) => {
    const blog = await publicBlog(deps, c.req.param('slug'));
    if (!blog) return notFoundPage(c);
    // Empty allowedOrigins: any site may frame the widget.
    const ancestors = blog.allowedOrigins.length ? blog.allowedOrigins.join(' ') : '*';
    const body = layout({
      title: blog.title,
      lang: messagesFor((blog as PageBlog).language).lang,
      dir: messagesFor((blog as PageBlog).language).dir,
      head: '<style>html,body{margin:0;background:transparent}</style>\n<script async src="/embed.js"></script>',
      body: `<div data-liveblog="${esc(blog.slug)}" data-liveblog-frame${frameView(c.req.query())}></div>`,
    });
    return sendCached(c, body, {
      type: 'text/html; charset=utf-8',
      cacheControl: LIVE_CACHE,
      headers: { 'content-security-policy': pageCsp(ancestors), 'referrer-policy': 'strict-origin-when-cross-origin' },
    });
  });
}
