import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { registerCleanup } from '../helpers/teardown.js';

const root = join(import.meta.dirname, '../..');
export const ARTIFACTS = join(root, 'test-artifacts');
const DOCS_SHOTS = join(root, 'docs/screenshots');

/** Debian's Chromium, headless, nothing downloaded; closed after the test file. */
export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  registerCleanup(() => browser.close());
  return browser;
}

/**
 * Collects what would hide a failure in a page: uncaught errors, console errors and CSP
 * violations (reported by the page itself, so the check does not depend on console wording).
 */
export async function watchPage(page: Page): Promise<{ errors: string[] }> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // Failed loads are reported below with their URL instead.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    // Browsers ask every origin for a favicon on their own; nothing of ours asked for it.
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) errors.push(`http ${r.status()}: ${r.url()}`);
  });
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  await page.exposeFunction('__reportCsp', (v: string) => errors.push(`csp: ${v}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __reportCsp(v: string): void }).__reportCsp(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return { errors };
}

/** Saves a screenshot under test-artifacts/; `docsName` also refreshes docs/screenshots/ when asked or missing. */
export async function screenshot(page: Page, name: string, docsName?: string, fullPage = true): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  if (docsName) {
    const target = join(DOCS_SHOTS, docsName);
    if (process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(target)) {
      mkdirSync(DOCS_SHOTS, { recursive: true });
      copyFileSync(path, target);
    }
  }
  return path;
}

/**
 * A partner's site: a tiny HTTP server on another port (another origin) whose page embeds
 * the widget with the documented snippet.
 */
export async function startPartnerSite(opts: { serverUrl: string; slug: string; filler?: boolean }): Promise<string> {
  const filler = opts.filler
    ? Array.from(
        { length: 40 },
        (_, i) => `<p>Partner article paragraph ${i + 1}. Lorem ipsum dolor sit amet.</p>`,
      ).join('\n')
    : '';
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Partner News</title>
<style>body{font-family:Georgia,serif;max-width:44rem;margin:2rem auto;padding:0 1rem;background:#fffdf7}
.liveblog-box{--lb-accent:#0b5cad;--lb-font:Georgia,serif;border:1px solid #ccc}</style></head>
<body><h1>Partner News: our coverage</h1><p>Follow the story as it happens:</p>
<div class="liveblog-box" data-liveblog="${opts.slug}"></div>
<script async src="${opts.serverUrl}/embed.js"></script>
${filler}
</body></html>`;
  const server = createServer((req, res) => {
    if (req.url === '/' || req.url?.startsWith('/?')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registerCleanup(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}
