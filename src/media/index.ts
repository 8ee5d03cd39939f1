import type { Config } from '../config.js';
import type { Logger } from '../lib/logger.js';
import { DiskMediaStorage } from './disk.js';
import type { MediaStorage } from './types.js';

export type { MediaStorage } from './types.js';

/**
 * Picks the media storage once: an S3-compatible store when S3_BUCKET (or S3_ENDPOINT) is set,
 * else files under DATA_DIR/media. Several nodes must share one object store.
 */
export async function createMediaStorage(config: Config, log: Logger): Promise<MediaStorage> {
  if (config.S3_BUCKET) {
    const { S3MediaStorage } = await import('./s3.js');
    const s3 = new S3MediaStorage({
      bucket: config.S3_BUCKET,
      endpoint: config.S3_ENDPOINT,
      region: config.S3_REGION,
      accessKeyId: config.S3_ACCESS_KEY_ID,
      secretAccessKey: config.S3_SECRET_ACCESS_KEY,
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
      prefix: config.S3_PREFIX,
    });
    const bucket = await s3.ensureBucket();
    log.info({ bucket: config.S3_BUCKET, endpoint: config.S3_ENDPOINT, state: bucket }, 'media: s3');
    return s3;
  }
  const disk = new DiskMediaStorage(config.DATA_DIR);
  log.info({ dir: disk.root }, 'media: disk');
  return disk;
}
