import { DomainError } from '../domain/errors.js';
import type { Logger } from '../lib/logger.js';
import { Limiter, QueueFull } from './limiter.js';
import { type EncodedVariant, type ProcessedImage, processImage } from './pipeline.js';
import type { MediaStorage } from './types.js';

export interface MediaServiceOptions {
  storage: MediaStorage;
  log: Logger;
  maxPixels: number;
  concurrency: number;
  queue: number;
}

/** A processed upload whose variants are stored: what the media table records. */
export interface StoredImage extends Omit<ProcessedImage, 'variants'> {
  variants: Omit<EncodedVariant, 'bytes'>[];
  /** Sum of the variants' sizes. */
  bytes: number;
}

/**
 * Upload bytes → stored variants, with bounded concurrency. `check` runs between encoding
 * and storing (the quota test needs the encoded size): if it throws, nothing is stored.
 * If a put fails, the objects this call created are removed again, so a failed upload
 * leaves nothing behind (objects that existed before, shared with another upload, stay).
 */
export class MediaService {
  private readonly limiter: Limiter;

  constructor(private readonly opts: MediaServiceOptions) {
    this.limiter = new Limiter(opts.concurrency, opts.queue);
  }

  get storage(): MediaStorage {
    return this.opts.storage;
  }

  /** Uploads encoding now and waiting (for metrics and tests). */
  get load(): { running: number; queued: number } {
    return { running: this.limiter.running, queued: this.limiter.queued };
  }

  async ingest(input: Buffer, check: (bytes: number) => Promise<void> = async () => {}): Promise<StoredImage> {
    let processed: ProcessedImage;
    try {
      processed = await this.limiter.run(() => processImage(input, { maxPixels: this.opts.maxPixels }));
    } catch (err) {
      if (err instanceof QueueFull)
        throw new DomainError('rate_limited', 'too many uploads are being processed; try again shortly', {
          retryAfterSeconds: 5,
        });
      throw err;
    }
    const bytes = processed.variants.reduce((n, v) => n + v.bytes.length, 0);
    await check(bytes);
    await this.putAll(processed.variants);
    return {
      ...processed,
      variants: processed.variants.map(({ bytes: _b, ...v }) => v),
      bytes,
    };
  }

  private async putAll(variants: EncodedVariant[]): Promise<void> {
    const created: string[] = [];
    try {
      for (const v of variants) {
        if (await this.opts.storage.stat(v.key)) continue;
        await this.opts.storage.put(v.key, v.bytes, v.contentType);
        created.push(v.key);
      }
    } catch (err) {
      this.opts.log.error({ err, created: created.length }, 'media: storing variants failed; removing them');
      await this.remove(created);
      throw new DomainError('unavailable', 'the media storage is unavailable; nothing was stored');
    }
  }

  /** Removes objects; failures are logged, not thrown (an orphan object is harmless). */
  async remove(keys: string[]): Promise<void> {
    for (const key of keys) {
      try {
        await this.opts.storage.delete(key);
      } catch (err) {
        this.opts.log.warn({ err, key }, 'media: could not remove an object');
      }
    }
  }
}
