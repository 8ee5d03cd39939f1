import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/lib/logger.js';
import { createMediaStorage } from '../../src/media/index.js';
import { contentKey } from '../../src/media/keys.js';
import { S3MediaStorage } from '../../src/media/s3.js';
import { readAll, runMediaStorageContract } from '../contract/media-storage.contract.js';
import { startS3 } from '../helpers/s3.js';
import { registerCleanup } from '../helpers/teardown.js';

const s3 = await startS3();
let n = 0;

/** Each case gets its own bucket (created by the storage, as on a fresh MinIO) so none sees another's objects. */
runMediaStorageContract('s3 (s3rver on loopback)', async () => {
  const config = loadConfig({ ...s3.env, S3_BUCKET: `contract-${++n}` });
  const storage = await createMediaStorage(config, createLogger('silent'));
  registerCleanup(() => storage.close());
  return storage;
});

describe('s3 media storage', () => {
  it('stores objects under the prefix with their type and an immutable Cache-Control', async () => {
    const storage = new S3MediaStorage({
      bucket: 'prefixed',
      endpoint: s3.endpoint,
      region: 'us-east-1',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
      prefix: 'site-a/media',
    });
    registerCleanup(() => storage.close());
    expect(await storage.ensureBucket()).toBe('created');
    expect(await storage.ensureBucket()).toBe('exists');
    const bytes = Buffer.from('jpeg-ish bytes');
    const key = contentKey(bytes, 'jpeg');
    await storage.put(key, bytes, 'image/jpeg');
    // Read straight from the S3 server's HTTP endpoint, as a CDN in front of the bucket would.
    const res = await fetch(`${s3.endpoint}/prefixed/site-a/media/${key}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    expect((await readAll((await storage.get(key))!.body)).equals(bytes)).toBe(true);
  });

  it('is what the composition picks when S3_BUCKET is set, and disk otherwise', async () => {
    const log = createLogger('silent');
    const picked = await createMediaStorage(loadConfig({ ...s3.env, S3_BUCKET: 'picked' }), log);
    registerCleanup(() => picked.close());
    expect(picked.kind).toBe('s3');
    const disk = await createMediaStorage(loadConfig({ DATA_DIR: s3.dir }), log);
    expect(disk.kind).toBe('disk');
  });
});
