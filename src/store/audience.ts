import type { AudienceSample } from '../domain/index.js';
import { iso, json } from './rows.js';
import { jsonParam, type SqlDb } from './sql.js';

interface AudienceRow {
  blog_id: string;
  minute: string | Date;
  samples: number;
  peak: number;
  total_sum: number | string;
  first_loads: number;
  by_site: unknown;
  by_transport: unknown;
}

/**
 * Writes this writer's running accumulation of each (blog, minute): the row is replaced, not
 * added to, because the caller always holds the whole minute so far (a repeated flush is
 * harmless). All rows in one transaction.
 */
export async function recordAudience(db: SqlDb, writer: string, samples: readonly AudienceSample[]): Promise<void> {
  if (samples.length === 0) return;
  await db.write(async (tx) => {
    for (const s of samples) {
      await tx.run(
        `INSERT INTO audience_minutes
           (blog_id, minute, writer, samples, peak, total_sum, first_loads, by_site, by_transport)
         SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM blogs WHERE id = ?)
         ON CONFLICT (blog_id, minute, writer) DO UPDATE SET
           samples = excluded.samples, peak = excluded.peak, total_sum = excluded.total_sum,
           first_loads = excluded.first_loads, by_site = excluded.by_site, by_transport = excluded.by_transport`,
        [
          s.blogId,
          s.minute,
          writer,
          s.samples,
          s.peak,
          s.totalSum,
          s.firstLoads,
          jsonParam(s.bySite),
          jsonParam(s.byTransport),
          s.blogId,
        ],
      );
    }
  });
}

/** Every writer's rows for minutes in [from, to), oldest first. */
export async function listAudience(db: SqlDb, blogId: string, from: string, to: string): Promise<AudienceSample[]> {
  const rows = await db.all<AudienceRow>(
    `SELECT blog_id, minute, samples, peak, total_sum, first_loads, by_site, by_transport
       FROM audience_minutes WHERE blog_id = ? AND minute >= ? AND minute < ? ORDER BY minute`,
    [blogId, from, to],
  );
  return rows.map((r) => ({
    blogId: r.blog_id,
    minute: iso(r.minute),
    samples: Number(r.samples),
    peak: Number(r.peak),
    totalSum: Number(r.total_sum),
    firstLoads: Number(r.first_loads),
    bySite: json<Record<string, number>>(r.by_site),
    byTransport: json<Record<string, number>>(r.by_transport),
  }));
}

/** Deletes minutes older than `before`; resolves with the number of rows removed. */
export function pruneAudience(db: SqlDb, before: string): Promise<number> {
  return db.run('DELETE FROM audience_minutes WHERE minute < ?', [before]);
}
