import type { OpenAPIHono, RouteConfig } from '@hono/zod-openapi';
import type { Env, Hono } from 'hono';
import * as audience from './audience.js';
import * as blogs from './blogs.js';
import * as changes from './changes.js';
import * as identity from './identity.js';
import * as media from './media.js';
import * as members from './members.js';
import * as ops from './ops.js';
import * as outward from './outward.js';
import * as pages from './pages.js';
import * as participation from './participation.js';
import * as posts from './posts.js';
import * as questions from './questions.js';
import * as subscriptions from './subscriptions.js';
import * as users from './users.js';
import * as workflow from './workflow.js';

/**
 * Every HTTP route of the server, declared once. The server implements each with
 * `app.openapi(route, handler)` (src/http/routes, src/http/pages), the OpenAPI document is
 * generated from these declarations, and the typed client (`ApiClient`, client/api.ts) is
 * derived from their types.
 */
export const ROUTES = {
  ...ops,
  ...users,
  ...identity,
  ...blogs,
  ...members,
  ...media,
  ...posts,
  ...workflow.routes,
  ...changes,
  ...audience,
  ...questions,
  ...participation,
  ...pages,
  ...outward,
  ...subscriptions,
};
export type Routes = typeof ROUTES;

// The schema `app.openapi(route, …)` adds to a router, computed from the declaration alone
// (an instantiation expression on a declared, never-created router: types only).
declare const router: OpenAPIHono;
type RouteSchema<R extends RouteConfig> =
  ReturnType<typeof router.openapi<R>> extends OpenAPIHono<Env, infer S, '/'> ? S : never;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** The Hono schema of the whole surface, for `hc<ApiApp>()`. */
export type ApiSchema = UnionToIntersection<{ [K in keyof Routes]: RouteSchema<Routes[K]> }[keyof Routes]>;
// biome-ignore lint/complexity/noBannedTypes: Hono's own default for "no variables".
export type ApiApp = Hono<{}, ApiSchema, '/'>;
