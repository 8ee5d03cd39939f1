import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { ErrorBody } from '../domain/index.js';
import type { HttpEnv } from './context.js';
import { ROUTES, type RouteDoc } from './route-docs.js';
import { PostListQuery } from './routes/posts.js';

export { ROUTES, type RouteDoc };

type JsonSchema = Record<string, unknown>;

export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const errorRef = { $ref: '#/components/schemas/Error' };

function errorResponses(r: RouteDoc): Record<string, unknown> {
  const out: Record<string, { description: string }> = {};
  if (r.body || r.query || r.params) out['400'] = { description: 'validation_failed or bad_request (names the field)' };
  if (r.auth !== 'none') out['401'] = { description: 'missing or invalid bearer token' };
  if (r.auth === 'user' || r.auth === 'admin' || r.query === PostListQuery)
    out['403'] = { description: 'your role may not do this' };
  if (r.params) out['404'] = { description: 'no such blog, post, user or member' };
  if (r.method === 'post' || r.method === 'patch' || r.method === 'put') {
    out['409'] = { description: 'conflict (e.g. slug taken)' };
    out['413'] = { description: 'body larger than MAX_BODY_BYTES' };
  }
  if (r.auth !== 'none') out['429'] = { description: 'rate limited; see Retry-After' };
  out['500'] = { description: 'internal error (quote the requestId)' };
  return Object.fromEntries(
    Object.entries(out).map(([k, v]) => [k, { ...v, content: { 'application/json': { schema: errorRef } } }]),
  );
}

function parameters(r: RouteDoc): unknown[] {
  const out: unknown[] = [];
  for (const [name, schema] of Object.entries(r.params ?? {})) {
    out.push({ name, in: 'path', required: true, schema: jsonSchema(schema, 'input') });
  }
  for (const [name, schema] of Object.entries(r.query?.shape ?? {})) {
    const s = schema as z.ZodType;
    out.push({ name, in: 'query', required: !s.safeParse(undefined).success, schema: jsonSchema(s, 'input') });
  }
  return out;
}

export const openApiPath = (honoPath: string) => honoPath.replace(/:(\w+)/g, '{$1}');

/** Builds the OpenAPI 3.1 document (JSON Schema 2020-12 bodies, as zod emits them). */
type Paths = Record<string, Record<string, unknown>>;

/** The paths of sub-apps declared with @hono/zod-openapi, each under its mount prefix. */
export function mergeDeclaredPaths(apps: { app: OpenAPIHono<HttpEnv>; prefix: string }[]): Paths {
  const out: Paths = {};
  for (const { app, prefix } of apps) {
    const doc = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 'part', version: '1' } });
    for (const [path, ops] of Object.entries(doc.paths ?? {})) {
      out[`${prefix}${path}`] = { ...(out[`${prefix}${path}`] ?? {}), ...(ops as Record<string, unknown>) };
    }
  }
  return out;
}

export function buildOpenApi(
  info: { publicUrl: string; version?: string },
  declared: Paths = {},
): Record<string, unknown> {
  const paths: Paths = structuredClone(declared);
  for (const r of ROUTES) {
    const ok: Record<string, unknown> = { description: r.ok.description };
    if (r.ok.schema) ok.content = { 'application/json': { schema: jsonSchema(r.ok.schema, 'output') } };
    else if (r.ok.text) ok.content = { [r.ok.text]: { schema: { type: 'string' } } };
    const op: Record<string, unknown> = {
      tags: [r.tag],
      summary: r.summary,
      operationId: `${r.method}${r.path.replace(/[^A-Za-z0-9]+(\w)?/g, (_m, ch: string | undefined) => (ch ?? '').toUpperCase())}`,
      parameters: parameters(r),
      responses: { [String(r.ok.status)]: ok, ...errorResponses(r) },
    };
    if (r.auth === 'user' || r.auth === 'admin') op.security = [{ bearer: [] }];
    if (r.auth === 'optional') op.security = [{}, { bearer: [] }];
    if (r.body) {
      op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } };
    }
    const key = openApiPath(r.path);
    paths[key] ??= {};
    paths[key][r.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Liveblog API',
      version: info.version ?? '1',
      description:
        'Real-time liveblog backend. Writes need `Authorization: Bearer <token>`. Reader push is Socket.IO at /socket.io; ' +
        'the collaborative summary is y-websocket at /collab/:blogId.',
    },
    servers: [{ url: info.publicUrl }],
    tags: [...new Set([...ROUTES.map((r) => r.tag), 'identity'])].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: jsonSchema(ErrorBody, 'output') },
    },
  };
}
