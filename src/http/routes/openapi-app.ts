import { OpenAPIHono } from '@hono/zod-openapi';
import { ErrorBody } from '../../domain/index.js';
import type { HttpEnv } from '../context.js';
import { validationError } from '../errors.js';

/**
 * An OpenAPIHono sub-app whose validation failures are the contract's 400 (naming each
 * field), thrown to the one app.onError like every other error.
 */
export function openApiApp(): OpenAPIHono<HttpEnv> {
  return new OpenAPIHono<HttpEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error);
    },
  });
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'validation_failed or bad_request (names the field)',
  401: 'missing or invalid credential',
  403: 'not allowed (role, CSRF or origin check)',
  404: 'not found',
  409: 'conflict',
  413: 'body larger than MAX_BODY_BYTES',
  429: 'rate limited; see Retry-After',
  503: 'a service it depends on is unavailable',
};

/** The error responses a route can give, all in the project's error body. */
export function errorResponses<const S extends number>(...statuses: S[]) {
  const out = {} as Record<S, { description: string; content: { 'application/json': { schema: typeof ErrorBody } } }>;
  for (const s of statuses) {
    out[s] = { description: DESCRIPTIONS[s] ?? 'error', content: { 'application/json': { schema: ErrorBody } } };
  }
  return out;
}

export const jsonBody = <T>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });
export const jsonResponse = <T>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
