import type { Server } from 'node:http';
import type { Deps } from '../deps.js';

export interface CollabServer {
  /** Flushes pending updates to the store, closes editors' sockets (code 1012), unloads docs. */
  close(): Promise<void>;
}

/** y-websocket protocol server at /collab/:blogId on the shared HTTP server (stub: collab helper fills in). */
export function attachCollab(_server: Server, _deps: Deps): CollabServer {
  return { close: async () => {} };
}
