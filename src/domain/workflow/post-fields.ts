import { z } from 'zod';
import { Author } from '../author.js';
import { Timestamp } from '../common.js';
import { fieldError } from '../sanitize.js';
import type { Action } from '../users.js';
import { Correction, CorrectionInput } from './correction.js';
import { checkPublishAt, PublishAtInput } from './publish-at.js';
import { StoredTags, Tags } from './tags.js';
import { planTransition, ReviewNoteText, type TransitionPlan, type WorkflowStatus } from './transitions.js';

/** The note an editor attached when returning a submission: for its author, not for readers. */
export const ReviewNote = z.object({ note: z.string(), by: Author, at: Timestamp });
export type ReviewNote = z.infer<typeof ReviewNote>;

/** Fields the workflow adds to a stored post (see post.ts `Post`). */
export const PostWorkflowShape = {
  /** When a `scheduled` post goes out; null otherwise. */
  publishAt: Timestamp.nullable(),
  tags: StoredTags,
  correction: Correction.nullable(),
  /** The editor who published a contributor's submission; null when the author published it. */
  approvedBy: Author.nullable(),
  /** Set when an editor returned the submission; cleared when it is submitted again. */
  review: ReviewNote.nullable(),
};

/** What create accepts on top of blocks/pinned/keyEvent. */
export const CreateStatus = z.enum(['draft', 'submitted', 'published']);
export const PostCreateWorkflowShape = {
  status: CreateStatus.optional(),
  publishAt: PublishAtInput.optional(),
  tags: Tags.optional(),
};

/** What a patch accepts on top of blocks/pinned/keyEvent. */
export const PostPatchWorkflowShape = {
  status: CreateStatus.optional(),
  /** A time schedules (or reschedules) the post; null cancels the schedule (back to draft). */
  publishAt: PublishAtInput.nullable().optional(),
  tags: Tags.optional(),
  /** Marks this edit of a published post as a correction with a public note; null removes it. */
  correction: CorrectionInput.optional(),
  /** Required when an editor returns a submission to its author. */
  note: ReviewNoteText.optional(),
};

export interface WorkflowCurrent {
  status: WorkflowStatus;
  publishAt: string | null;
  tags: string[];
  correction: Correction | null;
  approvedBy: Author | null;
  review: ReviewNote | null;
}

export interface WorkflowPatch {
  status?: 'draft' | 'submitted' | 'published' | undefined;
  publishAt?: string | null | undefined;
  tags?: string[] | undefined;
  correction?: { note: string } | null | undefined;
  note?: string | undefined;
}

export interface WorkflowOutcome {
  plan: TransitionPlan;
  next: WorkflowCurrent;
}

/** The status a create asks for: a `publishAt` means scheduled; it cannot be combined with another status. */
export function createStatus(
  input: { status?: 'draft' | 'submitted' | 'published' | undefined; publishAt?: string | undefined },
  now: string,
): { status: WorkflowStatus; publishAt: string | null } {
  if (input.publishAt !== undefined) {
    if (input.status !== undefined && input.status !== 'published') {
      throw fieldError(['publishAt'], `cannot be combined with status '${input.status}'`);
    }
    return { status: 'scheduled', publishAt: checkPublishAt(input.publishAt, now) };
  }
  return { status: input.status ?? 'published', publishAt: null };
}

/**
 * The workflow half of a patch: which status it leads to, what rights that takes, and the
 * post's next workflow fields. `actor` is who asks (recorded on approvals and returns).
 * Throws a 400 (validation) or 409 (conflict) DomainError for a move that makes no sense.
 */
export function applyWorkflowPatch(
  current: WorkflowCurrent,
  patch: WorkflowPatch,
  opts: { byAuthor: boolean; actor: Author; now: string },
): WorkflowOutcome {
  let to: WorkflowStatus = patch.status ?? current.status;
  let publishAt = current.publishAt;
  if (patch.publishAt !== undefined) {
    if (patch.publishAt === null) {
      if (patch.status === undefined && current.status === 'scheduled') to = 'draft';
      publishAt = null;
    } else {
      if (patch.status !== undefined && patch.status !== 'published') {
        throw fieldError(['publishAt'], `cannot be combined with status '${patch.status}'`);
      }
      publishAt = checkPublishAt(patch.publishAt, opts.now, current.status);
      to = 'scheduled';
    }
  }
  const plan = planTransition(current.status, to, opts.byAuthor);
  if (to !== 'scheduled') publishAt = null;

  if (plan.isReturn && patch.note === undefined) {
    throw fieldError(['note'], 'is required when returning a submission to its author');
  }
  if (patch.note !== undefined && !plan.isReturn) {
    throw fieldError(['note'], 'is only for returning a submission to its author');
  }
  let correction = current.correction;
  if (patch.correction !== undefined) {
    if (current.status !== 'published' || to !== 'published') {
      throw fieldError(['correction'], 'only an edit of a published post can be a correction');
    }
    correction = patch.correction === null ? null : { note: patch.correction.note, at: opts.now };
  }
  let review = current.review;
  if (plan.isReturn && patch.note !== undefined) review = { note: patch.note, by: opts.actor, at: opts.now };
  else if (to === 'submitted' && current.status !== 'submitted') review = null;
  else if (to === 'published') review = null;

  let approvedBy = current.approvedBy;
  if (plan.isApproval) approvedBy = opts.actor;
  else if (to === 'draft' || to === 'submitted') approvedBy = null;

  return {
    plan,
    next: { status: to, publishAt, tags: patch.tags ?? current.tags, correction, approvedBy, review },
  };
}

/** Rights a patch needs beyond its transition: pin and key-event flags are editorial. */
export function patchRights(
  plan: TransitionPlan,
  flags: { pinnedChanged: boolean; keyEventChanged: boolean },
): Action[] {
  const needs = [...plan.needs];
  if (flags.pinnedChanged || flags.keyEventChanged) needs.push('post.edit');
  return [...new Set(needs)];
}

/** The scheduler's move: due `scheduled` → `published`. Anything else is not its business. */
export function dueForPublication(post: { status: string; publishAt: string | null }, now: string): boolean {
  return post.status === 'scheduled' && post.publishAt !== null && post.publishAt <= now;
}
