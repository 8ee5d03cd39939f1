import type { z } from 'zod';
import { DomainError } from '../domain/index.js';
import type { HttpContext } from './context.js';
import { validationError } from './errors.js';

const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/**
 * Reads and validates a JSON body. Wrong content type, malformed JSON and schema failures
 * are all 400s raised before anything is written.
 */
export async function readJson<S extends z.ZodType>(c: HttpContext, schema: S): Promise<z.output<S>> {
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
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
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
