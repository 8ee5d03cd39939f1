import { fork } from 'node:child_process';

/**
 * A bounded parallel CPU load, to run test suites on a busy machine (as CI machines are):
 *   node --import tsx bench/cpu-load.ts [processes=2] [seconds=600]
 * Each child spins on the CPU and exits by itself after `seconds`; the parent waits for them.
 */
if (process.env.CPU_LOAD_CHILD) {
  const until = Date.now() + Number(process.env.CPU_LOAD_CHILD) * 1000;
  let x = 0;
  while (Date.now() < until) for (let i = 0; i < 1e6; i++) x = (x + i) % 7919;
  process.exit(x < 0 ? 1 : 0);
} else {
  const n = Math.min(8, Number(process.argv[2] ?? 2));
  const seconds = Math.min(3600, Number(process.argv[3] ?? 600));
  const children = Array.from({ length: n }, () =>
    fork(import.meta.filename, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, CPU_LOAD_CHILD: String(seconds) },
    }),
  );
  process.on('SIGTERM', () => {
    for (const c of children) c.kill('SIGTERM');
    process.exit(0);
  });
  await Promise.all(children.map((c) => new Promise((r) => c.once('exit', r))));
}
