import type { Deps } from '../../deps.js';
import { DomainError } from '../../domain/index.js';
import * as routes from '../contract/pages.js';
import { onHttpError, onNotFound, UNAVAILABLE_RETRY_SECONDS } from '../errors.js';
import { newRouter } from '../openapi.js';
import { assetRoutes } from '../routes/assets.js';
import { syndicationRoutes } from '../routes/syndication.js';
import { baseUrl, esc, layout, pageCsp, sendCached, trustedBase } from './html.js';
import { registerLiveRoutes } from './live.js';

/**
 * Everything outside /api that browsers, feed readers and partner sites fetch: the HTML
 * pages, the Atom feed and oEmbed, the widget and the bundles. Reads through deps.store only.
 * Mounted at the root of the HTTP app; also usable alone (tests request it directly).
 */
export function createPagesApp(deps: Deps) {
  const app = newRouter();
  app.route('/', syndicationRoutes(deps));
  app.route('/', assetRoutes());
  app.route('/', htmlPages(deps));
  // Feeds, oEmbed and assets are machine-read: their errors are the JSON error body, and so
  // is a path no route serves (as in the whole app, when this one is used alone).
  app.onError(onHttpError(deps.log));
  app.notFound(onNotFound);
  return app;
}

/**
 * The public page, the iframe embed and the editor shell: their errors are HTML pages
 * (declared so in src/http/contract/pages.ts).
 */
function htmlPages(deps: Deps) {
  const app = newRouter();
  const base = (c: Parameters<typeof baseUrl>[0]) => baseUrl(c, deps.config.PUBLIC_URL);

  registerLiveRoutes(app, deps, base, (c) => trustedBase(c, deps.config.PUBLIC_URL));

  app.openapi(routes.editorPage, (c) => {
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
    if (err instanceof DomainError && err.code === 'misdirected') {
      c.header('Cache-Control', 'no-store');
      return c.html(layout({ title: 'Misdirected request', body: `<p>${esc(err.message)}</p>` }), 421);
    }
    if (err instanceof DomainError && (err.code === 'validation_failed' || err.code === 'bad_request')) {
      return c.html(layout({ title: 'Bad request', body: `<p>${esc(err.message)}</p>` }), 400);
    }
    if (err instanceof DomainError && err.code === 'unavailable') {
      c.header('Retry-After', String(UNAVAILABLE_RETRY_SECONDS));
      return c.html(layout({ title: 'Unavailable', body: '<p>Temporarily unavailable. Please try again.</p>' }), 503);
    }
    deps.log.error({ err }, 'page failed');
    return c.html(layout({ title: 'Error', body: '<p>Something went wrong. Please try again.</p>' }), 500);
  });

  return app;
}
