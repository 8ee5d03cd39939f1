import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { EditorsReport } from '../generators/editors.js';
import { ROOT } from './servers.js';

/** What the editors' generator says over IPC: its phase ('typing', 'measuring'), its report, or why it failed. */
export interface EditorsMessage {
  phase?: string;
  report?: EditorsReport;
  error?: string;
}

/** Starts the co-editing generator (bench/generators/editors.ts) on `job`. */
export function forkEditors(job: Record<string, unknown>): ChildProcess {
  return fork(join(ROOT, 'bench/generators/editors.ts'), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_EDITORS_JOB: JSON.stringify(job) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}
