import type { Deps } from '../deps.js';
import type { DraftEvent, LiveEvent, Post } from '../domain/index.js';

/**
 * After a store commit: ring the bus (the realtime hub on every node forwards in seq order)
 * and count it. Called only with committed events; the bus never rejects.
 */
export function publishLive(deps: Deps, event: LiveEvent | null): void {
  if (!event) return;
  deps.bus.publish({ kind: 'event', event });
  deps.metrics.eventsCommitted.inc({ type: event.type });
}

/** Editors' live view of drafts: no seq, not counted as a reader event. */
export function publishDraft(
  deps: Deps,
  type: DraftEvent['type'],
  post: Post | { id: string },
  blogId: string,
  at: string,
): void {
  deps.bus.publish({ kind: 'draft', event: { blogId, type, data: post, at } });
}
