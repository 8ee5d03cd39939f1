/**
 * Bundles the browser code in client/ with esbuild into public/assets/, which the server
 * serves. Each entry is optional so the server starts even before a bundle exists.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const outdir = join(root, 'public/assets');
mkdirSync(outdir, { recursive: true });

const entries: { name: string; entry: string }[] = [
  { name: 'embed', entry: 'client/embed/index.ts' },
  { name: 'editor', entry: 'client/editor/index.ts' },
];

for (const { name, entry } of entries) {
  const path = join(root, entry);
  if (!existsSync(path)) continue;
  const outfile = join(outdir, `${name}.js`);
  await build({
    entryPoints: [path],
    outfile,
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020'],
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const size = statSync(outfile).size;
  const gz = gzipSync(readFileSync(outfile)).length;
  console.log(`${name}.js: ${(size / 1024).toFixed(1)} KiB, ${(gz / 1024).toFixed(1)} KiB gzipped`);
}
