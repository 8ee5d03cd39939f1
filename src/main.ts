import { createApp } from './app.js';
import { type Config, ConfigError, loadConfig } from './config.js';

/** Start and stop only. SIGTERM/SIGINT drain gracefully; a second signal exits at once. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  let app: Awaited<ReturnType<typeof createApp>>;
  try {
    app = await createApp(config);
  } catch (err) {
    // A setting only found wrong while starting (e.g. ADMIN_PASSWORD refused by the policy).
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = app.deps.log;
  if (process.argv.includes('--demo')) {
    const { seedDemo } = await import('./demo/seed.js');
    await seedDemo(app.deps);
  }
  const addr = await app.listen();
  process.stdout.write(
    `\n  Liveblog listening on http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${addr.port}` +
      ` (public URL ${config.publicUrl}; ${app.deps.store.kind} store, ${app.deps.bus.kind} bus)\n` +
      `  Editor: ${config.publicUrl}/editor   API docs: ${config.publicUrl}/docs\n\n`,
  );

  // pino writes asynchronously: flush before exiting or the last lines ("stopped") are lost.
  const exit = (code: number) => {
    setTimeout(() => process.exit(code), 500).unref();
    log.flush(() => process.exit(code));
  };

  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      log.warn({ sig }, 'second signal: exiting now');
      exit(1);
      return;
    }
    log.info({ sig }, 'draining');
    // Whatever happens during the drain, the process ends within the configured bound.
    setTimeout(() => process.exit(1), config.SHUTDOWN_TIMEOUT_MS + 2000).unref();
    app.shutdown().then(
      () => exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
