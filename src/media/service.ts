import { DomainError } from '../domain/errors.js';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../lib/metrics.js';
import { Limiter, QueueFull } from './limiter.js';
import { type EncodedVariant, type ProcessedImage, processImage } from './pipeline.js';
import type { MediaStorage } from './types.js';

export interface MediaServiceOptions {
  storage: MediaStorage;
  log: Logger;
  metrics?: Pick<Metrics, 'mediaEncodeMs'>;
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
 * Upload bytes → stored variants, with bounded concurrency. A failed upload leaves nothing
 * behind: objects this call created are removed again (objects that existed before, shared
 * with another upload of the same photo, stay).
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

  /**
   * Encodes `input`, runs `check` with the bytes the variants take (the quota's pre-check:
   * if it throws, nothing is stored), stores the variants, then `commit`s the result (the
   * media row). If storing or `commit` fails, the objects this call created are removed.
   */
  async ingest<T>(
    input: Buffer,
    check: (bytes: number) => Promise<void>,
    commit: (image: StoredImage) => Promise<T>,
  ): Promise<T> {
    let processed: ProcessedImage;
    try {
      processed = await this.limiter.run(async () => {
        const started = performance.now();
        const out = await processImage(input, { maxPixels: this.opts.maxPixels });
        this.opts.metrics?.mediaEncodeMs.observe(performance.now() - started);
        return out;
      });
    } catch (err) {
      if (err instanceof QueueFull)
        throw new DomainError('rate_limited', 'too many uploads are being processed; try again shortly', {
          retryAfterSeconds: 5,
        });
      throw err;
    }
    const bytes = processed.variants.reduce((n, v) => n + v.bytes.length, 0);
    await check(bytes);
    const created = await this.putAll(processed.variants);
    try {
      return await commit({ ...processed, variants: processed.variants.map(({ bytes: _b, ...v }) => v), bytes });
    } catch (err) {
      await this.remove(created);
      throw err;
    }
  }

  /** Stores the variants; resolves with the keys it created (others already existed). */
  private async putAll(variants: EncodedVariant[]): Promise<string[]> {
    const created: string[] = [];
    try {
      for (const v of variants) {
        if (await this.opts.storage.stat(v.key)) continue;
        await this.opts.storage.put(v.key, v.bytes, v.contentType);
        created.push(v.key);
      }
      return created;
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
