import { type ClientResponse, hc, type InferRequestType } from 'hono/client';
import type { ErrorBody } from '../../src/domain/index.js';
import type { ApiApp } from '../../src/http/contract/index.js';

/**
 * The one typed HTTP client of the server, derived from the route declarations in
 * src/http/contract (types only: nothing of the server is bundled). Paths, params, query
 * strings, bodies and answers are checked by the compiler, e.g.
 * `api.api.v1.blogs[':blogId'].posts.$get({ param: { blogId }, query: { limit: '20' } })`.
 * Used by the reader client, the editor, the test helpers and the benchmarks.
 */
export type ApiClient = ReturnType<typeof hc<ApiApp>>;

export interface ApiClientOptions {
  /** Bearer token sent with every request. */
  token?: string;
  fetch?: typeof fetch;
  /** Extra headers for every request. */
  headers?: Record<string, string>;
  /** RequestInit defaults for every request (e.g. `cache: 'no-store'`). */
  init?: RequestInit;
}

export function createApiClient(baseUrl: string, opts: ApiClientOptions = {}): ApiClient {
  return hc<ApiApp>(baseUrl.replace(/\/+$/, ''), {
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    ...(opts.init ? { init: opts.init } : {}),
    headers: { ...opts.headers, ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
  });
}

type V1 = ApiClient['api']['v1'];
type Blogs = V1['blogs'];
/** Request bodies as the declarations accept them (zod input types: defaults optional). */
export type UserCreate = InferRequestType<V1['users']['$post']>['json'];
export type BlogCreate = InferRequestType<Blogs['$post']>['json'];
export type BlogPatch = InferRequestType<Blogs[':blogId']['$patch']>['json'];
export type PostCreate = InferRequestType<Blogs[':blogId']['posts']['$post']>['json'];
export type PostPatch = InferRequestType<Blogs[':blogId']['posts'][':postId']['$patch']>['json'];
export type PostListQuery = InferRequestType<Blogs[':blogId']['posts']['$get']>['query'];

/** A non-2xx answer: its status, its body (the contract's error body when JSON) and headers. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Headers,
  ) {
    super(describe(status, body));
    this.name = 'ApiError';
  }

  /** The error code from the contract's error body, if any. */
  get code(): string | undefined {
    return (this.body as Partial<ErrorBody> | null)?.error?.code;
  }
}

function describe(status: number, body: unknown): string {
  const err = (body as Partial<ErrorBody> | null)?.error;
  if (!err?.message) return `HTTP ${status}`;
  const details = Array.isArray(err.details)
    ? ` (${(err.details as { path?: string; message?: string }[]).map((d) => `${d.path}: ${d.message}`).join('; ')})`
    : '';
  return `HTTP ${status}: ${err.message}${details}`;
}

type AnyResponse = ClientResponse<unknown, number, string>;
type SuccessStatus = 200 | 201 | 202 | 204;
/** The body type of the declared 2xx answers of a call (undefined for 204). */
export type Success<R> =
  R extends ClientResponse<infer T, infer S, string>
    ? S extends SuccessStatus
      ? S extends 204
        ? undefined
        : T
      : never
    : never;

/** Awaits a call: the parsed body of a 2xx answer, or throws ApiError with the status and body. */
export async function ok<R extends AnyResponse>(pending: Promise<R> | R): Promise<Success<R>> {
  const res = await pending;
  const text = await res.text();
  let body: unknown = null;
  if (text && /json/i.test(res.headers.get('content-type') ?? '')) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!res.ok) throw new ApiError(res.status, body, res.headers);
  return (res.status === 204 ? undefined : body) as Success<R>;
}
