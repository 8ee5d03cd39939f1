import type { SqlDb } from './sql.js';

export async function getSetting(db: SqlDb, key: string): Promise<string | null> {
  const row = await db.one<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]);
  return row?.value ?? null;
}

/**
 * In one write: on PostgreSQL the insert waits for a racing writer's commit, and the SELECT
 * (a new statement, a new READ COMMITTED snapshot) then sees whichever value won.
 */
export function setSettingIfAbsent(db: SqlDb, key: string, value: string): Promise<string> {
  return db.write(async (tx) => {
    await tx.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', [key, value]);
    const row = await tx.one<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]);
    if (!row) throw new Error(`setting ${key} vanished`);
    return row.value;
  });
}
