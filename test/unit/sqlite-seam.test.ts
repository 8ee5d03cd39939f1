import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/index.js';
import { createLogger } from '../../src/lib/logger.js';
import { numberPlaceholders } from '../../src/store/postgres-db.js';
import { SqliteDb } from '../../src/store/sqlite-db.js';
import { tempDataDir } from '../helpers/server.js';

const log = createLogger('silent');
const file = join(tempDataDir(), 'seam.sqlite');
const db = new SqliteDb({ file, synchronous: 'FULL', log });
const other = new SqliteDb({ file, synchronous: 'FULL', log });
afterAll(async () => {
  await db.close();
  await other.close();
});

/** Lets the event loop turn (timers, I/O, other promises) while a transaction is open. */
const yieldLoop = () => new Promise<void>((r) => setImmediate(r));

describe('SQLite seam', () => {
  it('runs nothing else on the connection while a transaction awaits; commits before resolving', async () => {
    await db.run('CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
    const order: string[] = [];
    const tx = db.write(async (w) => {
      await w.run('INSERT INTO t (k, v) VALUES (?, ?)', ['a', 1]);
      order.push('tx wrote');
      for (let i = 0; i < 5; i++) await yieldLoop();
      await w.run('UPDATE t SET v = ? WHERE k = ?', [2, 'a']);
      order.push('tx done');
    });
    // Issued while the transaction is open: a plain read, a plain write, another transaction,
    // and the same on a second connection to the file in this process.
    const read = db.one<{ v: number }>('SELECT v FROM t WHERE k = ?', ['a']).then((r) => {
      order.push('read');
      return r?.v;
    });
    const write = db.run('INSERT INTO t (k, v) VALUES (?, ?)', ['b', 1]).then(() => order.push('write'));
    const second = other
      .write((w) => w.run('UPDATE t SET v = v + 10 WHERE k = ?', ['b']))
      .then(() => order.push('other'));
    await tx;
    // Acknowledged means committed: a connection of its own sees the row at once.
    const outside = new Database(file, { readonly: true });
    expect(outside.prepare('SELECT v FROM t WHERE k = ?').get('a')).toEqual({ v: 2 });
    outside.close();
    expect(await read).toBe(2);
    await Promise.all([write, second]);
    expect(order).toEqual(['tx wrote', 'tx done', 'read', 'write', 'other']);
    expect(await db.one('SELECT v FROM t WHERE k = ?', ['b'])).toEqual({ v: 11 });
  });

  it('rolls back a throwing transaction and maps constraint errors', async () => {
    const err = await db
      .write(async (w) => {
        await w.run('INSERT INTO t (k, v) VALUES (?, ?)', ['c', 1]);
        await yieldLoop();
        await w.run('INSERT INTO t (k, v) VALUES (?, ?)', ['a', 1]);
      }, 'row t')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('conflict');
    expect(await db.one('SELECT v FROM t WHERE k = ?', ['c'])).toBeUndefined();
    // The connection is usable again, for both kinds of transaction.
    expect(await db.read((r) => r.all('SELECT k FROM t ORDER BY k'))).toEqual([{ k: 'a' }, { k: 'b' }]);
  });

  it('binds booleans as 0/1 and bytes as blobs', async () => {
    await db.run('CREATE TABLE IF NOT EXISTS b (flag INTEGER NOT NULL, data BLOB NOT NULL)');
    await db.run('INSERT INTO b (flag, data) VALUES (?, ?)', [true, new Uint8Array([1, 2, 3])]);
    const row = await db.one<{ flag: number; data: Buffer }>('SELECT flag, data FROM b WHERE flag = ?', [true]);
    expect(row?.flag).toBe(1);
    expect([...(row?.data ?? [])]).toEqual([1, 2, 3]);
  });
});

describe('PostgreSQL placeholders', () => {
  it('numbers ? in order', () => {
    expect(numberPlaceholders('SELECT ? , ?::bytea[], (?, ?)')).toBe('SELECT $1 , $2::bytea[], ($3, $4)');
    expect(numberPlaceholders('SELECT 1')).toBe('SELECT 1');
  });
});
