import type { StoredChanges } from '../domain/index.js';
import type { EventRow } from './rows.js';
import { toEvent } from './rows.js';
import { blogSeq } from './seq.js';
import type { SqlDb } from './sql.js';

/**
 * A range of the events' primary key (blog_id, seq), read in key order: no sort, LIMIT rows
 * at most however long the blog. Exported for the EXPLAIN test (deep-history.test.ts).
 * Params: blogId, since, head, limit.
 */
export const CHANGES_SQL =
  'SELECT blog_id, seq, type, data, at FROM events WHERE blog_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?';

/**
 * Events after `since`, never past the head read first: an event committed meanwhile
 * belongs to the next call, so `seq` and `events` always agree (no event newer than `seq`).
 */
export async function listChanges(
  db: SqlDb,
  blogId: string,
  since: number,
  opts: { limit: number; replayWindow: number },
): Promise<StoredChanges> {
  const head = await blogSeq(db, blogId);
  if (since > head || since < head - opts.replayWindow) return { seq: head, reset: true };
  const rows = await db.all<EventRow>(CHANGES_SQL, [blogId, since, head, Math.max(1, Math.floor(opts.limit))]);
  // Stored events are complete (older ones lack only fields whose defaults readers apply).
  return { seq: head, events: rows.map(toEvent) } as StoredChanges;
}
