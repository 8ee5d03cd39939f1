import type { Hook } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { DomainError } from '../domain/index.js';
import type { HttpContext, HttpEnv } from './context.js';
import { validationError } from './errors.js';

/**
 * The JSON media types a body may be sent as: exactly what the declared-body validator of
 * @hono/zod-openapi accepts, so a type this check passes is never refused there with a 415.
 */
const JSON_TYPE = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;

/**
 * Route middleware for every route that declares a JSON body, run before the declared
 * validator: wrong content type and malformed JSON are 400 bad_request; lone surrogates, NUL
 * and nesting past 64 levels are 400 validation_failed naming the field. The body is read
 * once (Hono caches it for the validator).
 */
export function jsonBodyChecks(): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    await readJsonValue(c);
    await next();
  };
}

async function readJsonValue(c: HttpContext): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!JSON_TYPE.test(type)) {
    throw new DomainError('bad_request', 'Content-Type must be application/json');
  }
  const text = await c.req.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DomainError('bad_request', 'the request body is not valid JSON');
  }
  const bad = findMalformedText(value);
  if (bad) {
    const path = bad.join('.') || '(body)';
    throw new DomainError('validation_failed', `${path}: text must be well-formed Unicode without NUL characters`, [
      { path, message: 'lone surrogate or NUL character' },
    ]);
  }
  return value;
}

/** Reads and validates a JSON body outside a declared route (same checks, same errors). */
export async function readJson<S extends z.ZodType>(c: HttpContext, schema: S): Promise<z.output<S>> {
  const parsed = schema.safeParse(await readJsonValue(c));
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}

/** How each validation target is named in error paths: `query.limit`, `params.postId`, `blocks.0`. */
const PREFIX: Record<string, string[]> = { query: ['query'], param: ['params'], header: ['headers'], json: [] };

/**
 * The defaultHook of every router: a failed declared validation becomes the contract's
 * 400 validation_failed naming each field, raised through the one error handler.
 */
export const validationHook: Hook<unknown, HttpEnv, string, undefined> = (result) => {
  if (!result.success) throw validationError(result.error as z.ZodError, PREFIX[result.target] ?? []);
};

// A lone UTF-16 surrogate (valid in a JSON escape, not in Unicode text) or NUL (which
// PostgreSQL text columns refuse): either would be stored mangled or fail deep in the store.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point of this pattern.
const MALFORMED_TEXT = /\p{Cs}|\u0000/u;

/** No legitimate body nests deeper than this; deeper ones are refused before any walk. */
const MAX_DEPTH = 64;

/**
 * The path of the first string (key or value) holding malformed text, or null. Iterative
 * with a depth bound: a hostile body of ten thousand nested arrays must not overflow the stack.
 */
function findMalformedText(root: unknown): (string | number)[] | null {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: root, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      if (MALFORMED_TEXT.test(value)) return path;
    } else if (value && typeof value === 'object') {
      if (path.length >= MAX_DEPTH)
        throw new DomainError('validation_failed', `the request body nests deeper than ${MAX_DEPTH} levels`);
      const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
      // Pushed in reverse so the first offending field (in document order) is found first.
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, v] = entries[i]!;
        if (typeof k === 'string' && MALFORMED_TEXT.test(k)) return [...path, k];
        stack.push({ value: v, path: [...path, k] });
      }
    }
  }
  return null;
}

/** Validates the query string (first value of each key). Field paths are prefixed with `query`. */
export function readQuery<S extends z.ZodType>(c: HttpContext, schema: S): z.output<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw validationError(parsed.error, ['query']);
  return parsed.data;
}

/** Validates one path parameter. */
export function readParam<S extends z.ZodType>(c: HttpContext, name: string, schema: S): z.output<S> {
  const parsed = schema.safeParse(c.req.param(name));
  if (!parsed.success) throw validationError(parsed.error, ['params', name]);
  return parsed.data;
}
