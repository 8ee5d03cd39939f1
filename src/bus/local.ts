import type { Logger } from '../lib/logger.js';
import { type BusMetrics, Fanout } from './fanout.js';
import { type Bus, BusMessage } from './types.js';

export interface LocalBusOptions {
  log?: Logger;
  metrics?: BusMetrics;
}

/**
 * An in-memory network of buses, one per simulated node, so multi-node behaviour can be
 * tested in one process. It mirrors the Redis bus: the sender's own subscribers get the message
 * synchronously, other members later (setImmediate, in publish order) as a JSON copy that is
 * validated again, exactly what crossing Redis would do to it.
 */
export interface LocalNetwork {
  join(nodeId: string, opts?: LocalBusOptions): Bus;
  /**
   * Simulates a node losing its link to the others (a Redis outage as seen from that node):
   * its messages stop reaching them and theirs stop reaching it. Its own subscribers still
   * get its own messages.
   */
  cut(nodeId: string): void;
  /**
   * Restores the link. The node's resync handlers fire (as after a Redis reconnect), and the
   * other members' too if the node published while cut (as the Redis bus's resync notice does).
   */
  heal(nodeId: string): void;
}

interface Member {
  nodeId: string;
  fanout: Fanout;
  metrics: BusMetrics | undefined;
  log: Logger | undefined;
  closed: boolean;
  cut: boolean;
  publishedWhileCut: boolean;
}

export function createLocalNetwork(): LocalNetwork {
  const members = new Set<Member>();
  const byId = (nodeId: string) => [...members].filter((m) => m.nodeId === nodeId);

  /** Delivery to one remote member, as the Redis bus's receive path does it. */
  const receive = (to: Member, from: string, wire: string) => {
    if (to.closed || to.cut) return;
    const parsed = BusMessage.safeParse(JSON.parse(wire));
    if (!parsed.success) {
      to.metrics?.busMessages.inc({ direction: 'in', kind: 'invalid' });
      to.log?.warn({ from, issues: parsed.error.issues.slice(0, 3) }, 'dropped invalid bus message');
      return;
    }
    to.metrics?.busMessages.inc({ direction: 'in', kind: parsed.data.kind });
    to.fanout.deliver({ from, msg: parsed.data });
  };

  const sendToOthers = (self: Member, msg: BusMessage) => {
    if (self.cut) {
      self.publishedWhileCut = true;
      return;
    }
    const others = [...members].filter((m) => m !== self && !m.cut);
    if (others.length === 0) return;
    // Serialise now, as Redis would: later mutation of `msg` by the caller must not leak.
    let wire: string;
    try {
      wire = JSON.stringify(msg);
    } catch (err) {
      self.log?.error({ err, kind: msg.kind }, 'bus message is not serialisable; not sent to other nodes');
      return;
    }
    setImmediate(() => {
      for (const other of others) receive(other, self.nodeId, wire);
    });
  };

  const join = (nodeId: string, opts: LocalBusOptions = {}): Bus => {
    const self: Member = {
      nodeId,
      fanout: new Fanout(opts.log),
      metrics: opts.metrics,
      log: opts.log,
      closed: false,
      cut: false,
      publishedWhileCut: false,
    };
    members.add(self);
    return {
      kind: 'local',
      nodeId,
      publish(msg) {
        if (self.closed) return;
        self.metrics?.busMessages.inc({ direction: 'out', kind: msg.kind });
        // Send to the others before delivering locally: a local handler that publishes in
        // turn must not overtake this message on the way out (order per publisher).
        sendToOthers(self, msg);
        self.fanout.deliver({ from: nodeId, msg });
      },
      subscribe: (handler) => self.fanout.subscribe(handler),
      onResync: (handler) => self.fanout.onResync(handler),
      async close() {
        self.closed = true;
        members.delete(self);
        self.fanout.clear();
      },
    };
  };

  return {
    join,
    cut(nodeId) {
      for (const m of byId(nodeId)) m.cut = true;
    },
    heal(nodeId) {
      for (const m of byId(nodeId)) {
        if (!m.cut) continue;
        m.cut = false;
        m.metrics?.busReconnects.inc();
        m.fanout.resync();
        if (m.publishedWhileCut) {
          m.publishedWhileCut = false;
          for (const other of members) if (other !== m && !other.cut) other.fanout.resync();
        }
      }
    },
  };
}

/** A single node's in-process bus: what the server uses without REDIS_URL. */
export function createLocalBus(nodeId: string, opts: LocalBusOptions = {}): Bus {
  return createLocalNetwork().join(nodeId, opts);
}
