import { z } from 'zod';
import { Author } from '../author.js';
import { Block } from '../blocks.js';
import { Id, Timestamp } from '../common.js';

/**
 * A correction is a public note on a published post ("An earlier version gave the wrong
 * score"), shown to readers with its time. `at` is the server's clock at the edit.
 */
export const CORRECTION_NOTE_MAX = 500;

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

export const CorrectionNote = z
  .string()
  .max(CORRECTION_NOTE_MAX * 2)
  .transform((s) => s.replace(CONTROL, '').replace(/\s+/g, ' ').trim())
  .pipe(z.string().min(1, 'must not be empty').max(CORRECTION_NOTE_MAX));

export const Correction = z.object({ note: z.string().min(1).max(CORRECTION_NOTE_MAX), at: Timestamp });
export type Correction = z.infer<typeof Correction>;

/** What an edit sends to mark itself as a correction; `null` removes the public note. */
export const CorrectionInput = z.object({ note: CorrectionNote }).strict().nullable();
export type CorrectionInput = z.infer<typeof CorrectionInput>;

/** The fields of a post a revision can record as changed. */
export const RevisedField = z.enum(['blocks', 'pinned', 'keyEvent', 'tags', 'correction', 'status']);
export type RevisedField = z.infer<typeof RevisedField>;

/**
 * One change to a published post: who made it, when, and its blocks before and after, so
 * an editor (or a reader's complaint) can see exactly what readers were shown.
 */
export const Revision = z.object({
  id: Id,
  postId: Id,
  blogId: Id,
  at: Timestamp,
  by: Author,
  /** The post's seq after this change (the event readers received for it). */
  seq: z.number().int().min(0),
  changed: z.array(RevisedField),
  correction: Correction.nullable(),
  before: z.array(Block),
  after: z.array(Block),
});
export type Revision = z.infer<typeof Revision>;

export const RevisionsPage = z.object({ revisions: z.array(Revision) });
export type RevisionsPage = z.infer<typeof RevisionsPage>;
