import { z } from 'zod';
import { Blog } from './blog.js';
import { QueryInt } from './common.js';
import { Account, Invitation } from './identity.js';
import { PostStatus } from './post.js';
import { SummaryHistoryEntry } from './summary.js';
import { Member, MemberInput, User, UserWithToken } from './users.js';
import { Tag } from './workflow/tags.js';

/**
 * Shapes of the HTTP API that are not resources of their own: path references, query
 * strings, list wrappers and small answers. The routes validate with these and the
 * OpenAPI document is generated from them, so the two cannot drift.
 */

/** `{blogId}` in a path is the blog's id or its slug. */
export const BlogRef = z.string().min(1).max(80);

export const BlogListQuery = z
  .object({
    limit: QueryInt(1, 100).default(20).describe('page size, 1 to 100 (default 20)'),
    offset: QueryInt(0, 1_000_000).default(0).describe('blogs to skip (default 0)'),
  })
  .strict();

export const PostListQuery = z
  .object({
    limit: QueryInt(1, 100).default(20).describe('page size, 1 to 100 (default 20)'),
    before: z.string().min(1).max(200).optional().describe('nextCursor of the previous page'),
    status: PostStatus.default('published').describe(
      'published (public); draft, submitted (the review queue) and scheduled need the drafts.read right',
    ),
    tag: Tag.optional().describe('only posts with this tag (normalised like the tags themselves)'),
    keyEvents: z.enum(['true', 'false']).optional().describe('true: only key events'),
    order: z.enum(['newest', 'oldest']).optional().describe('newest first (default) or oldest first'),
  })
  .strict();

export const ChangesQuery = z
  .object({
    since: QueryInt(0, Number.MAX_SAFE_INTEGER).default(0).describe('last seq the client applied (default 0)'),
  })
  .strict();

export const HistoryQuery = z
  .object({ limit: QueryInt(1, 200).default(50).describe('1 to 200 (default 50)') })
  .strict();

/** The body of PUT …/members/{userId} (the user comes from the path). */
export const MemberRoleInput = MemberInput.pick({ role: true }).strict();

export const BlogList = z.object({ blogs: z.array(Blog) });
/** Users as the admin sees them: with email, active and admin (people who sign in). */
export const UserList = z.object({ users: z.array(Account) });
export const MemberList = z.object({ members: z.array(Member) });
export const SummaryHistory = z.object({ history: z.array(SummaryHistoryEntry) });

/** Who a bearer token belongs to. */
export const Me = z.union([
  // `user` when the admin is a person (an admin account) rather than the bare admin token.
  z.object({ kind: z.literal('admin'), user: User.optional() }),
  z.object({ kind: z.literal('user'), user: User }),
]);

/**
 * What POST /users answers: a person (with an email) as an account, with an invitation link
 * when no password was given; without an email, as before, a user and its token (shown once).
 */
export const UserCreated = z.union([UserWithToken, Account.extend({ invitation: Invitation.optional() })]);
export type Me = z.infer<typeof Me>;

/** /health and /ready: a status word and, for /ready, which store and bus answered or why not. */
export const ServiceStatus = z.object({ status: z.string() }).catchall(z.string());

/** `?before=` of the public page: the posts list's cursor. */
export const PageQuery = z.object({ before: z.string().min(1).max(200).optional().describe('older page cursor') });

const Dimension = z
  .string()
  .regex(/^\d{1,6}$/, 'must be a positive integer')
  .transform(Number)
  .pipe(z.number().int().min(1));

/** oEmbed 1.0 request: the page URL, and the consumer's size limits. */
export const OEmbedQuery = z.object({
  url: z.string().min(1, 'is required').max(2048).describe('a /live/{slug} or /embed/{slug} URL of this server'),
  format: z.string().max(20).optional().describe('json (the only format served; others answer 501)'),
  maxwidth: Dimension.optional(),
  maxheight: Dimension.optional(),
});
export type OEmbedQuery = z.infer<typeof OEmbedQuery>;

/** oEmbed 1.0 `rich` answer. */
export const OEmbedRich = z.object({
  version: z.literal('1.0'),
  type: z.literal('rich'),
  title: z.string(),
  provider_name: z.string(),
  provider_url: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  cache_age: z.number().int(),
  html: z.string(),
});
export type OEmbedRich = z.infer<typeof OEmbedRich>;

/** The widget's view attributes, passed through the iframe URL. */
export const EmbedQuery = z.object({
  tag: z.string().max(160).optional().describe('data-liveblog-tag: only posts with this tag'),
  keyEvents: z.enum(['true', 'false']).optional().describe('data-liveblog-key-events: start in the key-events view'),
  order: z.enum(['newest', 'oldest']).optional().describe('data-liveblog-order: the initial order'),
});
