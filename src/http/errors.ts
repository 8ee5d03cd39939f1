import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { DomainError, type ErrorBody, type ErrorCode } from '../domain/index.js';
import type { Logger } from '../lib/logger.js';
import type { HttpEnv } from './context.js';

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  bad_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  not_implemented: 501,
  misdirected: 421,
  internal: 500,
};

/** Retry-After sent with every 503 'unavailable' answer (JSON and HTML alike). */
export const UNAVAILABLE_RETRY_SECONDS = 5;

export function statusFor(code: ErrorCode): ContentfulStatusCode {
  return STATUS[code];
}

export interface FieldIssue {
  path: string;
  message: string;
}

/** A zod failure as the contract's validation error, naming every failing field. */
export function validationError(err: z.ZodError, prefix: string[] = []): DomainError {
  const pathOf = (segments: PropertyKey[]) => [...prefix, ...segments.map(String)].join('.') || '(root)';
  const details: FieldIssue[] = err.issues.flatMap((i) =>
    // Strict objects report unknown keys on the parent: name each key instead, so the
    // client sees which field it should not have sent.
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ path: pathOf([...i.path, k]), message: 'unknown field' }))
      : [{ path: pathOf(i.path), message: i.message }],
  );
  const message = details.map((d) => `${d.path}: ${d.message}`).join('; ');
  return new DomainError('validation_failed', message, details);
}

/** Retry-After seconds carried by a rate_limited error, if any. */
function retryAfterOf(err: DomainError): number | null {
  const d = err.details as { retryAfterSeconds?: unknown } | undefined;
  return typeof d?.retryAfterSeconds === 'number' ? d.retryAfterSeconds : null;
}

export function errorResponse(c: Context<HttpEnv>, err: DomainError): Response {
  const requestId = c.get('requestId');
  const body: ErrorBody = { error: { code: err.code, message: err.message, requestId } };
  // An internal error's details are for the log, never for the client.
  if (err.details !== undefined && err.code !== 'internal') body.error.details = err.details;
  if (err.code === 'unauthorized') c.header('WWW-Authenticate', 'Bearer');
  const retryAfter = err.code === 'rate_limited' ? retryAfterOf(err) : null;
  if (retryAfter !== null) c.header('Retry-After', String(retryAfter));
  // The store is busy or unreachable: worth a retry soon, as the pages say too.
  if (err.code === 'unavailable') c.header('Retry-After', String(UNAVAILABLE_RETRY_SECONDS));
  c.header('Cache-Control', 'no-store');
  return c.json(body, statusFor(err.code));
}

/**
 * The one error handler: domain errors keep their code, zod failures become
 * validation_failed, Hono's own exceptions keep their status, anything else is a 500 whose
 * details stay in the log (with the request id the client was given).
 */
export function onHttpError(baseLog: Logger) {
  return (err: Error, c: Context<HttpEnv>): Response => {
    if (err instanceof DomainError) return errorResponse(c, err);
    if (err instanceof z.ZodError) return errorResponse(c, validationError(err));
    if (err instanceof HTTPException) {
      const status = err.status;
      const code: ErrorCode =
        status === 413
          ? 'payload_too_large'
          : status === 401
            ? 'unauthorized'
            : status === 404
              ? 'not_found'
              : status < 500
                ? 'bad_request'
                : 'internal';
      return errorResponse(c, new DomainError(code, err.message || 'request refused'));
    }
    const log = c.get('log') ?? baseLog;
    log.error({ err, requestId: c.get('requestId'), method: c.req.method, path: c.req.path }, 'unhandled error');
    return errorResponse(c, new DomainError('internal', 'internal error; quote the request id when reporting it'));
  };
}

export function onNotFound(c: Context<HttpEnv>): Response {
  return errorResponse(c, new DomainError('not_found', `no route for ${c.req.method} ${c.req.path}`));
}
