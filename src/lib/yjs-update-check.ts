/**
 * How an untrusted Yjs update is checked before anything trusted touches it: decoded and
 * integrated into an empty doc, on a worker thread with a deadline and a heap limit (a crafted
 * update can make Yjs's decoder loop or balloon, yjs#687). Two workers run it: the update guard
 * (src/collab/update-guard.ts) and, on SQLite, the doc writer, which checks and stores a batch
 * in one round trip (src/store/sqlite-doc-writer.ts). It is plain CommonJS source for their
 * `eval` workers; `Y` is the worker's own copy of yjs (a worker is a separate isolate).
 *
 * Most updates are one editor's next keystrokes: every client in them starts past clock 0, so
 * an empty doc can integrate none of their structs (each waits for its client's earlier ones)
 * and can apply none of their deletions; applying them there is reading every struct and
 * deletion, then parking them (re-encoded, which refuses an empty deletion range).
 * `Y.decodeUpdate` reads those, with the same readers, for a fifth of the cost or less (no
 * doc, no transaction; bench/check-cost.ts). Only an update with a struct at clock 0 (a
 * client's first, which could integrate) or an empty deletion range is also applied to an
 * empty doc. So the check never passes what applying to an empty doc would refuse
 * (test/unit/yjs-update-check.test.ts, on random and damaged updates); it refuses a little
 * more: a struct whose info byte has a Skip's low bits and others, which applyUpdate would
 * read as a Skip and no encoder writes.
 */
export const CHECK_UPDATE_SOURCE = `
// A fixed guid: the default one costs ~30 crypto calls per doc (a third of the check's time).
const CHECK_DOC_OPTS = { guid: 'check' };
function emptyRange(ds) {
  for (const ranges of ds.clients.values()) for (const r of ranges) if (r.len === 0) return true;
  return false;
}
function checkUpdate(Y, update) {
  try {
    const { structs, ds } = Y.decodeUpdate(update);
    if (!structs.some((s) => s.id.clock === 0) && !emptyRange(ds)) return true;
    const doc = new Y.Doc(CHECK_DOC_OPTS);
    Y.applyUpdate(doc, update);
    doc.destroy();
    return true;
  } catch {
    return false;
  }
}
`;

/** A check's outcome: it decoded, it did not, or it ran past the deadline. */
export type UpdateVerdict = 'ok' | 'invalid' | 'timeout';

export interface UpdateCheckLimits {
  /** How long one check (one update, or one batch of them) may take before the worker is killed. */
  deadlineMs: number;
  /** Heap cap of the worker: a decoder that balloons dies instead of the server. */
  maxHeapMb: number;
}

export const UPDATE_CHECK_LIMITS: UpdateCheckLimits = { deadlineMs: 1000, maxHeapMb: 64 };

/** The worker's resource limits for a heap cap. */
export function checkWorkerLimits(maxHeapMb: number) {
  return { maxOldGenerationSizeMb: maxHeapMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 };
}
