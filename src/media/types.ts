import type { Readable } from 'node:stream';

/**
 * The media storage seam: a flat namespace of immutable, content-addressed objects (see
 * keys.ts). Two implementations share one contract suite (test/contract/media-storage.contract.ts):
 * local disk under DATA_DIR (disk.ts) and any S3-compatible object store (s3.ts).
 *
 * Objects never change once written: a key names its bytes. That is what lets several nodes
 * share one store without coordination (a second put of the same key is a no-op) and lets
 * every response be cached forever.
 */
export interface MediaStorage {
  readonly kind: 'disk' | 's3';
  /**
   * Stores `body` under `key`, atomically: a reader sees either nothing or the whole object,
   * and a failed put leaves nothing behind. Putting an existing key keeps the stored object.
   */
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** Size and type of an object, or null when absent. */
  stat(key: string): Promise<ObjectInfo | null>;
  /**
   * The object's bytes, whole or the inclusive byte range `range` (already checked against
   * the size by the caller: 0 <= start <= end < size). Null when absent.
   */
  get(key: string, range?: ByteRange): Promise<ObjectBody | null>;
  /** Removes the object; removing an absent key is not an error. */
  delete(key: string): Promise<void>;
  /** Releases clients and handles. */
  close(): Promise<void>;
}

export interface ObjectInfo {
  size: number;
  contentType: string;
}

export interface ByteRange {
  start: number;
  /** Inclusive, as in HTTP's `bytes=start-end`. */
  end: number;
}

export interface ObjectBody extends ObjectInfo {
  /** The bytes sent: the whole object or the range asked for. */
  body: Readable;
  /** Length of `body` (size when whole, end - start + 1 for a range). */
  length: number;
}
