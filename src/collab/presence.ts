import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import type { Deps } from '../deps.js';
import {
  type AwarenessEntry,
  BadMessage,
  decodeAwareness,
  encodeAwareness,
  encodeAwarenessMessage,
} from './protocol.js';

/** What presence needs from a connection. */
export interface PresenceMember {
  /** `user` field forced into every awareness state this connection sends. */
  readonly user: { name: string; color: string };
  /** Awareness client ids this connection has claimed. */
  readonly clientIds: Set<number>;
  send(frame: Uint8Array): void;
}

const MAX_IDS_PER_CONNECTION = 8;
/** Entries per awareness frame (a provider relays everyone it knows). */
const MAX_ENTRIES = 2000;
const MAX_STATE_BYTES = 8 * 1024;
/** Larger batches are not sent to other nodes (presence is best-effort, the doc is not). */
const MAX_BUS_BATCH_BYTES = 64 * 1024;

const BUS = { source: 'bus' } as const;

/**
 * Awareness of one blog's editors. Changes are batched per event-loop turn: one frame to every
 * local editor (echoing the sender, which keeps its provider's watchdog fed) and one
 * `doc.awareness` bus message for changes that did not come from the bus.
 */
export class Presence {
  readonly awareness: Awareness;
  private readonly owners = new Map<number, PresenceMember>();
  private readonly changedLocal = new Set<number>();
  private readonly changedForBus = new Set<number>();
  private flushScheduled = false;
  private destroyed = false;

  constructor(
    private readonly blogId: string,
    doc: Y.Doc,
    private readonly members: () => Iterable<PresenceMember>,
    private readonly deps: Deps,
  ) {
    this.awareness = new Awareness(doc);
    this.awareness.setLocalState(null);
    this.awareness.on('update', this.onUpdate);
  }

  /** Every known state, for a newly joined editor or a queryAwareness. */
  snapshotFrame(): Uint8Array | null {
    const ids = [...this.awareness.getStates().keys()];
    return ids.length > 0 ? encodeAwarenessMessage(encodeAwarenessUpdate(this.awareness, ids)) : null;
  }

  /**
   * Applies an editor's awareness update with its `user` field overwritten. Providers relay
   * the states of everyone they know, so entries for ids owned by another connection (or held
   * for another node) are dropped, not refused. Throws BadMessage.
   */
  receive(member: PresenceMember, update: Uint8Array): void {
    const own: AwarenessEntry[] = [];
    for (const entry of decodeAwareness(update, MAX_ENTRIES)) {
      const owner = this.owners.get(entry.clientId);
      if (owner && owner !== member) continue;
      if (!owner) {
        if (this.awareness.states.has(entry.clientId)) continue;
        if (member.clientIds.size >= MAX_IDS_PER_CONNECTION) throw new BadMessage('too many awareness ids');
      }
      if (entry.state) {
        entry.state = { ...entry.state, user: member.user };
        if (JSON.stringify(entry.state).length > MAX_STATE_BYTES) throw new BadMessage('awareness state too large');
      }
      own.push(entry);
    }
    for (const entry of own) {
      member.clientIds.add(entry.clientId);
      this.owners.set(entry.clientId, member);
    }
    if (own.length > 0) applyAwarenessUpdate(this.awareness, encodeAwareness(own), member);
  }

  /** Removes a departing editor's states (others see them leave). */
  leave(member: PresenceMember): void {
    const ids = [...member.clientIds];
    for (const id of ids) this.owners.delete(id);
    if (ids.length > 0) removeAwarenessStates(this.awareness, ids, member);
  }

  /** An awareness update from another node. */
  receiveFromBus(update: Uint8Array): void {
    try {
      applyAwarenessUpdate(this.awareness, update, BUS);
    } catch (err) {
      this.deps.log.warn({ err, blogId: this.blogId }, 'bad awareness update on the bus');
    }
  }

  destroy(): void {
    this.destroyed = true;
    this.awareness.off('update', this.onUpdate);
    this.awareness.destroy();
  }

  private readonly onUpdate = (
    change: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    for (const list of [change.added, change.updated, change.removed]) {
      for (const id of list) {
        this.changedLocal.add(id);
        if (origin !== BUS) this.changedForBus.add(id);
      }
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  };

  private readonly flush = (): void => {
    this.flushScheduled = false;
    if (this.destroyed) return;
    const known = (ids: Set<number>) => [...ids].filter((id) => this.awareness.meta.has(id));
    const local = known(this.changedLocal);
    const forBus = known(this.changedForBus);
    this.changedLocal.clear();
    this.changedForBus.clear();
    if (local.length > 0) {
      const frame = encodeAwarenessMessage(encodeAwarenessUpdate(this.awareness, local));
      for (const m of this.members()) m.send(frame);
    }
    if (forBus.length > 0) {
      const update = encodeAwarenessUpdate(this.awareness, forBus);
      if (update.length > MAX_BUS_BATCH_BYTES) {
        this.deps.metrics.refusedFrames.inc({ reason: 'awareness_batch_too_large' });
        return;
      }
      const b64 = Buffer.from(update).toString('base64');
      this.deps.bus.publish({ kind: 'doc.awareness', blogId: this.blogId, update: b64 });
    }
  };
}
