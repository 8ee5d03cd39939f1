import * as Y from 'yjs';
import type { Deps } from '../deps.js';
import { DomainError } from '../domain/index.js';

export interface Compacted {
  snapshot: Uint8Array;
  upToId: number;
  rowsMerged: number;
}

/**
 * Merges a doc's update log into one snapshot. The state is rebuilt from the store (never from
 * a node's in-memory doc, which may lack another node's rows) in a fresh gc:true doc, so
 * deleted content is dropped. Rows appended meanwhile have ids above upToId and survive.
 * The caller holds the doc's lock. Resolves null when there was nothing to do or it lost a race.
 */
export async function compactDoc(
  blogId: string,
  deps: Pick<Deps, 'store' | 'metrics' | 'log'>,
): Promise<Compacted | null> {
  const { store, metrics, log } = deps;
  try {
    const state = await store.loadDoc(blogId);
    const last = state.updates.at(-1);
    if (!last) {
      metrics.compactions.inc({ outcome: 'nothing' });
      return null;
    }
    const fresh = new Y.Doc({ gc: true });
    fresh.transact(() => {
      if (state.snapshot) Y.applyUpdate(fresh, state.snapshot);
      for (const row of state.updates) {
        try {
          Y.applyUpdate(fresh, row.data);
        } catch (err) {
          log.error({ err, blogId, rowId: row.id }, 'compaction skips an undecodable row');
        }
      }
    });
    const snapshot = Y.encodeStateAsUpdate(fresh);
    fresh.destroy();
    await store.compactDoc(blogId, snapshot, last.id);
    metrics.compactions.inc({ outcome: 'ok' });
    log.debug({ blogId, rows: state.updates.length, bytes: snapshot.length }, 'compacted doc');
    return { snapshot, upToId: last.id, rowsMerged: state.updates.length };
  } catch (err) {
    if (err instanceof DomainError && err.code === 'conflict') {
      metrics.compactions.inc({ outcome: 'conflict' });
      return null;
    }
    metrics.compactions.inc({ outcome: 'error' });
    log.error({ err, blogId }, 'compaction failed');
    return null;
  }
}
