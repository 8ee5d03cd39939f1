import { Hono } from 'hono';
import type { Deps } from '../../deps.js';
import { DomainError } from '../../domain/index.js';
import { createAssetServer } from './assets.js';
import { baseUrl, esc, layout, pageCsp, sendCached, trustedBase, UntrustedHost } from './html.js';
import { registerLiveRoutes } from './live.js';
import { OEmbedQuery, oembedResponse, slugFromUrl } from './oembed.js';

/**
 * Server-rendered pages and browser assets, outside /api: the public page, its Atom feed,
 * the iframe embed, oEmbed, the editor shell and the bundles. Reads through deps.store only.
 * Mounted at the root of the HTTP app after the /api routes.
 */
export function createPagesApp(deps: Deps): Hono {
  const app = new Hono();
  const serveAsset = createAssetServer();
  const base = (c: Parameters<typeof baseUrl>[0]) => baseUrl(c, deps.config.PUBLIC_URL);

  // The widget script partners paste: a stable URL, so a short cache and an ETag.
  app.get('/embed.js', async (c) => {
    const res = await serveAsset(c, 'embed.js', { cacheControl: 'public, max-age=300', cors: true });
    return res ?? c.text('widget bundle not built (run npm run build:client)', 404);
  });
  app.get('/assets/:name', async (c) => {
    const res = await serveAsset(c, c.req.param('name'), { cacheControl: 'public, max-age=300', cors: true });
    return res ?? c.text('not found', 404);
  });

  registerLiveRoutes(app, deps, base, (c) => trustedBase(c, deps.config.PUBLIC_URL));

  app.get('/oembed', async (c) => {
    const parsed = OEmbedQuery.safeParse(c.req.query());
    if (!parsed.success) {
      const details = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      return c.json({ error: { code: 'validation_failed', message: 'invalid oEmbed query', details } }, 400);
    }
    const q = parsed.data;
    if (q.format !== undefined && q.format !== 'json') {
      return c.json(
        { error: { code: 'bad_request', message: `format '${q.format}' is not supported; use json` } },
        501,
      );
    }
    const root = base(c);
    let slug: string | null;
    try {
      slug = slugFromUrl(q.url, root);
    } catch {
      return c.json({ error: { code: 'validation_failed', message: 'url must be an absolute http(s) URL' } }, 400);
    }
    const blog = slug ? await deps.store.getBlog(slug) : null;
    if (!blog || blog.status === 'draft') {
      return c.json({ error: { code: 'not_found', message: 'no public liveblog at that URL' } }, 404);
    }
    c.header('access-control-allow-origin', '*');
    c.header('cache-control', 'public, max-age=300');
    return c.json(oembedResponse(blog, root, q));
  });

  app.get('/editor', (c) => {
    const body = layout({
      title: 'Liveblog editor',
      head: '<script defer src="/assets/editor.js"></script>',
      body: '<div id="lb-editor-app"><noscript>The editor needs JavaScript.</noscript></div>',
    });
    return sendCached(c, body, {
      type: 'text/html; charset=utf-8',
      cacheControl: 'no-cache',
      headers: {
        'content-security-policy': pageCsp("'none'", trustedBase(c, deps.config.PUBLIC_URL)),
        'referrer-policy': 'same-origin',
      },
    });
  });

  app.onError((err, c) => {
    if (err instanceof UntrustedHost) {
      c.header('Cache-Control', 'no-store');
      if (c.req.path === '/oembed') {
        return c.json({ error: { code: 'bad_request', message: err.message } }, 421);
      }
      return c.html(layout({ title: 'Misdirected request', body: `<p>${esc(err.message)}</p>` }), 421);
    }
    if (err instanceof DomainError && (err.code === 'validation_failed' || err.code === 'bad_request')) {
      return c.html(layout({ title: 'Bad request', body: `<p>${esc(err.message)}</p>` }), 400);
    }
    if (err instanceof DomainError && err.code === 'unavailable') {
      c.header('Retry-After', '5');
      return c.html(layout({ title: 'Unavailable', body: '<p>Temporarily unavailable. Please try again.</p>' }), 503);
    }
    deps.log.error({ err }, 'page failed');
    return c.html(layout({ title: 'Error', body: '<p>Something went wrong. Please try again.</p>' }), 500);
  });

  return app;
}
