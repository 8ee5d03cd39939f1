import { performance } from 'node:perf_hooks';
import * as Y from 'yjs';
import type { Deps } from '../deps.js';
import { Mutex } from '../lib/async.js';
import type { DocState } from '../store/types.js';
import { compactDoc } from './compaction.js';
import { type Checked, type IntakeMember, UpdateIntake } from './intake.js';
import { Presence, type PresenceMember } from './presence.js';
import { CloseCode, encodeSyncStep1, encodeUpdateMessage } from './protocol.js';
import { SummaryPublisher } from './summary-publisher.js';
import type { UpdateGuard } from './update-guard.js';

/** A collab WebSocket as the room sees it. */
export interface RoomMember extends PresenceMember, IntakeMember {
  /** Turned on when the member's role is downgraded to one that may only read. */
  readOnly: boolean;
  /** The user behind the credential (null for the admin token), and the credential itself. */
  readonly userId: string | null;
  readonly token: string;
}

/** Transaction origins: only 'client' updates are persisted and published. */
type Origin = { source: 'client'; member: RoomMember } | { source: 'bus' } | { source: 'store' };
const FROM_BUS: Origin = { source: 'bus' };
const FROM_STORE: Origin = { source: 'store' };
const RESYNC_OVERLAP_ROWS = 100;

interface Accepted {
  update: Uint8Array;
  member: RoomMember;
}

/**
 * One blog's Y.Doc on this node. Client updates are checked against a throwaway copy,
 * group-committed to the store once per event-loop turn, and only then applied to the doc,
 * sent to the other editors and rung on the bus (persist before broadcast).
 */
export class DocRoom {
  readonly doc = new Y.Doc();
  readonly members = new Set<RoomMember>();
  readonly presence: Presence;
  readonly lock = new Mutex();
  /** Connections being set up (holding the room loaded before they join). */
  holds = 0;
  /** Store writes/reads not yet finished: the room is never unloaded while any is. */
  inflight = 0;

  private readonly summary: SummaryPublisher;
  /** Highest update row id known to be applied with every row before it. */
  private lastReadId = 0;
  private rowsSinceSnapshot = 0;
  /** Encoded doc size (plus accepted updates) as last measured; re-measured near the limit. */
  private sizeEstimate = 0;
  /** Accepted but not yet committed+applied, in arrival order. */
  private readonly accepted: Accepted[] = [];
  private commits: Promise<void> = Promise.resolve();
  /** doc + accepted updates, rebuilt lazily; dropped whenever the doc changes another way. */
  private shadow: Y.Doc | null = null;
  private compacting = false;
  private resyncTimer: NodeJS.Timeout | null = null;
  private closed = false;

  /** Untrusted updates wait here for the worker's verdict, in arrival order, a batch per turn. */
  private readonly intake: UpdateIntake<RoomMember>;

  constructor(
    readonly blogId: string,
    private readonly deps: Deps,
    guard: UpdateGuard,
  ) {
    this.presence = new Presence(blogId, this.doc, () => this.members, deps);
    this.summary = new SummaryPublisher(blogId, this.doc, deps);
    this.intake = new UpdateIntake(blogId, deps, guard, (batch) => this.acceptBatch(batch));
    this.doc.on('update', this.onDocUpdate);
  }

  /** True while anything is pending that an unload would lose or race with. */
  get busy(): boolean {
    return (
      this.holds > 0 ||
      this.inflight > 0 ||
      this.intake.pending > 0 ||
      this.accepted.length > 0 ||
      this.lock.busy ||
      this.compacting ||
      this.summary.busy
    );
  }

  /** Loads snapshot + rows. Never seeds content: an empty doc stays empty until an editor writes. */
  async load(): Promise<void> {
    await this.lock.run(async () => {
      const state = await this.deps.store.loadDoc(this.blogId);
      this.applyState(state);
      this.rowsSinceSnapshot = state.updates.length;
      this.sizeEstimate = Y.encodeStateAsUpdate(this.doc).length;
    });
    // Renders at load too: a crash between a commit and its render is repaired here.
    this.summary.schedule();
  }

