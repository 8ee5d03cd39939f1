import { z } from 'zod';
import { type Block, type PollBlock, type PollBlockInput, PollOptionId } from './blocks.js';
import { Id } from './common.js';
import { fieldError } from './sanitize.js';

/**
 * Readers taking part without an account: votes in a post's poll and reactions on posts.
 * A reader is a random id its browser keeps in local storage (`voter`); nothing else about
 * them is kept. One vote per voter per poll (the first stands: a repeat, even for another
 * option, is dropped silently and answered with the option that counts), one reaction of
 * each kind per voter per post. Counts live apart from the seq stream: they reach readers as
 * a batched `counts` frame, and only a poll's closing is a normal (seq) post update.
 */

export { REACTIONS } from './reactions.js';
export const Reaction = z.enum(['like', 'love', 'wow', 'sad', 'clap']);
export type Reaction = z.infer<typeof Reaction>;

/** A browser's random id: 16–64 URL-safe characters (the widget makes 22 from 16 random bytes). */
export const VoterId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,64}$/, 'must be 16–64 URL-safe characters')
  .describe("the reader's random id, kept in the browser's local storage");

export const VoteInput = z.object({ option: PollOptionId, voter: VoterId }).strict();
export type VoteInput = z.infer<typeof VoteInput>;
export const VoteReceipt = z.object({
  option: PollOptionId.describe('the option that counts for this voter (the first vote stands)'),
  counted: z.boolean().describe('false when this voter had already voted (dropped silently)'),
});

export const ReactionInput = z.object({ reaction: Reaction, voter: VoterId }).strict();
export type ReactionInput = z.infer<typeof ReactionInput>;
export const ReactionReceipt = z.object({
  reaction: Reaction,
  counted: z.boolean().describe('false when this voter had already given this reaction (dropped silently)'),
});

/** One post's counts: its poll's votes per option (when it has a poll) and its reactions. */
export const Tally = z.object({
  votes: z.record(PollOptionId, z.number().int().min(0)).optional(),
  reactions: z.record(Reaction, z.number().int().min(0)),
});
export type Tally = z.infer<typeof Tally>;

export const MAX_TALLY_POSTS = 100;
export const TallyQuery = z
  .object({
    posts: z
      .string()
      .min(1)
      .max(MAX_TALLY_POSTS * 65)
      .describe(`post ids, comma separated (at most ${MAX_TALLY_POSTS})`),
  })
  .strict();
export const Tallies = z.object({
  posts: z.record(Id, Tally).describe('per post id; posts that are not published are absent'),
});
export type Tallies = z.infer<typeof Tallies>;

/** The ids of `?posts=`: parsed, deduplicated, each a valid id (else a 400 naming the field). */
export function tallyPostIds(raw: string): string[] {
  const ids = [...new Set(raw.split(',').map((s) => s.trim()))].filter((s) => s !== '');
  if (ids.length === 0 || ids.length > MAX_TALLY_POSTS) {
    throw fieldError(['posts'], `give 1 to ${MAX_TALLY_POSTS} post ids`);
  }
  for (const id of ids) if (!Id.safeParse(id).success) throw fieldError(['posts'], 'holds an invalid id');
  return ids;
}

/** The live frame (Socket.IO `counts`, volatile): a blog's changed counts, at most about once a second. */
export const CountsFrame = z.object({ blogId: Id, posts: z.record(Id, Tally) });
export type CountsFrame = z.infer<typeof CountsFrame>;

/** The post's poll, if it has one (at most one per post). */
export function pollOf(blocks: readonly Block[]): PollBlock | null {
  for (const b of blocks) if (b.type === 'poll') return b;
  return null;
}

/** Open: not closed by an editor and before its closing time. */
export function pollOpen(poll: PollBlock, now: number): boolean {
  return poll.closedAt === undefined && (poll.closesAt === undefined || Date.parse(poll.closesAt) > now);
}

/** Due to be closed now: its closing time passed and no closing update was written yet. */
export function pollDue(poll: PollBlock, now: number): boolean {
  return poll.closedAt === undefined && poll.closesAt !== undefined && Date.parse(poll.closesAt) <= now;
}

/** Every option id present (0 when nobody chose it); votes for options no longer offered are left out. */
export function pollResults(poll: PollBlock, counts: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of poll.options) out[o.id] = counts[o.id] ?? 0;
  return out;
}

/**
 * The stored options of a poll block: ids sent back are kept (each once), new options get the
 * lowest free id. `clean` is the plain-text cleaner of post-building.
 */
export function buildPollOptions(
  input: PollBlockInput['options'],
  path: (string | number)[],
  clean: (s: string) => string,
): PollBlock['options'] {
  const taken = new Set<string>();
  for (const [i, o] of input.entries()) {
    if (typeof o === 'string' || o.id === undefined) continue;
    if (taken.has(o.id)) throw fieldError([...path, 'options', i, 'id'], 'is used twice');
    taken.add(o.id);
  }
  let next = 1;
  const fresh = () => {
    while (taken.has(`o${next}`)) next += 1;
    taken.add(`o${next}`);
    return `o${next}`;
  };
  return input.map((o) =>
    typeof o === 'string' ? { id: fresh(), text: clean(o) } : { id: o.id ?? fresh(), text: clean(o.text) },
  );
}

/** At most one poll per post: votes are addressed by the post. */
export function assertOnePoll(blocks: readonly Block[]): void {
  const idx = blocks.flatMap((b, i) => (b.type === 'poll' ? [i] : []));
  if (idx.length > 1) throw fieldError(['blocks', idx[1] ?? 0], 'a post holds at most one poll');
}

/**
 * An edit keeps what closing wrote: a closed poll stays closed with its final results, and
 * an edit may not move a poll's closing time once it has closed.
 */
export function keepPollClosure(previous: readonly Block[], next: Block[]): Block[] {
  const before = pollOf(previous);
  if (!before?.closedAt) return next;
  return next.map((b) =>
    b.type === 'poll'
      ? {
          ...b,
          closedAt: before.closedAt,
          ...(before.closesAt ? { closesAt: before.closesAt } : {}),
          results: pollResults(b, before.results ?? {}),
        }
      : b,
  );
}

/** The closing update's blocks: the poll marked closed at `now` with its final counts. */
export function closedPollBlocks(blocks: readonly Block[], counts: Record<string, number>, now: string): Block[] {
  return blocks.map((b) => (b.type === 'poll' ? { ...b, closedAt: now, results: pollResults(b, counts) } : b));
}
