import type { Deps, EventStreams } from '../../deps.js';
import { DomainError, LastEventId, resumeSeq } from '../../domain/index.js';
import { blogFromPath, roleOn } from '../access.js';
import * as routes from '../contract/outward.js';
import { validationError } from '../errors.js';
import { clientIp } from '../middleware/auth.js';
import { newRouter } from '../openapi.js';

/** GET /api/v1/blogs/:blogId/events, served by the reader hub's streams (src/realtime/sse.ts). */
export function eventRoutes(deps: Deps, streams: EventStreams | undefined) {
  const app = newRouter();

  app.openapi({ ...routes.streamEvents, middleware: [blogFromPath(deps)] }, async (c) => {
    const blog = c.get('blog');
    const { since } = c.req.valid('query');
    const header = c.req.header('last-event-id')?.trim();
    let lastEventId: number | undefined;
    if (header) {
      const parsed = LastEventId.safeParse(header);
      if (!parsed.success) throw validationError(parsed.error, ['headers', 'last-event-id']);
      lastEventId = parsed.data;
    }
    const p = c.get('principal');
    const member = p ? p.kind === 'admin' || (await roleOn(deps, p, blog.id)) !== null : false;
    // An app built without the reader hub (tests of the HTTP part alone) has no streams.
    if (!streams) throw new DomainError('unavailable', 'event streams are not served here');
    const opened = await streams.open({
      blogId: blog.id,
      since: resumeSeq(lastEventId, since),
      member,
      ip: clientIp(c, deps.config.TRUST_PROXY),
      // @hono/node-server hands the Node response over as env.outgoing.
      drop: () => (c.env as { outgoing?: { destroy(): void } } | undefined)?.outgoing?.destroy(),
    });
    if (!opened.ok) throw new DomainError(opened.code, opened.message);
    return new Response(opened.body, {
      status: 200,
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        // nginx and similar proxies would otherwise buffer the stream.
        'x-accel-buffering': 'no',
      },
    });
  });
  return app;
}