  join(member: RoomMember): void {
    this.members.add(member);
    // Our state vector makes a writer send what we lack (e.g. edits made while we restarted).
    if (!member.readOnly) member.send(encodeSyncStep1(this.doc));
    const presence = this.presence.snapshotFrame();
    if (presence) member.send(presence);
    if (!this.resyncTimer) {
      this.resyncTimer = setInterval(() => void this.resync('periodic'), this.deps.config.COLLAB_RESYNC_MS);
      this.resyncTimer.unref();
    }
  }

  leave(member: RoomMember): void {
    if (!this.members.delete(member)) return;
    this.presence.leave(member);
    if (this.members.size === 0 && this.resyncTimer) {
      clearInterval(this.resyncTimer);
      this.resyncTimer = null;
    }
  }

  /**
   * A client's update: refused, or checked (in a worker, then against a throwaway copy of the
   * doc) and committed with the rest of its batch.
   */
  receiveUpdate(member: RoomMember, update: Uint8Array): void {
    this.intake.receive(member, update);
  }

  /** Holds the member's updates unchecked until `resume` (its access is being re-judged). */
  hold(member: RoomMember): void {
    this.intake.hold(member);
  }

  resume(member: RoomMember): void {
    this.intake.resume(member);
  }

  /** One batch of checked updates: each tried on the throwaway copy, the rest committed together. */
  private acceptBatch(batch: Checked<RoomMember>[]): void {
    const accepted: Accepted[] = [];
    for (const { member, update } of batch) {
      if (!this.accept(member, update)) continue;
      // In `accepted` at once: a shadow rebuilt for the next one of the batch must include it.
      const item = { member, update };
      this.accepted.push(item);
      accepted.push(item);
    }
    if (accepted.length > 0) this.commits = this.commits.then(() => this.commit(accepted));
  }

  private accept(member: RoomMember, update: Uint8Array): boolean {
    const { metrics, config } = this.deps;
    const shadow = this.shadowDoc();
    let changed = false;
    const mark = () => {
      changed = true;
    };
    shadow.on('update', mark);
    try {
      Y.applyUpdate(shadow, update);
    } catch {
      this.shadow = null;
      metrics.refusedFrames.inc({ reason: 'invalid_update' });
      member.close(CloseCode.badMessage, 'invalid update');
      return false;
    } finally {
      shadow.off('update', mark);
    }
    // Updates waiting for missing structs change nothing visible yet but must still be kept.
    if (!changed && !shadow.store.pendingStructs && !shadow.store.pendingDs) return false;
    this.sizeEstimate += update.length;
    if (this.sizeEstimate > config.COLLAB_MAX_DOC_BYTES) {
      this.sizeEstimate = Y.encodeStateAsUpdate(shadow).length;
      if (this.sizeEstimate > config.COLLAB_MAX_DOC_BYTES) {
        this.shadow = null;
        this.sizeEstimate -= update.length;
        metrics.refusedFrames.inc({ reason: 'doc_too_large' });
        member.close(CloseCode.tooLarge, 'document too large');
        return false;
      }
    }
    return true;
  }

  /** A persisted update from another node. */
  receiveFromBus(update: Uint8Array, rowId: number): void {
    try {
      Y.applyUpdate(this.doc, update, FROM_BUS);
    } catch (err) {
      this.deps.log.warn({ err, blogId: this.blogId }, 'undecodable doc update on the bus; re-reading the store');
      void this.resync('bad_bus_update');
      return;
    }
    this.rowsSinceSnapshot++;
    if (rowId === this.lastReadId + 1) this.lastReadId = rowId;
    if (this.doc.store.pendingStructs || this.doc.store.pendingDs) void this.resync('missing_dependencies');
    else this.maybeCompact();
  }

  /** Re-reads rows after the last one seen (the bus is only a doorbell). */
  resync(why: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.inflight++;
    return this.lock
      .run(async () => {
        // Re-reads a window of recent rows too: on PostgreSQL a lower row id can commit after a
        // higher one was read. Applying a row twice is harmless.
        const afterId = Math.max(0, this.lastReadId - RESYNC_OVERLAP_ROWS);
        const state = await this.deps.store.loadDoc(this.blogId, { afterId });
        this.applyState(state);
      })
      .catch((err: unknown) => this.deps.log.warn({ err, blogId: this.blogId, why }, 'collab resync failed'))
      .finally(() => {
        this.inflight--;
      });
  }

