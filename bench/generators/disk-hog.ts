import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Disk contention for `npm run bench -- --disk-contention`: another process that keeps the
 * disk busy with synchronous writes (64 KB written then fsync'd, over and over, in a file of
 * its own in a temp folder), as a neighbour on a shared disk would. Bounded in time (at most
 * DISK_HOG_MS, 10 minutes) and in size (the file is rewritten from the start every 64 MB);
 * the bench stops it with SIGTERM, and it removes its folder on the way out.
 */
const MAX_MS = Math.min(600_000, Math.max(1_000, Number(process.env.DISK_HOG_MS ?? 600_000)));
const CHUNK = Buffer.alloc(64 * 1024, 0x61);
const WRAP = 64 * 1024 * 1024;

const dir = mkdtempSync(join(tmpdir(), 'disk-hog-'));
const fd = openSync(join(dir, 'hog.bin'), 'w');
let stopped = false;
let syncs = 0;
const stop = () => {
  if (stopped) return;
  stopped = true;
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
  process.send?.({ syncs });
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('disconnect', stop);

const end = Date.now() + MAX_MS;
let offset = 0;
// Slices of synchronous work, yielding between them so SIGTERM is heard.
const slice = () => {
  const until = Date.now() + 50;
  while (Date.now() < until) {
    writeSync(fd, CHUNK, 0, CHUNK.length, offset);
    fsyncSync(fd);
    syncs++;
    offset = (offset + CHUNK.length) % WRAP;
  }
  if (Date.now() >= end) stop();
  else setImmediate(slice);
};
slice();
