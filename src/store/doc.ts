import { conflict } from '../domain/index.js';
import { bytes } from './rows.js';
import { blogSeq } from './seq.js';
import type { SqlDb } from './sql.js';
import type { DocState } from './types.js';

export function appendDocUpdates(db: SqlDb, blogId: string, updates: Uint8Array[]): Promise<number[]> {
  if (updates.length === 0) return Promise.resolve([]);
  return db.write(async (tx) => {
    await db.dialect.lockDoc(tx, blogId);
    await blogSeq(tx, blogId);
    return db.dialect.insertDocUpdates(tx, blogId, updates);
  }, 'doc update');
}

/** One snapshot of the database: a compaction between the two reads cannot lose rows. */
export function loadDoc(db: SqlDb, blogId: string, opts: { afterId?: number } = {}): Promise<DocState> {
  return db.read(async (tx) => {
    const snap = await tx.one<{ data: Uint8Array; up_to_id: number | string }>(
      'SELECT data, up_to_id FROM doc_snapshots WHERE blog_id = ?',
      [blogId],
    );
    const snapshotUpToId = snap ? Number(snap.up_to_id) : 0;
    const from = Math.max(snapshotUpToId, opts.afterId ?? 0);
    const rows = await tx.all<{ id: number | string; data: Uint8Array }>(
      'SELECT id, data FROM doc_updates WHERE blog_id = ? AND id > ? ORDER BY id',
      [blogId, from],
    );
    return {
      snapshot: snap ? bytes(snap.data) : null,
      snapshotUpToId,
      updates: rows.map((r) => ({ id: Number(r.id), data: bytes(r.data) })),
    };
  });
}

export function compactDoc(db: SqlDb, blogId: string, snapshot: Uint8Array, upToId: number): Promise<void> {
  return db.write(async (tx) => {
    await db.dialect.lockDoc(tx, blogId);
    await blogSeq(tx, blogId);
    const cur = await tx.one<{ up_to_id: number | string }>('SELECT up_to_id FROM doc_snapshots WHERE blog_id = ?', [
      blogId,
    ]);
    if (cur && Number(cur.up_to_id) > upToId) {
      throw conflict('the doc was already compacted past this point', { current: Number(cur.up_to_id), upToId });
    }
    await tx.run(
      `INSERT INTO doc_snapshots (blog_id, data, up_to_id) VALUES (?, ?, ?)
       ON CONFLICT (blog_id) DO UPDATE SET data = excluded.data, up_to_id = excluded.up_to_id`,
      [blogId, snapshot, upToId],
    );
    await tx.run('DELETE FROM doc_updates WHERE blog_id = ? AND id <= ?', [blogId, upToId]);
  }, 'doc snapshot');
}
