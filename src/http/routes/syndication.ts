import type { Deps } from '../../deps.js';
import { messagesFor } from '../../domain/i18n/index.js';
import { DomainError, distributionLink, notFound } from '../../domain/index.js';
import * as outward from '../contract/outward.js';
import * as routes from '../contract/pages.js';
import { newRouter } from '../openapi.js';
import { baseUrl, sendCached } from '../pages/html.js';
import { jsonFeed } from '../pages/json-feed.js';
import { hubOf, publicBlog } from '../pages/live.js';
import { oembedResponse, slugFromUrl } from '../pages/oembed.js';
import { renderPost } from '../pages/render.js';
import { atomFeed } from '../pages/structured.js';

const FEED_SIZE = 50;

/** The Atom feed and oEmbed: machine-read, so their errors are the JSON error body. */
export function syndicationRoutes(deps: Deps) {
  const app = newRouter();
  const base = (c: Parameters<typeof baseUrl>[0]) => baseUrl(c, deps.config.PUBLIC_URL);

  app.openapi(routes.atomFeed, async (c) => {
    const blog = await publicBlog(deps, c.req.valid('param').slug, c.req.raw);
    if (!blog) throw notFound('liveblog');
    const page = await deps.store.listPosts(blog.id, { limit: FEED_SIZE });
    const pageUrl = `${base(c)}/live/${encodeURIComponent(blog.slug)}`;
    const messages = messagesFor(blog.language);
    const urls = { page: pageUrl, feed: `${pageUrl}/feed.atom`, hub: hubOf(deps, base(c)) };
    const xml = atomFeed(blog, page.posts, urls, (p) => renderPost(p, messages));
    return sendCached(c, xml, {
      type: 'application/atom+xml; charset=utf-8',
      cacheControl: 'public, max-age=30',
      headers: { 'access-control-allow-origin': '*', link: distributionLink(urls.hub, urls.feed) },
    });
  });

  app.openapi(outward.jsonFeed, async (c) => {
    const blog = await publicBlog(deps, c.req.valid('param').slug, c.req.raw);
    if (!blog) throw notFound('liveblog');
    const page = await deps.store.listPosts(blog.id, { limit: FEED_SIZE });
    const pageUrl = `${base(c)}/live/${encodeURIComponent(blog.slug)}`;
    const messages = messagesFor(blog.language);
    const hub = hubOf(deps, base(c));
    const urls = { page: pageUrl, feed: `${pageUrl}/feed.json`, hubs: [hub] };
    const feed = jsonFeed(blog, page.posts, urls, (p) => renderPost(p, messages));
    return sendCached(c, JSON.stringify(feed), {
      type: 'application/feed+json; charset=utf-8',
      cacheControl: 'public, max-age=30',
      headers: { 'access-control-allow-origin': '*', link: distributionLink(hub, urls.feed) },
    });
  });

  app.openapi(routes.oembed, async (c) => {
    const q = c.req.valid('query');
    if (q.format !== undefined && q.format !== 'json') {
      throw new DomainError('not_implemented', `format '${q.format}' is not supported; use json`);
    }
    // Before the URL check: an untrusted Host is a 421 whatever the url says.
    const root = base(c);
    let slug: string | null;
    try {
      slug = slugFromUrl(q.url, root);
    } catch {
      throw new DomainError('validation_failed', 'query.url: must be an absolute http(s) URL', [
        { path: 'query.url', message: 'must be an absolute http(s) URL' },
      ]);
    }
    const blog = slug ? await publicBlog(deps, slug, c.req.raw) : null;
    if (!blog) throw new DomainError('not_found', 'no public liveblog at that URL');
    c.header('access-control-allow-origin', '*');
    c.header('cache-control', 'public, max-age=300');
    return c.json(oembedResponse(blog, root, q), 200);
  });

  return app;
}
