import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Deps } from '../../deps.js';
import { messagesFor } from '../../domain/i18n/index.js';
import { type Blog, blogVisible, distributionLink } from '../../domain/index.js';
import type { HttpEnv } from '../context.js';
import * as routes from '../contract/pages.js';
import { preloadedBlog } from '../read-model/preload.js';
import { esc, jsonForScript, layout, pageCsp, sendCached } from './html.js';
import { pushButton } from './push.js';
import { PAGE_STYLE, renderBlogBody } from './render.js';
import { liveBlogJsonLd } from './structured.js';

const PAGE_SIZE = 50;
/** Short: the page is live. Shared caches may serve it stale briefly while they revalidate. */
const LIVE_CACHE = 'public, max-age=5, stale-while-revalidate=30';

/** Public blogs only: pages have no members, so a draft blog does not exist for them. */
/** The WebSub hub the page and feeds announce: the configured external one, or ours. */
export const hubOf = (deps: Pick<Deps, 'config'>, root: string): string =>
  deps.config.WEBSUB_HUB_URL ?? `${root}/websub`;

export async function publicBlog(deps: Deps, slug: string, req?: Request): Promise<Blog | null> {
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(slug)) return null;
  // A read model render starts from the blog it has just read (one store read per burst).
  const blog = (req && preloadedBlog(req, slug)) || (await deps.store.getBlog(slug));
  return blog && blogVisible(blog, false) ? blog : null;
}

function notFoundPage(c: Context, base: string | null): Response {
  const body = layout({
    title: 'Not found',
    head: PAGE_STYLE,
    body: '<main class="lb-page"><h1>Liveblog not found</h1><p>There is no live coverage at this address.</p></main>',
  });
  return sendCached(c, body, {
    type: 'text/html; charset=utf-8',
    cacheControl: 'public, max-age=5',
    status: 404,
    headers: { 'content-security-policy': pageCsp("'self'", base) },
  });
}

/** The iframe variant's view attributes (validated by the route's EmbedQuery). */
function frameView(q: {
  tag?: string | undefined;
  keyEvents?: string | undefined;
  order?: string | undefined;
}): string {
  const attrs: string[] = [];
  if (q.tag) attrs.push(` data-liveblog-tag="${esc(q.tag)}"`);
  if (q.keyEvents === 'true') attrs.push(' data-liveblog-key-events="true"');
  if (q.order === 'newest' || q.order === 'oldest') attrs.push(` data-liveblog-order="${q.order}"`);
  return attrs.join('');
}

/** /live/{slug} (the crawlable page) and /embed/{slug} (the iframe variant). */
export function registerLiveRoutes(
  app: OpenAPIHono<HttpEnv>,
  deps: Deps,
  base: (c: Context) => string,
  trusted: (c: Context) => string | null,
): void {
  app.openapi(routes.livePage, async (c) => {
    const blog = await publicBlog(deps, c.req.valid('param').slug, c.req.raw);
    if (!blog) return notFoundPage(c, trusted(c));
    const { before } = c.req.valid('query');
    const page = await deps.store.listPosts(blog.id, { limit: PAGE_SIZE, ...(before ? { before } : {}) });
    const root = base(c);
    const pageUrl = `${root}/live/${encodeURIComponent(blog.slug)}`;
    const feedUrl = `${pageUrl}/feed.atom`;
    const hub = hubOf(deps, root);
    const oembedUrl = `${root}/oembed?url=${encodeURIComponent(pageUrl)}&format=json`;
    const olderHref = page.nextCursor
      ? `/live/${encodeURIComponent(blog.slug)}?before=${encodeURIComponent(page.nextCursor)}`
      : null;
    const description = blog.description || blog.summary.bullets.map((b) => b.text).join(' ');
    const head = [
      `<meta name="description" content="${esc(description.slice(0, 300))}">`,
      `<link rel="canonical" href="${esc(pageUrl)}">`,
      `<link rel="alternate" type="application/atom+xml" title="${esc(blog.title)}" href="${esc(feedUrl)}">`,
      `<link rel="alternate" type="application/feed+json" title="${esc(blog.title)}" href="${esc(`${pageUrl}/feed.json`)}">`,
      `<link rel="alternate" type="application/json+oembed" title="${esc(blog.title)}" href="${esc(oembedUrl)}">`,
      // The page is a WebSub topic too (older pages, with ?before=, are not).
      `<link rel="hub" href="${esc(hub)}">`,
      ...(before ? [] : [`<link rel="self" href="${esc(pageUrl)}">`]),
      `<meta property="og:type" content="article"><meta property="og:title" content="${esc(blog.title)}">`,
      `<meta property="og:url" content="${esc(pageUrl)}">`,
      `<script type="application/ld+json">${jsonForScript(liveBlogJsonLd(blog, page.posts, pageUrl))}</script>`,
      PAGE_STYLE,
      // The widget upgrades the server-rendered element to a live one; without JS the page still reads.
      '<script async src="/embed.js"></script>',
    ].join('\n');
    const messages = messagesFor(blog.language);
    const body = layout({
      title: blog.title,
      lang: messages.lang,
      dir: messages.dir,
      head,
      body: renderBlogBody(blog, page.posts, { olderHref, keyEvents: page.posts, messages }) + pushButton(blog.id),
    });
    return sendCached(c, body, {
      type: 'text/html; charset=utf-8',
      cacheControl: LIVE_CACHE,
      headers: {
        'content-security-policy': pageCsp("'self'", root),
        'referrer-policy': 'strict-origin-when-cross-origin',
        ...(before ? {} : { link: distributionLink(hub, pageUrl) }),
      },
    });
  });

  app.openapi(routes.embedPage, async (c) => {
    const blog = await publicBlog(deps, c.req.valid('param').slug, c.req.raw);
    if (!blog) return notFoundPage(c, trusted(c));
    // Empty allowedOrigins: any site may frame the widget.
    const ancestors = blog.allowedOrigins.length ? blog.allowedOrigins.join(' ') : '*';
    const messages = messagesFor(blog.language);
    const body = layout({
      title: blog.title,
      lang: messages.lang,
      dir: messages.dir,
      head: '<style>html,body{margin:0;background:transparent}</style>\n<script async src="/embed.js"></script>',
      body: `<div data-liveblog="${esc(blog.slug)}" data-liveblog-frame${frameView(c.req.valid('query'))}></div>`,
    });
    return sendCached(c, body, {
      type: 'text/html; charset=utf-8',
      cacheControl: LIVE_CACHE,
      headers: {
        'content-security-policy': pageCsp(ancestors, trusted(c)),
        'referrer-policy': 'strict-origin-when-cross-origin',
      },
    });
  });
}
