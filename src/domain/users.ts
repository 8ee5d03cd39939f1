import { z } from 'zod';
import { Id, Timestamp } from './common.js';
import type { CredentialKind } from './identity.js';

export const Role = z.enum(['owner', 'editor', 'contributor']);
export type Role = z.infer<typeof Role>;

export const Color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a #rrggbb colour');

export const User = z.object({
  id: Id,
  name: z.string(),
  color: Color,
  createdAt: Timestamp,
  /** May start blogs (and becomes their owner). Granted by the admin; false by default. */
  canCreateBlogs: z.boolean(),
});
export type User = z.infer<typeof User>;

/** A person's display name, as typed anywhere one is given. */
export const PersonName = z.string().trim().min(1).max(100);

export const UserCreateInput = z.object({ name: PersonName, color: Color.optional() }).strict();
export type UserCreateInput = z.infer<typeof UserCreateInput>;

/**
 * What the admin may change on a user (`PATCH /api/v1/users/:userId`); at least one field.
 * `active: false` deactivates the person everywhere within a second.
 */
export const UserPatchInput = z
  .object({ canCreateBlogs: z.boolean(), active: z.boolean() })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'at least one field is required');
export type UserPatchInput = z.infer<typeof UserPatchInput>;

/** Returned once, at creation: the token is never stored in clear nor shown again. */
export const UserWithToken = User.extend({ token: z.string() });

export const Member = z.object({ blogId: Id, userId: Id, role: Role, name: z.string() });
export type Member = z.infer<typeof Member>;

export const MemberInput = z.object({ userId: Id, role: Role }).strict();
export type MemberInput = z.infer<typeof MemberInput>;

/**
 * Who is asking: the admin (every right) or a user (rights per blog role). `user` on an admin
 * is the person behind it (an admin account, not the bare admin token); `credential` says how
 * they proved it; `grants` are per-blog roles carried by the credential itself (a CMS token's
 * roles claim, an SSO session's group roles), keyed by blog id.
 */
export type Principal =
  | { kind: 'admin'; user?: User; credential?: CredentialKind; credentialId?: string }
  | {
      kind: 'user';
      user: User;
      credential?: CredentialKind;
      credentialId?: string;
      grants?: Readonly<Record<string, Role>>;
    };

export const Action = z.enum([
  /** Not tied to a blog: judged on the user's own right (canCreateBlogs), role ignored. */
  'blog.create',
  'blog.update',
  'blog.members',
  'post.draft',
  'post.publish',
  'post.edit',
  'post.delete',
  'drafts.read',
  'summary.read',
  'summary.edit',
  /** Upload photos to the blog's library, and edit or delete one's own uploads. */
  'media.upload',
  /** Edit or delete anyone's uploads. */
  'media.manage',
  /** Webhooks carry every event to a URL of the owner's choosing: owners only. */
  'webhooks.manage',
  /** The blog's audit trail: owners (and the admin). */
  'audit.read',
]);
export type Action = z.infer<typeof Action>;

const rights: Record<Role, ReadonlySet<Action>> = {
  contributor: new Set<Action>(['post.draft', 'drafts.read', 'summary.read', 'media.upload']),
  editor: new Set<Action>([
    'post.draft',
    'post.publish',
    'post.edit',
    'post.delete',
    'drafts.read',
    'summary.read',
    'summary.edit',
    'media.upload',
    'media.manage',
  ]),
  owner: new Set<Action>(Action.options.filter((a) => a !== 'blog.create')),
};

const rank: Record<Role, number> = { contributor: 1, editor: 2, owner: 3 };

/**
 * A blog role can come from the members table and from the credential (a CMS token's roles
 * claim, SSO groups): the higher one counts, so neither source can lower the other.
 */
export function higherRole(a: Role | null, b: Role | null): Role | null {
  if (a === null) return b;
  if (b === null) return a;
  return rank[a] >= rank[b] ? a : b;
}

/**
 * The single permission rule: admins may do everything; users what their blog role allows,
 * except blog creation, which is a right of its own (a role on some blog never grants it).
 */
export function can(principal: Principal, role: Role | null, action: Action): boolean {
  if (principal.kind === 'admin') return true;
  if (action === 'blog.create') return principal.user.canCreateBlogs;
  return role !== null && rights[role].has(action);
}
