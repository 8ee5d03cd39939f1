import { describe, expect, it } from 'vitest';
import type { Bus, BusEnvelope, BusMessage } from '../../src/bus/types.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Creates buses that see each other (same network / same Redis channel), all ready to
 * deliver when the promise resolves. The factory owns their cleanup; the suite may close some.
 */
export type MakeNodes = (nodeIds: string[]) => Promise<Bus[]>;

/** A small valid message whose counts carry who sent it and its position. */
export const numbered = (sender: string, i: number): BusMessage => ({ kind: 'readers', counts: { [sender]: i } });

const summaryEvent = (seq: number): BusMessage => ({
  kind: 'event',
  event: {
    blogId: 'blog_1',
    seq,
    type: 'summary.updated',
    at: new Date(0).toISOString(),
    data: { seq, bullets: [{ html: '<b>x</b>', text: 'x' }], updatedAt: new Date(0).toISOString() },
  },
});

/** Records what a bus's subscribers receive. */
export function record(bus: Bus): BusEnvelope[] {
  const got: BusEnvelope[] = [];
  bus.subscribe((env) => got.push(env));
  return got;
}

const from = (got: BusEnvelope[], sender: string) => got.filter((e) => e.from === sender);
const isSentinel = (e: BusEnvelope, sender: string) =>
  e.msg.kind === 'readers' && e.msg.counts.sentinel !== undefined && e.from === sender;

/**
 * The Bus contract, run against every implementation (in-process twin network, Redis).
 * Completion is proven with sentinels: messages from one publisher arrive in order, so once a
 * publisher's sentinel is in, everything it sent before is in too (or lost for good).
 */
export function runBusContract(name: string, makeNodes: MakeNodes): void {
  describe(`Bus contract: ${name}`, () => {
    it('delivers to own subscribers synchronously and to the other node, stamped with the sender', async () => {
      const [a, b] = await makeNodes(['node-a', 'node-b']);
      if (!a || !b) throw new Error('factory returned too few buses');
      const atA = record(a);
      const atB = record(b);
      const msg = summaryEvent(1);
      a.publish(msg);
      // Synchronous: no await between publish and this check.
      expect(atA).toEqual([{ from: a.nodeId, msg }]);
      await waitFor(() => atB.length === 1, { what: 'b to receive' });
      expect(atB[0]).toEqual({ from: a.nodeId, msg });
      expect(a.nodeId).toBe('node-a');
    });

    it('delivers every message exactly once to every node', async () => {
      const [a, b] = await makeNodes(['node-a', 'node-b']);
      if (!a || !b) throw new Error('factory returned too few buses');
      const atA = record(a);
      const atB = record(b);
      const perNode = 50;
      for (let i = 0; i < perNode; i++) {
        a.publish(numbered('a', i));
        b.publish(numbered('b', i));
      }
      a.publish({ kind: 'readers', counts: { sentinel: 1 } });
      b.publish({ kind: 'readers', counts: { sentinel: 1 } });
      for (const got of [atA, atB]) {
        await waitFor(() => got.some((e) => isSentinel(e, a.nodeId)) && got.some((e) => isSentinel(e, b.nodeId)), {
          what: 'both sentinels',
        });
        expect(from(got, a.nodeId)).toHaveLength(perNode + 1);
        expect(from(got, b.nodeId)).toHaveLength(perNode + 1);
        const keys = got.map((e) => JSON.stringify([e.from, e.msg]));
        expect(new Set(keys).size).toBe(keys.length);
      }
    });

    it('preserves each publisher’s order across 1,000 messages', async () => {
      const [a, b] = await makeNodes(['node-a', 'node-b']);
      if (!a || !b) throw new Error('factory returned too few buses');
      const atA = record(a);
      const atB = record(b);
      const n = 1000;
      for (let i = 0; i < n; i++) {
        a.publish(numbered('a', i));
        if (i % 3 === 0) b.publish(numbered('b', i));
      }
      await waitFor(() => from(atB, a.nodeId).length === n, { timeoutMs: 20_000, what: 'b to get all of a' });
      await waitFor(() => from(atA, b.nodeId).length === Math.ceil(n / 3), { what: 'a to get all of b' });
      const seqOf = (got: BusEnvelope[], sender: string, key: string) =>
        from(got, sender).map((e) => (e.msg.kind === 'readers' ? e.msg.counts[key] : -1));
      const expectedA = Array.from({ length: n }, (_, i) => i);
      expect(seqOf(atB, a.nodeId, 'a')).toEqual(expectedA);
      expect(seqOf(atA, a.nodeId, 'a')).toEqual(expectedA);
      expect(seqOf(atA, b.nodeId, 'b')).toEqual(expectedA.filter((i) => i % 3 === 0));
    });

    it('drops at the receiving node a message that fails the BusMessage schema', async () => {
      const [a, b] = await makeNodes(['node-a', 'node-b']);
      if (!a || !b) throw new Error('factory returned too few buses');
      const atB = record(b);
      // Typed code cannot build these; a buggy or hostile peer can.
      a.publish({ kind: 'readers', counts: { x: -1 } } as BusMessage);
      a.publish({ kind: 'no-such-kind' } as unknown as BusMessage);
      a.publish({ kind: 'event', event: { blogId: 'b', seq: 0 } } as unknown as BusMessage);
      a.publish({ kind: 'readers', counts: { sentinel: 1 } });
      await waitFor(() => atB.some((e) => isSentinel(e, a.nodeId)), { what: 'sentinel' });
      expect(atB).toHaveLength(1);
    });

    it('stops calling a handler once unsubscribed, and isolates a throwing handler', async () => {
      const [a, b] = await makeNodes(['node-a', 'node-b']);
      if (!a || !b) throw new Error('factory returned too few buses');
      const kept = record(b);
      const dropped: BusEnvelope[] = [];
      const off = b.subscribe((env) => dropped.push(env));
      b.subscribe(() => {
        throw new Error('handler bug');
      });
      a.publish(numbered('a', 1));
      await waitFor(() => kept.length === 1 && dropped.length === 1, { what: 'first message' });
      off();
      expect(() => a.publish(numbered('a', 2))).not.toThrow();
      await waitFor(() => kept.length === 2, { what: 'second message' });
      expect(dropped).toHaveLength(1);
    });

    it('stops delivery to and from a closed bus; publish on it is a no-op', async () => {
      const [a, b, c] = await makeNodes(['node-a', 'node-b', 'node-c']);
      if (!a || !b || !c) throw new Error('factory returned too few buses');
      const atA = record(a);
      const atB = record(b);
      const atC = record(c);
      await b.close();
      a.publish(numbered('a', 1));
      a.publish({ kind: 'readers', counts: { sentinel: 1 } });
      await waitFor(() => atC.some((e) => isSentinel(e, a.nodeId)), { what: 'c to get a’s sentinel' });
      expect(atB).toHaveLength(0);
      expect(atC).toHaveLength(2);

      await a.close();
      expect(() => a.publish(numbered('a', 2))).not.toThrow();
      expect(atA).toHaveLength(2);
      c.publish({ kind: 'readers', counts: { sentinel: 2 } });
      expect(atC).toHaveLength(3);
      await expect(a.close()).resolves.toBeUndefined();
    });
  });
}
