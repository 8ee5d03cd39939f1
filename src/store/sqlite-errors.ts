import { DomainError } from '../domain/index.js';

/**
 * Turns better-sqlite3 errors into DomainErrors so every transport answers the same way as
 * with PostgreSQL: constraint clashes are conflicts, a missing parent row is not_found, a
 * database held too long by another process is unavailable.
 */
export function mapSqliteError(err: unknown, what = 'row'): unknown {
  if (err instanceof DomainError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return err;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new DomainError('conflict', `${what} already exists`);
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return new DomainError('not_found', `${what}: referenced row not found`);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new DomainError('unavailable', 'database is busy, try again');
  }
  if (code.startsWith('SQLITE_FULL') || code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_READONLY')) {
    return new DomainError('unavailable', `database cannot be written (${code})`);
  }
  return err;
}
