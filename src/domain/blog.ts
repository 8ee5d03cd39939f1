import { z } from 'zod';
import { Id, Seq, Timestamp } from './common.js';
import { Summary } from './summary.js';
import { ALL_BLOG_STATUSES, BlogOrder } from './workflow/blog-settings.js';
import { DEFAULT_LANGUAGE, Language } from './workflow/language.js';

/** `ended`: over, shown so to readers. `archived`: over and read-only for editors too. */
export const BlogStatus = z.enum(ALL_BLOG_STATUSES);
export type BlogStatus = z.infer<typeof BlogStatus>;

export const Slug = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'lowercase letters, digits and inner hyphens only');

/** An origin such as https://partner.example (scheme, host, optional port; no path). */
export const Origin = z
  .string()
  .max(200)
  .regex(/^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?$/, 'must be an origin like https://example.com');

export const Blog = z.object({
  id: Id,
  slug: Slug,
  title: z.string(),
  description: z.string(),
  status: BlogStatus,
  seq: Seq,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  allowedOrigins: z.array(Origin),
  summary: Summary,
  // Defaults: events stored before these fields existed still parse.
  /** The default reading order of the widget and the page. */
  order: BlogOrder.default('newest'),
  /** BCP 47: the widget's and page's words, `lang`/`dir`, `inLanguage`. */
  language: z.string().default(DEFAULT_LANGUAGE),
  /** When the blog last became ended (or archived); null while it runs. */
  endedAt: Timestamp.nullable().default(null),
});
/** As with Post: the fields this wave added are optional in the type, always returned by stores. */
export type Blog = z.input<typeof Blog>;
/** A blog as the store returns it: every field present. */
export type StoredBlog = z.infer<typeof Blog>;

export const BlogCreateInput = z
  .object({
    slug: Slug.optional(),
    title: z.string().trim().min(1).max(200),
    description: z.string().trim().max(2_000).default(''),
    status: BlogStatus.default('live'),
    allowedOrigins: z.array(Origin).max(50).default([]),
    order: BlogOrder.default('newest'),
    language: Language.default(DEFAULT_LANGUAGE),
  })
  .strict();
export type BlogCreateInput = z.infer<typeof BlogCreateInput>;

export const BlogPatchInput = z
  .object({
    slug: Slug,
    title: z.string().trim().min(1).max(200),
    description: z.string().trim().max(2_000),
    status: BlogStatus,
    allowedOrigins: z.array(Origin).max(50),
    order: BlogOrder,
    language: Language,
  })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'at least one field is required');
export type BlogPatchInput = z.infer<typeof BlogPatchInput>;

/** The fields a store writes for a blog; seq, summary and timestamps are the store's. */
export type NewBlog = Omit<Blog, 'seq' | 'summary' | 'createdAt' | 'updatedAt' | 'endedAt'>;
