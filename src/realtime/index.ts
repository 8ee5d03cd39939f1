import type { Server } from 'node:http';
import type { Deps } from '../deps.js';
import { createReaderHub, type ReaderHub } from './hub.js';

export type { ReaderHub } from './hub.js';

/** Socket.IO reader hub on the shared HTTP server (path /socket.io). */
export function attachReaderHub(server: Server, deps: Deps): ReaderHub {
  return createReaderHub(server, deps);
}
