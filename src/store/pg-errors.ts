import { DomainError } from '../domain/index.js';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  '57P01', // admin_shutdown: the server is restarting
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: still starting up
  '53300', // too_many_connections
]);

const CONNECTION_MESSAGES = [
  'connection terminated',
  'timeout exceeded when trying to connect',
  'connection error',
  'not queryable',
  'cannot use a pool after calling end',
  'the database system is',
];

/** True when the failure is about reaching PostgreSQL, not about the statement. */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
  const msg = err.message.toLowerCase();
  return CONNECTION_MESSAGES.some((m) => msg.includes(m));
}

/**
 * Turns pg errors into DomainErrors: an unreachable or restarting database is `unavailable`
 * (HTTP 503, retry later); constraint clashes are conflicts; a missing parent row is not_found.
 */
export function mapPgError(err: unknown, what = 'row'): unknown {
  if (err instanceof DomainError) return err;
  if (isConnectionError(err)) {
    return new DomainError('unavailable', 'the database is unreachable, try again shortly', {
      cause: (err as Error).message,
    });
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (code === '23505') return new DomainError('conflict', `${what} already exists`);
  if (code === '23503') return new DomainError('not_found', `${what}: referenced row not found`);
  if (code === '40001' || code === '40P01') return new DomainError('unavailable', 'write contention, try again');
  if (code === '57014') return new DomainError('unavailable', 'the database took too long, try again');
  return err;
}
