/**
 * Bundles the browser code in client/ with esbuild into public/assets/, which the server
 * serves. Each entry is optional so the server starts even before a bundle exists.
 *
 * The README states the widget's gzipped size between `<!-- embed-size -->` markers:
 * `--update-readme` writes the measured figure there, `--check-readme` (CI) fails when the
 * stated figure is more than 1 KiB off, so the number is never typed by hand.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
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

const gzippedKiB = new Map<string, number>();
for (const { name, entry } of entries) {
  const path = join(root, entry);
  if (!existsSync(path)) continue;
  const outfile = join(outdir, `${name}.js`);
  const result = await build({
    entryPoints: [path],
    // Written below, each file whole: a server running while this builds (the e2e tests build
    // when client/ is newer) serves the old bundle or the new one, never a half-written one.
    write: false,
    outfile,
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020'],
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
    // A library's stylesheet imported as text (the editor's chart, uPlot), put in a <style>.
    loader: { '.css': 'text' },
  });
  for (const file of result.outputFiles) {
    writeFileSync(`${file.path}.tmp`, file.contents);
    renameSync(`${file.path}.tmp`, file.path);
  }
  const size = statSync(outfile).size;
  const gz = gzipSync(readFileSync(outfile)).length;
  gzippedKiB.set(name, gz / 1024);
  console.log(`${name}.js: ${(size / 1024).toFixed(1)} KiB, ${(gz / 1024).toFixed(1)} KiB gzipped`);
}

const readmeFigure = /(<!-- embed-size -->)([\d.]+)( KiB gzipped<!-- \/embed-size -->)/;
const embedKiB = gzippedKiB.get('embed');
if (embedKiB !== undefined && (process.argv.includes('--update-readme') || process.argv.includes('--check-readme'))) {
  const readmePath = join(root, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const stated = readme.match(readmeFigure);
  if (!stated?.[2]) throw new Error('README.md has no <!-- embed-size -->N KiB gzipped<!-- /embed-size --> figure');
  if (process.argv.includes('--update-readme')) {
    writeFileSync(readmePath, readme.replace(readmeFigure, `$1${embedKiB.toFixed(1)}$3`));
    console.log(`README.md: widget size set to ${embedKiB.toFixed(1)} KiB gzipped`);
  } else if (Math.abs(Number(stated[2]) - embedKiB) > 1) {
    console.error(
      `README.md states ${stated[2]} KiB gzipped for the widget, the build measures ${embedKiB.toFixed(1)}: ` +
        'run `npm run build:client -- --update-readme`',
    );
    process.exit(1);
  }
}
