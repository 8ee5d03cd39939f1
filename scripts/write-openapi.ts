/**
 * Writes the OpenAPI document of an in-process app (no port, a throwaway SQLite store) to
 * the path given as the first argument (default: openapi.json). Used by `npm run
 * lint:openapi`, which lints it with Redocly's recommended rules.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createHttpApp } from '../src/http/index.js';
import { buildOpenApi } from '../src/http/openapi.js';

const out = process.argv[2] ?? 'openapi.json';
const dataDir = mkdtempSync(join(tmpdir(), 'liveblog-openapi-'));
try {
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ADMIN_TOKEN: 'openapi-writer-token-0123456789',
    // Any absolute URL: the served document names the configured PUBLIC_URL instead.
    PUBLIC_URL: 'https://liveblog.newsroom.test',
    SHUTDOWN_DELAY_MS: '0',
  });
  const app = await createApp(config);
  const doc = buildOpenApi(createHttpApp(app.deps), { publicUrl: config.publicUrl });
  writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
  await app.shutdown();
  console.log(`wrote ${out}: ${Object.keys(doc.paths ?? {}).length} paths`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
