import type { Actor } from '../auth/accounts.js';
import type { Principal } from '../domain/index.js';
import { newId } from '../lib/ids.js';
import type { AuditContext } from '../store/types.js';
import type { HttpContext } from './context.js';
import { clientIp } from './middleware/auth.js';

/** Who is acting, for the audit trail (the bare admin token has no person behind it). */
export function actorOf(p: Principal | null, address: string | null): Actor {
  return {
    actorId: p?.user?.id ?? null,
    actorName: p?.user?.name ?? (p?.kind === 'admin' ? 'Admin' : null),
    actorAdmin: p?.kind === 'admin',
    credential: p?.credential ?? 'admin_token',
    address,
  };
}

/**
 * The audit row for a write this request makes; handed to the store, which records it in
 * the write's own transaction (so a write and its row exist together or not at all).
 */
export function auditFor(
  c: HttpContext,
  trustProxy: boolean,
  action: string,
  about: { blogId?: string; postId?: string; subjectId?: string } = {},
): AuditContext {
  return {
    ...actorOf(c.get('principal'), clientIp(c, trustProxy)),
    id: newId(),
    action,
    blogId: about.blogId ?? null,
    postId: about.postId ?? null,
    subjectId: about.subjectId ?? null,
  };
}
