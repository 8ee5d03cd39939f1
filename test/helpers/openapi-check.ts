import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';

/**
 * Checks HTTP answers against the server's own OpenAPI document: the status must be declared
 * for the operation, the content type must be one the declaration lists, and a JSON body must
 * match its schema. A path no operation declares must be the JSON 404 error body.
 * `checkResponse` is pure (unit-tested with planted mismatches); `installResponseCheck`
 * applies it to every response the test process's fetch receives from our servers.
 */

type Json = Record<string, unknown>;
interface MediaType {
  schema?: Json;
}
interface ResponseDoc {
  content?: Record<string, MediaType>;
}
interface Operation {
  responses: Record<string, ResponseDoc>;
}
export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components?: Json;
}

export interface SeenResponse {
  method: string;
  /** Path as sent (no query), e.g. /api/v1/blogs/abc */
  path: string;
  status: number;
  contentType: string | null;
  /** The body text; null when it was not read (non-JSON bodies are not compared). */
  body: string | null;
}

/** Paths served outside Hono (Socket.IO, collab WebSocket): not part of the document. */
const OUTSIDE = [/^\/socket\.io(\/|$)/, /^\/collab(\/|$)/];
const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch']);

interface CompiledPath {
  template: string;
  regex: RegExp;
  literals: number;
}

export class ResponseChecker {
  private readonly ajv: Ajv2020;
  private readonly paths: CompiledPath[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly doc: OpenApiDoc) {
    this.ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
    // ajv-formats is CommonJS: its plugin is the default export's `default`.
    formats.default(this.ajv);
    // The whole document under one id: response schemas are addressed by JSON pointer into
    // it, and their `#/components/...` refs resolve inside it.
    this.ajv.addSchema({ $id: 'openapi', ...doc } as Json, undefined, undefined, false);
    this.paths = Object.keys(doc.paths)
      .map((template) => {
        const parts = template.split('/');
        const pattern = parts
          .map((p) => (/^\{\w+\}$/.test(p) ? '[^/]+' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
          .join('/');
        return {
          template,
          regex: new RegExp(`^${pattern}$`),
          literals: parts.filter((p) => !p.startsWith('{')).length,
        };
      })
      // The most specific template wins (/live/{slug}/feed.atom before anything looser).
      .sort((a, b) => b.literals - a.literals);
  }

  /** The problems with this answer, empty when it is what the document declares. */
  check(res: SeenResponse): string[] {
    const method = res.method.toLowerCase() === 'head' ? 'get' : res.method.toLowerCase();
    if (!METHODS.has(method) || OUTSIDE.some((r) => r.test(res.path))) return [];
    const where = `${res.method} ${res.path} → ${res.status}`;
    const template = this.paths.find((p) => p.regex.test(res.path))?.template;
    const op = template ? this.doc.paths[template]?.[method] : undefined;
    if (!template || !op) {
      // Not a declared operation: only the JSON 404 of the error body is a legitimate answer.
      if (res.status !== 404) return [`${where}: undeclared operation answered ${res.status}, not 404`];
      return this.checkBody(where, res, 'openapi#/components/schemas/Error', 'undeclared operation 404');
    }
    const declared =
      op.responses[String(res.status)] ?? op.responses[`${String(res.status)[0]}XX`] ?? op.responses.default;
    if (!declared) return [`${where}: status ${res.status} is not declared for ${method.toUpperCase()} ${template}`];
    const types = Object.keys(declared.content ?? {});
    const essence = res.contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
    if (types.length === 0) {
      if (res.body) return [`${where}: declared without a body, but one was sent (${essence || 'no type'})`];
      return [];
    }
    if (res.method.toUpperCase() === 'HEAD') return [];
    const type = types.find((t) => t.toLowerCase() === essence);
    if (!type) return [`${where}: content type '${essence || 'none'}' is not declared (declared: ${types.join(', ')})`];
    if (!/json$/.test(type) || res.body === null) return [];
    const pointer = ['paths', template, method, 'responses', String(res.status), 'content', type, 'schema']
      .map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1'))
      .join('/');
    return this.checkBody(where, res, `openapi#/${pointer}`, `${method.toUpperCase()} ${template}`);
  }

  private checkBody(where: string, res: SeenResponse, ref: string, what: string): string[] {
    if (!/json/i.test(res.contentType ?? '')) return [`${where}: ${what} must be JSON, was '${res.contentType}'`];
    let value: unknown;
    try {
      value = JSON.parse(res.body ?? '');
    } catch {
      return [`${where}: ${what}: the body is not JSON`];
    }
    const validate = this.validator(ref);
    if (validate(value)) return [];
    const issues = (validate.errors ?? [])
      .slice(0, 3)
      .map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`)
      .join('; ');
    return [`${where}: body does not match the schema of ${what}: ${issues}`];
  }

  private validator(ref: string): ValidateFunction {
    let v = this.validators.get(ref);
    if (!v) {
      v = this.ajv.compile({ $ref: ref });
      this.validators.set(ref, v);
    }
    return v;
  }
}

/** Shorthand for a one-off check (the unit test). */
export function checkResponse(doc: OpenApiDoc, res: SeenResponse): string[] {
  return new ResponseChecker(doc).check(res);
}
