import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Deps, EventStreams } from '../../deps.js';
import { DomainError, ErrorBody, EventsQuery, LastEventId, resumeSeq } from '../../domain/index.js';
import { BlogRef, loadBlog } from '../access.js';
import type { HttpEnv } from '../context.js';
import { validationError } from '../errors.js';
import { clientIp } from '../middleware/auth.js';

const errors = (description: string) => ({ description, content: { 'application/json': { schema: ErrorBody } } });

export const eventsRoute = createRoute({
  method: 'get',
  path: '/blogs/{blogId}/events',
  summary: 'Server-Sent Events: every reader-visible change, resumable',
  description:
    'Each frame is `id: <seq>`, `event: <type>`, `data: <the event JSON>`. Resumes after `Last-Event-ID` ' +
    '(sent by EventSource on reconnect) or `?since=`; `event: reset` when too far behind (reload posts), ' +
    '`event: ready` when caught up; comment heartbeats.',
  request: {
    params: z.object({ blogId: BlogRef }),
    query: EventsQuery,
    headers: z.object({ 'last-event-id': z.string().optional() }),
  },
  responses: {
    200: { description: 'the event stream', content: { 'text/event-stream': { schema: z.string() } } },
    400: errors('bad since or Last-Event-ID'),
    401: errors('a token was sent and is not valid'),
    404: errors('no such blog (or a draft the caller may not read)'),
    429: errors('too many streams from this address'),
    503: errors('shutting down; retry on another node'),
  },
});

/** GET /api/v1/blogs/:blogId/events, served by the reader hub's streams. */
export function eventRoutes(deps: Deps, streams: EventStreams): OpenAPIHono<HttpEnv> {
  const app = new OpenAPIHono<HttpEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, [result.target]);
    },
  });

  app.openapi(eventsRoute, async (c) => {
    const { since } = c.req.valid('query');
    const header = c.req.header('last-event-id')?.trim();
    let lastEventId: number | undefined;
    if (header) {
      const parsed = LastEventId.safeParse(header);
      if (!parsed.success) throw validationError(parsed.error, ['headers', 'last-event-id']);
      lastEventId = parsed.data;
    }
    const blog = await loadBlog(deps, c);
    const p = c.get('principal');
    const member = p ? p.kind === 'admin' || (await deps.auth.roleFor(p, blog.id)) !== null : false;
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
