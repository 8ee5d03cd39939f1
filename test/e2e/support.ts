import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

const root = join(import.meta.dirname, '../..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * Builds public/assets/{embed,editor}.js when missing or older than client/ (CI builds them
 * before the tests; this keeps a single test file runnable on its own).
 */
export function ensureClientBuilt(): void {
  const bundles = ['embed.js', 'editor.js'].map((n) => join(root, 'public/assets', n));
  const fresh = () =>
    Math.min(...bundles.map((b) => (existsSync(b) ? statSync(b).mtimeMs : 0))) > newestMtime(join(root, 'client'));
  if (fresh()) return;
  // Test files run in parallel workers: one builds, the others wait for it (bounded).
  mkdirSync(join(root, 'public/assets'), { recursive: true });
  const lock = join(root, 'public/assets/.build-lock');
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`client build lock ${lock} held for over 60 s`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    if (!fresh())
      execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-client.ts'], { cwd: root, stdio: 'ignore' });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Opens the editor page and signs in with the password form (the page then lists the blogs). */
export async function signInWithPassword(
  page: Page,
  serverUrl: string,
  email: string,
  password: string,
): Promise<void> {
  await page.goto(`${serverUrl}/editor`);
  await page.fill('[data-testid="password-sign-in"] input[name="email"]', email);
  await page.fill('[data-testid="password-sign-in"] input[name="password"]', password);
  await page.click('[data-testid="password-sign-in"] button[type="submit"]');
}
