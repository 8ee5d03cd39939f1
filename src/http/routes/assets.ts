import { notFound } from '../../domain/index.js';
import * as routes from '../contract/pages.js';
import { newRouter } from '../openapi.js';
import { createAssetServer } from '../pages/assets.js';

/** The widget script and the client bundles; a missing one is the JSON 404. */
export function assetRoutes() {
  const app = newRouter();
  const serveAsset = createAssetServer();

  // The widget script partners paste: a stable URL, so a short cache and an ETag.
  app.openapi(routes.embedScript, async (c) => {
    const res = await serveAsset(c, 'embed.js', { cacheControl: 'public, max-age=300', cors: true });
    if (!res) throw notFound('widget bundle (run npm run build:client)');
    return res;
  });

  app.openapi(routes.asset, async (c) => {
    const res = await serveAsset(c, c.req.valid('param').name, { cacheControl: 'public, max-age=300', cors: true });
    if (!res) throw notFound('asset');
    return res;
  });

  return app;
}
