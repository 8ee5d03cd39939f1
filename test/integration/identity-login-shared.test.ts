import { describe, expect, it } from 'vitest';
import { createPerson, login } from '../helpers/identity.js';
import { startServer } from '../helpers/server.js';
import { freshPostgresDatabase, REDIS_TEST_URL } from '../helpers/services.js';

/**
 * With REDIS_URL set, failed sign-ins count against one budget on every node: spreading
 * guesses over the nodes behind a load balancer buys nothing. Another installation on the
 * same Redis (another database, another secret) keeps its own counters.
 */
describe('login failure limits across nodes (PostgreSQL + Redis)', () => {
  it('spends one budget per account and address on both nodes, and none of another installation’s', async () => {
    const limits = { LOGIN_FAILURES_PER_PAIR: '3', REDIS_URL: REDIS_TEST_URL };
    const env = { ...limits, DATABASE_URL: await freshPostgresDatabase() };
    const a = await startServer({ ...env, NODE_ID: 'login-a' });
    const b = await startServer({ ...env, NODE_ID: 'login-b' });
    expect(a.app.deps.auth.loginLimits).toBe('redis');
    const password = 'walnut signal harbour 8';
    await createPerson(a, { name: 'Target', email: 'target@desk.test', password });

    expect((await login(a, 'target@desk.test', 'wrong guess one')).status).toBe(401);
    expect((await login(b, 'target@desk.test', 'wrong guess two')).status).toBe(401);
    expect((await login(a, 'target@desk.test', 'wrong guess three')).status).toBe(401);
    // Three failures in all, two nodes: the pair's budget is spent on both.
    for (const node of [a, b]) {
      const refused = await login(node, 'target@desk.test', password);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }

    // Another installation sharing the Redis: same email, same address, its own budget.
    const other = await startServer({ ...limits, DATABASE_URL: await freshPostgresDatabase(), NODE_ID: 'login-c' });
    await createPerson(other, { name: 'Target', email: 'target@desk.test', password });
    expect((await login(other, 'target@desk.test', password)).status).toBe(200);
  });

  it('counts per node without Redis', async () => {
    const solo = await startServer({ LOGIN_FAILURES_PER_PAIR: '3' });
    expect(solo.app.deps.auth.loginLimits).toBe('memory');
  });
});
