import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/lib/logger.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { type Api, createApi } from './api.js';
import { inProcessFetch } from './response-check.js';
import { ADMIN_TOKEN, tempDataDir } from './server.js';
import { registerCleanup } from './teardown.js';

export interface InProcessApp {
  app: App;
  /** The typed API helper, as admin; `api.as(token)` for anyone else. */
  api: Api;
  /** A fetch that answers from the app without a socket, each answer held to /openapi.json. */
  fetch: typeof fetch;
  adminToken: string;
}

/**
 * The whole app (HTTP routes, auth, the reader hub and collab wired as in production) on an
 * in-memory SQLite store, answering through `app.http.request()`: no port, no socket, no
 * service. For the fast tier (`npm run test:unit`); closed after the test file.
 */
export async function inProcessApp(env: Record<string, string> = {}): Promise<InProcessApp> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    ADMIN_TOKEN,
    SHUTDOWN_TIMEOUT_MS: '1000',
    SHUTDOWN_DELAY_MS: '0',
    DATA_DIR: tempDataDir(),
    ...env,
  });
  const store = new SqliteStore({ file: ':memory:', synchronous: 'NORMAL', log: createLogger('silent') });
  const app = await createApp(config, { store });
  registerCleanup(() => app.shutdown());
  const send = inProcessFetch((req) => app.http.request(req));
  return {
    app,
    api: createApi('http://in-process', ADMIN_TOKEN, { fetch: send }),
    fetch: send,
    adminToken: ADMIN_TOKEN,
  };
}
