import { z } from 'zod';
import { Id, Timestamp } from './common.js';
import type { PostCreateInput } from './post.js';
import { cleanPlainText } from './post-building.js';
import { htmlToText } from './sanitize.js';

/**
 * Reader questions. A reader sends text (and a name, if they want one); it joins the blog's
 * moderation queue and is seen by its editors only. Nothing a reader sends reaches other
 * readers until an editor answers it, and then only inside a normal post the editor wrote.
 */
export const QUESTION_MAX_CHARS = 500;
export const QUESTION_NAME_MAX_CHARS = 60;

export const QuestionInput = z
  .object({
    text: z
      .string()
      .min(1)
      .max(4 * QUESTION_MAX_CHARS),
    name: z
      .string()
      .max(4 * QUESTION_NAME_MAX_CHARS)
      .optional(),
  })
  .strict();
export type QuestionInput = z.infer<typeof QuestionInput>;

export const QuestionStatus = z.enum(['pending', 'dismissed', 'answered']);
export type QuestionStatus = z.infer<typeof QuestionStatus>;

export const Question = z.object({
  id: Id,
  blogId: Id,
  text: z.string(),
  name: z.string().nullable(),
  status: QuestionStatus,
  createdAt: Timestamp,
  /** The post that answered it, once answered. */
  answerPostId: Id.nullable(),
});
export type Question = z.infer<typeof Question>;

/** What the public POST answers: no echo of the text, so it cannot serve as a relay. */
export const QuestionReceipt = z.object({ id: Id, status: z.literal('pending') });

export const QuestionList = z.object({ questions: z.array(Question) });
export const QuestionListQuery = z
  .object({ status: QuestionStatus.default('pending').describe('pending (default), dismissed or answered') })
  .strict();

export const QuestionPatch = z.object({ status: z.literal('dismissed') }).strict();
/** The editor's answer: HTML like a text block; the post quotes the question above it. */
export const QuestionAnswerInput = z.object({ html: z.string().min(1).max(20_000) }).strict();

/**
 * A reader's text as plain text: markup stripped (tags and their scripts dropped, entities
 * decoded), control characters removed, whitespace collapsed. Throws a message when nothing
 * is left or it is too long, else the clean text.
 */
export function cleanQuestionText(raw: string, max: number): string | { error: string } {
  const text = cleanPlainText(htmlToText(raw));
  if (text.length === 0) return { error: 'is empty once markup is removed' };
  if (text.length > max) return { error: `must be at most ${max} characters` };
  return text;
}

/** The post that answers a question: the question quoted, then the editor's answer. */
export function answerPost(q: Pick<Question, 'text' | 'name'>, html: string): PostCreateInput {
  return {
    blocks: [
      { type: 'quote', text: q.text, attribution: q.name ?? 'A reader asks' },
      { type: 'text', html },
    ],
    status: 'published',
    pinned: false,
    keyEvent: false,
  };
}
