import { describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus/index.js';
import { createLocalBus, createLocalNetwork } from '../../src/bus/local.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/lib/logger.js';
import { createMetrics } from '../../src/lib/metrics.js';
import { numbered, record, runBusContract } from '../contract/bus.contract.js';
import { registerCleanup } from '../helpers/teardown.js';
import { waitFor } from '../helpers/wait.js';

const log = createLogger('silent');

runBusContract('local twin network', async (nodeIds) => {
  const network = createLocalNetwork();
  const buses = nodeIds.map((id) => network.join(id, { log }));
  registerCleanup(async () => {
    await Promise.all(buses.map((b) => b.close()));
  });
  return buses;
});

describe('local bus', () => {
  it('a single node delivers synchronously to its own subscribers only once', () => {
    const bus = createLocalBus('solo', { log });
    const got = record(bus);
    bus.publish(numbered('solo', 1));
    expect(got).toEqual([{ from: 'solo', msg: numbered('solo', 1) }]);
    expect(bus.kind).toBe('local');
  });

  it('hands other nodes a copy, so the sender mutating its message later changes nothing', async () => {
    const network = createLocalNetwork();
    const a = network.join('a');
    const atB = record(network.join('b'));
    const msg = { kind: 'readers' as const, counts: { x: 1 } };
    a.publish(msg);
    msg.counts.x = 99;
    await waitFor(() => atB.length === 1, { what: 'delivery' });
    expect(atB[0]?.msg).toEqual({ kind: 'readers', counts: { x: 1 } });
  });

  it('a local handler publishing in turn does not overtake the message it reacts to', async () => {
    const network = createLocalNetwork();
    const a = network.join('a');
    const atB = record(network.join('b'));
    a.subscribe((env) => {
      if (env.msg.kind === 'readers' && env.msg.counts.first === 1)
        a.publish({ kind: 'readers', counts: { second: 1 } });
    });
    a.publish({ kind: 'readers', counts: { first: 1 } });
    await waitFor(() => atB.length === 2, { what: 'both messages' });
    expect(atB.map((e) => Object.keys(e.msg.kind === 'readers' ? e.msg.counts : {})[0])).toEqual(['first', 'second']);
  });

  it('a cut node misses messages both ways, and healing fires resync where something was lost', async () => {
    const network = createLocalNetwork();
    const metrics = createMetrics();
    const a = network.join('a', { metrics });
    const b = network.join('b');
    const atA = record(a);
    const atB = record(b);
    let resyncA = 0;
    let resyncB = 0;
    a.onResync(() => resyncA++);
    b.onResync(() => resyncB++);

    network.cut('a');
    a.publish(numbered('a', 1));
    b.publish(numbered('b', 1));
    expect(atA).toHaveLength(1); // its own, synchronously
    expect(atB).toHaveLength(1);

    network.heal('a');
    expect(resyncA).toBe(1);
    expect(resyncB).toBe(1); // a published while cut: b must re-read too
    expect((await metrics.busReconnects.get()).values[0]?.value).toBe(1);

    a.publish(numbered('a', 2));
    await waitFor(() => atB.length === 2, { what: 'delivery after heal' });
    // What b sent while a was cut never arrives: b's next message is the first a sees from b.
    b.publish(numbered('b', 2));
    await waitFor(() => atA.some((e) => e.from === 'b'), { what: 'b to reach a after heal' });
    expect(atA.filter((e) => e.from === 'b').map((e) => e.msg)).toEqual([numbered('b', 2)]);
  });

  it('counts messages in and out, and invalid ones, by kind', async () => {
    const network = createLocalNetwork();
    const ma = createMetrics();
    const mb = createMetrics();
    const a = network.join('a', { metrics: ma, log });
    const b = network.join('b', { metrics: mb, log });
    const atB = record(b);
    a.publish(numbered('a', 1));
    a.publish({ kind: 'readers', counts: { x: 1.5 } });
    a.publish(numbered('a', 2));
    // In order per publisher: once the last valid one is in, the invalid one was handled.
    await waitFor(() => atB.length === 2, { what: 'valid messages' });
    const value = async (m: typeof ma, direction: string, kind: string) =>
      (await m.busMessages.get()).values.find((v) => v.labels.direction === direction && v.labels.kind === kind)
        ?.value ?? 0;
    expect(await value(ma, 'out', 'readers')).toBe(3);
    expect(await value(mb, 'in', 'readers')).toBe(2);
    expect(await value(mb, 'in', 'invalid')).toBe(1);
  });

  it('createBus picks the local bus without REDIS_URL', async () => {
    const bus = createBus(loadConfig({}), { nodeId: 'n1', log, metrics: createMetrics() });
    expect(bus.kind).toBe('local');
    expect(bus.nodeId).toBe('n1');
    const got = record(bus);
    bus.publish(numbered('n1', 1));
    expect(got).toHaveLength(1);
    await bus.close();
  });
});
