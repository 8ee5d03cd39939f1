import type { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { assertKey } from './keys.js';
import type { ByteRange, MediaStorage, ObjectBody, ObjectInfo } from './types.js';

export interface S3MediaOptions {
  bucket: string;
  endpoint?: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
  /** Prepended to every key ('' or ending without a slash: one is added). */
  prefix: string;
}

/** Objects are immutable and content-addressed: whoever serves them may cache them forever. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

const isMissing = (err: unknown) =>
  err instanceof S3ServiceException &&
  (err.$metadata.httpStatusCode === 404 || err.name === 'NotFound' || err.name === 'NoSuchKey');

/**
 * Media objects in an S3-compatible store (AWS S3, MinIO, Garage, Ceph RGW, s3rver in tests).
 * A PUT is atomic on S3 (an object appears whole or not at all), so no temporary object is
 * needed; objects carry their Content-Type and an immutable Cache-Control so that a bucket or
 * CDN serving them directly (MEDIA_PUBLIC_URL) answers like this server does.
 */
export class S3MediaStorage implements MediaStorage {
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(opts: S3MediaOptions) {
    this.bucket = opts.bucket;
    this.prefix = opts.prefix === '' ? '' : `${opts.prefix.replace(/\/+$/, '')}/`;
    this.client = new S3Client({
      region: opts.region,
      endpoint: opts.endpoint,
      forcePathStyle: opts.forcePathStyle,
      credentials:
        opts.accessKeyId && opts.secretAccessKey
          ? { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey }
          : undefined,
      // Retries are the SDK's (3 attempts with backoff); a dead endpoint fails the upload with 503.
      maxAttempts: 3,
    });
  }

  private objectKey(key: string): string {
    assertKey(key);
    return this.prefix + key;
  }

  /** Creates the bucket when it does not exist yet (a fresh MinIO in docker compose). */
  async ensureBucket(): Promise<'exists' | 'created'> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return 'exists';
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
    await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    return 'created';
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    // Several nodes may make the same variant: the first write wins and the rest skip.
    if (await this.stat(key)) return;
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.objectKey(key),
        Body: body,
        ContentType: contentType,
        ContentLength: body.length,
        CacheControl: IMMUTABLE,
      }),
    );
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return { size: head.ContentLength ?? 0, contentType: head.ContentType ?? 'application/octet-stream' };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async get(key: string, range?: ByteRange): Promise<ObjectBody | null> {
    try {
      const res = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key),
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      const length = res.ContentLength ?? 0;
      // Content-Range "bytes 0-9/1234" carries the whole size when a range was asked for.
      const total = /\/(\d+)$/.exec(res.ContentRange ?? '')?.[1];
      return {
        size: total ? Number(total) : length,
        contentType: res.ContentType ?? 'application/octet-stream',
        body: res.Body as Readable,
        length,
      };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    // S3 answers 204 for an absent key as well.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
