import { z } from 'zod';
import { DomainError } from '../errors.js';
import { fieldError } from '../sanitize.js';
import type { Action } from '../users.js';

/**
 * A post's life: a `draft` (its author's), `submitted` for review (a contributor asks an
 * editor), `scheduled` (an editor set `publishAt`), `published` (readers have it). Only
 * `published` is reader-visible: the other three take no reader seq, so scheduling or
 * reviewing never leaves a hole or an out-of-order entry in the readers' stream.
 */
export const WORKFLOW_STATUSES = ['draft', 'submitted', 'scheduled', 'published'] as const;
export const WorkflowStatus = z.enum(WORKFLOW_STATUSES);
export type WorkflowStatus = z.infer<typeof WorkflowStatus>;

/** True for statuses readers never see. */
export const isHidden = (status: string): boolean => status !== 'published';

export const REVIEW_NOTE_MAX = 1000;

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/** The note an editor sends back with a returned submission (shown to the contributor only). */
export const ReviewNoteText = z
  .string()
  .max(REVIEW_NOTE_MAX * 2)
  .transform((s) => s.replace(CONTROL, '').trim())
  .pipe(z.string().min(1, 'must not be empty').max(REVIEW_NOTE_MAX));

/** What a transition asks of the caller. */
export interface TransitionPlan {
  from: WorkflowStatus;
  to: WorkflowStatus;
  /** Every right the caller needs (judged with users.ts `can`). */
  needs: Action[];
  /** `to` is `draft` from `submitted` by someone other than the author: a return, which needs a note. */
  isReturn: boolean;
  /** An editor publishes (or schedules) someone else's submission: record who approved it. */
  isApproval: boolean;
}

/**
 * The one table of allowed moves and the rights each needs. `byAuthor`: the caller wrote the
 * post. Contributors hold only `post.draft`, so they can submit and withdraw their own work
 * but never publish, schedule, approve or return anything.
 */
export function planTransition(from: WorkflowStatus, to: WorkflowStatus, byAuthor: boolean): TransitionPlan {
  const plan = (needs: Action[], flags: Partial<Pick<TransitionPlan, 'isReturn' | 'isApproval'>> = {}) => ({
    from,
    to,
    needs,
    isReturn: flags.isReturn ?? false,
    isApproval: flags.isApproval ?? false,
  });
  const own = byAuthor ? (['post.draft'] as Action[]) : (['post.edit'] as Action[]);
  switch (`${from}>${to}`) {
    case 'draft>draft':
    case 'submitted>submitted':
      return plan(own);
    case 'draft>submitted':
      return plan(own);
    case 'submitted>draft':
      // The author withdraws it; anyone else sends it back with a note.
      return byAuthor ? plan(['post.draft']) : plan(['post.publish'], { isReturn: true });
    case 'draft>scheduled':
    case 'draft>published':
      return plan([...own, 'post.publish']);
    case 'submitted>scheduled':
    case 'submitted>published':
      return plan([...own, 'post.publish'], { isApproval: !byAuthor });
    case 'scheduled>scheduled':
      return plan(['post.publish', 'post.edit']);
    case 'scheduled>draft':
    case 'scheduled>published':
      return plan(['post.publish']);
    case 'published>published':
      return plan(['post.edit']);
    case 'published>draft':
      // Unpublishing: readers get post.deleted (the existing contract).
      return plan(['post.publish', 'post.edit']);
    case 'published>scheduled':
      throw fieldError(['publishAt'], 'cannot schedule a post that is already published');
    case 'published>submitted':
      throw new DomainError('conflict', 'a published post cannot be submitted for review');
    case 'scheduled>submitted':
      throw new DomainError('conflict', 'a scheduled post is already approved; cancel it first');
    default:
      throw new DomainError('conflict', `a ${from} post cannot become ${to}`);
  }
}
