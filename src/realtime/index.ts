import type { Server } from 'node:http';
import type { Deps } from '../deps.js';

export interface ReaderHub {
  /** Tells readers to reconnect elsewhere, disconnects them, stops timers. */
  close(): Promise<void>;
}

/** Socket.IO reader hub on the shared HTTP server (stub: realtime helper fills in). */
export function attachReaderHub(_server: Server, _deps: Deps): ReaderHub {
  return { close: async () => {} };
}
