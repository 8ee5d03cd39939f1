import { z } from 'zod';
import { Id, Timestamp } from './common.js';
import { Member, PersonName, Role, User, UserCreateInput } from './users.js';

/**
 * How a request proved who it is. Recorded with every audited write, and the one list of
 * what a transport may be handed (docs/identity.md says where each is accepted).
 */
export const CredentialKind = z.enum([
  'admin_token',
  'user_token',
  'password_session',
  'oidc_session',
  'personal_token',
  'jwt',
]);
export type CredentialKind = z.infer<typeof CredentialKind>;

/** What a browser sends as an email: trimmed, lower-cased, bounded before any lookup. */
export const Email = z
  .string()
  .trim()
  .max(254)
  .email('must be an email address')
  .transform((e) => e.toLowerCase());

/** A password as typed; the policy (length, common list) is applied where one is chosen. */
export const PasswordInput = z.string().min(1).max(1024);

/** A user as the admin and the user themself see it. */
export const Account = User.extend({
  email: z.string().nullable(),
  active: z.boolean(),
  admin: z.boolean(),
});
export type Account = z.infer<typeof Account>;

export const LoginInput = z.object({ email: Email, password: PasswordInput }).strict();
export type LoginInput = z.infer<typeof LoginInput>;

/** `token` is a short-lived bearer access token; the page renews it through its session cookie. */
export const LoginResult = z.object({
  token: z.string(),
  expiresAt: Timestamp,
  user: Account,
  /** Sent back as `X-CSRF-Token` when the session cookie is used (renew, sign out). */
  csrfToken: z.string(),
});
export type LoginResult = z.infer<typeof LoginResult>;

export const PersonCreateInput = UserCreateInput.extend({
  email: Email.optional(),
  password: PasswordInput.optional(),
  admin: z.boolean().optional(),
})
  .strict()
  .refine((v) => v.password === undefined || v.email !== undefined, {
    message: 'a password needs an email to sign in with',
    path: ['password'],
  });
export type PersonCreateInput = z.infer<typeof PersonCreateInput>;

export const Invitation = z.object({ url: z.string(), expiresAt: Timestamp });
export type Invitation = z.infer<typeof Invitation>;

/**
 * An owner's invitation to their blog (`POST /api/v1/blogs/:blogId/invitations`): the person
 * by email, with a role on that blog only. Never an admin, never a right beyond the blog.
 */
export const BlogInvitationInput = z.object({ name: PersonName, email: Email, role: Role }).strict();
export type BlogInvitationInput = z.infer<typeof BlogInvitationInput>;

/**
 * The membership made, and the invitation link (shown once) when the email was new; null
 * when the person already had an account (they were given the role, nothing to accept).
 */
export const BlogInvitationCreated = z.object({ member: Member, invitation: Invitation.nullable() });
export type BlogInvitationCreated = z.infer<typeof BlogInvitationCreated>;

export const InvitationAcceptInput = z.object({ token: z.string().min(20).max(100), password: PasswordInput }).strict();

export const PersonalTokenInput = z.object({ name: z.string().trim().min(1).max(100) }).strict();
export const PersonalToken = z.object({
  id: Id,
  name: z.string(),
  createdAt: Timestamp,
  lastUsedAt: Timestamp.nullable(),
});
export type PersonalToken = z.infer<typeof PersonalToken>;
/** Answered once, at creation. */
export const PersonalTokenCreated = PersonalToken.extend({ token: z.string() });

export const AuditEntry = z.object({
  id: z.string(),
  at: Timestamp,
  actor: z.object({ id: z.string().nullable(), name: z.string().nullable(), admin: z.boolean() }),
  credential: CredentialKind,
  /** What was done, as `<resource>.<verb>`: post.create, post.update, member.set, user.deactivate … */
  action: z.string(),
  blogId: z.string().nullable(),
  postId: z.string().nullable(),
  /** The id of the user a user/member/token action was about, when it is not the actor. */
  subjectId: z.string().nullable(),
  address: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
export const AuditPage = z.object({ entries: z.array(AuditEntry), nextCursor: z.string().nullable() });
export type AuditPage = z.infer<typeof AuditPage>;
