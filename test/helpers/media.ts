import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { Media } from '../../src/domain/index.js';
import type { TestS3 } from './s3.js';

export interface UploadResult {
  status: number;
  body: unknown;
  headers: Headers;
}

/** POSTs a multipart upload (the file in `field`, default `file`) and returns status and JSON body. */
export async function upload(
  baseUrl: string,
  token: string | undefined,
  blogId: string,
  bytes: Uint8Array,
  opts: { field?: string; fields?: Record<string, string>; filename?: string; type?: string } = {},
): Promise<UploadResult> {
  const form = new FormData();
  for (const [k, v] of Object.entries(opts.fields ?? {})) form.append(k, v);
  form.append(
    opts.field ?? 'file',
    new Blob([bytes], { type: opts.type ?? 'image/jpeg' }),
    opts.filename ?? 'photo.jpg',
  );
  const res = await fetch(`${baseUrl}/api/v1/blogs/${encodeURIComponent(blogId)}/media`, {
    method: 'POST',
    headers: token ? { authorization: `Bearer ${token}` } : {},
    body: form,
  });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body, headers: res.headers };
}

export async function uploadOk(
  baseUrl: string,
  token: string,
  blogId: string,
  bytes: Uint8Array,
  fields = {},
): Promise<Media> {
  const res = await upload(baseUrl, token, blogId, bytes, { fields });
  if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as Media;
}

/** Where a test server keeps media, and how to count what is there (objects and temporary files). */
export interface MediaBackend {
  name: 'disk' | 's3';
  env: Record<string, string>;
  objects(): Promise<string[]>;
  tempFiles(): string[];
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

export function diskBackend(dataDir: string): MediaBackend {
  return {
    name: 'disk',
    env: { DATA_DIR: dataDir },
    objects: async () => walk(join(dataDir, 'media')).filter((f) => !f.includes(`${join('media', '.tmp')}`)),
    tempFiles: () => walk(join(dataDir, 'media', '.tmp')),
  };
}

export function s3Backend(s3: TestS3, dataDir: string): MediaBackend {
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  return {
    name: 's3',
    env: { ...s3.env, DATA_DIR: dataDir },
    objects: async () => {
      const res = await client.send(new ListObjectsV2Command({ Bucket: s3.env.S3_BUCKET! }));
      return (res.Contents ?? []).map((o) => o.Key ?? '');
    },
    // Nothing is spooled to disk: neither the data directory nor the S3 server's temp area.
    tempFiles: () => walk(join(dataDir, 'media')),
  };
}
