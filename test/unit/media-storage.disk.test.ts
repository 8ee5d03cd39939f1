import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiskMediaStorage } from '../../src/media/disk.js';
import { contentKey } from '../../src/media/keys.js';
import { runMediaStorageContract } from '../contract/media-storage.contract.js';
import { tempDataDir } from '../helpers/server.js';

runMediaStorageContract('disk', async () => new DiskMediaStorage(tempDataDir()));

describe('disk media storage', () => {
  it('writes through a temporary file that is gone afterwards, into a two-hex fan-out', async () => {
    const dir = tempDataDir();
    const s = new DiskMediaStorage(dir);
    const bytes = Buffer.from('a photo, honestly');
    const key = contentKey(bytes, 'jpeg');
    await s.put(key, bytes, 'image/jpeg');
    expect(existsSync(join(dir, 'media', key.slice(0, 2), key))).toBe(true);
    expect(readdirSync(join(dir, 'media', '.tmp'))).toEqual([]);
  });

  it('a failed write leaves neither the object nor a temporary file', async () => {
    const dir = tempDataDir();
    const s = new DiskMediaStorage(dir);
    const first = Buffer.from('first');
    await s.put(contentKey(first, 'png'), first, 'image/png');
    const bytes = Buffer.from('second');
    const key = contentKey(bytes, 'png');
    // A non-empty directory where the object should go: the rename fails after the temporary
    // file was written and flushed (permission bits would not do: tests may run as root).
    const fan = join(dir, 'media', key.slice(0, 2));
    mkdirSync(join(fan, key, 'occupied'), { recursive: true });
    await expect(s.put(key, bytes, 'image/png')).rejects.toThrow();
    expect(readdirSync(join(dir, 'media', '.tmp'))).toEqual([]);
    expect(readdirSync(join(fan, key))).toEqual(['occupied']);
  });
});
