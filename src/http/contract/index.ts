import type { RouteConfig, RouteConfigToTypedResponse, RouteHandler } from '@hono/zod-openapi';
import type { Hono } from 'hono';
import type { Handler, ToSchema } from 'hono/types';
import * as blogs from './blogs.js';
import * as changes from './changes.js';
import * as members from './members.js';
import * as ops from './ops.js';
import * as pages from './pages.js';
import * as posts from './posts.js';
import * as users from './users.js';

/**
 * Every HTTP route of the server, declared once. The server implements each with
 * `app.openapi(route, handler)` (src/http/routes, src/http/pages), the OpenAPI document is
 * generated from these declarations, and the typed client (`ApiClient`, client/api.ts) is
 * derived from their types.
 */
export const ROUTES = { ...ops, ...users, ...blogs, ...members, ...posts, ...changes, ...pages };
export type Routes = typeof ROUTES;

type InputOf<R extends RouteConfig> = RouteHandler<R> extends Handler<never, never, infer I, never> ? I : never;
type ToHonoPath<P extends string> = P extends `${infer A}{${infer Param}}${infer B}`
  ? `${A}:${Param}${ToHonoPath<B>}`
  : P;
type RouteSchema<R extends RouteConfig> = ToSchema<
  R['method'],
  ToHonoPath<R['path']>,
  InputOf<R>,
  RouteConfigToTypedResponse<R>
>;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** The Hono schema of the whole surface, for `hc<ApiApp>()`. */
export type ApiSchema = UnionToIntersection<{ [K in keyof Routes]: RouteSchema<Routes[K]> }[keyof Routes]>;
// biome-ignore lint/complexity/noBannedTypes: Hono's own default for "no variables".
export type ApiApp = Hono<{}, ApiSchema, '/'>;
