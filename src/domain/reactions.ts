/**
 * The fixed set of reactions readers may give a post, in display order. Kept free of imports
 * so the widget bundles it without zod.
 */
export const REACTIONS = {
  like: '👍',
  love: '❤️',
  wow: '😮',
  sad: '😢',
  clap: '👏',
} as const;
export type ReactionKind = keyof typeof REACTIONS;
