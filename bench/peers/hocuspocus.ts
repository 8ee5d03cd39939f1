import { Server } from '@hocuspocus/server';

/**
 * The co-editing peer: @hocuspocus/server 3 with no extensions (in memory, no persistence,
 * no auth). Any plain HTTP GET (the harness's /health) gets its 200 welcome text.
 */
const server = new Server({
  port: Number(process.env.PORT ?? 0),
  address: process.env.HOST ?? '127.0.0.1',
  quiet: true,
  stopOnSignals: false,
});

await server.listen();
process.on('SIGTERM', () => {
  server.destroy().finally(() => process.exit(0));
});
