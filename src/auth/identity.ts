import { z } from 'zod';
import { Role } from '../domain/index.js';

/**
 * A person as an outside identity system vouches for them (the CMS's JWT, the OIDC
 * provider's ID token), before it is matched to a user of ours.
 */
export interface ExternalIdentity {
  source: 'jwt' | 'oidc';
  issuer: string;
  subject: string;
  email: string | null;
  name: string | null;
  /** Only OIDC group mappings can grant this; a CMS token never does. */
  admin: boolean;
  /** Per-blog roles, keyed by blog id or slug. */
  roles: Record<string, Role>;
}

export const BlogKey = z.string().regex(/^[A-Za-z0-9_-]{1,80}$/, 'must be a blog id or slug');

/** Claims we read, each bounded: anything else in the token is ignored. */
export const IdentityClaims = z.object({
  sub: z.string().min(1).max(255),
  name: z.string().trim().min(1).max(100).optional().catch(undefined),
  email: z.string().max(254).email().optional().catch(undefined),
});

export const RolesClaim = z.record(BlogKey, Role).refine((r) => Object.keys(r).length <= 200, 'at most 200 blogs');

/** Lower-cased and trimmed: the one spelling of an email we compare and store. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
