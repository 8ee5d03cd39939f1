import type { Context } from 'hono';
import type { Deps } from '../../deps.js';
import { notFound } from '../../domain/index.js';
import { serveMedia } from '../../media/serve.js';
import type { HttpEnv } from '../context.js';
import * as routes from '../contract/media.js';
import { newRouter } from '../openapi.js';

/**
 * `GET|HEAD /media/{key}`: the encoded variants, by content address. Public (they are what
 * published posts show), cacheable forever, never sniffed (see media/serve.ts). A key that
 * is malformed or absent is a JSON 404 like any other.
 */
export function mediaFileRoutes(deps: Deps) {
  const app = newRouter();
  const answer = async (c: Context<HttpEnv>, key: string): Promise<Response> => {
    const res = await serveMedia(deps.media.storage, key, {
      method: c.req.method === 'HEAD' ? 'HEAD' : 'GET',
      headers: {
        range: c.req.header('range'),
        ifNoneMatch: c.req.header('if-none-match'),
        ifRange: c.req.header('if-range'),
      },
    });
    if (!res) throw notFound('media object');
    // Readers' pages on partner origins may fetch these (canvas, service workers).
    res.headers.set('Access-Control-Allow-Origin', '*');
    return res;
  };
  // The answer is a stream with its own headers, outside what c.json types: hence the cast.
  app.openapi(routes.getMediaFile, (c) => answer(c, c.req.valid('param').key) as never);
  app.openapi(routes.headMediaFile, (c) => answer(c, c.req.valid('param').key) as never);
  return app;
}
