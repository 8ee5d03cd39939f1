import { z } from 'zod';
import { Id } from './common.js';

/** Who wrote (or approved, or returned) a post: a user's id and display name at the time. */
export const Author = z.object({ id: Id, name: z.string() });
export type Author = z.infer<typeof Author>;
