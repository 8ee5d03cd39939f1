import type { Account, AuditEntry, CredentialKind, PersonalToken, Role } from '../domain/index.js';
import { iso } from './rows.js';
import type { AuditContext, Credential, CredentialRowKind } from './types.js';

/**
 * Rows of the identity tables as both drivers return them (SQLite: 0/1 and JSON text;
 * PostgreSQL: booleans, jsonb objects and Dates), and their conversion to domain shapes.
 */
type Time = string | Date;
const bool = (v: boolean | number): boolean => v === true || v === 1;
const json = <T>(v: unknown, fallback: T): T => {
  if (typeof v !== 'string') return (v ?? fallback) as T;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
};

export const ACCOUNT_COLUMNS = 'u.id, u.name, u.color, u.created_at, u.can_create_blogs, u.email, u.active, u.admin';

export interface AccountRow {
  id: string;
  name: string;
  color: string;
  created_at: Time;
  can_create_blogs: boolean | number;
  email: string | null;
  active: boolean | number;
  admin: boolean | number;
}

export const toAccount = (r: AccountRow): Account => ({
  id: r.id,
  name: r.name,
  color: r.color,
  createdAt: iso(r.created_at),
  canCreateBlogs: bool(r.can_create_blogs),
  email: r.email,
  active: bool(r.active),
  admin: bool(r.admin),
});

export const CREDENTIAL_COLUMNS =
  'c.id AS c_id, c.user_id AS c_user_id, c.kind AS c_kind, c.name AS c_name, c.token_hash AS c_token_hash, ' +
  'c.expires_at AS c_expires_at, c.grants AS c_grants, c.admin AS c_admin, c.created_at AS c_created_at, ' +
  'c.last_used_at AS c_last_used_at, c.revoked_at AS c_revoked_at';

export interface CredentialRow {
  c_id: string;
  c_user_id: string;
  c_kind: string;
  c_name: string;
  c_token_hash: string;
  c_expires_at: Time | null;
  c_grants: unknown;
  c_admin: boolean | number;
  c_created_at: Time;
  c_last_used_at: Time | null;
  c_revoked_at: Time | null;
}

export const toCredential = (r: CredentialRow): Credential => ({
  id: r.c_id,
  userId: r.c_user_id,
  kind: r.c_kind as CredentialRowKind,
  name: r.c_name,
  tokenHash: r.c_token_hash,
  expiresAt: r.c_expires_at === null ? null : iso(r.c_expires_at),
  grants: json<Record<string, Role>>(r.c_grants, {}),
  admin: bool(r.c_admin),
  createdAt: iso(r.c_created_at),
  lastUsedAt: r.c_last_used_at === null ? null : iso(r.c_last_used_at),
  revokedAt: r.c_revoked_at === null ? null : iso(r.c_revoked_at),
});

export const toPersonalToken = (r: CredentialRow): PersonalToken => ({
  id: r.c_id,
  name: r.c_name,
  createdAt: iso(r.c_created_at),
  lastUsedAt: r.c_last_used_at === null ? null : iso(r.c_last_used_at),
});

export const AUDIT_COLUMNS =
  'id, at, actor_id, actor_name, actor_admin, credential, action, blog_id, post_id, subject_id, address';

export interface AuditRow {
  id: string;
  at: Time;
  actor_id: string | null;
  actor_name: string | null;
  actor_admin: boolean | number;
  credential: string;
  action: string;
  blog_id: string | null;
  post_id: string | null;
  subject_id: string | null;
  address: string | null;
}

export const toAudit = (r: AuditRow): AuditEntry => ({
  id: r.id,
  at: iso(r.at),
  actor: { id: r.actor_id, name: r.actor_name, admin: bool(r.actor_admin) },
  credential: r.credential as CredentialKind,
  action: r.action,
  blogId: r.blog_id,
  postId: r.post_id,
  subjectId: r.subject_id,
  address: r.address,
});

/** The values of an audit INSERT, in AUDIT_COLUMNS order; booleans as the driver wants them. */
export function auditValues(a: AuditContext, now: string, boolAs: (b: boolean) => boolean | number): unknown[] {
  return [
    a.id,
    now,
    a.actorId,
    a.actorName,
    boolAs(a.actorAdmin),
    a.credential,
    a.action,
    a.blogId,
    a.postId,
    a.subjectId,
    a.address,
  ];
}

/** Audit pages: one row more than asked tells whether there is a next page. */
export function auditPage(rows: AuditRow[], limit: number) {
  const entries = rows.slice(0, limit).map(toAudit);
  return { entries, nextCursor: rows.length > limit ? (entries.at(-1)?.id ?? null) : null };
}
