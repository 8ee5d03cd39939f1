import type { Context } from 'hono';
import type { Blog, Principal } from '../domain/index.js';
import type { Logger } from '../lib/logger.js';

/** Per-request values set by the middleware chain, read by the routes. */
export interface HttpEnv {
  Variables: {
    requestId: string;
    log: Logger;
    /** null for anonymous requests; set by middleware/auth.ts. */
    principal: Principal | null;
    /** The blog named in the path, loaded and judged visible by access.ts `blogFromPath`. */
    blog: Blog;
  };
}

export type HttpContext = Context<HttpEnv>;
