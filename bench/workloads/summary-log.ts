import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { compactDoc } from '../../src/collab/compaction.js';
import { createLogger } from '../../src/lib/logger.js';
import { createMetrics } from '../../src/lib/metrics.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { DocState, Store } from '../../src/store/types.js';
import { progress, setStep } from '../lib/progress.js';
import { attempt, emptyResult, row, type WorkloadResult } from '../lib/results.js';

/**
 * A summary that was co-edited for months: `updates` stored Yjs updates (keystrokes into
 * bullets, with some deletions, as editors make them), then the three things the server does
 * with such a log: load it when the first editor opens the doc (store read + apply), compact
 * it into one snapshot (src/collab/compaction.ts, what the server runs), and load again after
 * compaction. Peer: applying the very same updates to a Y.Doc in memory with no store — what
 * an in-memory server (Hocuspocus without persistence) pays, the floor for the load.
 * In process, on a temporary SQLite file (synchronous=FULL, as served).
 */
export interface SummaryLogSize {
  updates: number;
}

/** Editor-shaped updates: one per keystroke, a new bullet every 40 characters, 1 in 10 a deletion. */
function makeUpdates(n: number): Uint8Array[] {
  const doc = new Y.Doc();
  const out: Uint8Array[] = [];
  // Listening before the first insert: a log missing the list's creation would leave every
  // later update pending on load (and time Yjs's retry loop instead of a load).
  doc.on('update', (u: Uint8Array) => out.push(u));
  const frag = doc.getXmlFragment('summary');
  const list = new Y.XmlElement('bulletList');
  frag.insert(0, [list]);
  let text: Y.XmlText | null = null;
  for (let i = 0; out.length < n && i < n * 2; i++) {
    if (!text || text.length >= 40) {
      const item = new Y.XmlElement('listItem');
      const para = new Y.XmlElement('paragraph');
      text = new Y.XmlText();
      para.insert(0, [text]);
      item.insert(0, [para]);
      list.insert(list.length, [item]);
    } else if (i % 10 === 9 && text.length > 0) {
      text.delete(text.length - 1, 1);
    } else {
      text.insert(text.length, String.fromCharCode(97 + (i % 26)));
    }
  }
  doc.destroy();
  return out.slice(0, n);
}

function applyAll(state: Pick<DocState, 'snapshot' | 'updates'>): Y.Doc {
  const doc = new Y.Doc();
  doc.transact(() => {
    if (state.snapshot) Y.applyUpdate(doc, state.snapshot);
    for (const u of state.updates) Y.applyUpdate(doc, u.data);
  });
  return doc;
}

async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: Math.round((performance.now() - t0) * 10) / 10, value };
}

export async function runSummaryLog(size: SummaryLogSize): Promise<WorkloadResult> {
  const result = emptyResult('summary-log', 'the same updates applied to a Y.Doc in memory (no store)');
  const log = createLogger('silent');
  setStep('summary-log');
  progress(`making ${size.updates.toLocaleString('en')} editor updates`);
  const updates = makeUpdates(size.updates);
  const w = `summary of ${updates.length.toLocaleString('en')} stored updates`;

  const peer = await timed(() => applyAll({ snapshot: null, updates: updates.map((data, id) => ({ id, data })) }));
  const text = peer.value.getXmlFragment('summary').toString();
  peer.value.destroy();

  await attempt(result, 'ours', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'summary-log-'));
    const store: Store = new SqliteStore({ file: join(dir, 's.sqlite'), synchronous: 'FULL', log });
    try {
      await store.migrate();
      const now = new Date().toISOString();
      await store.createBlog(
        { id: 'b1', slug: 'b1', title: 'Summary log', description: '', status: 'live', allowedOrigins: [] },
        now,
      );
      for (let i = 0; i < updates.length; i += 1_000) {
        await store.appendDocUpdates('b1', updates.slice(i, i + 1_000));
        progress(`storing updates ${Math.min(updates.length, i + 1_000)}/${updates.length}`);
      }
      progress('load');
      const read = await timed(() => store.loadDoc('b1'));
      const apply = await timed(() => applyAll(read.value));
      if (apply.value.getXmlFragment('summary').toString() !== text)
        result.errors.push('ours: the loaded summary differs from the one written');
      apply.value.destroy();
      progress('compaction');
      const metrics = createMetrics();
      const compaction = await timed(() => compactDoc('b1', { store, metrics, log }));
      if (!compaction.value) result.errors.push('ours: compaction did nothing');
      const after = await timed(async () => applyAll(await store.loadDoc('b1')));
      if (after.value.getXmlFragment('summary').toString() !== text)
        result.errors.push('ours: the summary after compaction differs from the one written');
      after.value.destroy();
      result.rows.push(
        row(w, 'load: store read + apply', 'ms', read.ms + apply.ms, peer.ms),
        row(w, 'load: store read alone', 'ms', read.ms, null),
        row(w, 'compaction (read, merge, write)', 'ms', compaction.ms, null),
        row(w, 'load after compaction', 'ms', after.ms, peer.ms),
        row(w, 'snapshot size', 'KB', Math.round((compaction.value?.snapshot.length ?? 0) / 102.4) / 10, null),
      );
      result.details = {
        updates: updates.length,
        updateBytes: updates.reduce((n, u) => n + u.length, 0),
        readMs: read.ms,
        applyMs: apply.ms,
        compactionMs: compaction.ms,
        afterMs: after.ms,
        peerApplyMs: peer.ms,
      };
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  result.limits.push(
    'One process, one run of each step (no repetition): a busy machine moves these figures by tens of percent.',
    'Load time is dominated by applying the updates one by one (Yjs integrates each); the store read is the difference to the peer. Compaction bounds how long the log grows: the server compacts after COLLAB_COMPACT_AFTER rows (500 by default), so a log of this length is a worst case (compaction disabled or failing).',
  );
  return result;
}
