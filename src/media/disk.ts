import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { assertKey, parseKey } from './keys.js';
import type { ByteRange, MediaStorage, ObjectBody, ObjectInfo } from './types.js';

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * Media objects as files under `<DATA_DIR>/media/<first two hex digits>/<key>` (the fan-out
 * keeps directories small). Writes go to `media/.tmp/` first, are flushed, then renamed into
 * place: rename is atomic within one file system, so a reader never sees half a file, and a
 * failed write removes its temporary file. The content type is implied by the key's extension.
 */
export class DiskMediaStorage implements MediaStorage {
  readonly kind = 'disk' as const;
  readonly root: string;
  readonly tmpDir: string;

  constructor(dataDir: string) {
    this.root = resolve(dataDir, 'media');
    this.tmpDir = join(this.root, '.tmp');
  }

  private pathOf(key: string): string {
    assertKey(key);
    return join(this.root, key.slice(0, 2), key);
  }

  async put(key: string, body: Buffer, _contentType: string): Promise<void> {
    const target = this.pathOf(key);
    // Same key, same bytes: an object already there (made by an earlier upload) is kept.
    if (await this.stat(key)) return;
    await mkdir(this.tmpDir, { recursive: true });
    await mkdir(join(this.root, key.slice(0, 2)), { recursive: true });
    const tmp = join(this.tmpDir, `${key}.${randomBytes(6).toString('hex')}`);
    try {
      const fh = await open(tmp, 'wx', 0o644);
      try {
        await fh.writeFile(body);
        // Flushed before the rename: after a crash the name never points at missing bytes.
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    const path = this.pathOf(key);
    try {
      const fh = await open(path, 'r');
      try {
        const st = await fh.stat();
        // Only a regular file is an object (a directory in the way makes the put fail instead).
        if (!st.isFile()) return null;
        return { size: st.size, contentType: parseKey(key)!.contentType };
      } finally {
        await fh.close();
      }
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async get(key: string, range?: ByteRange): Promise<ObjectBody | null> {
    const path = this.pathOf(key);
    let fh: Awaited<ReturnType<typeof open>>;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
    try {
      const { size } = await fh.stat();
      const start = range?.start ?? 0;
      const end = range?.end ?? size - 1;
      if (end < start) {
        await fh.close();
        return { size, contentType: parseKey(key)!.contentType, body: Readable.from([]), length: 0 };
      }
      // The stream owns the handle from here and closes it when done or destroyed.
      const body = fh.createReadStream({ start, end, autoClose: true });
      return { size, contentType: parseKey(key)!.contentType, body, length: Math.max(0, end - start + 1) };
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.pathOf(key));
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }

  async close(): Promise<void> {}
}
