import type { ErrorBody, LoginResult } from '../../src/domain/index.js';

/**
 * The editor page's sign-in. The access token lives in memory only and is renewed before it
 * expires through the session cookie (HttpOnly: this script never sees it), with the CSRF
 * token the server gave at sign-in, kept in localStorage so a new tab can renew too.
 * A pasted token (the admin token, a personal token) is kept for the tab instead.
 */
const CSRF_KEY = 'liveblog.csrf';
const PASTED_KEY = 'liveblog.token';
const RENEW_BEFORE_MS = 60_000;

let current: { token: string; expiresAt: number } | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;

export class SessionError extends Error {}

async function post<T>(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(`/api/v1${path}`, {
    method: 'POST',
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    cache: 'no-store',
  });
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) throw new SessionError((data as ErrorBody | null)?.error?.message ?? `HTTP ${res.status}`);
  return data as T;
}

function adopt(r: LoginResult): LoginResult {
  localStorage.setItem(CSRF_KEY, r.csrfToken);
  current = { token: r.token, expiresAt: Date.parse(r.expiresAt) };
  clearTimeout(timer);
  // Renew a minute early, without asking the person again.
  timer = setTimeout(
    () => void renew().catch(() => undefined),
    Math.max(5_000, current.expiresAt - Date.now() - RENEW_BEFORE_MS),
  );
  return r;
}

export async function passwordSignIn(email: string, password: string): Promise<LoginResult> {
  return adopt(await post<LoginResult>('/auth/login', { email, password }));
}

export async function acceptInvitation(token: string, password: string): Promise<LoginResult> {
  return adopt(await post<LoginResult>('/auth/invitations/accept', { token, password }));
}

/** Back from single sign-on: the server put the CSRF token in the fragment. */
export function adoptSsoReturn(csrf: string): void {
  localStorage.setItem(CSRF_KEY, csrf);
}

/** A fresh access token from the session cookie; null when there is no session. */
export async function renew(): Promise<LoginResult | null> {
  const csrf = localStorage.getItem(CSRF_KEY);
  if (!csrf) return null;
  try {
    return adopt(await post<LoginResult>('/auth/refresh', undefined, { 'x-csrf-token': csrf }));
  } catch {
    localStorage.removeItem(CSRF_KEY);
    current = null;
    return null;
  }
}

export function usePastedToken(token: string): void {
  sessionStorage.setItem(PASTED_KEY, token);
}

/** The token to send now: the session's access token, or a pasted one. */
export function accessToken(): string {
  return current?.token ?? sessionStorage.getItem(PASTED_KEY) ?? '';
}

/** Resolves once there is a usable token (renewing if needed); false when signed out. */
export async function ensureSignedIn(): Promise<boolean> {
  if (current && current.expiresAt - Date.now() > 5_000) return true;
  if (await renew()) return true;
  return Boolean(sessionStorage.getItem(PASTED_KEY));
}

export async function signOut(): Promise<void> {
  const csrf = localStorage.getItem(CSRF_KEY);
  clearTimeout(timer);
  sessionStorage.removeItem(PASTED_KEY);
  localStorage.removeItem(CSRF_KEY);
  const token = current?.token;
  current = null;
  if (csrf) {
    await post('/auth/logout', undefined, {
      'x-csrf-token': csrf,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    }).catch(() => undefined);
  }
}