  /** Waits for queued commits and renders. */
  async flush(): Promise<void> {
    await this.intake.drained();
    await this.commits;
    await this.summary.flush();
  }

  /** Stops timers and frees the doc. The caller makes sure nothing is in flight. */
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.summary.cancel();
    this.presence.destroy();
    this.doc.off('update', this.onDocUpdate);
    this.doc.destroy();
    this.shadow?.destroy();
  }

  private async commit(batch: Accepted[]): Promise<void> {
    if (batch.length === 0) return;
    const { store, bus, metrics, log } = this.deps;
    this.inflight++;
    const started = performance.now();
    try {
      const rowIds = await store.appendDocUpdates(
        this.blogId,
        batch.map((a) => a.update),
      );
      metrics.updateCommitSeconds.observe((performance.now() - started) / 1000);
      this.accepted.splice(0, batch.length);
      batch.forEach((a, i) => {
        const rowId = rowIds[i] ?? 0;
        Y.applyUpdate(this.doc, a.update, { source: 'client', member: a.member } satisfies Origin);
        if (rowId === this.lastReadId + 1) this.lastReadId = rowId;
        bus.publish({
          kind: 'doc.update',
          blogId: this.blogId,
          update: Buffer.from(a.update).toString('base64'),
          rowId,
        });
      });
      this.rowsSinceSnapshot += batch.length;
      this.maybeCompact();
    } catch (err) {
      // Nothing of this batch is visible anywhere: the editors resend it after reconnecting.
      log.error({ err, blogId: this.blogId }, 'collab commit failed');
      this.accepted.splice(0, batch.length);
      this.shadow = null;
      for (const a of new Set(batch.map((x) => x.member))) a.close(CloseCode.internalError, 'store unavailable');
    } finally {
      this.inflight--;
    }
  }

  private applyState(state: DocState): void {
    this.doc.transact(() => {
      // The snapshot is new to us on first load, or when another node compacted past what we read.
      if (state.snapshot && (this.lastReadId === 0 || state.snapshotUpToId > this.lastReadId)) {
        this.safeApply(state.snapshot);
      }
      for (const row of state.updates) this.safeApply(row.data);
    }, FROM_STORE);
    const lastId = state.updates.at(-1)?.id ?? 0;
    this.lastReadId = Math.max(this.lastReadId, state.snapshotUpToId, lastId);
  }

  private safeApply(update: Uint8Array): void {
    try {
      Y.applyUpdate(this.doc, update, FROM_STORE);
    } catch (err) {
      this.deps.log.error({ err, blogId: this.blogId }, 'skipping an undecodable stored update');
    }
  }

  private shadowDoc(): Y.Doc {
    if (!this.shadow) {
      const copy = new Y.Doc();
      Y.applyUpdate(copy, Y.encodeStateAsUpdate(this.doc));
      for (const a of this.accepted) Y.applyUpdate(copy, a.update);
      this.shadow = copy;
    }
    return this.shadow;
  }

  private maybeCompact(): void {
    if (this.compacting || this.closed || this.rowsSinceSnapshot <= this.deps.config.COLLAB_COMPACT_AFTER) return;
    this.compacting = true;
    void this.lock
      .run(async () => {
        const result = await compactDoc(this.blogId, this.deps);
        if (!result) return;
        // The rebuilt state may hold rows this node never saw: merge it in (harmless twice).
        Y.applyUpdate(this.doc, result.snapshot, FROM_STORE);
        this.lastReadId = Math.max(this.lastReadId, result.upToId);
        this.rowsSinceSnapshot = Math.max(0, this.rowsSinceSnapshot - result.rowsMerged);
        this.sizeEstimate = result.snapshot.length;
      })
      .finally(() => {
        this.compacting = false;
      });
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    const from = origin as Origin | undefined;
    // The doc changed other than through accepted client updates: the copy is stale.
    if (from?.source !== 'client') this.shadow = null;
    const sender = from?.source === 'client' ? from.member : null;
    const frame = encodeUpdateMessage(update);
    for (const m of this.members) if (m !== sender) m.send(frame);
    this.summary.schedule();
  };
}
