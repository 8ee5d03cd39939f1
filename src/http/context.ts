import type { Context } from 'hono';
import type { Principal } from '../domain/index.js';
import type { Logger } from '../lib/logger.js';

/** Per-request values set by the middleware chain, read by the routes. */
export interface HttpEnv {
  Variables: {
    requestId: string;
    log: Logger;
    /** null for anonymous requests; set by middleware/auth.ts. */
    principal: Principal | null;
  };
}

export type HttpContext = Context<HttpEnv>;
