import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { registerCleanup } from './teardown.js';

// The SDK warns once per process that its 2027 releases will need Node 22; tests run on Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export interface TestS3 {
  endpoint: string;
  /** Config variables that point the server at this S3 server (bucket created on start). */
  env: Record<string, string>;
  dir: string;
}

/**
 * A real S3-protocol server (s3rver, from npm) on a loopback ephemeral port, its objects in a
 * temporary directory; stopped and removed after the test file.
 */
export async function startS3(bucket = 'liveblog-media'): Promise<TestS3> {
  const dir = mkdtempSync(join(tmpdir(), 'liveblog-s3-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir });
  const { port } = await server.run();
  registerCleanup(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    dir,
    env: {
      S3_BUCKET: bucket,
      S3_ENDPOINT: endpoint,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
    },
  };
}
