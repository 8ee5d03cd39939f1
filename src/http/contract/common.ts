import { z } from '@hono/zod-openapi';
import { BlogRef, ErrorBody, Id } from '../../domain/index.js';

/**
 * Building blocks of the route declarations. These modules import only zod, @hono/zod-openapi
 * and src/domain, so client code can import their TYPES (the typed client is derived from
 * them) without pulling the server in.
 */

/** The one error body every JSON error answer carries (components/schemas/Error). */
export const ErrorSchema = ErrorBody.meta({ id: 'Error' });

const jsonError = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorSchema } },
});

/** Every error status a JSON route can answer, each with the shared error body. */
const ERRORS = {
  400: jsonError('validation_failed or bad_request; message and details name the field'),
  401: jsonError('missing, malformed or unknown bearer token (WWW-Authenticate: Bearer)'),
  403: jsonError('your role on this blog may not do this'),
  404: jsonError('no such blog, post, user, member or route'),
  409: jsonError('conflict: slug taken, last owner, or a concurrent change'),
  413: jsonError(
    'body larger than MAX_BODY_BYTES (Connection: close), or a post whose event passes MAX_EVENT_BYTES; for uploads: file, pixel count or quota too large',
  ),
  415: jsonError('the upload is not an accepted image type (JPEG, PNG, WebP, AVIF, GIF), judged by its bytes'),
  421: jsonError('misdirected: no PUBLIC_URL is configured and the request named a host other than localhost'),
  429: jsonError('rate limited; see Retry-After'),
  500: jsonError('internal error; quote the requestId'),
  501: jsonError('not implemented (for example an oEmbed format other than json)'),
  503: jsonError('temporarily unavailable (store unreachable or shutting down); see Retry-After'),
} as const;
type ErrorStatus = keyof typeof ERRORS;

/** The named error responses, for a route's `responses`. */
export function errors<const S extends ErrorStatus>(...statuses: S[]): Pick<typeof ERRORS, S> {
  return Object.fromEntries(statuses.map((s) => [s, ERRORS[s]])) as Pick<typeof ERRORS, S>;
}

/**
 * What middleware can answer on any /api route: 401 for a bad token (even on public
 * routes), 413 for a body past MAX_BODY_BYTES (whatever the method), 429 from the
 * auth-failure and write budgets, 500 and 503.
 */
export const apiErrors = () => errors(401, 413, 429, 500, 503);

/** Public GETs carry an ETag; a matching If-None-Match answers 304 with no body. */
export const notModified = { 304: { description: 'not modified (If-None-Match matched the ETag)' } } as const;

const header = (description: string) => ({ description, schema: { type: 'string' as const } });

/**
 * What a public read answers with when it comes from the read model (docs/http-routes.md,
 * "Public reads"): a strong ETag per content coding, the coding negotiated from
 * Accept-Encoding (br, gzip or none), and the headers a CDN keys and purges on.
 */
const READ_HEADERS = {
  ETag: header('strong validator of this representation in this coding ("h", "h-gz", "h-br")'),
  'Cache-Control': header(
    'public, max-age=0, s-maxage=READ_S_MAXAGE, stale-while-revalidate=READ_STALE_WHILE_REVALIDATE (private, no-store with a bearer token)',
  ),
  Vary: header('Accept-Encoding (and Authorization on /api routes)'),
  'Content-Encoding': header('br or gzip when the client accepts it and it shrinks the body; absent otherwise'),
  'Cache-Tag': header('blog-<blogId>: purge this tag when the blog changes (absent with a bearer token)'),
  'Surrogate-Key': header('blog-<blogId>, the same tag for CDNs that key on Surrogate-Key'),
};

/** A public read's 200, with the read model's headers declared. */
export const publicRead = <R extends { description: string }>(response: R) => ({ ...response, headers: READ_HEADERS });

/** A WebSub topic's 200 (the page and both feeds): also the Link header discovery reads first. */
export const topicRead = <R extends { description: string }>(response: R) => ({
  ...response,
  headers: {
    ...READ_HEADERS,
    Link: header('<hub URL>; rel="hub", <topic URL>; rel="self" (WebSub discovery; absent on older pages of the page)'),
  },
});

/** A public read's 304: the same validator and cache headers, no body. */
export const readNotModified = {
  304: { description: 'not modified (If-None-Match named the ETag of the negotiated coding)', headers: READ_HEADERS },
} as const;

export const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const jsonBody = <S extends z.ZodType>(schema: S) => ({
  required: true,
  content: { 'application/json': { schema } },
});

/** Operation security: none, a bearer token, or optional (a token shows drafts). */
type Security = { [scheme: string]: string[] }[];
export const PUBLIC: Security = [];
export const BEARER: Security = [{ bearer: [] }];
export const OPTIONAL_BEARER: Security = [{}, { bearer: [] }];

// (Schemas from src/domain are described with zod's own .describe(): they are built before
// @hono/zod-openapi adds .openapi() to zod, so they do not have it.)
export const BlogParams = z.object({ blogId: BlogRef.describe('the blog id or slug') });
export const PostParams = BlogParams.extend({ postId: Id.describe('the post id') });
export const MemberParams = BlogParams.extend({ userId: Id.describe('the user id') });
export const MediaParams = BlogParams.extend({ mediaId: Id.describe('the media item id') });
