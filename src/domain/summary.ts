import { z } from 'zod';
import { Seq, Timestamp } from './common.js';

/** One rendered "what we know so far" bullet: sanitised inline HTML and its plain text. */
export const Bullet = z.object({ html: z.string(), text: z.string() });
export type Bullet = z.infer<typeof Bullet>;

/** What readers get. `seq` is the blog seq of the summary.updated event that published it (0: never). */
export const Summary = z.object({
  seq: Seq,
  bullets: z.array(Bullet),
  updatedAt: Timestamp.nullable(),
});
export type Summary = z.infer<typeof Summary>;

export const SummaryHistoryEntry = z.object({
  seq: Seq,
  at: Timestamp,
  bullets: z.array(Bullet),
});
export type SummaryHistoryEntry = z.infer<typeof SummaryHistoryEntry>;

export const emptySummary = (): Summary => ({ seq: 0, bullets: [], updatedAt: null });

/** Name of the Y.XmlFragment holding the summary (TipTap's StarterKit document shape). */
export const SUMMARY_FRAGMENT = 'summary';

/** Bullet lists compare equal when every html and text matches, in order (key order never matters). */
export function sameBullets(a: readonly Bullet[], b: readonly Bullet[]): boolean {
  return a.length === b.length && a.every((x, i) => x.html === b[i]?.html && x.text === b[i]?.text);
}
