import { describe, expect, it } from 'vitest';
import { createApi } from '../helpers/api.js';
import { startOwnPostgres } from '../helpers/own-postgres.js';
import { startServer } from '../helpers/server.js';

describe('pages while the database is down', () => {
  it('answer 503 with Retry-After, like the API, not 500', async () => {
    // A PostgreSQL of the test's own, so stopping it disturbs no other test.
    const pg = await startOwnPostgres();
    const server = await startServer({ DATABASE_URL: pg.url });
    const blog = await createApi(server.url, server.adminToken).createBlog({ title: 'Outage page' });
    await pg.stop();
    for (const path of [`/live/${blog.slug}`, `/live/${blog.slug}/feed.atom`, `/embed/${blog.slug}`]) {
      const res = await fetch(`${server.url}${path}`);
      await res.arrayBuffer();
      expect(res.status, path).toBe(503);
      expect(res.headers.get('retry-after'), path).toBe('5');
    }
    const api = await fetch(`${server.url}/api/v1/blogs/${blog.id}`);
    expect(api.status).toBe(503);
  });
});
