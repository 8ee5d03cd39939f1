import type { Account, LoginResult } from '../../src/domain/index.js';
import type { TestServer } from './server.js';

/** Calls to the identity routes that tests share; each returns status, body and cookie. */
export interface Answer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
  /** `name=value` of the session cookie the answer set, if any. */
  cookie: string | null;
}

export async function call<T = unknown>(
  url: string,
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(`${url}${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    redirect: 'manual',
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON (a page or a redirect)
  }
  const set = res.headers.getSetCookie().find((c) => /liveblog_session=/.test(c));
  return {
    status: res.status,
    body: body as T,
    headers: res.headers,
    cookie: set ? (set.split(';')[0] ?? null) : null,
  };
}

/** The error message of a refused answer. */
export function errorMessage(a: Answer<unknown>): string | undefined {
  return (a.body as { error?: { message?: string } } | null)?.error?.message;
}

/** The error code of a refused answer. */
export function errorCode(a: Answer<unknown>): string | undefined {
  return (a.body as { error?: { code?: string } } | null)?.error?.code;
}

export async function createPerson(
  server: TestServer,
  input: { name: string; email: string; password?: string; admin?: boolean },
): Promise<Account & { invitation?: { url: string; expiresAt: string } }> {
  const res = await call<Account & { invitation?: { url: string; expiresAt: string } }>(
    server.url,
    'POST',
    '/api/v1/users',
    {
      body: input,
      token: server.adminToken,
    },
  );
  if (res.status !== 201) throw new Error(`createPerson: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function login(server: TestServer, email: string, password: string): Promise<Answer<LoginResult>> {
  return call<LoginResult>(server.url, 'POST', '/api/v1/auth/login', { body: { email, password } });
}

/** Headers a same-origin page sends with a cookie-authenticated write. */
export function ownPage(server: TestServer, cookie: string, csrf: string | undefined): Record<string, string> {
  const h: Record<string, string> = { cookie, origin: server.url };
  if (csrf) h['x-csrf-token'] = csrf;
  return h;
}
