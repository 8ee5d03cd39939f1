import { afterAll, afterEach } from 'vitest';
import { type OpenApiDoc, ResponseChecker } from './openapi-check.js';

/**
 * The test hook that holds every answer our servers give to the test process against their
 * own /openapi.json. test/setup.ts installs it around the global fetch (used by the typed
 * client, test/helpers/api.ts, the reader client and plain fetch calls alike); startServer
 * and spawnServer register their origins. A mismatch fails the test that received it.
 */
type FetchInput = Parameters<typeof fetch>[0];
const origins = new Set<string>();
const checkers = new Map<string, Promise<ResponseChecker | null>>();
const violations: string[] = [];
let original: typeof fetch | null = null;

export function registerApiOrigin(url: string): void {
  origins.add(new URL(url).origin);
}

function checkerFor(origin: string): Promise<ResponseChecker | null> {
  let c = checkers.get(origin);
  if (!c) {
    c = (async () => {
      try {
        const res = await (original ?? fetch)(`${origin}/openapi.json`);
        return res.ok ? new ResponseChecker((await res.json()) as OpenApiDoc) : null;
      } catch {
        return null; // the server is gone: nothing to hold its answers against
      }
    })();
    checkers.set(origin, c);
  }
  return c;
}

function requestOf(input: FetchInput, init?: RequestInit): { method: string; url: URL } {
  if (input instanceof Request) return { method: init?.method ?? input.method, url: new URL(input.url) };
  return { method: init?.method ?? 'GET', url: new URL(String(input)) };
}

async function inspect(input: FetchInput, init: RequestInit | undefined, res: Response): Promise<void> {
  const { method, url } = requestOf(input, init);
  if (origins.has(url.origin)) await hold(url.origin, method, url, res);
}

/**
 * For answers obtained without fetch (a sub-app's `request()`): holds `res` to `path`
 * against the document the server at `serverUrl` serves, like every fetched answer.
 */
export async function checkAnswer(serverUrl: string, method: string, path: string, res: Response): Promise<void> {
  await hold(new URL(serverUrl).origin, method, new URL(path, serverUrl), res);
}

async function hold(origin: string, method: string, url: URL, res: Response): Promise<void> {
  const checker = await checkerFor(origin);
  if (checker) await holdWith(checker, method, url, res);
}

/**
 * A `fetch` that answers from an in-process app (`app.http.request`, no socket) and holds
 * each answer against that app's own /openapi.json, like the answers of a listening server.
 */
export function inProcessFetch(request: (req: Request) => Response | Promise<Response>): typeof fetch {
  let checker: Promise<ResponseChecker> | null = null;
  const document = async () =>
    new ResponseChecker((await (await request(new Request('http://in-process/openapi.json'))).json()) as OpenApiDoc);
  return async (input: FetchInput, init?: RequestInit) => {
    const req = new Request(input, init);
    const res = await request(req);
    checker ??= document();
    await holdWith(await checker, req.method, new URL(req.url), res);
    return res;
  };
}

async function holdWith(checker: ResponseChecker, method: string, url: URL, res: Response): Promise<void> {
  const contentType = res.headers.get('content-type');
  // Only JSON bodies are compared; streams (Server-Sent Events) are never read here.
  const body = contentType && /json/i.test(contentType) && res.body ? await res.clone().text() : null;
  for (const problem of checker.check({ method, path: url.pathname, status: res.status, contentType, body })) {
    violations.push(problem);
  }
}

function failOnViolations(): void {
  if (violations.length === 0) return;
  const seen = violations.splice(0);
  throw new Error(`answers that /openapi.json does not declare:\n  ${seen.slice(0, 10).join('\n  ')}`);
}

export function installResponseCheck(): void {
  if (original) return;
  original = globalThis.fetch;
  const base = original;
  globalThis.fetch = async (input: FetchInput, init?: RequestInit) => {
    const res = await base(input, init);
    try {
      await inspect(input, init, res);
    } catch (err) {
      violations.push(`response check failed on ${String(input)}: ${String(err)}`);
    }
    return res;
  };
  afterEach(failOnViolations);
  afterAll(failOnViolations);
}
